"""The write pipeline: small steps every create and update goes through, whatever the entry point
(API, bulk API, UI, imports). Each step reads and annotates `Draft`s and adds errors to them;
nothing is written until every step has run and no draft has an error.

    read_input → defaults → validate_values (required, choices, categories, cascades)
    → check_lookups → check_unique → check_validation_rules → (service) duplicates
    → attach_uploads (single-use upload tokens) → write
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter, methodcaller
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metadata.fieldtypes import FieldValueError
from metadata.fieldtypes.files import NewUpload
from metadata.fieldtypes.lookup import USER_BY_EMAIL, USER_BY_NAME, RecordRef
from metadata.meta import CategoryMeta, FieldMeta, ObjectMeta, TenantMeta, pick_label
from tessera.security.access import RecordAccess

from . import repository, uploads
from .autonumbers import take_numbers
from .draft import Draft
from .formula_values import DraftValues, evaluate_rule
from .jsonio import column_encoder, conversion
from .repository import NewRows

#: Input keys that are not fields.
META_KEYS = frozenset({"id", "version", "category", "deleted_at"})
#: check_lookups' key for the ids of user fields (users are not records of an object).
USERS = "__user__"


@dataclass(frozen=True)
class InputField:
    """A payload key that names a field the actor may read."""

    field: FieldMeta
    #: Whether this actor may write it.
    writable: bool
    #: The type's batch coercer (coerce and validate, FieldType.batch_coercer).
    read: Callable[[Any], Any]
    is_owner: bool
    holds_files: bool

    @property
    def plain(self) -> bool:
        """Nothing to check but the value: a new record takes it as read."""
        return self.writable and not self.is_owner and not self.holds_files


class InputFields:
    """What each payload key is, decided once per key for a whole batch: a field the actor may
    read (else the key is unknown), whether the actor may write it, and the type's batch coercer.
    The per-value work left to read_input is that coercer and the checks that depend on the value."""

    def __init__(self, obj: ObjectMeta, access: RecordAccess) -> None:
        self.obj = obj
        self.access = access
        self._keys: dict[str, InputField | None] = {}
        #: key → batch coercer, for the keys whose value a new record takes as read (InputField.plain).
        self.plain: dict[str, Callable[[Any], Any]] = {}
        self._columns: dict[str, Callable[[list[Any]], list[Any]]] = {}

    def get(self, key: str) -> tuple[FieldMeta, bool] | None:
        """(field, writable by this actor), or None for a key that names no field the actor may read."""
        found = self.input(key)
        return None if found is None else (found.field, found.writable)

    def input(self, key: str) -> InputField | None:
        try:
            return self._keys[key]
        except KeyError:
            pass
        obj, access = self.obj, self.access
        target = obj.field(key)
        if target is None or not access.readable(obj, target):
            found = None
        else:
            is_owner = target.api_name == "owner"
            found = InputField(target, (target.writable or is_owner) and access.editable(obj, target),
                               target.type.batch_coercer(target), is_owner, target.type.holds_files)
            if found.plain and key not in META_KEYS:
                self.plain[key] = found.read
        self._keys[key] = found
        return found

    def column(self, key: str) -> Callable[[list[Any]], list[Any]]:
        """The type's column coercer of a plain key (FieldType.column_coercer)."""
        try:
            return self._columns[key]
        except KeyError:
            found = self.input(key)
            assert found is not None  # a plain key names a field
            read = self._columns[key] = found.field.type.column_coercer(found.field)
            return read


