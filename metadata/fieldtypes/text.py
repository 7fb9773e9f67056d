"""Text-like field types: text, long text, email, phone, URL."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from .base import TEXT_OPS, ContractSamples, FieldType, FieldValueError, nullable

if TYPE_CHECKING:
    from metadata.meta import FieldMeta


class TextFieldType(FieldType):
    key = "text"
    label = pgettext_lazy("field type", "Text")
    supports_unique = True
    filter_ops = TEXT_OPS
    sql_type = "text"
    slot_family: ClassVar[str | None] = "t"
    formula_type = "TEXT"
    widget = "text"
    converts_to = frozenset({"long_text", "email", "phone", "url", "picklist", "number", "currency", "percent"})
    default_max_length: ClassVar[int] = 255
    options_schema = {
        "type": "object",
        "properties": {"max_length": {"type": "integer", "minimum": 1, "maximum": 1000}},
        "additionalProperties": False,
    }

    def max_length(self, field: FieldMeta) -> int:
        return int(field.options.get("max_length") or self.default_max_length)

    def default_options(self) -> dict:
        """The maximum length made explicit, where the options can say it."""
        if "max_length" not in self.options_schema["properties"]:
            return {}
        return {"max_length": self.default_max_length}

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise FieldValueError("invalid", _("Enter text."))
        text = str(raw).strip()
        return text or None

    def batch_coercer(self, field: FieldMeta) -> Callable[[Any], Any]:
        if type(self).coerce is not TextFieldType.coerce:
            return super().batch_coercer(field)
        limit, general = self.max_length(field), super().batch_coercer(field)

        def read(raw: Any) -> Any:
            if type(raw) is not str:
                return general(raw)
            text = raw.strip()
            if len(text) > limit:
                self.validate(text, field)
            return text or None

        return read

    def column_coercer(self, field: FieldMeta) -> Callable[[list[Any]], list[Any]]:
        """A column of text (and nulls) is trimmed in one comprehension; one value too long, or
        not text, and the column is read value by value."""
        general = super().column_coercer(field)
        if type(self).coerce is not TextFieldType.coerce:
            return general
        limit = self.max_length(field)

        def read(raws: list[Any]) -> list[Any]:
            if not self.all_of(frozenset({str, type(None)}), raws):
                return general(raws)
            texts = [raw.strip() or None if raw is not None else None for raw in raws]
            if max(map(len, filter(None, texts)), default=0) > limit:
                return general(raws)
            return texts

        return read

    def validate(self, value: str, field: FieldMeta) -> None:
        limit = self.max_length(field)
        if len(value) > limit:
            raise FieldValueError(
                "too_long", _("At most %(limit)d characters (this has %(length)d).") % {"limit": limit, "length": len(value)}
            )

    def compile_filter(self, op: str, expr: sql.Composable, value: Any, field: FieldMeta) -> sql.Composable:
        if op == "contains":
            return sql.SQL("{} ILIKE {}").format(expr, sql.Literal("%" + escape_like(value) + "%"))
        if op == "startswith":
            # Case-sensitive prefix: served by a text_pattern_ops index.
            return sql.SQL("{} LIKE {}").format(expr, sql.Literal(escape_like(value) + "%"))
        return super().compile_filter(op, expr, value, field)

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        return {"widget": self.widget, "max_length": self.max_length(field)}

    def openapi_schema(self, field: FieldMeta, *, for_input: bool = False) -> dict:
        return nullable({"type": "string", "maxLength": self.max_length(field)})

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({"max_length": 40}, ("Acme 有限公司", "50%_off\\x"))


_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_url_validator = URLValidator(schemes=["http", "https"])


@functools.lru_cache(maxsize=4096)
def _valid_url(text: str) -> bool:
    """Django's URL check (a regex, a split, IDNA), remembered: the web addresses of a batch or a
    file repeat (a company's site on each of its contacts)."""
    try:
        _url_validator(text)
    except ValidationError:
        return False
    return True


class _EmailValidator(EmailValidator):
    """Django's e-mail check, its domain part's verdict remembered: the addresses of a batch or a
    file are mostly different, their domains mostly the same (the domain regex is most of the check)."""

    def validate_domain_part(self, domain_part: str) -> bool:
        return _valid_email_domain(domain_part)


@functools.lru_cache(maxsize=4096)
def _valid_email_domain(domain_part: str) -> bool:
    return EmailValidator.validate_domain_part(_DJANGO_EMAIL, domain_part)


_DJANGO_EMAIL = EmailValidator()


def escape_like(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LongTextFieldType(TextFieldType):
    key = "long_text"
    label = pgettext_lazy("field type", "Long text")
    supports_unique = False
    sortable = False
    slot_family = None
    widget = "textarea"
    default_max_length = 32768
    converts_to = frozenset()
    options_schema = {
        "type": "object",
        "properties": {"max_length": {"type": "integer", "minimum": 1, "maximum": 131072}},
        "additionalProperties": False,
    }

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise FieldValueError("invalid", _("Enter text."))
        return raw if raw.strip() else None  # keeps line breaks and indentation

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, ("line one\n  line two",))


class EmailFieldType(TextFieldType):
    key = "email"
    label = pgettext_lazy("field type", "Email")
    widget = "email"
    default_max_length = 254
    converts_to = frozenset({"text"})
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}
    _validator = _EmailValidator()

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        value = super().coerce(raw, field)
        if value is None:
            return None
        try:
            self._validator(value)
        except ValidationError:
            raise FieldValueError("invalid_email", _("Enter a valid email address.")) from None
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"

    def unique_sql(self, expr: sql.Composable) -> sql.Composable:
        return sql.SQL("lower({})").format(expr)

    def normalise_for_unique(self, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, ("Ann.Lee@Example.COM",))


class PhoneFieldType(TextFieldType):
    key = "phone"
    label = pgettext_lazy("field type", "Phone")
    widget = "tel"
    searched_normalized = True
    default_max_length = 40
    converts_to = frozenset({"text"})
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}
    _allowed = re.compile(r"^[+0-9()\-.\s/#*xext]{3,40}$", re.IGNORECASE)

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        value = super().coerce(raw, field)
        if value is None:
            return None
        if not self._allowed.match(value) or len(_DIGITS.findall(value)) < 3:
            raise FieldValueError("invalid_phone", _("Enter a valid phone number."))
        return _SPACES.sub(" ", value) if "  " in value or "\t" in value or "\n" in value else value

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, ("+86 21 1234-5678",))


class UrlFieldType(TextFieldType):
    key = "url"
    label = pgettext_lazy("field type", "URL")
    widget = "url"
    default_max_length = 2048
    converts_to = frozenset({"text"})
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        value = super().coerce(raw, field)
        if value is None:
            return None
        if "://" not in value:
            value = "https://" + value
        if not _valid_url(value):
            raise FieldValueError("invalid_url", _("Enter a valid web address."))
        return value

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, ("example.com/a?b=c",))
