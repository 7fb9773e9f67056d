"""The standard objects (Lead, Account, Contact, Opportunity, Activity), as data files.

They are installed like any tenant-defined object, through the metadata services, by a data
migration that runs in the base schema every tenant is cloned from; so they are metadata, not models,
and tenants relabel, hide, reorder and extend them as they like.
"""

from __future__ import annotations

import json
from pathlib import Path

from metadata.cache import get_meta
from metadata.services import (
    add_field,
    create_category,
    create_object,
    system_section,
    update_layout,
    update_list_view,
    update_object,
)
from tessera.security.actor import Actor

HERE = Path(__file__).parent
ORDER = ("account", "contact", "lead", "opportunity", "activity")


def load_definitions() -> list[dict]:
    fragments = json.loads((HERE / "fragments.json").read_text(encoding="utf-8"))
    definitions = []
    for name in ORDER:
        spec = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
        fields: list[dict] = []
        for item in spec["fields"]:
            fields.extend(fragments[item["$use"]] if "$use" in item else [item])
        spec["fields"] = fields
        definitions.append(spec)
    return definitions


def install_standard_objects(actor: Actor) -> None:
    """Create the standard objects that are missing (idempotent), then their layouts and views."""
    definitions = load_definitions()
    for spec in definitions:
        if get_meta().object(spec["api_name"]) is not None:
            continue
        object_spec = {k: spec[k] for k in ("api_name", "labels", "description", "icon", "name_field") if k in spec}
        create_object(object_spec, actor, is_standard=True)
        for field in spec["fields"]:
            add_field(spec["api_name"], field, actor, add_to_layouts=False, system=True)
        for category in spec.get("categories", ()):
            create_category(spec["api_name"], category, actor)
    for spec in definitions:
        name = spec["api_name"]
        sections = [
            {"labels": section["labels"], "columns": section.get("columns", 2),
             "items": [{"field": f} for f in section["fields"]]}
            for section in spec["layout"]
        ]
        system = system_section()
        update_layout(name, "default_edit", {"sections": sections}, actor)
        view_layout = {"sections": [*sections, system], "related_lists": spec.get("related_lists", []),
                       "compact_fields": spec.get("compact_fields", [])}
        if spec.get("path_field"):
            view_layout["path_field"] = spec["path_field"]
        update_layout(name, "default_view", view_layout, actor)
        view = {"columns": spec["list_columns"]}
        if spec.get("list_sort"):
            view["sort"] = spec["list_sort"]
        update_list_view(name, "all", view, actor)
        if spec.get("duplicate_rules"):
            update_object(name, {"duplicate_rules": spec["duplicate_rules"]}, actor)
