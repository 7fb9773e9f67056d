"""Duplicate check (查重): an object's matching rules over normalised fields (case, white space and
punctuation ignored, by public.tessera_normalize in SQL, so the comparison can use an index), or,
for the fields a rule's `match` says are `exact`, over the values as typed (the normalised index
still finds the candidates; the values must then be equal too).

A batch is checked in one statement (repository.duplicate_matches): each draft against the stored
records, and the drafts against each other, so two rows of one bulk call or import that look the
same do not both get in: the later one matches the earlier one (`{"id": None, "index": …}`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from metadata.meta import DuplicateRule, ObjectMeta

from . import repository
from .draft import Draft

MAX_MATCHES = 5


def find_duplicates(obj: ObjectMeta, drafts: list[Draft]) -> dict[int, list[dict]]:
    """draft.index → the matches of every active rule whose fields all have a value on the draft
    (records, then earlier drafts of the batch), for the drafts that have any."""
    checked: list[tuple[DuplicateRule, list[Draft]]] = []
    groups = []
    exact = []
    for rule in obj.duplicate_rules:
        named = [obj.field(name) for name in rule.fields]
        fields = [f for f in named if f is not None]
        if len(fields) != len(named):
            continue
        subjects, keys = [], []
        for draft in drafts:
            values = [draft.values.get(f.api_name) for f in fields]
            if any(v in (None, "") for v in values):
                continue
            if draft.current is not None and not any(f.api_name in draft.changed for f in fields):
                continue
            subjects.append(draft)
            keys.append((draft.current.id if draft.current is not None else None, tuple(values)))
        checked.append((rule, subjects))
        groups.append((fields, keys))
        exact.append(exact_fields(obj, rule))
    found: dict[int, dict[int | None, dict]] = {}
    firsts: dict[tuple[int, str], Draft] = {}
    matches = repository.duplicate_matches(obj, groups, limit=MAX_MATCHES, exact=exact)
    for group, n, record_id, name, key in sorted(matches, key=lambda row: (row[0], row[1], row[2] is not None)):
        rule, subjects = checked[group]
        draft = subjects[n]
        if record_id is not None:
            _add(found.setdefault(draft.index, {}), record_id, {"id": record_id, "name": name}, rule)
        elif key:
            first = firsts.setdefault((group, key), draft)
            if first is not draft:
                _add(found.setdefault(draft.index, {}), -first.index - 1,
                     {"id": None, "index": first.index, "name": _name_of(obj, first)}, rule)
    return {index: list(matches.values()) for index, matches in found.items()}


def exact_fields(obj: ObjectMeta, rule: DuplicateRule) -> frozenset[str]:
    """The rule's fields compared as typed (`"match": {"<field>": "exact"}`; by default a field is
    normalised), read from the object's spec: the compiled DuplicateRule predates the option."""
    for spec in obj.spec.get("duplicate_rules", ()):
        if spec.get("api_name") == rule.api_name:
            return frozenset(name for name, how in (spec.get("match") or {}).items() if how == "exact")
    return frozenset()


def _add(matches: dict[Any, dict], key: Any, match: dict, rule: DuplicateRule) -> None:
    entry = matches.setdefault(key, {**match, "rules": [], "action": "warn"})
    entry["rules"].append(rule.api_name)
    if rule.action == "block":
        entry["action"] = "block"


def _name_of(obj: ObjectMeta, draft: Draft) -> str | None:
    value = draft.values.get(obj.name_field)
    return None if value is None else str(value)


def blocking_message(matches: list[dict]) -> str:
    names = ", ".join(f"{m['name'] or m['id']} (#{m['id']})" if m["id"] is not None else
                      _("row %(row)d of this batch") % {"row": m["index"] + 1} for m in matches[:MAX_MATCHES])
    return _("The same record exists already: %(names)s.") % {"names": names}
