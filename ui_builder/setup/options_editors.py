"""How a field type's options are edited: the form is built from the type's options JSON Schema.

Each property of `FieldType.options_schema` gets an editor: by the property's name when one is
registered for it (`values` → the picklist values editor, `formula` → the formula editor, `target` →
a choice of objects…), else by its JSON Schema (an enum → a select, an integer → a number input, a
boolean → a checkbox, a string → a text input). No editor asks for a type's name: a new field type
whose options reuse these names or plain schema kinds gets a working designer with no change here.

An editor names its template (`ui_builder/setup/options/<template>.html`), gives the template what it
needs (`context`) and reads the submitted form back into the option's value (`value_from`, MISSING
when the option is left out).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metadata.fieldtypes.lookup import SOURCE_KEY, describe_filter
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta, pick_label
from metadata.services.naming import key_from_label
from tessera.records import service as records
from tessera.registry import Registry

from ..app.filters import condition_from, filterable_fields
from ..app.query_string import FILTER_PREFIX
from .forms import labels_from, languages

MISSING = object()
#: The colour a new value's swatch starts with: left as it is, the value has no colour of its own.
NO_COLOUR = "#98a2b3"

#: What each option is called on the page (options without a name here show their own).
OPTION_LABELS: dict[str, Promise] = {
    "max_length": _("Maximum length"), "precision": _("Digits in all"), "scale": _("Decimal places"),
    "min": _("Smallest value"), "max": _("Largest value"), "format": _("Number format"),
    "start": _("First number"), "gap_free": _("No gaps (contracts, invoices: numbers are taken in turn)"),
    "target": _("Refers to"), "on_delete": _("When the referred record is deleted"),
    "relationship_name": _("Relationship API name"), "related_labels": _("Name of the related list"),
    "formula": _("Formula"), "result_type": _("Result type"), "blank_as": _("Blank numbers count as"),
    "materialized": _("Store the value (fast filters and sorts; own fields only, no TODAY())"),
    "visibility": _("Who sees the value"), "child_object": _("Child object"),
    "child_field": _("Its lookup to this object"), "function": _("Summary"), "value_field": _("Field summarised"),
    "max_size_mb": _("Largest file (MB)"), "values": _("Values"), "controlling_field": _("Controlled by"),
    "dependency": _("Allowed values under each controlling value"), "currency": _("Currency"),
    "filter": _("Which records may be chosen"),
}
#: What an enum's values are called (option, value) → label.
ENUM_LABELS: dict[tuple[str, str], Promise] = {
    ("on_delete", "restrict"): _("Refuse the delete while records refer to it"),
    ("on_delete", "set_null"): _("Clear this field"),
    ("on_delete", "cascade"): _("Delete these records too"),
    ("function", "count"): _("Count"), ("function", "sum"): _("Sum"),
    ("function", "min"): _("Smallest"), ("function", "max"): _("Largest"),
    ("blank_as", "zero"): _("zero"), ("blank_as", "blank"): _("blank"),
    ("visibility", "reader"): _("Those who may read every field it is computed from"),
    ("visibility", "field"): _("Everyone who may read this field"),
    ("result_type", "text"): pgettext_lazy("formula result", "Text"),
    ("result_type", "number"): pgettext_lazy("formula result", "Number"),
    ("result_type", "currency"): pgettext_lazy("formula result", "Currency"),
    ("result_type", "percent"): pgettext_lazy("formula result", "Percent"),
    ("result_type", "date"): pgettext_lazy("formula result", "Date"),
    ("result_type", "datetime"): pgettext_lazy("formula result", "Date and time"),
    ("result_type", "boolean"): pgettext_lazy("formula result", "Checkbox (true/false)"),
}
#: Options only the advanced view shows (names people need not see).
ADVANCED = frozenset({"relationship_name"})


@dataclass
class EditorContext:
    """What editors may need besides the option itself."""

    tenant: TenantMeta
    obj: ObjectMeta
    field: FieldMeta | None          # the field as it would be saved (None while not valid)
    options: dict                    # the options as submitted so far
    language: str | None
    actor: Any = None                # the administrator (what the filter builder offers follows their rights)


class OptionEditor:
    template = "text"

    def context(self, name: str, schema: dict, value: Any, ctx: EditorContext) -> dict:
        return {}

    def value_from(self, data, name: str, schema: dict, ctx: EditorContext) -> Any:
        text = data.get(f"options.{name}", "").strip()
        return text if text else MISSING


class NumberEditor(OptionEditor):
    template = "number"

    def value_from(self, data, name, schema, ctx):
        text = data.get(f"options.{name}", "").strip()
        if not text:
            return MISSING
        try:
            return int(text) if schema.get("type") == "integer" else float(text)
        except ValueError:
            return text  # the service says what is wrong with it


class BooleanEditor(OptionEditor):
    template = "boolean"

    def value_from(self, data, name, schema, ctx):
        return data.get(f"options.{name}") == "on"


class EnumEditor(OptionEditor):
    template = "enum"

    def context(self, name, schema, value, ctx):
        return {"choices": [(v, ENUM_LABELS.get((name, v), v)) for v in schema.get("enum", ())]}


class LabelsEditor(OptionEditor):
    template = "labels"

    def context(self, name, schema, value, ctx):
        return {"languages": [(code, lang, (value or {}).get(code, "")) for code, lang in languages()]}

    def value_from(self, data, name, schema, ctx):
        return labels_from(data, f"options.{name}") or MISSING


class ObjectEditor(OptionEditor):
    """An object of the tenant (a lookup's target, a roll-up's child object)."""

    template = "choice"
    refreshes = True

    def context(self, name, schema, value, ctx):
        objects = sorted(ctx.tenant.objects.values(), key=lambda o: o.label(ctx.language))
        return {"choices": [(o.api_name, o.label(ctx.language)) for o in objects], "refreshes": True}


class ChildFieldEditor(OptionEditor):
    """A field of the roll-up's child object: its lookup to this object, or the field summarised."""

    template = "choice"

    def __init__(self, lookups: bool) -> None:
        self.lookups = lookups

    def context(self, name, schema, value, ctx):
        child = ctx.tenant.objects.get(ctx.options.get("child_object") or "")
        if child is None:
            return {"choices": [], "waiting": True}
        fields = [f for f in child.fields
                  if (f.type.target(f) == ctx.obj.api_name) == self.lookups and (self.lookups or f.type.sortable)]
        return {"choices": [(f.api_name, f.label(ctx.language)) for f in fields]}


