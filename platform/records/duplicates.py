"""Duplicate check (查重): an object's matching rules over normalised fields (case, white space and
punctuation ignored, by public.tessera_normalize in SQL, so the comparison can use an index)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from metadata.meta import ObjectMeta, TenantMeta

from . import repository
from .draft import Draft

MAX_MATCHES = 5


def find_duplicates(tenant: TenantMeta, obj: ObjectMeta, draft: Draft) -> list[dict]:
    """Matches of every active rule whose fields all have a value on the draft."""
    matches: dict[int, dict] = {}
    for rule in obj.duplicate_rules:
        named = [obj.field(name) for name in rule.fields]
        fields = [f for f in named if f is not None]
        if len(fields) != len(named):
            continue
        values = [draft.values.get(f.api_name) for f in fields]
        if any(v in (None, "") for v in values):
            continue
        if draft.current is not None and not any(f.api_name in draft.changed for f in fields):
            continue
        found = repository.duplicate_candidates(obj, list(zip(fields, values, strict=True)),  # type: ignore[arg-type]
                                                exclude_id=draft.current.id if draft.current is not None else None,
                                                limit=MAX_MATCHES)
        for record_id, name in found:
            match = matches.setdefault(record_id, {"id": record_id, "name": name, "rules": [], "action": "warn"})
            match["rules"].append(rule.api_name)
            if rule.action == "block":
                match["action"] = "block"
    return list(matches.values())


def blocking_message(matches: list[dict]) -> str:
    names = ", ".join(f"{m['name'] or m['id']} (#{m['id']})" for m in matches[:MAX_MATCHES])
    return _("The same record exists already: %(names)s.") % {"names": names}
