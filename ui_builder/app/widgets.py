"""The widget registry: how a field's value is displayed and edited in the browser.

A field type names its widget (`FieldType.widget`, e.g. "select", "lookup", "currency"); the registry
maps that name to a `Widget` that renders the value for reading (lists, record pages, cards) and
names the template that draws its input in forms (`ui_builder/widgets/<template>.html`). A new field
type picks an existing widget or registers a new one here; no page tests a type's name.

Display renders with `format_html` instead of a template per cell: a list page draws hundreds of
cells and a template include per cell would cost most of the page's time budget.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from metadata.meta import FieldMeta
from tessera.errors import TesseraError
from tessera.records import service as records
from tessera.registry import Registry
from tessera.security.services import directory as security

#: References a form names one by one (lists expand lookups in their query).
MAX_EXPANDED = 5
#: URL schemes a link may use (custom links and URL fields): never javascript:, data:, vbscript:.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def safe_url(url: str) -> str | None:
    """`url` when its scheme is safe (a bare host such as www.example.com gets https://), else None."""
    text = (url or "").strip()
    if not text:
        return None
    scheme = urlsplit(text).scheme.lower()
    if not scheme:
        return "https://" + text.lstrip("/")
    return text if scheme in SAFE_SCHEMES else None


class Widget:
    """Text display and a plain input; subclasses change one or the other."""

    #: Template (under ui_builder/widgets/) that draws the input in forms.
    template = "text"
    #: The HTML input type of the default template.
    input_type = "text"
    #: How the filter builder asks for a condition on such a field (ui_builder/filters/<kind>.html).
    filter_kind = "text"
    #: Global search looks for a phone-like text in such fields (phone numbers).
    holds_phone_numbers = False

    def display(self, field: FieldMeta, value: Any, *, expanded: Any = None, language: str | None = None) -> SafeString:
        """The value as a reader sees it (already escaped)."""
        if value is None or value == "" or value == ():
            return SafeString("")
        return format_html("{}", self.display_text(field, value, language))

    def display_text(self, field: FieldMeta, value: Any, language: str | None) -> str:
        """A value (not blank) as `display` shows it, in plain text: a filter's chip says its value
        the way the list's cells do."""
        return field.type.format_text(value, field, language)

    def input_value(self, value: Any) -> Any:
        """The form descriptor's (API JSON) value as the input wants it."""
        return "" if value is None else value

    def expand(self, field: FieldMeta, values: set, actor: Any) -> dict:
        """What a page of values refers to, fetched once for all rows (user names for user
        fields); value → {"id", "name"}. Lists expand lookups in their own query instead."""
        return {}

    def filter_context(self, field: FieldMeta, language: str | None) -> dict:
        """What the filter builder's template for this widget needs besides the field."""
        return {}

    def create_url(self, field: FieldMeta, actor: Any) -> str | None:
        """Where a form makes a new record for this field in a dialog (lookups), if the actor may."""
        return None

    def value_from(self, data, name: str) -> Any:
        """What the submitted form says for the field (`data` is request.POST), as the records API
        takes it; "" is blank."""
        return data.get(name, "")


class NumberWidget(Widget):
    template = "number"
    filter_kind = "range"

    def display(self, field, value, *, expanded=None, language=None):
        if value is None:
            return SafeString("")
        return format_html('<span class="num">{}</span>', self.display_text(field, value, language))

    def display_text(self, field, value, language):
        return localize(value, use_l10n=True)


class CurrencyWidget(NumberWidget):
    def display_text(self, field, value, language):
        symbol = field.options.get("currency_symbol") or {"CNY": "¥", "USD": "$", "EUR": "€"}.get(
            field.options.get("currency", "CNY"), "")
        return f"{symbol}{value:,.{_scale(field)}f}"


class PercentWidget(NumberWidget):
    def display_text(self, field, value, language):
        return f"{localize(value, use_l10n=True)}%"


class DateWidget(Widget):
    template = "date"
    input_type = "date"
    filter_kind = "period"


class DateTimeWidget(Widget):
    template = "date"
    input_type = "datetime-local"
    filter_kind = "period"

    def display_text(self, field, value, language):
        return localtime(value).strftime("%Y-%m-%d %H:%M")

    def input_value(self, value):
        """API value (ISO, UTC) → the local wall time a datetime-local input shows."""
        if not value:
            return ""
        parsed = parse_datetime(value)
        return localtime(parsed).strftime("%Y-%m-%dT%H:%M") if parsed else ""


class CheckboxWidget(Widget):
    template = "checkbox"
    filter_kind = "boolean"

    def value_from(self, data, name):
        """A hidden "false" precedes the checkbox: the last value sent is the answer."""
        sent = data.getlist(name)
        return (sent[-1] == "true") if sent else None

    def display(self, field, value, *, expanded=None, language=None):
        if value is None:
            return SafeString("")
        return format_html('<span class="bool bool-{}">{}</span>', "yes" if value else "no", "✓" if value else "—")


class SelectWidget(Widget):
    """Picklists and multi-selects: a badge per value, in the value's colour."""

    template = "select"
    filter_kind = "choices"

    def __init__(self, multiple: bool = False):
        self.multiple = multiple
        #: One value per record: a kanban board can have a column per value.
        self.groups_cards = not multiple

    def value_from(self, data, name):
        return data.getlist(name) if self.multiple else data.get(name, "")

    def filter_context(self, field, language):
        return {"choices": field.type.value_type(field).choices(field, language)}

    def input_value(self, value):
        if self.multiple:
            return list(value or [])
        return "" if value is None else value

    def display(self, field, value, *, expanded=None, language=None):
        if value is None or value == ():
            return SafeString("")
        keys = value if isinstance(value, tuple | list) else (value,)
        choices = {c["value"]: c for c in field.type.choices(field, language)}
        return format_html_join(" ", '<span class="badge" data-color="{}">{}</span>', (
            (choices.get(key, {}).get("color", ""), choices.get(key, {}).get("label", key)) for key in keys))


class LookupWidget(Widget):
    template = "lookup"
    filter_kind = "lookup"

    def filter_context(self, field, language):
        return {"target": field.type.target(field)}

    def create_url(self, field, actor):
        target = field.type.target(field)
        try:
            _tenant, obj = records.get_object_meta(target or "")
        except TesseraError:
            return None
        if not records.access_for(actor).can(obj, "create"):
            return None
        return reverse("app:new", kwargs={"object_name": obj.api_name})

    def expand(self, field, values, actor):
        """Names of referenced records the actor may read (a form prefilled with `?account=12`);
        others stay unnamed (#12), as in any list."""
        target = field.type.target(field)
        found = {}
        for record_id in list(values)[:MAX_EXPANDED]:
            if not isinstance(record_id, int):
                continue
            try:
                record = records.get_record(target, record_id, actor)
            except TesseraError:
                continue
            found[record_id] = {"id": record_id, "name": record.name}
        return found

    def input_value(self, value):
        """The form descriptor gives an expanded lookup as {"id", "name"}: the input holds the id."""
        if isinstance(value, dict):
            return value.get("id") or ""
        return "" if value is None else value

    def display(self, field, value, *, expanded=None, language=None):
        if value is None:
            return SafeString("")
        target = field.type.target(field)
        name = (expanded or {}).get("name") if isinstance(expanded, dict) else None
        if target:
            href = reverse("app:record", kwargs={"object_name": target, "record_id": value})
            return format_html('<a href="{}">{}</a>', href, name or f"#{value}")
        return format_html("{}", name or f"#{value}")


class UserWidget(Widget):
    template = "user"
    filter_kind = "user"

    def expand(self, field, values, actor):
        return {user_id: {"id": user_id, "name": name}
                for user_id, name in security.user_names(actor, values).items()}

    def input_value(self, value):
        return "" if value is None else value

    def display(self, field, value, *, expanded=None, language=None):
        if value is None:
            return SafeString("")
        name = (expanded or {}).get("name") if isinstance(expanded, dict) else None
        return format_html('<span class="user-ref">{}</span>', name or f"#{value}")


class LinkWidget(Widget):
    """URL, e-mail and phone: a link with a safe scheme (anything else is shown as plain text)."""

    def __init__(self, template: str, input_type: str, prefix: str = ""):
        self.template, self.input_type, self.prefix = template, input_type, prefix
        self.holds_phone_numbers = input_type == "tel"

    def display(self, field, value, *, expanded=None, language=None):
        if not value:
            return SafeString("")
        href = safe_url(self.prefix + str(value)) if self.prefix else safe_url(str(value))
        if href is None:
            return format_html("{}", value)
        extra = ' target="_blank" rel="noopener noreferrer"' if not self.prefix else ""
        return format_html('<a href="{}"{}>{}</a>', href, SafeString(extra), value)


class TextareaWidget(Widget):
    template = "textarea"

    def display(self, field, value, *, expanded=None, language=None):
        if not value:
            return SafeString("")
        return format_html('<span class="longtext">{}</span>', value)


class ReadonlyWidget(Widget):
    """Computed values (formula, roll-up, auto-number): shown, never typed."""

    template = "readonly"

    def display(self, field, value, *, expanded=None, language=None):
        if value is None or value == "":
            return SafeString("")
        value_type = field.type.value_type(field)
        if value_type is not field.type:
            return widget_for_type(value_type).display(field, value, language=language)
        return super().display(field, value, language=language)


class FileWidget(Widget):
    template = "file"
    filter_kind = "presence"

    def __init__(self, accept: str = ""):
        #: What the file chooser offers (the server checks what it receives).
        self.accept = accept

    def value_from(self, data, name):
        """The form keeps the held file unless the user removes it (uploads come with the upload
        API: a token the form posts back)."""
        token = data.get(name + "__token", "")
        if token:
            return {"token": token}
        return None if data.get(name + "__clear") else _UNCHANGED

    def display(self, field, value, *, expanded=None, language=None):
        """`value` here is the file's JSON as the records API shows it (name, size, url)."""
        if not value or not isinstance(value, dict):
            return SafeString("")
        return format_html('<a href="{}" download>{}</a>', value.get("url", ""), value.get("name") or "file")


#: A form value that leaves the field as it is (not sent to the service).
_UNCHANGED = object()
UNCHANGED = _UNCHANGED


def _scale(field: FieldMeta) -> int:
    scale = getattr(field.type, "scale", None)
    return int(scale(field)) if callable(scale) else 2


widgets: Registry[Widget] = Registry("widgets")
for _name, _widget in {
    "text": Widget(), "textarea": TextareaWidget(),
    "email": LinkWidget("text", "email", "mailto:"), "tel": LinkWidget("text", "tel", "tel:"),
    "url": LinkWidget("text", "url"),
    "number": NumberWidget(), "currency": CurrencyWidget(), "percent": PercentWidget(),
    "date": DateWidget(), "datetime": DateTimeWidget(), "checkbox": CheckboxWidget(),
    "select": SelectWidget(), "multiselect": SelectWidget(multiple=True), "lookup": LookupWidget(), "user": UserWidget(),
    "file": FileWidget(), "image": FileWidget(accept="image/*"), "readonly": ReadonlyWidget(),
}.items():
    widgets.register(_name, _widget)


def widget_for_type(field_type) -> Widget:
    name = field_type.widget
    return widgets.get(name) if name in widgets else widgets.get("text")


def widget_for(field: FieldMeta) -> Widget:
    return widget_for_type(field.type)


def filter_widget_for(field: FieldMeta) -> Widget:
    """The widget whose filter asks about this field's values (a formula's result type decides)."""
    return widget_for_type(field.type.value_type(field))