def read_input(obj: ObjectMeta, payload: Any, draft: Draft, access: RecordAccess,
               fields: InputFields | None = None) -> None:
    """Coerce and validate every given field by its type; refuse unknown, system, read-only and
    computed fields. `fields`: the batch's InputFields (one is made for this payload when not given)."""
    errors = draft.errors
    if not isinstance(payload, dict):
        errors.add(None, "invalid", _("A record is a JSON object of field values."))
        return
    if fields is None:
        fields = InputFields(obj, access)
    current = draft.current
    if current is not None:
        draft.values = dict(current.values)
        draft.category = current.category
    known = fields.input
    for key, raw in payload.items():
        if key in META_KEYS:
            _read_meta_key(draft, key, raw)
            continue
        found = known(key)
        if found is None:
            errors.add(key, "unknown_field", _("This object has no field “%(name)s”.") % {"name": key})
            continue
        try:
            value = found.read(raw)
        except FieldValueError as exc:
            if current is None or not _sent_back(found.field, raw, current.values.get(key)):
                errors.add(key, exc.code, str(exc.message))
            continue
        if current is not None and found.field.type.equal(value, current.values.get(key)):
            continue  # sending a record back unchanged is fine, read-only fields included
        _read_checked(obj, draft, found, raw, value, access)


#: A value its column coercer refused (read_new_inputs): left out of the draft's values.
_REFUSED = object()


def read_new_inputs(obj: ObjectMeta, drafts: list[Draft], payloads: Sequence[Any], access: RecordAccess,
                    fields: InputFields) -> None:
    """read_input for the drafts of new records, `payloads[draft.index]` each, a batch at a time:
    field by field, each field's values read in one call of its type's column coercer; the keys
    with more to check than the value (owner, files, the category…) as read_input reads them."""
    given: list[Draft] = []
    for draft in drafts:
        payload = payloads[draft.index]
        if isinstance(payload, dict):
            given.append(draft)
        else:
            read_input(obj, payload, draft, access, fields)
    if not given:
        return
    bodies = [payloads[d.index] for d in given]
    counts = Counter(chain.from_iterable(bodies))  # how many payloads give each key
    for key in counts:
        fields.input(key)  # which keys are plain
    plain = [key for key in counts if key in fields.plain]
    full = [key for key in plain if counts[key] == len(bodies)]
    columns = [_read_column(fields, key, list(map(itemgetter(key), bodies)), given) for key in full]
    for draft, row in zip(given, zip(*columns, strict=True) if columns else repeat((), len(given)), strict=True):
        draft.values = dict(zip(full, row, strict=True))
    for key in plain:
        if counts[key] < len(bodies):  # given by some payloads only
            holders = [d for d, body in zip(given, bodies, strict=True) if key in body]
            column = _read_column(fields, key, [payloads[d.index][key] for d in holders], holders)
            for draft, value in zip(holders, column, strict=True):
                draft.values[key] = value
    for draft in given:
        values = draft.values
        if draft.errors:  # a value refused: left out
            for key in [key for key, value in values.items() if value is _REFUSED]:
                del values[key]
        draft.changed = set(values)
    rest = [key for key in counts if key not in fields.plain]
    if rest:
        for draft, body in zip(given, bodies, strict=True):
            read_input(obj, {key: body[key] for key in rest if key in body}, draft, access, fields)


def _read_column(fields: InputFields, key: str, raws: list[Any], drafts: list[Draft]) -> list[Any]:
    """The values of a plain key's column, by its type's column coercer; when that refuses one,
    value by value, each refusal an error of its draft (and _REFUSED in the column)."""
    try:
        return fields.column(key)(raws)
    except FieldValueError:
        return _read_each(fields.plain[key], key, raws, drafts)


def _read_each(read: Callable[[Any], Any], key: str, raws: list[Any], drafts: list[Draft]) -> list[Any]:
    """A column one of whose values was refused, read value by value: each refusal is an error
    of its draft (and _REFUSED in the column)."""
    values = []
    for draft, raw in zip(drafts, raws, strict=True):
        try:
            values.append(read(raw))
        except FieldValueError as exc:
            draft.errors.add(key, exc.code, str(exc.message))
            values.append(_REFUSED)
    return values