class ControllerEditor(OptionEditor):
    """The picklist of this object that controls this one (a cascade), or none."""

    template = "choice"

    def context(self, name, schema, value, ctx):
        own = ctx.field.api_name if ctx.field else None
        choices = [(f.api_name, f.label(ctx.language)) for f in ctx.obj.fields
                   if f.api_name != own and f.type.choice_keys(f) is not None
                   and f.type.widget_descriptor(f, ctx.language).get("widget") != "multiselect"]
        return {"choices": choices, "refreshes": True, "optional": True}


class FormulaEditor(OptionEditor):
    template = "formula"

    def context(self, name, schema, value, ctx):
        return {"object_name": ctx.obj.api_name}

    def value_from(self, data, name, schema, ctx):
        text = data.get(f"options.{name}", "")
        return text.strip() if text.strip() else MISSING


class FormatEditor(OptionEditor):
    """An auto-number's format, with the next numbers it would give."""

    template = "format"


class ValuesEditor(OptionEditor):
    """A picklist's values: rows of key, labels per language, colour, active; new rows get a key
    made from their labels; lines pasted from a spreadsheet (label, tab, English label) are added."""

    template = "values"

    #: Past this many values the rows are not drawn (China's 3,056 districts): they travel as JSON,
    #: new ones are pasted, and the cascade's tree shows them.
    LARGE = 200

    def context(self, name, schema, value, ctx):
        titles = [(code, _("Label (%(name)s)") % {"name": lang}) for code, lang in languages()]
        if len(value or ()) > self.LARGE:
            return {"rows": [], "large": len(value), "json": json.dumps(value, ensure_ascii=False),
                    "languages": languages(), "titles": titles, "no_colour": NO_COLOUR}
        rows = []
        for i, item in enumerate(value or []):
            labels = item.get("labels", {})
            rows.append({"uid": f"v{i}", "key": item.get("key", ""), "color": item.get("color", ""),
                         "active": item.get("active", True),
                         "labels": [(code, title, labels.get(code, "")) for code, title in titles]})
        return {"rows": rows, "languages": languages(), "titles": titles, "no_colour": NO_COLOUR}

    def value_from(self, data, name, schema, ctx):
        uids = data.getlist("values.uid")
        keys = data.getlist("values.key")
        colors = data.getlist("values.color")
        active = set(data.getlist("values.active"))
        labels_by_lang = {code: data.getlist(f"values.label.{code}") for code, _lang in languages()}
        try:
            values = json.loads(data.get("values.json") or "[]")
        except ValueError:
            values = []
        for i, uid in enumerate(uids):
            labels = {code: texts[i].strip() for code, texts in labels_by_lang.items() if i < len(texts) and texts[i].strip()}
            if not labels and not (i < len(keys) and keys[i]):
                continue  # an empty row
            values.append({"key": keys[i] if i < len(keys) else "", "labels": labels, "active": uid in active,
                           **({"color": colors[i]} if i < len(colors) and colors[i] not in ("", NO_COLOUR) else {})})
        values += _pasted_values(data.get("values.paste", ""))
        taken = {v["key"] for v in values if v["key"]}
        for value in values:
            if not value["key"]:
                value["key"] = key_from_label(value["labels"], taken)
                taken.add(value["key"])
            if value.get("active", True):
                value.pop("active", None)
        return values


