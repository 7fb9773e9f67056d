"""The permission service: the one place every path asks "may this actor do this?".

Services call it; views never do. Its answers serve every feature (records API, bulk API, forms,
OpenAPI, UI, reports, reminders, imports, exports):

    access = access_for(actor)                 # rights compiled once, cached (see rights.py)
    access.can(obj, "edit") / access.require(obj, "edit")       # object rights
    access.has_right("export") / access.require_right("manage_users")   # admin rights
    access.can_export(obj) / access.require_export(obj)
    access.can_import(obj) / access.require_import(obj)
    access.field_access(obj, field)  → "hidden" | "read" | "edit";  readable(), editable(), readable_fields()
    access.sources_readable(obj, field)        # may read every field a formula / roll-up reads
    access.row_predicate(obj, "read", "r")     # SQL over the record alias, or None for every row
    access.can_reassign(obj, record), access.can_assign_owner(obj, user_id)

Object actions: create, read, edit, delete, view_all, modify_all. Row actions for predicates: read,
edit, delete (also restore), reassign (also share). Record lists are filtered inside SQL: the
predicate goes into the query's WHERE, never fetch-then-filter.

Record-level model: the object's org-wide default (`sharing_model` in its spec: private, public_read,
public_read_write; standard objects default to private, custom ones to public_read_write), the owner
and the role hierarchy (a user sees and edits what they and the roles below them own), sharing rules
(records matching records-API filters shared with a department or a role, read or edit) and manual
shares (one record with a user or a department). view_all / modify_all (per object, or every object
with the view_all_data / modify_all_data admin rights) bypass the record level. Deleting and
reassigning follow ownership only (owner, role hierarchy, modify_all), never shares.

An actor is a tenant user, or SYSTEM for installs, migrations and maintenance: an explicit bypass that
shows up in the audit trail (no user, actor "system"), never a silent flag. A user with the is_admin
flag ("system administrator") has every right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from psycopg2 import sql

from metadata.cache import get_meta
from tessera.core.context import request_id_var
from tessera.errors import PermissionDenied
from tessera.security.actor import Actor

from . import predicates
from .rights import LEVEL_NAMES, NO_RIGHTS, Rights, rights_for

if TYPE_CHECKING:
    from metadata.meta import FieldMeta, ObjectMeta, TenantMeta

SHARING_MODELS = ("private", "public_read", "public_read_write")
ROW_ACTIONS = ("read", "edit", "delete", "reassign")


class SystemActor:
    """Installs, migrations and background maintenance: every right, no user."""

    pk = None
    id = None
    is_admin = True
    is_active = True
    is_authenticated = True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_system(actor: Actor | None) -> bool:
    return actor is SYSTEM


def user_id(actor: Actor | None) -> int | None:
    """The user id to stamp on writes (None for SYSTEM)."""
    return None if is_system(actor) or actor is None else actor.pk


def authenticated(actor: Actor | None) -> bool:
    """A logged-in, active user (the services' first check before anything an actor asks)."""
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False))


def require_customise(actor: Actor) -> None:
    """Changing metadata needs the 'customize' right of the actor's profile or permission sets."""
    if is_system(actor):
        return
    if not authenticated(actor):
        raise PermissionDenied(_("Log in first."), code="not_authenticated")
    if not access_for(actor).has_right("customize"):
        raise PermissionDenied(_("Changing the configuration needs the customise right."), code="no_customise_right")


def sharing_model(obj: ObjectMeta) -> str:
    """The object's org-wide default for records (see the module docstring)."""
    value = (obj.spec or {}).get("sharing_model")
    if value in SHARING_MODELS:
        return value
    return "private" if obj.is_standard else "public_read_write"