def _sent_back(f: FieldMeta, raw: Any, old: Any) -> bool:
    """Whether `raw`, refused as input, is the value the record holds (an inactive picklist value
    kept, a value valid when it was written): sending it back unchanged is fine."""
    try:
        return old is not None and f.type.equal(f.type.coerce(raw, f), old)
    except FieldValueError:
        return False


def _read_checked(obj: ObjectMeta, draft: Draft, found: InputField, raw: Any, value: Any,
                  access: RecordAccess) -> None:
    """A value that changes the record, for a field with something more to check: whether the
    actor may write it, give the record to that user, attach that file."""
    key, errors, current = found.field.api_name, draft.errors, draft.current
    if not found.writable:
        errors.add(key, "read_only", _("This field cannot be changed."))
        return
    if found.is_owner and not (
            _may_own(obj, value, access) if current is None else access.can_reassign(obj, current)):
        errors.add(key, "read_only", _("You may not give this record to that user."))
        return
    old = current.values.get(key) if current is not None else None
    if found.holds_files and isinstance(raw, dict) and "token" not in raw and value != old:
        errors.add(key, "invalid_file", _("Upload the file first and give its token."))
        return
    draft.values[key] = value
    draft.changed.add(key)


def _may_own(obj: ObjectMeta, owner: Any, access: RecordAccess) -> bool:
    """Whether the writer may make `owner` the owner of a new record; a user given by e-mail or
    name is checked once found (_resolve_users)."""
    return isinstance(owner, RecordRef) or access.can_assign_owner(obj, owner)


def attach_uploads(obj: ObjectMeta, drafts: list[Draft], access: RecordAccess) -> None:
    """Files given by upload token (NewUpload values) are attached here, in the write's transaction:
    once, and only by their uploader; a token used already or someone else's is refused."""
    files = sorted(f.api_name for f in obj.fields if f.type.holds_files)
    if not files:
        return
    for draft in drafts:
        for name in files:
            if name not in draft.changed:
                continue
            value = draft.values.get(name)
            if isinstance(value, NewUpload) and not uploads.attach(value["path"], value.uploaded_by, access):
                draft.errors.add(name, "invalid_file", _("This upload was used already, or is not yours: "
                                                          "upload the file again."))


def _read_meta_key(draft: Draft, key: str, raw: Any) -> bool:
    """Read a key that is not a field (the version, the category; an id is read by the service)."""
    if key == "version":
        try:
            draft.expected_version = int(raw)
        except (TypeError, ValueError):
            draft.errors.add("version", "invalid", _("The version is a whole number."))
        return True
    if key == "category":
        if raw is not None and not isinstance(raw, str):
            draft.errors.add("category", "invalid_choice", _("Give the key of a category."))
        elif raw != (draft.current.category if draft.current else None):
            draft.category, draft.category_changed = raw or None, True
        return True
    return key in META_KEYS


def apply_defaults(obj: ObjectMeta, drafts: list[Draft], access: RecordAccess) -> None:
    """New records get each field's default where the input gave no value (not even a blank one),
    and the writer as their owner. A default is checked once for the batch (an inactive picklist
    value kept as a default is refused on each record that would get it)."""
    new = [d for d in drafts if d.is_new]
    if not new:
        return
    defaults = []
    for f in obj.fields:
        if f.column or f.type.computed or not f.type.supports_default:
            continue
        try:
            value = f.type.default_value(f)
        except FieldValueError:
            continue
        if value is None:
            continue
        refused = None
        try:
            if not f.type.is_blank(value):
                f.type.validate(value, f)
        except FieldValueError as exc:
            refused = exc
        defaults.append((f.api_name, value, refused))
    owner = access.user_id
    for draft in new:
        values, changed = draft.values, draft.changed
        for name, value, refused in defaults:
            if name not in values:
                if refused is not None:
                    draft.errors.add(name, refused.code, str(refused.message))
                    continue
                values[name] = value
                changed.add(name)
        values.setdefault("owner", owner)


