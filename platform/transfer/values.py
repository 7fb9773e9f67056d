"""Cells of real spreadsheets → values the records service takes.

People's files hold booleans as 是/否, Y/N or ✓, dates as 2024年3月5日, 2024/3/5, 05/03/2024 or
Excel serial numbers, amounts as ¥1,054.50 or 3.5万, and multi-select values separated by `;` or
`、`. The field types accept their own canonical forms (and picklist labels, through
`FieldType.parse_text`); this module turns the spreadsheet forms into those first.

A field is parsed by the kind of value it holds, asked of the field type (its value type's
`formula_type`, never its key), through the `cell_parsers` registry: a new field type holding a
date gets date parsing without a change here. A kind without a parser goes to the type's own
`parse_text`.

Parsers raise `CellError` with a message for the person fixing the file; they never guess: a
day-first or month-first date is read in the order the importer chose, and 万 multiplies only
when the importer said so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from metadata.fieldtypes import FieldValueError
from metadata.meta import FieldMeta
from tessera.registry import Registry

#: The orders a numeric date such as 05/03/2024 may be read in.
DATE_ORDERS = ("ymd", "dmy", "mdy")
#: Excel's day 0 in the 1900 date system (Excel counts a 29 February 1900 that never was, so
#: serials from 61 on are one day ahead of a plain count from 31 December 1899).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serials Excel can show as a date: 1 (1900-01-01) to 2958465 (9999-12-31).
EXCEL_SERIALS = (1, 2958465)

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on", "是", "真", "对", "有", "✓", "✔", "√", "☑", "x"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off", "否", "假", "错", "无", "✗", "✘", "×", "☐"})

#: Currency signs and words stripped from amounts (the amount is in the field's currency).
CURRENCY_MARKS = ("¥", "￥", "$", "€", "£", "RMB", "CNY", "USD", "元", "人民币")
WAN = ("万", "萬")
YI = ("亿", "億")
THOUSANDS = str.maketrans("", "", ",，  '_")

_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_NUMERIC = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?$")
_SPLIT = re.compile(r"[;；、\n]")
#: The amounts most cells hold, read without the general path's attempts (each a raised
#: exception): 1234, -12.5, 1,054.50, ¥1,054.50, 15%, (1,200) for -1200. A cell of another shape,
#: or of more digits than Decimal's 28 (which the general path rounds), takes the general path.
_AMOUNT = re.compile(r"(\()?[¥￥$]?(-?[0-9][0-9,]*(?:\.[0-9]+)?)%?(?(1)\))")
_AMOUNT_DIGITS = 28


class CellError(ValueError):
    """A cell that cannot be read as its field's value; the message says what to write instead."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParseOptions:
    """What the importer chose for the file: how to read numeric dates and 万."""

    date_order: str = "ymd"
    #: "3.5万" means 35,000 (an amount column in 万元 is common in Chinese sheets).
    wan: bool = False
    #: Separators of multi-select lists besides `;` and `、`.
    list_separators: str = ""


CellParser = Callable[[Any, FieldMeta, ParseOptions], Any]
#: formula_type of the field's value type → parser. Registered below, one per kind of value.
cell_parsers: Registry[CellParser] = Registry("cell parsers")


#: Kinds of values with few distinct cells (a picklist's labels, yes/no, the days of a year): each
#: distinct text cell is parsed once per column and remembered (up to MEMO_SIZE cells).
MEMOISED = frozenset({"BOOLEAN", "PICKLIST", "MULTIPICKLIST", "DATE"})
MEMO_SIZE = 10_000
_UNSEEN = object()

CellReader = Callable[[Any], Any]


def parse_cell(raw: Any, field: FieldMeta, options: ParseOptions) -> Any:
    """One cell → the value to send for `field` (None for a blank cell), or CellError."""
    return cell_parser(field, options)(raw)


def cell_parser(field: FieldMeta, options: ParseOptions) -> Callable[[Any], Any]:
    """The parser of `field`'s cells, chosen once for a column (a file has many rows): raises
    CellError."""
    read = cell_reader(field, options)

    def parse(raw: Any) -> Any:
        value = read(raw)
        if isinstance(value, CellError):
            raise value
        return value

    return parse


