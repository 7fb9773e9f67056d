"""Auto-number field type: `CUST-{YYYY}-{0000}`.

Literal text and tokens: `{0…0}` a counter zero-padded to the number of zeros (1–10; numbers grow
past the padding), `{YYYY}` `{YY}` `{MM}` `{DD}` the creation date in the tenant's time zone.
Assigned on create, never editable; a new format applies to new records only.

Where the numbers come from (tessera.records.autonumbers):
- by default a PostgreSQL sequence per field (created with the field): unique and increasing under
  concurrent inserts without any lock, but a write that fails after taking a number leaves a gap;
- with the `gap_free` option (contract and invoice numbers), a counter row locked in the writing
  transaction: a rolled-back write gives its number back, and writers of the field take turns
  from the moment they number until they commit. Once on, gap-free stays on (a sequence could not
  continue the counter without reusing or skipping numbers).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from .base import TEXT_OPS, ContractSamples, FieldType, OptionsContext

if TYPE_CHECKING:
    from metadata.meta import FieldMeta
from .text import TextFieldType

#: The largest first number: far beyond any padding ({0000000000} is ten digits), far below bigint.
MAX_START = 10**15
TOKEN_RE = re.compile(r"\{(0{1,10}|YYYY|YY|MM|DD)\}")


def render(fmt: str, number: int, day: dt.date) -> str:
    def replace(match: re.Match) -> str:
        token = match.group(1)
        if token.startswith("0"):
            return str(number).zfill(len(token))
        return {"YYYY": f"{day.year:04d}", "YY": f"{day.year % 100:02d}", "MM": f"{day.month:02d}",
                "DD": f"{day.day:02d}"}[token]

    return TOKEN_RE.sub(replace, fmt)


def sequence_name(field_id: int) -> str:
    return f"autonumber_{field_id}"


class AutoNumberFieldType(FieldType):
    key = "auto_number"
    label = pgettext_lazy("field type", "Auto number")
    computed = True
    numbered = True
    supports_default = False
    supports_required = False
    supports_unique = False  # unique by construction
    filter_ops = TEXT_OPS
    sql_type = "text"
    slot_family = "t"
    formula_type = "TEXT"
    widget = "readonly"
    options_schema = {
        "type": "object",
        "required": ["format"],
        "properties": {
            "format": {"type": "string", "minLength": 1, "maxLength": 80},
            "start": {"type": "integer", "minimum": 0, "maximum": MAX_START},
            "gap_free": {"type": "boolean"},
        },
        "additionalProperties": False,
    }

    def check_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> list[tuple[str, str]]:
        fmt = options.get("format", "")
        counters = [t for t in TOKEN_RE.findall(fmt) if t.startswith("0")]
        if len(counters) != 1:
            return [("invalid_format", _("The format needs exactly one counter such as {0000}."))]
        if re.search(r"\{(?!(0{1,10}|YYYY|YY|MM|DD)\})", fmt):
            return [("invalid_format", _("Unknown token in the format; use {0000}, {YYYY}, {YY}, {MM}, {DD}."))]
        if ctx.current is not None and self.gap_free(ctx.current) and not options.get("gap_free"):
            return [("gap_free_permanent", _("A gap-free auto-number stays gap-free."))]
        return []

    def gap_free(self, field: FieldMeta) -> bool:
        """Whether the field's numbers come from a locked counter (no gaps) instead of a sequence."""
        return bool(field.options.get("gap_free"))

    def coerce(self, raw: Any, field: FieldMeta) -> Any:
        return None if raw in (None, "") else str(raw)

    def after_field_created(self, field: FieldMeta) -> None:
        """The field's own sequence: numbers unique and increasing under concurrent inserts."""
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {} AS bigint START WITH {} MINVALUE 0").format(
                sql.Identifier(sequence_name(field.id)), sql.Literal(int(field.options.get("start", 1)))))

    def format_number(self, field: FieldMeta, number: int, day: dt.date) -> Any:
        return render(field.options["format"], number, day)

    def compile_filter(self, op: str, expr: sql.Composable, value: Any, field: FieldMeta) -> sql.Composable:
        if op in ("contains", "startswith"):  # text operators, as for a text field
            return TextFieldType.compile_filter(self, op, expr, value, field)  # type: ignore[arg-type]
        return super().compile_filter(op, expr, value, field)

    def widget_descriptor(self, field: FieldMeta, language: str | None) -> dict:
        return {"widget": self.widget, "format": field.options.get("format")}

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({"format": "C-{YYYY}-{0000}"}, ("C-2026-0001",))