def validate_values(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft]) -> None:
    """Required (object and category), category rules, cascades. Values were checked by their type
    as they were read (read_input, through the types' batch coercers) and defaults once (apply_defaults)."""
    required = sorted(f.api_name for f in obj.fields if f.required and f.type.supports_required)
    cascades = [f for f in obj.fields if f.type.controlling_field(f)]
    for draft in drafts:
        _validate(obj, draft, required, cascades)


def _validate(obj: ObjectMeta, draft: Draft, object_required: list[str], cascades: list[FieldMeta]) -> None:
    errors = draft.errors
    category = None
    if draft.category is not None:
        category = obj.categories.get(draft.category)
        # A record keeps the key of a category deleted since: no rules apply, other edits pass.
        if draft.category_changed and (category is None or not category.active):
            errors.add("category", "invalid_choice", _("“%(value)s” is not a category of this object.")
                       % {"value": draft.category})
            category = None
    required = object_required
    if category is not None and category.required_fields:
        required = sorted(set(object_required) | set(category.required_fields))
    _check_required(obj, draft, required)
    if category is not None:
        for name, allowed in category.picklist_values.items():
            value = draft.values.get(name)
            if name not in draft.changed or errors.has(name) or value is None or value == ():
                continue
            chosen = value if isinstance(value, tuple) else (value,)
            if any(v not in allowed for v in chosen):
                errors.add(name, "invalid_choice", _("Not available for this category."))
        if draft.category_changed:
            _check_kept_values(obj, draft, category)
    if cascades:
        _check_cascades(obj, draft, cascades)


def _check_required(obj: ObjectMeta, draft: Draft, required: list[str]) -> None:
    """Required fields hold a value (checked on new records, and where this write touches them)."""
    errors, fields = draft.errors, obj.fields_by_name
    for name in required:
        if errors.has(name):
            continue
        f = fields.get(name)
        if f is None or f.type.computed:
            continue
        value = draft.values.get(name)
        if f.type.is_blank(value) and (draft.is_new or name in draft.changed or draft.category_changed):
            errors.add(name, "required", _("This field is required."))


def _check_kept_values(obj: ObjectMeta, draft: Draft, category: CategoryMeta) -> None:
    """Moving a record into a category: the values it keeps must be allowed there too."""
    errors, fields = draft.errors, obj.fields_by_name
    for name, allowed in category.picklist_values.items():
        f = fields.get(name)
        value = draft.values.get(name)
        if name in draft.changed or errors.has(name) or f is None or f.type.is_blank(value):
            continue
        if any(v not in allowed for v in (value if isinstance(value, tuple) else (value,))):
            errors.add(name, "invalid_choice", _("Not available for this category."))


def _check_cascades(obj: ObjectMeta, draft: Draft, cascades: list[FieldMeta]) -> None:
    """A dependent picklist's value must be allowed under its controlling field's value; checked
    whenever either of them changes, along chains of any depth."""
    for f in cascades:
        controller_name = f.type.controlling_field(f)
        if draft.errors.has(f.api_name):
            continue
        if f.api_name not in draft.changed and controller_name not in draft.changed:
            continue
        value = draft.values.get(f.api_name)
        if f.type.is_blank(value):
            continue
        assert controller_name is not None  # a cascading picklist names its controller
        allowed = f.type.allowed_under(f, draft.values.get(controller_name))  # type: ignore[attr-defined]
        chosen = value if isinstance(value, tuple) else (value,)
        if allowed is not None and any(v not in allowed for v in chosen):
            controller = obj.fields_by_name.get(controller_name)
            draft.errors.add(f.api_name, "invalid_dependent_value", _(
                "“%(value)s” is not allowed when %(controller)s is “%(controller_value)s”.") % {
                "value": ", ".join(chosen),
                "controller": controller.label() if controller else controller_name,
                "controller_value": _display(controller, draft.values.get(controller_name)),
            })