def cell_reader(field: FieldMeta, options: ParseOptions) -> CellReader:
    """Like `cell_parser`, but a cell that cannot be read gives its CellError instead of raising
    it: the importer reads a batch's column in one comprehension, and raising is slow."""
    kind = field.type.value_type(field).formula_type or ""
    try:
        parser = cell_parsers.get(kind)
    except KeyError:
        parser = _as_text
    if parser is _plain_text:  # text goes as written: read without the steps below (the most columns)
        return _read_text
    memo: dict[str, Any] | None = {} if kind in MEMOISED else None

    def read(raw: Any) -> Any:
        if raw is None:
            return None
        # Only text is remembered: 1, 1.0 and True are one key of a dict, not one cell.
        text = isinstance(raw, str)
        if text:
            if memo is not None:
                found = memo.get(raw, _UNSEEN)
                if found is not _UNSEEN:
                    return found
            if not raw.strip():
                return None
        try:
            value = parser(raw, field, options)
        except FieldValueError as exc:
            value = CellError(exc.code, str(exc.message))
        except CellError as exc:
            value = exc
        if text and memo is not None and len(memo) < MEMO_SIZE:
            memo[raw] = value
        return value

    return read


def _text_of(raw: Any) -> str:
    """A cell as text: 13800138000.0 read from a number cell is 13800138000."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _as_text(raw: Any, field: FieldMeta, options: ParseOptions) -> Any:
    return field.type.parse_text(_text_of(raw), field)


def _plain_text(raw: Any, field: FieldMeta, options: ParseOptions) -> Any:
    """Text goes as written (trimmed); the records service checks it (length, e-mail, phone…)."""
    return raw.strip() if isinstance(raw, str) else _text_of(raw)


def _read_text(raw: Any) -> str | None:
    """A text cell as `cell_reader` gives it through `_plain_text`: blank is None."""
    if isinstance(raw, str):
        return raw.strip() or None
    return None if raw is None else _text_of(raw)


# --- booleans --------------------------------------------------------------------------------


def parse_boolean(raw: Any, field: FieldMeta | None = None, options: ParseOptions | None = None) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = _text_of(raw).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("invalid_boolean", _("“%(value)s” is not yes or no (write 是/否, Y/N, true/false, 1/0 or ✓).")
                    % {"value": _text_of(raw)})


# --- dates -----------------------------------------------------------------------------------


def parse_date(raw: Any, field: FieldMeta | None = None, options: ParseOptions | None = None) -> dt.date:
    """2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, 05/03/2024 (in the chosen order),
    an Excel serial number, or a date cell."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return excel_serial(raw)
    whole = _YMD.fullmatch(raw) if isinstance(raw, str) else None
    if whole:  # 2024-03-05, 2024/3/5, 2024年3月5日 as the cell: what the general path reads it as
        return _day(whole.groups(), "ymd", raw)
    text = _text_of(raw).replace(" ", "")
    order = (options or ParseOptions()).date_order
    date_text = text.split("T", 1)[0]
    if " " in _text_of(raw):  # "2024-03-05 00:00:00" as Excel and databases write a date
        date_text = _text_of(raw).split(" ", 1)[0]
    for pattern, parts in ((_YMD, "ymd"), (_COMPACT, "ymd"), (_NUMERIC, order)):
        match = pattern.match(date_text)
        if match:
            return _day(match.groups(), parts if len(match.group(1)) != 4 else "ymd", text)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return excel_serial(Decimal(text))
    raise CellError("invalid_date", _("“%(value)s” is not a date (write 2024-03-05, 2024/3/5 or 2024年3月5日).")
                    % {"value": text})


def _day(groups: tuple[str, ...], order: str, text: str) -> dt.date:
    numbers = [int(g) for g in groups]
    year, month, day = numbers[order.index("y")], numbers[order.index("m")], numbers[order.index("d")]
    if year < 100:  # 05/03/24
        year += 2000 if year < 70 else 1900
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError("invalid_date", _("“%(value)s” is not a date that exists.") % {"value": text}) from None


def excel_serial(number: int | float | Decimal) -> dt.date:
    """An Excel serial day number (1900 date system) → the date it shows."""
    low, high = EXCEL_SERIALS
    if not low <= number <= high:
        raise CellError("invalid_date", _("%(value)s is not a date.") % {"value": number})
    days = int(number)
    if days < 61:  # before Excel's 29 February 1900
        days += 1
    return EXCEL_EPOCH + dt.timedelta(days=days)


