"""Sharing rules (records matching records-API filters → a department or a role, read or edit) and
manual shares (one record → a user or a department, read or edit)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from metadata.cache import get_meta
from tessera.errors import ErrorCollector, NotFound, PermissionDenied
from tessera.records.service import get_object_meta
from tessera.security.actor import Actor, acting_user

from .. import audit, repository
from ..access import access_for, authenticated
from ..models import Access, Department, RecordShare, Role, SharingRule
from ..predicates import compile_filters
from .common import get_user, pick, require_manage_users

if TYPE_CHECKING:
    from metadata.meta import ObjectMeta, TenantMeta

RULE_FIELDS = ("name", "object", "filters", "department", "role", "include_sub", "access", "active")


# --- sharing rules -----------------------------------------------------------------------------


def list_rules(actor: Actor, *, object_api_name: str | None = None) -> QuerySet[SharingRule]:
    require_manage_users(actor)
    rules = SharingRule.objects.select_related("department", "role").order_by("id")
    if object_api_name:
        obj = get_meta().object(object_api_name)
        rules = rules.filter(object_id=obj.id if obj else -1)
    return rules


def get_rule(rule_id: Any, actor: Actor) -> SharingRule:
    require_manage_users(actor)
    try:
        return SharingRule.objects.get(pk=int(rule_id))
    except (SharingRule.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No such sharing rule."), code="unknown_sharing_rule") from None


def create_rule(data: dict, actor: Actor) -> SharingRule:
    require_manage_users(actor)
    rule = SharingRule(created_by=acting_user(actor))
    _apply(rule, data, create=True)
    with transaction.atomic():
        rule.save()
        audit.log(actor, "sharing_rule.create", target_type="sharing_rule", target_id=rule.pk, detail=_summary(rule))
    return rule


def update_rule(rule_id: Any, data: dict, actor: Actor) -> SharingRule:
    require_manage_users(actor)
    with transaction.atomic():
        rule = SharingRule.objects.select_for_update().filter(pk=get_rule(rule_id, actor).pk).get()
        before = _summary(rule)
        _apply(rule, data, create=False)
        rule.save()
        audit.log(actor, "sharing_rule.update", target_type="sharing_rule", target_id=rule.pk,
                  detail={"before": before, "after": _summary(rule)})
    return rule


def delete_rule(rule_id: Any, actor: Actor) -> None:
    require_manage_users(actor)
    with transaction.atomic():
        rule = get_rule(rule_id, actor)
        audit.log(actor, "sharing_rule.delete", target_type="sharing_rule", target_id=rule.pk, detail=_summary(rule))
        rule.delete()


def rule_object(rule: SharingRule) -> ObjectMeta | None:
    return get_meta().objects_by_id.get(rule.object_id)


def _apply(rule: SharingRule, data: dict, *, create: bool) -> None:
    """Set what `data` gives on `rule` (everything, when creating); every error at once."""
    errors = ErrorCollector()
    for key in sorted(set(data) - set(RULE_FIELDS)):
        errors.add(key, "unknown_field", _("Unknown property."))
    tenant = get_meta()
    if create or "object" in data:
        _apply_object(rule, tenant, data.get("object"), create=create, errors=errors)
    obj = tenant.objects_by_id.get(rule.object_id) if rule.object_id else None
    if create or "name" in data:
        name = data["name"].strip() if isinstance(data.get("name"), str) else ""
        if not name or len(name) > 100:
            errors.add("name", "required", _("Give a name (at most 100 characters)."))
        rule.name = name
    if create or "filters" in data:
        _apply_filters(rule, tenant, obj, data.get("filters"), errors)
    if create or "department" in data or "role" in data:
        department = pick(Department, data.get("department"), field="department", errors=errors,
                          code="unknown_department")
        role = pick(Role, data.get("role"), field="role", errors=errors, code="unknown_role")
        if (data.get("department") is None) == (data.get("role") is None):
            errors.add(None, "one_target", _("Share with either a department or a role."))
        rule.department, rule.role = department, role
    for flag in ("include_sub", "active"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors.add(flag, "invalid", _("Use true or false."))
            setattr(rule, flag, bool(data[flag]))
    if create or "access" in data:
        access = data.get("access", Access.READ)
        if access not in Access.values:
            errors.add("access", "invalid_choice", _("Use read or edit."))
        rule.access = access
    errors.raise_if_any()


def _apply_object(rule: SharingRule, tenant: TenantMeta, name: object, *, create: bool,
                  errors: ErrorCollector) -> None:
    """The object a rule shares records of: set when the rule is made, never changed after."""
    obj = tenant.object(name) if isinstance(name, str) else None
    if obj is None:
        errors.add("object", "unknown_object", _("No such object."))
    elif not create and obj.id != rule.object_id:
        errors.add("object", "immutable", _("A rule's object cannot change; make a new rule."))
    else:
        rule.object_id = obj.id


def _apply_filters(rule: SharingRule, tenant: TenantMeta, obj: ObjectMeta | None, raw: object,
                   errors: ErrorCollector) -> None:
    """The rule's criteria: records-API filters, which must compile over the rule's object."""
    pairs = _pairs(raw, errors)
    if obj is None or pairs is None:
        return
    found = ErrorCollector()
    compile_filters(tenant, obj, pairs, "r", found)
    for key, details in found.field_errors.items():
        for d in details:
            errors.add(f"filters.{key}", d.code, d.message)
    for d in found.non_field_errors:
        errors.add("filters", d.code, d.message)
    rule.filters = [[k, v] for k, v in pairs]


def _pairs(raw: object, errors: ErrorCollector) -> list[tuple[str, Any]] | None:
    """Filters as the records API takes them: {"industry": "it"} or [["industry", "it"], …]."""
    if isinstance(raw, dict):
        return [(str(k), v) for k, v in raw.items()]
    if isinstance(raw, list) and all(isinstance(i, list | tuple) and len(i) == 2 and isinstance(i[0], str)
                                     for i in raw):
        return [(k, v) for k, v in raw]
    errors.add("filters", "invalid", _("Give filters as {key: value} or [[key, value], …]."))
    return None


def _summary(rule: SharingRule) -> dict:
    return {"name": rule.name, "object_id": rule.object_id, "filters": rule.filters, "department": rule.department_id,
            "role": rule.role_id, "include_sub": rule.include_sub, "access": rule.access, "active": rule.active}


# --- manual shares -----------------------------------------------------------------------------


def _record(object_api_name: str, record_id: Any, actor: Actor, *, manage: bool) -> tuple[ObjectMeta, int]:
    """(obj, record id) when the actor may see the record (404 otherwise) and, with `manage`, may
    share it: its owner, above its owner in the role hierarchy, or modify_all (403 otherwise)."""
    if not authenticated(actor):
        require_manage_users(actor)
    _tenant, obj = get_object_meta(object_api_name)
    access = access_for(actor)
    access.require(obj, "read")
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such record."), code="unknown_record") from None
    if not repository.visible_ids(obj, [record_id], access.row_predicate(obj, "read")):
        raise NotFound(_("No such record."), code="unknown_record")
    if manage and not repository.visible_ids(obj, [record_id], access.row_predicate(obj, "share")):
        raise PermissionDenied(_("Only the owner, their managers and administrators may share this record."),
                               code="no_share_right")
    return obj, record_id


def list_shares(object_api_name: str, record_id: Any, actor: Actor) -> QuerySet[RecordShare]:
    obj, record_id = _record(object_api_name, record_id, actor, manage=False)
    return RecordShare.objects.filter(object_id=obj.id, record_id=record_id).select_related("user", "department")


def share_record(object_api_name: str, record_id: Any, data: dict, actor: Actor) -> RecordShare:
    obj, record_id = _record(object_api_name, record_id, actor, manage=True)
    errors = ErrorCollector()
    user = department = None
    if (data.get("user") is None) == (data.get("department") is None):
        errors.add(None, "one_target", _("Share with either a user or a department."))
    elif data.get("user") is not None:
        user = get_user(data["user"], field="user", errors=errors, active=True)
    else:
        department = pick(Department, data["department"], field="department", errors=errors,
                          code="unknown_department")
    access = data.get("access", Access.READ)
    if access not in Access.values:
        errors.add("access", "invalid_choice", _("Use read or edit."))
    include_sub = data.get("include_sub", False)
    if not isinstance(include_sub, bool):
        errors.add("include_sub", "invalid", _("Use true or false."))
    errors.raise_if_any()
    with transaction.atomic():
        target = {"user": user} if user is not None else {"department": department}
        share, _created = RecordShare.objects.update_or_create(
            object_id=obj.id, record_id=record_id, **target,
            defaults={"access": access, "include_sub": include_sub and department is not None,
                      "created_by": acting_user(actor)})
        audit.log(actor, "record.share", target_type=f"record:{obj.api_name}", target_id=record_id,
                  detail={"user": user.pk if user else None, "department": department.pk if department else None,
                          "access": access, "include_sub": share.include_sub})
    return share


def unshare_record(object_api_name: str, record_id: Any, share_id: Any, actor: Actor) -> None:
    obj, record_id = _record(object_api_name, record_id, actor, manage=True)
    with transaction.atomic():
        share = RecordShare.objects.filter(pk=share_id, object_id=obj.id, record_id=record_id).first()
        if share is None:
            raise NotFound(_("No such share."), code="unknown_share")
        audit.log(actor, "record.unshare", target_type=f"record:{obj.api_name}", target_id=record_id,
                  detail={"user": share.user_id, "department": share.department_id, "access": share.access})
        share.delete()
