"""Tenant slugs: the first label of a tenant's host name, and the base of its schema name."""

import re

from django.utils.translation import gettext as _

from tessera.errors import ValidationFailed

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")

#: Host labels that belong to the platform or would confuse users, mail or DNS.
RESERVED_SLUGS = frozenset(
    """
    www public admin administrator api app apps assets auth base blog cdn dashboard demo-template
    dev docs email ftp healthz help imap info localhost login logout mail media ns ns1 ns2 operator
    platform pop pop3 postgres root signup smtp sso static status support system template tenant
    tenants tessera test webmail ws wss
    """.split()
)

SCHEMA_PREFIX = "t_"


def validate_slug(slug: str) -> str:
    """Return the slug if it can name a tenant, else raise ValidationFailed on `slug`."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ValidationFailed.single(
            "slug",
            "invalid_slug",
            _(
                "A slug is 1 to 40 lowercase letters, digits and hyphens, "
                "and starts and ends with a letter or digit."
            ),
        )
    if slug in RESERVED_SLUGS or "--" in slug:
        raise ValidationFailed.single("slug", "reserved_slug", _("“%(slug)s” is reserved.") % {"slug": slug})
    return slug


def schema_name_for(slug: str) -> str:
    """Schema names never collide with `public`, `pg_*` or the base schema: they carry a prefix."""
    return SCHEMA_PREFIX + slug.replace("-", "_")