class DependencyEditor(OptionEditor):
    """Which values of this picklist are allowed under each value of its controlling field: a matrix
    of checkboxes (rows: controlling values, columns: this field's values) while it is small, and
    always a paste box taking lines "controlling value <tab> allowed value" (labels or keys) for
    large cascades (340 cities × 3,000 districts)."""

    template = "dependency"
    MATRIX_LIMIT = 2500

    def context(self, name, schema, value, ctx):
        controller = ctx.obj.field(ctx.options.get("controlling_field") or "")
        if controller is None:
            return {"waiting": True}
        rows = _choices_of(controller, ctx.language)
        columns = [(v["key"], pick_label(v.get("labels", {}), ctx.language) or v["key"])
                   for v in ctx.options.get("values", ())]
        allowed = {k: set(v) for k, v in (value or {}).items()}
        return {"rows": [{"key": key, "label": label, "allowed": allowed.get(key, set())} for key, label in rows],
                "json": json.dumps({k: sorted(v) for k, v in allowed.items()}, ensure_ascii=False),
                "columns": columns, "matrix": len(rows) * len(columns) <= self.MATRIX_LIMIT,
                "controller": controller.label(ctx.language),
                "tree": [(label, [c_label for c_key, c_label in columns if c_key in allowed.get(key, set())])
                         for key, label in rows]}

    def value_from(self, data, name, schema, ctx):
        controller = ctx.obj.field(ctx.options.get("controlling_field") or "")
        if controller is None:
            return MISSING
        keys = [key for key, _label in _choices_of(controller, ctx.language)]
        if data.get("dependency.shown"):  # the matrix was on the page: unchecked boxes mean "not allowed"
            dependency = {key: data.getlist(f"dependency.{key}") for key in keys}
        else:
            try:
                dependency = json.loads(data.get("dependency.json") or "{}")
            except ValueError:
                dependency = {}
        _apply_paste(dependency, data.get("dependency.paste", ""), controller, ctx)
        return {k: v for k, v in dependency.items() if k in keys}


