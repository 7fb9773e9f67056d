"""The field designer's form: read it into the spec the metadata services take, and gather what its
template draws (the type's options editors, the flags the type supports, the live preview)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from metadata.fieldtypes import FieldType
from metadata.fieldtypes.autonumber import TOKEN_RE, render
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta, pick_label, thaw
from metadata.services.common import RESERVED_FIELD_NAMES
from metadata.services.naming import name_from_labels
from ui_builder.app.forms import prepare_item
from ui_builder.app.widgets import widget_for, widget_for_type

from .forms import labels_from, languages
from .options_editors import ADVANCED, MISSING, OPTION_LABELS, EditorContext, editor_for

#: The flags a field may have, and the type capability each needs (None: every type).
FLAGS = (("required", "supports_required"), ("unique", "supports_unique"), ("indexed", None),
         ("history_tracked", None))


def spec_from(data, field_type: FieldType, obj: ObjectMeta, tenant: TenantMeta, *,
              current: FieldMeta | None, language: str | None, actor: Any = None) -> dict:
    """The field spec from the submitted designer form (api_name made from the labels when the
    advanced view left it empty)."""
    labels = labels_from(data, "labels")
    spec: dict[str, Any] = {"type": field_type.key, "labels": labels, "help_text": labels_from(data, "help_text")}
    if current is None:
        taken = {f.api_name for f in (*obj.fields, *obj.deleted_fields)}
        spec["api_name"] = data.get("api_name", "").strip() or name_from_labels(labels, taken,
                                                                              reserved=RESERVED_FIELD_NAMES)
    for flag, capability in FLAGS:
        if capability is None or getattr(field_type, capability):
            spec[flag] = data.get(flag) == "on"
    options = read_options(data, field_type, obj, tenant, current=current, language=language, actor=actor)
    spec["options"] = options
    if field_type.supports_default and not field_type.computed:
        widget = widget_for_type(field_type)
        default = widget.value_from(data, "default")
        spec["default"] = default if default not in ("", [], None) else None
    return spec


def read_options(data, field_type: FieldType, obj: ObjectMeta, tenant: TenantMeta, *,
                 current: FieldMeta | None, language: str | None, actor: Any = None) -> dict:
    options: dict[str, Any] = {}
    ctx = EditorContext(tenant=tenant, obj=obj, field=current, options=options, language=language, actor=actor)
    for name, schema in _properties(field_type, tenant):
        value = editor_for(name, schema).value_from(data, name, schema, ctx)
        if value is not MISSING:
            options[name] = value
    return options


def options_context(field_type: FieldType, obj: ObjectMeta, tenant: TenantMeta, options: dict,
                    compiled: FieldMeta | None, errors: dict[str, list[str]], language: str | None,
                    actor: Any = None) -> list[dict]:
    """One entry per option the designer shows: its label, editor template, value, errors (its
    own and those of its parts: `options.filter.<key>`)."""
    ctx = EditorContext(tenant=tenant, obj=obj, field=compiled, options=options, language=language, actor=actor)
    shown = []
    for name, schema in _properties(field_type, tenant):
        editor = editor_for(name, schema)
        value = options.get(name)
        shown.append({"name": name, "label": OPTION_LABELS.get(name, name.replace("_", " ")),
                      "help": schema.get("description", ""), "template": f"ui_builder/setup/options/{editor.template}.html",
                      "value": value, "advanced": name in ADVANCED, "schema": schema,
                      "errors": [m for key in option_error_keys(errors, name) for m in errors[key]],
                      **editor.context(name, schema, value, ctx)})
    return shown


def option_error_keys(errors: dict[str, list[str]], name: str) -> list[str]:
    """The error keys an option shows: `options.<name>` and its parts' (`options.<name>.<part>`)."""
    return [key for key in errors if key == f"options.{name}" or key.startswith(f"options.{name}.")]


def flags_context(field_type: FieldType, spec: dict) -> list[dict]:
    return [{"name": flag, "checked": bool(spec.get(flag))} for flag, capability in FLAGS
            if capability is None or getattr(field_type, capability)]


def preview_item(request, compiled: FieldMeta | None, spec: dict, language: str | None) -> dict | None:
    """The field's input as a user will see it in a form (the app's own widget), named `default`:
    what the administrator enters there is the field's default value."""
    if compiled is None:
        return None
    widget = dict(compiled.type.widget_descriptor(compiled, language))
    item = {"api_name": "default", "label": compiled.label(language), "help_text": pick_label(compiled.help_text, language),
            "type": compiled.type.key, "widget": widget, "required": compiled.required,
            "read_only": compiled.type.computed or not compiled.type.supports_default}
    prepare_item(request, item, spec.get("default"), [], field_meta=compiled)
    item["template"] = f"ui_builder/widgets/{widget_for(compiled).template}.html"
    return item


def next_numbers(options: dict, count: int = 3) -> list[str]:
    """What an auto-number format gives the next records (from its first number)."""
    fmt = options.get("format") or ""
    if not isinstance(fmt, str) or not TOKEN_RE.search(fmt):
        return []
    start = options.get("start") if isinstance(options.get("start"), int) else 1
    today = timezone.localdate() if timezone.is_aware(timezone.now()) else dt.date.today()
    return [render(fmt, start + i, today) for i in range(count)]


def labels_context(spec: dict, errors: dict[str, list[str]]) -> list[dict]:
    return [{"code": code, "name": name, "label": (spec.get("labels") or {}).get(code, ""),
             "help": (spec.get("help_text") or {}).get(code, ""), "errors": errors.get(f"labels.{code}", [])}
            for code, name in languages()]


def spec_of(field: FieldMeta) -> dict:
    """A saved field as the designer's values."""
    return {"api_name": field.api_name, "type": field.type.key, "labels": dict(field.labels),
            "help_text": dict(field.help_text), "required": field.required, "unique": field.unique,
            "indexed": field.indexed, "history_tracked": field.history_tracked, "default": field.default,
            "options": thaw(field.options)}


def _properties(field_type: FieldType, tenant: TenantMeta) -> list[tuple[str, dict]]:
    """The options the administrator sets: the schema's properties, less those the type derives
    itself (a roll-up's result type)."""
    derived = set(field_type.derived_options({}, tenant)) if field_type.options_schema.get("properties") else set()
    return [(name, schema) for name, schema in field_type.options_schema.get("properties", {}).items()
            if name not in derived]