def _display(field: FieldMeta | None, value: Any) -> str:
    if field is None or value is None:
        return "—"
    return field.type.format_text(value, field, None) or str(value)


def resolve_references(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft], access: RecordAccess) -> None:
    """Lookups given by a field of their target (`{"code": "A-17"}`, a RecordRef) → the id of the
    one live record holding that value that the writer may read: one query per target object for
    the whole batch. A value no record holds, or several do (two accounts named "Acme"), is an
    error on the row, never a guess."""
    pending: dict[str, list[tuple[Draft, FieldMeta, FieldMeta, Any]]] = {}
    references = [f for f in obj.fields if f.type.target(f) is not None]
    for draft in drafts:
        for f in references:
            ref = draft.values.get(f.api_name)
            if not isinstance(ref, RecordRef) or draft.errors.has(f.api_name):
                continue
            target_obj = tenant.objects[f.type.target(f)]  # type: ignore[index]  # a lookup has a target
            key_field = reference_key(target_obj, ref.field, access)
            if key_field is None:
                draft.errors.add(f.api_name, "invalid_reference", _(
                    "“%(field)s” does not identify a record of %(object)s: give its id, its name or a unique "
                    "field of it.") % {"field": ref.field, "object": target_obj.label()})
                continue
            try:
                key = key_field.type.coerce(ref.value, key_field)
            except FieldValueError as exc:
                draft.errors.add(f.api_name, exc.code, str(exc.message))
                continue
            pending.setdefault(target_obj.api_name, []).append(
                (draft, f, key_field, key_field.type.normalise_for_unique(key)))
    for target, items in pending.items():
        _resolve_target(tenant, tenant.objects[target], items, access)
    _resolve_users(obj, drafts, access)


def _resolve_users(obj: ObjectMeta, drafts: list[Draft], access: RecordAccess) -> None:
    """User fields given by e-mail or full name (`{"email": …}`, `{"name": …}`) → the active
    user's id (find_users, as the importer finds an owner column's users); the owner of a new
    record is then checked as an id would have been."""
    users = [f for f in obj.fields if f.type.is_reference and f.type.target(f) is None]
    pending: list[tuple[Draft, FieldMeta, RecordRef]] = []
    for draft in drafts:
        for f in users:
            ref = draft.values.get(f.api_name)
            if isinstance(ref, RecordRef) and not draft.errors.has(f.api_name):
                pending.append((draft, f, ref))
    by_key: dict[str, set[str]] = {}
    for _draft, _f, ref in pending:
        by_key.setdefault(ref.field, set()).add(ref.value)
    found = {key: find_users(texts, emails=key == USER_BY_EMAIL, names=key == USER_BY_NAME)
             for key, texts in by_key.items()}
    for draft, f, ref in pending:
        user = found[ref.field][ref.value]
        if isinstance(user, UserNotFound):
            draft.errors.add(f.api_name, "invalid_user", user.message)
        elif f.api_name == "owner" and draft.current is None and not access.can_assign_owner(obj, user):
            draft.errors.add(f.api_name, "read_only", _("You may not give this record to that user."))
        else:
            _resolved(draft, f, user)


def _resolved(draft: Draft, f: FieldMeta, value: int) -> None:
    """A reference found: its id replaces the reference; an update that names the record's own
    value again changes nothing (no new version, no history entry for it)."""
    draft.values[f.api_name] = value
    if draft.current is not None and draft.current.values.get(f.api_name) == value:
        draft.changed.discard(f.api_name)


@dataclass(frozen=True)
class UserNotFound:
    """Why a text names no user: none has it, or several share it (find_users)."""

    code: str
    message: str