def parse_datetime(raw: Any, field: FieldMeta | None = None, options: ParseOptions | None = None) -> dt.datetime:
    """A date as above followed by a time (09:30, 9:30:15, 9时30分), or a date-time cell; naive:
    the field type reads it in the tenant's time zone."""
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        day = excel_serial(raw)
        seconds = round((float(raw) % 1) * 86400)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    text = _text_of(raw)
    iso = text.replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(iso)
    except ValueError:
        pass
    date_part, _sep, time_part = text.replace("T", " ").partition(" ")
    day = parse_date(date_part, field, options)
    if not time_part.strip():
        return dt.datetime.combine(day, dt.time())
    match = _TIME.match(time_part.strip())
    if not match:
        raise CellError("invalid_datetime", _("“%(value)s” is not a date and time (write 2024-03-05 09:30).")
                        % {"value": text})
    hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise CellError("invalid_datetime", _("“%(value)s” is not a time that exists.") % {"value": text}) from None


# --- numbers ---------------------------------------------------------------------------------


def parse_number(raw: Any, field: FieldMeta | None = None, options: ParseOptions | None = None) -> Decimal:
    """1,054.50, ¥1,054.50, $3.2, 1 054, 100元, 15%, (120) for -120, and 3.5万 / 2亿 when the
    importer said amounts may be written so. Decimals are kept as written: the field refuses
    more than it holds."""
    if isinstance(raw, str):
        amount = _AMOUNT.fullmatch(raw)
        if amount and len(amount.group(2)) <= _AMOUNT_DIGITS:  # what the general path makes of it
            value = Decimal(amount.group(2).replace(",", ""))
            return -value if amount.group(1) else value
    elif isinstance(raw, bool):
        raise CellError("invalid_number", _("Write a number."))
    elif isinstance(raw, int | Decimal):
        return Decimal(raw)
    elif isinstance(raw, float):
        return Decimal(repr(raw))
    try:  # plain numbers in other forms (1e3, 1_000)
        plain = Decimal(raw)
        if plain.is_finite():
            return plain
    except (InvalidOperation, TypeError, ValueError):
        pass
    text = _text_of(raw).translate(THOUSANDS)
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    for mark in CURRENCY_MARKS:
        text = text.replace(mark, "")
    factor = Decimal(1)
    if text.endswith("%"):
        text = text[:-1]
    if text.endswith(WAN + YI):
        if not (options or ParseOptions()).wan:
            raise CellError("unit_not_allowed", _("“%(value)s” is written in 万 or 亿; choose “amounts may be "
                                                  "written in 万” to read it.") % {"value": _text_of(raw)})
        factor = Decimal(10_000) if text.endswith(WAN) else Decimal(100_000_000)
        text = text[:-1]
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise CellError("invalid_number", _("“%(value)s” is not a number.") % {"value": _text_of(raw)}) from None
    if not value.is_finite():
        raise CellError("invalid_number", _("“%(value)s” is not a number.") % {"value": _text_of(raw)})
    value *= factor
    return -value if negative else value


# --- lists -----------------------------------------------------------------------------------


def split_list(raw: Any, options: ParseOptions | None = None) -> list[str]:
    """A multi-select cell → its parts: separated by `;`, `；`, `、`, a new line (or the importer's
    own separators)."""
    text = _text_of(raw)
    extra = (options or ParseOptions()).list_separators
    for separator in extra:
        text = text.replace(separator, ";")
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def parse_list(raw: Any, field: FieldMeta, options: ParseOptions) -> Any:
    """Each part read like a picklist value (its key or its label in any language)."""
    return field.type.parse_text(";".join(split_list(raw, options)), field)


cell_parsers.register("TEXT", _plain_text)
cell_parsers.register("BOOLEAN", parse_boolean)
cell_parsers.register("DATE", parse_date)
cell_parsers.register("DATETIME", parse_datetime)
cell_parsers.register("NUMBER", parse_number)
cell_parsers.register("CURRENCY", parse_number)
cell_parsers.register("PERCENT", parse_number)
cell_parsers.register("MULTIPICKLIST", parse_list)