class RecordFilterEditor(OptionEditor):
    """A lookup's filter of allowed records, built with the CRM's filter builder on the target's
    fields (ui_builder.app.filters: the same conditions as a list's), or as "<target field> is this
    record's <field>". The conditions travel as JSON; the builder's buttons post `filter.op`
    (add a condition, add a comparison) or `filter.remove` and the options part is drawn again."""

    template = "record_filter"

    def context(self, name, schema, value, ctx):
        target = _target_of(ctx)
        if target is None:
            return {"waiting": True}
        access = records.access_for(ctx.actor)
        stored = [(f.api_name, f.label(ctx.language)) for f in target.fields if not f.type.computed]
        return {"target": target.api_name, "target_label": target.label(ctx.language),
                "json": json.dumps(value or {}, ensure_ascii=False),
                "conditions": describe_filter(ctx.tenant, target.api_name, value or {}, ctx.obj, ctx.language),
                "filter_fields": [(f.api_name, f.label(ctx.language)) for f in filterable_fields(target, access)],
                "target_fields": stored,
                "own_fields": [(f.api_name, f.label(ctx.language)) for f in ctx.obj.fields if not f.type.computed]}

    def value_from(self, data, name, schema, ctx):
        target = _target_of(ctx)
        try:
            filters = json.loads(data.get("options.filter.json") or "{}")
        except ValueError:
            filters = {}
        if not isinstance(filters, dict) or target is None:
            return MISSING
        filters.pop(data.get("filter.remove", ""), None)
        if data.get("filter.op") == "add":
            condition = condition_from(data, target, records.access_for(ctx.actor))
            if condition is not None:
                filters[condition[0].removeprefix(FILTER_PREFIX)] = condition[1]
        elif data.get("filter.op") == "compare" and data.get("filter.target_field") and data.get("filter.own_field"):
            filters[data["filter.target_field"]] = {SOURCE_KEY: data["filter.own_field"]}
        return filters or MISSING


def _target_of(ctx: EditorContext) -> ObjectMeta | None:
    name = ctx.options.get("target") or (ctx.field.options.get("target") if ctx.field is not None else None)
    return ctx.tenant.object(name or "")


def _choices_of(field: FieldMeta, language: str | None) -> list[tuple[str, str]]:
    return [(c["value"], c["label"]) for c in field.type.widget_descriptor(field, language).get("choices", ())]


def _pasted_values(text: str) -> list[dict]:
    """Lines pasted from a spreadsheet: a label per line, optionally a tab and the English label."""
    values = []
    codes = [code for code, _lang in languages()]
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if cells and cells[0]:
            values.append({"key": "", "labels": dict(zip(codes, [c for c in cells if c], strict=False))})
    return values


def _apply_paste(dependency: dict, text: str, controller: FieldMeta, ctx: EditorContext) -> None:
    """Lines "controlling <tab> dependent" (labels in any language, or keys); a dependent value not
    yet in the picklist is added to it."""
    if not text.strip():
        return
    by_label = {}
    for key, label in _choices_of(controller, None) + _choices_of(controller, ctx.language):
        by_label[label] = key
        by_label[key] = key
    values = ctx.options.setdefault("values", [])
    dependent = {}
    for value in values:
        dependent[value["key"]] = value["key"]
        for label in value.get("labels", {}).values():
            dependent[label] = value["key"]
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if len(cells) < 2 or cells[0] not in by_label:
            continue
        key = dependent.get(cells[1])
        if key is None:
            key = key_from_label({ctx.language or "zh-hans": cells[1]}, set(dependent.values()))
            values.append({"key": key, "labels": {(ctx.language or "zh-hans"): cells[1]}})
            dependent[cells[1]] = key
        allowed = dependency.setdefault(by_label[cells[0]], [])
        if key not in allowed:
            allowed.append(key)


editors: Registry[OptionEditor] = Registry("option editors")
for _name, _editor in (("values", ValuesEditor()), ("dependency", DependencyEditor()),
                       ("controlling_field", ControllerEditor()), ("formula", FormulaEditor()),
                       ("format", FormatEditor()), ("target", ObjectEditor()), ("child_object", ObjectEditor()),
                       ("child_field", ChildFieldEditor(lookups=True)), ("value_field", ChildFieldEditor(lookups=False)),
                       ("related_labels", LabelsEditor()), ("filter", RecordFilterEditor())):
    editors.register(_name, _editor)

_BY_SCHEMA = {"integer": NumberEditor(), "number": NumberEditor(), "boolean": BooleanEditor(), "string": OptionEditor()}


def editor_for(name: str, schema: dict) -> OptionEditor:
    if name in editors:
        return editors.get(name)
    if "enum" in schema:
        return EnumEditor()
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return _BY_SCHEMA.get(kind or "string", OptionEditor())