def find_users(texts: Iterable[str], *, emails: bool = True, names: bool = True) -> dict[str, int | UserNotFound]:
    """text → the id of the active user it names (or why none): by e-mail (`emails`), by full name
    (`names`), or either (an e-mail wins), case-insensitive. A name two users share names neither.
    The one place users are found by what people call them: user fields written through the API
    and the importer's owner and user columns."""
    wanted = {t for t in texts if t}
    lowered = {t.lower() for t in wanted}
    by_email: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for pk, email, name in repository.users_named(lowered, emails=emails, names=names):
        if emails and email in lowered:
            by_email[email] = pk
        if names and name in lowered:
            by_name.setdefault(name, []).append(pk)
    answer: dict[str, int | UserNotFound] = {}
    for text in wanted:
        key = text.lower()
        named = by_name.get(key, [])
        if key in by_email:
            answer[text] = by_email[key]
        elif len(named) == 1:
            answer[text] = named[0]
        elif named:
            answer[text] = UserNotFound("ambiguous", _("%(count)d users are named “%(name)s”: use the e-mail.")
                                        % {"count": len(named), "name": text})
        else:
            answer[text] = UserNotFound("not_found", _("No active user with the e-mail or name “%(name)s”.")
                                        % {"name": text})
    return answer


def reference_key(target: ObjectMeta, name: str, access: RecordAccess) -> FieldMeta | None:
    """The field of `target` a lookup may be given by: a unique field, or the name field (where two
    records share a name, the reference is refused as ambiguous), that the writer may read."""
    f = target.field(name)
    if f is None or not access.readable(target, f) or f.type.computed_on_read:
        return None
    return f if f.unique or f.api_name == target.name_field else None


def _resolve_target(tenant: TenantMeta, target: ObjectMeta, items: list[tuple[Draft, FieldMeta, FieldMeta, Any]],
                    access: RecordAccess) -> None:
    keys: dict[str, dict[Any, None]] = {}
    for _draft, _f, key_field, key in items:
        keys.setdefault(key_field.api_name, {})[key] = None
    groups = [(target.fields_by_name[name], list(values)) for name, values in keys.items()]
    found: dict[tuple[str, Any], list[int]] = {}
    predicate = access.row_predicate(target, "read", "r", tenant)
    for group, record_id, n in repository.ids_by_keys(
            tenant, target, [([f], [(v,) for v in values]) for f, values in groups], predicate=predicate):
        f, values = groups[group]
        found.setdefault((f.api_name, values[n]), []).append(record_id)
    for draft, f, key_field, key in items:
        ids = sorted(found.get((key_field.api_name, key), ()))
        if len(ids) == 1:
            _resolved(draft, f, ids[0])
            continue
        names = {"object": target.label(), "field": key_field.label(), "value": key}
        if not ids:
            draft.errors.add(f.api_name, "invalid_reference", _("No %(object)s has %(field)s “%(value)s”.") % names)
        else:
            draft.errors.add(f.api_name, "ambiguous_reference", _(
                "Several records of %(object)s have %(field)s “%(value)s” (%(ids)s): give the id.")
                % {**names, "ids": ", ".join(f"#{i}" for i in ids[:5])})


def check_lookups(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft], access: RecordAccess | None = None) -> None:
    """Every lookup points at a live record of its target object in this tenant that the writer may
    read (one query per target object for the whole batch); user fields at an active user."""
    references = [f for f in obj.fields if f.type.is_reference]
    if not references:
        return
    found: dict[str, set[int]] = {}
    for target, ids in _wanted_references(drafts, references).items():
        if target == USERS:
            found[target] = repository.active_user_ids(ids)
        else:
            target_obj = tenant.objects[target]
            predicate = access.row_predicate(target_obj, "read", "r", tenant) if access is not None else None
            found[target] = repository.existing_ids(target_obj, ids, predicate=predicate)
    _flag_missing_references(drafts, references, found)


