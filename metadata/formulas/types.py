"""Formula data types and the protocols through which the runtime plugs fields in.

Only three protocols cross the boundary between this package and the record runtime:

* :class:`Scope` answers "what is the field at this path?" at check time;
* :class:`ValueSource` answers "what is its value for this record?" for the Python evaluator;
* :class:`SqlRefs` answers "what SQL expression reads it?" for the SQL compiler.

Paths are tuples of names as written in the formula (``("Account", "Industry")`` for
``Account.Industry``); the scope may canonicalise them (for instance lower-case them) by returning
``FieldInfo.path``. The canonical path is what :class:`ValueSource` and :class:`SqlRefs` receive.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol

from psycopg2 import sql


class FormulaType(enum.Enum):
    """Salesforce formula data types (BOOLEAN is Salesforce's checkbox)."""

    TEXT = "text"
    NUMBER = "number"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"
    TIME = "time"
    #: Type of the NULL literal before the checker gives it the type its context needs.
    NULL = "null"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_numeric(self) -> bool:
        return self in NUMERIC_TYPES


_LABELS = {
    FormulaType.TEXT: "Text", FormulaType.NUMBER: "Number", FormulaType.CURRENCY: "Currency",
    FormulaType.PERCENT: "Percent", FormulaType.DATE: "Date", FormulaType.DATETIME: "Date/Time",
    FormulaType.BOOLEAN: "Checkbox", FormulaType.PICKLIST: "Picklist",
    FormulaType.MULTIPICKLIST: "Multi-Select Picklist", FormulaType.TIME: "Time",
    FormulaType.NULL: "Null",
}

NUMERIC_TYPES = frozenset({FormulaType.NUMBER, FormulaType.CURRENCY, FormulaType.PERCENT})

#: Types a formula may return.
RESULT_TYPES = frozenset({FormulaType.TEXT, FormulaType.NUMBER, FormulaType.CURRENCY,
                          FormulaType.PERCENT, FormulaType.DATE, FormulaType.DATETIME,
                          FormulaType.BOOLEAN})

#: PostgreSQL type of a compiled expression of each (expression) type.
SQL_TYPE_NAMES = {
    FormulaType.TEXT: "text", FormulaType.NUMBER: "numeric", FormulaType.CURRENCY: "numeric",
    FormulaType.PERCENT: "numeric", FormulaType.DATE: "date", FormulaType.DATETIME: "timestamptz",
    FormulaType.BOOLEAN: "boolean", FormulaType.PICKLIST: "text", FormulaType.MULTIPICKLIST: "jsonb",
    FormulaType.NULL: "text",
}


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What the scope knows about a referenced field.

    ``type``: the field's type (TEXT also covers email/phone/url/text area).
    ``scale``: decimal places of a number field (informative; formulas compute exactly).
    ``path``: canonical path (e.g. lower-cased keys); None means "as written".
    """

    type: FormulaType
    scale: int | None = None
    path: tuple[str, ...] | None = None


class Scope(Protocol):
    """Resolves field paths at check time; raises ``UnknownReference`` for unknown/invisible ones."""

    def resolve(self, path: tuple[str, ...]) -> FieldInfo: ...


class ValueSource(Protocol):
    """Typed field values of one record (see ``evaluator`` for the expected Python types)."""

    def get(self, path: tuple[str, ...]) -> Any: ...


class SqlRefs(Protocol):
    """Typed SQL expressions reading fields (text, numeric, date, timestamptz, boolean, jsonb)."""

    def sql_for(self, path: tuple[str, ...]) -> sql.Composable: ...
