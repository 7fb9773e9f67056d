"""Tenant slugs: the first label of a tenant's host name, and the base of its schema name."""

import re

from django.utils.translation import gettext as _

from tessera.errors import ValidationFailed

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")

#: Names the product uses for itself (its demo tenant, its pages and services, the URL paths
#: people could mistake for them) and host labels that would confuse users, mail or DNS. A tenant
#: may not take one; `tessera manage check --database default` reports an existing tenant that does
#: (tenants.checks). Add to this list freely; never remove a name a tenant could then take.
RESERVED_SLUGS = frozenset(
    """
    www public admin administrator api app apps assets auth base billing blog cdn dashboard demo
    demo-template dev docs download email files ftp healthz help i18n imap info invitation localhost
    login logout mail media ns ns1 ns2 operator password-reset platform pop pop3 postgres register
    reports root security setup signup smtp sso static status support system template tenant tenants
    tessera test upload webmail ws wss
    """.split()
)

SCHEMA_PREFIX = "t_"


def validate_slug(slug: str, *, allow_reserved: bool = False) -> str:
    """Return the slug if it can name a tenant, else raise ValidationFailed on `slug`.
    `allow_reserved` is for the platform's own tenants (the demo tenant), never for sign-up."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ValidationFailed.single(
            "slug",
            "invalid_slug",
            _(
                "A slug is 1 to 40 lowercase letters, digits and hyphens, "
                "and starts and ends with a letter or digit."
            ),
        )
    if (slug in RESERVED_SLUGS and not allow_reserved) or "--" in slug:
        raise ValidationFailed.single("slug", "reserved_slug", _("“%(slug)s” is reserved.") % {"slug": slug})
    return slug


def schema_name_for(slug: str) -> str:
    """Schema names never collide with `public`, `pg_*` or the base schema: they carry a prefix."""
    return SCHEMA_PREFIX + slug.replace("-", "_")