def _wanted_references(drafts: list[Draft], references: list[FieldMeta]) -> dict[str, set[int]]:
    """Target object's api_name (USERS for user fields) → the ids the drafts' changed references name."""
    wanted: dict[str, set[int]] = {}
    for draft in drafts:
        for f in references:
            name = f.api_name
            if name not in draft.changed:
                continue
            value = draft.values.get(name)
            if value is None:
                continue
            target = f.type.target(f)
            if target is not None:
                if not draft.errors.has(name):
                    wanted.setdefault(target, set()).add(value)
            else:
                wanted.setdefault(USERS, set()).add(value)
    return wanted


def _flag_missing_references(drafts: list[Draft], references: list[FieldMeta], found: dict[str, set[int]]) -> None:
    """An error on each changed reference whose record (or user) was not found."""
    for draft in drafts:
        for f in references:
            name = f.api_name
            if name not in draft.changed:
                continue
            value = draft.values.get(name)
            if value is None or draft.errors.has(name):
                continue
            target = f.type.target(f)
            if target is not None:
                if value not in found.get(target, ()):
                    draft.errors.add(name, "invalid_reference", _("No such record."))
            elif value not in found.get(USERS, ()):
                draft.errors.add(name, "invalid_user", _("No such active user."))


def scrub_hidden(obj: ObjectMeta, draft: Draft, access: RecordAccess) -> None:
    """Errors never name a field the writer may not see (hidden by field-level security): they
    become one general error. A required field the writer may not edit cannot hold them back."""
    errors = draft.errors
    for name in list(errors.field_errors):
        f = obj.fields_by_name.get(name.split(".")[0])
        if f is None or access.editable(obj, f):
            continue
        details = errors.field_errors.pop(name)
        if not access.readable(obj, f):
            # Writing it was answered as for an unknown field (the client's own key, echoed back).
            echoed = [d for d in details if d.code == "unknown_field"]
            if echoed:
                errors.field_errors[name] = echoed
            if any(d.code not in ("required", "unknown_field") for d in details):
                errors.add(None, "invalid", _("The record cannot be saved as it is; ask your administrator."))
        else:
            kept = [d for d in details if d.code != "required"]
            if kept:
                errors.field_errors[name] = kept


def check_unique(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft]) -> None:
    """A clear field error before the write; the unique index still guarantees it under races."""
    for f in obj.fields:
        if not f.unique:
            continue
        values: dict[Any, list[Draft]] = {}
        for draft in drafts:
            value = draft.values.get(f.api_name)
            if f.api_name in draft.changed and value is not None and not draft.errors.has(f.api_name):
                values.setdefault(f.type.normalise_for_unique(value), []).append(draft)
        if not values:
            continue
        for same in values.values():
            if len(same) > 1:
                for draft in same:
                    draft.errors.add(f.api_name, "unique", _("Two records in this batch have the same value."))
        for record_id, stored in repository.unique_values_taken(tenant, obj, f, list(values)):
            key = stored
            for draft in values.get(key, []):
                if draft.current is None or draft.current.id != record_id:
                    draft.errors.add(f.api_name, "unique", _("Another record has this value already."))


def check_validation_rules(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft]) -> None:
    """The object's validation rules (formulas: true means invalid), evaluated on the new values."""
    rules = [r for r in obj.spec.get("validation_rules", ()) if r.get("active", True)]
    if not rules:
        return

    for draft in drafts:
        if not draft.ok:
            continue
        source = DraftValues(tenant, obj, draft.values)
        for rule in rules:
            if evaluate_rule(tenant, obj, rule, source):
                where = rule.get("field") if rule.get("field") and obj.field(rule["field"]) else None

                draft.errors.add(where, f"rule_{rule['api_name']}", pick_label(rule["message"], _language()))


def _language() -> str:
    return get_language() or "zh-hans"


