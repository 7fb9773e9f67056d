"""Boolean (checkbox) field type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from .base import EQUALITY_OPS, ContractSamples, FieldType, FieldValueError

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on", "是", "真", "对"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off", "否", "假", "错"})


class BooleanFieldType(FieldType):
    key = "boolean"
    label = pgettext_lazy("field type", "Checkbox")
    supports_required = False  # a checkbox is always true or false
    filter_ops = EQUALITY_OPS
    sql_type = "boolean"
    slot_family = "b"
    formula_type = "BOOLEAN"
    widget = "checkbox"
    converts_to = frozenset({"text"})
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}

    def coerce(self, raw: Any, field: FieldMeta) -> bool | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str):
            word = raw.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        raise FieldValueError("invalid_boolean", _("Enter true or false."))

    def column_coercer(self, field: FieldMeta) -> Callable[[list[Any]], list[Any]]:
        """A column of booleans is taken as it is."""
        general = super().column_coercer(field)
        return lambda raws: list(raws) if self.all_of(frozenset({bool}), raws) else general(raws)

    def default_value(self, field: FieldMeta) -> Any:
        return bool(field.default) if field.default is not None else False

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("(({} ->> {})::boolean)").format(data, sql.Literal(key))

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        if value is None:
            return ""
        if (language or "").startswith("zh"):
            return "是" if value else "否"
        return "true" if value else "false"

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, (True, "否"))