class RecordAccess:
    """What one actor may do. Every feature asks this object, and only it.

    Cheap to make: the user's rights come compiled from the cache on first use; per-object answers
    (actions, field levels, compiled predicates) are memoised on this object.
    """

    ACTIONS = ("create", "read", "edit", "delete", "view_all", "modify_all")

    def __init__(self, actor: Actor | None, rights: Rights | None = None) -> None:
        self.actor = actor
        self._rights = rights
        self._actions: dict[str, frozenset[str]] = {}
        self._levels: dict[tuple[str, str], int] = {}
        self._predicates: dict[tuple, list[sql.Composable] | None] = {}
        self._sources: dict[tuple[str, str], bool] = {}
        self._tenant: TenantMeta | None = None

    # --- who ---------------------------------------------------------------------------------
    @property
    def user_id(self) -> int | None:
        return user_id(self.actor)

    @property
    def is_system(self) -> bool:
        return is_system(self.actor)

    @property
    def rights(self) -> Rights:
        if self._rights is None:
            if self.is_system or not authenticated(self.actor) or getattr(self.actor, "pk", None) is None:
                self._rights = NO_RIGHTS
            else:
                self._rights = rights_for(user_id(self.actor))
        return self._rights

    @property
    def superuser(self) -> bool:
        """SYSTEM, or an active system administrator (is_admin): known from the user row loaded for
        the request, so an administrator's requests cost no rights query at all."""
        if self.is_system:
            return True
        actor = self.actor
        return bool(authenticated(actor) and getattr(actor, "is_admin", False)
                    and not getattr(actor, "is_support", False))

    @property
    def owner_ids(self) -> tuple[int, ...]:
        """The actor and everyone in the roles below theirs."""
        return self.rights.owner_ids

    # --- admin rights ----------------------------------------------------------------------------
    def has_right(self, right: str) -> bool:
        """customize, manage_users, export, import, view_audit_log, view_all_data, modify_all_data."""
        return self.superuser or (self.rights.active and right in self.rights.admin)

    def require_right(self, right: str) -> None:
        if not self.is_system and not authenticated(self.actor):
            raise PermissionDenied(_("Log in first."), code="not_authenticated")
        if not self.has_right(right):
            raise PermissionDenied(_("This needs the “%(right)s” right.") % {"right": right}, code=f"no_{right}_right")

    def can_export(self, obj: ObjectMeta) -> bool:
        return self.has_right("export") and self.can(obj, "read")

    def require_export(self, obj: ObjectMeta) -> None:
        self.require(obj, "read")
        self.require_right("export")

    def can_import(self, obj: ObjectMeta) -> bool:
        """Importing needs the import right and the right to create or edit the object's records."""
        return self.has_right("import") and (self.can(obj, "create") or self.can(obj, "edit"))

    def require_import(self, obj: ObjectMeta) -> None:
        if not self.can(obj, "create"):
            self.require(obj, "edit")
        self.require_right("import")

    # --- object rights ---------------------------------------------------------------------------
    def actions(self, obj: ObjectMeta) -> frozenset[str]:
        if self.superuser:
            return frozenset(self.ACTIONS)
        found = self._actions.get(obj.api_name)
        if found is None:
            found = self._actions[obj.api_name] = self.rights.object_actions(obj.api_name)
        return found

    def can(self, obj: ObjectMeta, action: str) -> bool:
        return action in self.actions(obj)

    def require(self, obj: ObjectMeta, action: str) -> None:
        if not self.can(obj, action):
            raise PermissionDenied(_("You may not %(action)s %(object)s records.")
                                   % {"action": action, "object": obj.label(None, plural=True)},
                                   code=f"no_{action}_right")

    # --- fields ----------------------------------------------------------------------------------
    def field_access(self, obj: ObjectMeta, field: FieldMeta) -> str:
        """"hidden", "read" or "edit" by field-level security (profile and permission sets).

        Whether a field can be written at all (computed, read-only in metadata) is the field's own
        property (FieldMeta.writable); an object the actor may not read has every field hidden. A
        computed value that follows the reader (formulas, roll-ups unless opted out) is hidden when
        the actor may not read every field it is computed from (sources_readable), so every path that
        asks here (reads, lists, fields=, filters, sorts, forms, history, OpenAPI, metadata) hides it
        like any hidden field.
        """
        if self.superuser:
            return "edit"
        if not self.can(obj, "read"):
            return "hidden"
        key = (obj.api_name, field.api_name)
        level = self._levels.get(key)
        if level is None:
            self._levels[key] = 0  # a definition reading itself (refused when saved) stays hidden
            level = self.rights.field_level(obj.api_name, field.api_name)
            if level and field.type.follows_reader(field) and not self.sources_readable(obj, field):
                level = 0
            self._levels[key] = level
        return LEVEL_NAMES[level]

    def sources_readable(self, obj: ObjectMeta, field: FieldMeta) -> bool:
        """Whether the actor may read every field a computed `field` is computed from (its type's
        `reads`: a formula's references and the lookups they cross, a roll-up's child lookup and
        summarised field), each by its own field-level security, recursively for computed ones.
        Decided per profile, once per request; rows reached through lookups are the query's part
        (RecordQuery.visibility). The metadata API shows a definition only when this holds."""
        if self.superuser:
            return True
        key = (obj.api_name, field.api_name)
        found = self._sources.get(key)
        if found is None:
            self._sources[key] = False
            sources = field.type.reads(field, self._tenant_of(obj))
            found = sources is not None and all(self.readable(o, f) for o, f in sources)
            self._sources[key] = found
        return found

    def _tenant_of(self, obj: ObjectMeta) -> TenantMeta:
        """The metadata snapshot `obj` belongs to (the current one, fetched once per access object)."""
        tenant = self._tenant
        if tenant is None or tenant.objects.get(obj.api_name) is not obj:
            tenant = self._tenant = get_meta()
        return tenant

    def readable(self, obj: ObjectMeta, field: FieldMeta) -> bool:
        return self.field_access(obj, field) != "hidden"

    def editable(self, obj: ObjectMeta, field: FieldMeta) -> bool:
        return self.field_access(obj, field) == "edit"

    def readable_fields(self, obj: ObjectMeta) -> list[FieldMeta]:
        return [f for f in obj.fields if self.readable(obj, f)]

    # --- records ---------------------------------------------------------------------------------
    def row_predicate(self, obj: ObjectMeta, action: str = "read", alias: str = "r",
                      tenant: TenantMeta | None = None) -> sql.Composable | None:
        """The records `action` may apply to, as SQL over the record alias; None: every record.

        Index-friendly: the ownership branch is `owner_id = <id>` (one owner) or `owner_id = ANY(…)`,
        and share / rule branches are OR-ed in only when the actor has any for this object.
        """
        branches = self.row_branches(obj, action, alias, tenant)
        return None if branches is None else predicates.any_of(branches)

    def row_branches(self, obj: ObjectMeta, action: str = "read", alias: str = "r",
                     tenant: TenantMeta | None = None) -> list[sql.Composable] | None:
        """row_predicate() as the list of its OR-ed branches (ownership first, then manual shares, then
        each sharing rule); None: every record. A query compiler may run each branch on its own (each
        with its best index) and merge them, rather than OR them (see RecordQuery.any_of)."""
        if action == "restore":
            action = "delete"
        elif action == "share":
            action = "reassign"
        if action not in ROW_ACTIONS:
            raise ValueError(f"unknown row action {action!r}")
        if self.superuser:
            return None
        key = (obj.id, action, alias)
        if key not in self._predicates:
            self._predicates[key] = self._branches(obj, action, alias, tenant)
        return self._predicates[key]

    def _branches(self, obj: ObjectMeta, action: str, alias: str,
                  tenant: TenantMeta | None) -> list[sql.Composable] | None:
        actions = self.actions(obj)
        if "read" not in actions:
            return [predicates.NOTHING]
        model = sharing_model(obj)
        if action == "read" and ("view_all" in actions or model != "private"):
            return None
        if action in ("edit", "delete", "reassign") and "modify_all" in actions:
            return None
        if action == "edit" and model == "public_read_write":
            return None
        rights = self.rights
        branches = [predicates.owned_by(alias, rights.owner_ids)]
        if action in ("read", "edit"):
            edit = action == "edit"
            if obj.id in (rights.shared_edit_objects if edit else rights.shared_objects):
                branches.append(predicates.shared_with(obj, alias, edit=edit, user_id=rights.user_id,
                                                       department_id=rights.department_id,
                                                       department_ancestors=rights.department_ancestors))
            rules = [r for r in rights.rules if r.object_id == obj.id and (not edit or r.access == "edit")]
            if rules:
                if tenant is None:
                    tenant = get_meta()
                branches.extend(predicates.rule_sql(tenant, obj, rule, alias) for rule in rules)
        return branches

    def can_reassign(self, obj: ObjectMeta, record: object) -> bool:
        """Whether the actor may give `record` (a Record, or anything with owner_id) to someone else."""
        if self.superuser or self.can(obj, "modify_all"):
            return True
        return self.can(obj, "edit") and getattr(record, "owner_id", None) in self.rights.owner_ids

    def can_assign_owner(self, obj: ObjectMeta, owner_id: int | None) -> bool:
        """Whether a record the actor creates may be owned by `owner_id` (the actor's team, or anyone
        with modify_all); the creator owns a new record unless they say otherwise."""
        if owner_id is None or owner_id == self.user_id:
            return True
        return self.superuser or self.can(obj, "modify_all") or owner_id in self.rights.owner_ids


def access_for(actor: Actor | None) -> RecordAccess:
    """The access object of `actor`. Within one request (or Celery task) the same object is reused,
    so rights are compiled, cached and version-checked once per request."""
    if is_system(actor) or actor is None or not getattr(actor, "is_authenticated", False):
        return RecordAccess(actor)
    request_id = request_id_var.get()
    cached = getattr(actor, "_tessera_access", None)
    if cached is not None and request_id != "-" and cached[0] == request_id:
        return cached[1]
    access = RecordAccess(actor)
    try:
        actor._tessera_access = (request_id, access)  # type: ignore[attr-defined]  # a user row
    except AttributeError:
        pass
    return access