def compute_materialized(tenant: TenantMeta, obj: ObjectMeta, drafts: list[Draft]) -> None:
    """Stored (materialised) formulas: computed in Python on the values being written, exactly as
    their SQL form computes them (the formula tests hold the two to the same results), so the
    stored value is the one a read would compute."""
    stored = [f for f in obj.fields if f.type.materialized(f) and f.slot]
    if not stored:
        return

    for draft in drafts:
        source = DraftValues(tenant, obj, draft.values)
        for f in stored:
            value = source.get((f.api_name,))
            if draft.current is None or not f.type.equal(value, draft.current.values.get(f.api_name)):
                draft.values[f.api_name] = value
                draft.changed.add(f.api_name)


def _formula_slot_value(f: FieldMeta, value: Any) -> Any:
    return None if value is None else f.type.value_type(f).to_projection(value, f)


def storage_rows(obj: ObjectMeta, drafts: list[Draft], *, user_id: int | None) -> NewRows:
    """The new records' rows (NewRows): owner, creator, category, name, slot columns and `data`
    (JSON text written by jsonio's column encoders), encoded field by field for the batch."""
    values = [d.values for d in drafts]
    name_field = next((f.api_name for f in obj.fields if f.column == "name"), None)
    slots: dict[str, list[Any]] = {}
    stored, members = [], []
    for f in obj.fields:
        if f.column:
            continue
        if f.type.computed_on_read:
            if f.slot:  # a materialised formula
                slots[f.slot] = [_formula_slot_value(f, v.get(f.api_name)) for v in values]
            continue
        name = f.api_name
        column = list(map(methodcaller("get", name), values))
        encoded = column_encoder(f)(column)
        stored.append(name)
        members.append(encoded)
        if f.slot:
            to_projection = conversion(f, "to_projection")
            slots[f.slot] = [None if text is None else value if to_projection is None else to_projection(value, f)
                             for value, text in zip(column, encoded, strict=True)]
    held: list[tuple[str | None, ...]] = list(zip(*members, strict=True)) if members else [()] * len(drafts)
    return NewRows(
        owner_ids=[v.get("owner") or user_id for v in values], created_by=user_id,
        categories=[d.category for d in drafts],
        names=[v.get(name_field) for v in values] if name_field else [None] * len(drafts), slots=slots,
        data=["{" + ",".join(filter(None, row)) + "}" for row in held], stored=stored, held=held)


def storage_changes(obj: ObjectMeta, draft: Draft) -> tuple[dict, list[str], dict]:
    """For an update: (data keys to set, keys to remove, columns to set)."""
    set_data, unset, columns = {}, [], {}
    for name in draft.changed:
        f = obj.fields_by_name[name]
        value = draft.values.get(name)
        if f.column == "name":
            columns["name"] = value
            continue
        if f.column == "owner_id":
            columns["owner_id"] = value
            continue
        if f.column:
            continue
        if f.type.computed_on_read:
            if f.slot:  # a materialised formula
                columns[f.slot] = _formula_slot_value(f, value)
            continue
        blank = value is None or f.type.is_blank(value)
        if blank:
            unset.append(f.key)
        else:
            set_data[f.key] = f.type.to_storage(value, f)
        if f.slot:
            columns[f.slot] = None if blank else f.type.to_projection(value, f)
    if draft.category_changed:
        columns["category"] = draft.category
    return set_data, unset, columns


def assign_auto_numbers(obj: ObjectMeta, drafts: list[Draft]) -> None:
    """Numbers for the new records' auto-number fields, from their sequences or gap-free counters
    (tessera.records.autonumbers). Called as the last step before the insert: a gap-free counter
    stays locked from here until the transaction ends."""

    fields = [f for f in obj.fields if f.type.numbered]
    if not fields or not drafts:
        return
    today = timezone.localdate()
    numbers = take_numbers([(f, len(drafts)) for f in fields])
    for f in fields:
        for draft, number in zip(drafts, numbers[f.id], strict=True):
            draft.values[f.api_name] = f.type.format_number(f, number, today)

