"""A user's compiled rights: profile + permission sets + role subtree + departments + the sharing
that reaches them, in one immutable snapshot.

Compiled with a handful of small queries, then kept in a per-process LRU (tessera.lru) keyed by (schema, security
version, token, user id): every request after the first costs one single-row query (the version).
Nothing here is request data, so the snapshot is safe to share between requests and threads; what
depends on metadata (which objects exist, their fields, compiled rule predicates) is resolved per
request by RecordAccess against the metadata snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tessera.lru import SnapshotCache

from . import versioning
from .models import Department, PermissionSet, Profile, RecordShare, Role, SharingRule, SupportGrant, User

if TYPE_CHECKING:
    from .models import SupportGrant

ACTIONS = ("create", "read", "edit", "delete", "view_all", "modify_all")
ADMIN_RIGHTS = ("customize", "manage_users", "export", "import", "view_audit_log", "view_all_data", "modify_all_data",
                "create_reports", "share_reports", "build_dashboards")
#: Field access levels, weakest first; the union of rights takes the strongest.
LEVELS = {"hidden": 0, "read_only": 1, "editable": 2}
LEVEL_NAMES = ("hidden", "read", "edit")

MAX_ENTRIES = 2048


def implied(actions: Iterable[str]) -> frozenset[str]:
    """Rights imply the ones they need: modify all → view all, edit, delete, create; anything → read."""
    result = set(actions)
    if "modify_all" in result:
        result |= {"view_all", "edit", "delete", "create"}
    if result & {"view_all", "edit", "delete", "create"}:
        result.add("read")
    return frozenset(result)


@dataclass(frozen=True)
class RuleGrant:
    """A sharing rule that reaches this user."""

    id: int
    object_id: int
    filters: tuple[tuple[str, Any], ...]
    access: str


@dataclass(frozen=True)
class Rights:
    user_id: int | None
    active: bool
    #: The is_admin flag ("system administrator"): every right, like SYSTEM but a person.
    superuser: bool
    support: bool
    admin: frozenset[str]
    #: (spec, is_profile) of the profile and each permission set, for per-object resolution.
    sources: tuple[tuple[Mapping[str, Any], bool], ...]
    #: The user and everyone in the roles below theirs: whose records the role hierarchy shows them.
    owner_ids: tuple[int, ...]
    role_id: int | None
    department_id: int | None
    #: The user's department's ancestors (a department share "with sub-departments" reaches down).
    department_ancestors: tuple[int, ...]
    rules: tuple[RuleGrant, ...]
    #: Object ids where a manual share reaches the user (any access), and with edit access.
    shared_objects: frozenset[int]
    shared_edit_objects: frozenset[int]
    #: Rights expire (a support user's grant) at this time; None: never.
    valid_until: dt.datetime | None = None

    def object_actions(self, object_api_name: str) -> frozenset[str]:
        if not self.active:
            return frozenset()
        granted: set[str] = set()
        for spec, _is_profile in self.sources:
            default = spec.get("default_object") or {}
            entry = (spec.get("objects") or {}).get(object_api_name) or {}
            granted |= {a for a in ACTIONS if entry.get(a, default.get(a, False))}
        if "view_all_data" in self.admin:
            granted.add("view_all")
        if "modify_all_data" in self.admin:
            granted.add("modify_all")
        return implied(granted)

    def field_level(self, object_api_name: str, field_api_name: str) -> int:
        level = 0
        for spec, is_profile in self.sources:
            entry = (spec.get("objects") or {}).get(object_api_name) or {}
            named = (entry.get("fields") or {}).get(field_api_name)
            if named is not None:
                level = max(level, LEVELS[named])
            elif is_profile:
                level = max(level, LEVELS["editable"])
        return level


_entries: SnapshotCache[tuple[str, int, str, int], Rights] = SnapshotCache(MAX_ENTRIES)

NO_RIGHTS = Rights(user_id=None, active=False, superuser=False, support=False, admin=frozenset(), sources=(),
                   owner_ids=(), role_id=None, department_id=None, department_ancestors=(), rules=(),
                   shared_objects=frozenset(), shared_edit_objects=frozenset())


def rights_for(user_id: int | None) -> Rights:
    """The compiled rights of a user of the current schema (cached; see the module docstring)."""
    if user_id is None:
        return NO_RIGHTS
    # Safe even inside a transaction that bumped the version: its token is its own until it commits,
    # and never comes back if it rolls back, so nobody else can be served these rights.
    version, token, _changing = versioning.current()
    key = (connection.schema_name, version, token, user_id)  # type: ignore[attr-defined]
    rights = _entries.get(key)
    if rights is not None and (rights.valid_until is None or rights.valid_until > timezone.now()):
        return rights
    return _entries.put(key, compile_rights(user_id))


def compile_rights(user_id: int) -> Rights:
    row = (User.objects.filter(pk=user_id)
           .values("is_active", "is_admin", "is_support", "profile_id", "role_id", "department_id").first())
    if row is None or not row["is_active"]:
        return NO_RIGHTS
    valid_until = None
    if row["is_support"]:
        grant = active_support_grant()
        if grant is None:
            return NO_RIGHTS
        valid_until = grant.expires_at
    sources: list[tuple[Mapping[str, Any], bool]] = []
    if row["profile_id"]:
        spec = Profile.objects.filter(pk=row["profile_id"]).values_list("spec", flat=True).first()
        if spec is not None:
            sources.append((spec, True))
    for spec in PermissionSet.objects.filter(users=user_id).values_list("spec", flat=True):
        sources.append((spec, False))
    admin = frozenset(right for spec, _p in sources for right, on in (spec.get("admin") or {}).items() if on)
    if row["is_admin"]:
        admin = frozenset(ADMIN_RIGHTS)

    role_id, department_id = row["role_id"], row["department_id"]
    owner_ids = {user_id}
    role_ancestors: list[int] = []
    if role_id is not None:
        parents: dict[int, int | None] = dict(Role.objects.values_list("id", "parent_id"))
        below = _descendants(parents, role_id)
        if below:
            owner_ids |= set(User.objects.filter(role_id__in=below).values_list("id", flat=True))
        role_ancestors = _ancestors(parents, role_id)
    department_ancestors: list[int] = []
    if department_id is not None:
        department_ancestors = _ancestors(dict(Department.objects.values_list("id", "parent_id")), department_id)

    reach = Q(role_id=role_id) | Q(include_sub=True, role_id__in=role_ancestors) if role_id else Q(pk__in=[])
    if department_id:
        reach |= Q(department_id=department_id) | Q(include_sub=True, department_id__in=department_ancestors)
    rules = tuple(
        RuleGrant(id=r["id"], object_id=r["object_id"], filters=tuple((k, v) for k, v in r["filters"]),
                  access=r["access"])
        for r in SharingRule.objects.filter(reach, active=True).values("id", "object_id", "filters", "access")
    )
    share_reach = Q(user_id=user_id)
    if department_id:
        share_reach |= Q(department_id=department_id) | Q(include_sub=True, department_id__in=department_ancestors)
    shared = set(RecordShare.objects.filter(share_reach).values_list("object_id", "access").distinct())
    return Rights(
        user_id=user_id, active=True, superuser=bool(row["is_admin"]), support=bool(row["is_support"]),
        admin=admin, sources=tuple((MappingProxyType(dict(s)), p) for s, p in sources),
        owner_ids=tuple(sorted(owner_ids)), role_id=role_id, department_id=department_id,
        department_ancestors=tuple(department_ancestors), rules=rules,
        shared_objects=frozenset(o for o, _a in shared), shared_edit_objects=frozenset(o for o, a in shared if a == "edit"),
        valid_until=valid_until,
    )


def active_support_grant() -> SupportGrant | None:
    return (SupportGrant.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-expires_at").first())


def _descendants(parents: dict[int, int | None], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for node, parent in parents.items():
        children.setdefault(parent, []).append(node)
    found, stack = set(), list(children.get(root, ()))
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(children.get(node, ()))
    return found


def _ancestors(parents: dict[int, int | None], node: int) -> list[int]:
    """Strictly above `node`, nearest first (a cycle, which services refuse, would stop the walk)."""
    result, seen = [], {node}
    current = parents.get(node)
    while current is not None and current not in seen:
        result.append(current)
        seen.add(current)
        current = parents.get(current)
    return result


def descendants(parents: dict[int, int | None], root: int) -> set[int]:
    return _descendants(parents, root)

