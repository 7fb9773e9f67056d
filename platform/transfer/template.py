"""The import template of an object: an XLSX a user fills in and imports back.

Sheet 1 holds the header (the fields the user may import into, by their label in the user's
language, required ones marked with *) and one example row written the way people write values;
sheet 2 lists the values of every choice field (picklists, multi-selects) by their labels.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

import xlsxwriter
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metadata.meta import FieldMeta, TenantMeta
from tessera.records import service as records
from tessera.security.access import access_for
from tessera.security.actor import Actor

from .mapping import importable_fields
from .references import lookup_target

#: An example cell per kind of value (the field type's value_type().formula_type).
EXAMPLES = {"DATE": "2024年3月5日", "DATETIME": "2024-03-05 09:30", "NUMBER": "1,200", "CURRENCY": "¥1,054.50",
            "PERCENT": "15%", "BOOLEAN": "是"}


def _example(tenant: TenantMeta, field: FieldMeta, language: str, actor: Actor) -> str:
    keys = field.type.choice_keys(field)
    if keys:
        return field.type.format_text(keys[0], field, language)
    target = lookup_target(tenant, field)
    if target is not None:
        return _("(the name of a %(object)s)") % {"object": target.label(language)}
    if field.type.is_reference:
        return getattr(actor, "email", "") or ""
    return EXAMPLES.get(field.type.value_type(field).formula_type or "", "")


def write_template(object_api_name: str, actor: Actor, path: str | Path) -> str:
    """Write the template to `path`; returns the name to download it as."""
    tenant, obj = records.get_object_meta(object_api_name)
    access = access_for(actor)
    access.require_import(obj)
    language = get_language()
    fields = importable_fields(obj, access)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    try:
        sheet = workbook.add_worksheet(obj.label(language, plural=True)[:31] or "data")
        bold = workbook.add_format({"bold": True})
        for col, f in enumerate(fields):
            sheet.write_string(0, col, f.label(language) + (" *" if f.required else ""), bold)
            sheet.write_string(1, col, _example(tenant, f, language, actor))
            sheet.set_column(col, col, max(12, len(f.label(language)) * 2))
        sheet.freeze_panes(1, 0)
        values = workbook.add_worksheet(_("Values")[:31])
        values.write_string(0, 0, _("Field"), bold)
        values.write_string(0, 1, _("Values"), bold)
        row = 1
        for f in fields:
            for key in f.type.choice_keys(f) or []:
                values.write_string(row, 0, f.label(language))
                values.write_string(row, 1, f.type.format_text(key, f, language))
                row += 1
    finally:
        workbook.close()
    suffix = _("template")
    return f"{obj.label(language, plural=True)}-{suffix}.xlsx"


def open_template(object_api_name: str, actor: Actor) -> tuple[IO[bytes], str]:
    """The template, open for reading (its temporary file already unlinked), and its name."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "template.xlsx"
        name = write_template(object_api_name, actor, path)
        handle = path.open("rb")
    return handle, name
