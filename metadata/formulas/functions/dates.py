"""Date functions: DATE, DATEVALUE, DATETIMEVALUE, TODAY, NOW, YEAR, MONTH, DAY, WEEKDAY, ADDMONTHS,
DAYOFYEAR, ISOWEEK, ISOYEAR.

Time zones follow Salesforce: date/times are instants; TEXT(), DATEVALUE(date/time) and
DATETIMEVALUE(text) work in GMT; only TODAY() uses the tenant's time zone (``evaluate(tz=...)`` /
``compile_sql`` parameters). Invalid dates (DATE(2021, 2, 29), DATEVALUE("2020-13-01")) are blank.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from psycopg2 import sql

from .. import datemath
from ..nodes import TCall
from ..sqlfrag import func, tpl
from ..types import FormulaType as T
from .base import Compiling, Evaluating, FormulaFunction, Overload
from .registry import FUNCTIONS

UTC = dt.UTC
# Same patterns as tessera_f_datevalue/tessera_f_datetimevalue in sql_functions.sql.
DATE_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DATETIME_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})Z?")


def date_of_text(text: str) -> dt.date | None:
    m = DATE_TEXT.fullmatch(text)
    if not m:
        return None
    return datemath.make_date(*(Decimal(g) for g in m.groups()))


def datetime_of_text(text: str) -> dt.datetime | None:
    day = date_of_text(text)
    if day is not None:
        return dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
    m = DATETIME_TEXT.fullmatch(text)
    if not m:
        return None
    day = date_of_text(text[:10])
    hour, minute, second = (int(g) for g in m.groups()[3:])
    if day is None or hour > 23 or minute > 59 or second > 59:
        return None
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


@FUNCTIONS.entry
class Date(FormulaFunction):
    name = "DATE"
    overloads = (Overload((T.NUMBER, T.NUMBER, T.NUMBER), T.DATE),)

    def py(self, node: TCall, y: Any, m: Any, d: Any) -> Any:
        return datemath.make_date(y, m, d)

    def sql(self, node: TCall, y: sql.Composable, m: sql.Composable, d: sql.Composable) -> sql.Composable:
        return func("tessera_f_date", y, m, d)


@FUNCTIONS.entry
class DateValue(FormulaFunction):
    """DATEVALUE(text "YYYY-MM-DD" | date/time (its GMT date) | date)."""

    name = "DATEVALUE"
    overloads = (Overload((T.TEXT,), T.DATE, "text"), Overload((T.DATETIME,), T.DATE, "dt"),
                 Overload((T.DATE,), T.DATE, "date"))

    def py(self, node: TCall, value: Any) -> Any:
        if node.variant == "text":
            return date_of_text(value)
        if node.variant == "dt":
            return value.astimezone(UTC).date()
        return value

    def sql(self, node: TCall, value: sql.Composable) -> sql.Composable:
        if node.variant == "text":
            return func("tessera_f_datevalue", value)
        if node.variant == "dt":
            return tpl("(({} AT TIME ZONE 'UTC')::date)", value)
        return value


@FUNCTIONS.entry
class DateTimeValue(FormulaFunction):
    """DATETIMEVALUE(text "YYYY-MM-DD[ HH:MM:SS]" in GMT ('T' and a final 'Z' allowed) | date | date/time)."""

    name = "DATETIMEVALUE"
    overloads = (Overload((T.TEXT,), T.DATETIME, "text"), Overload((T.DATE,), T.DATETIME, "date"),
                 Overload((T.DATETIME,), T.DATETIME, "dt"))

    def py(self, node: TCall, value: Any) -> Any:
        if node.variant == "text":
            return datetime_of_text(value)
        if node.variant == "date":
            return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
        return value

    def sql(self, node: TCall, value: sql.Composable) -> sql.Composable:
        if node.variant == "text":
            return func("tessera_f_datetimevalue", value)
        if node.variant == "date":
            return tpl("(({}::timestamp) AT TIME ZONE 'UTC')", value)
        return value


@FUNCTIONS.entry
class Today(FormulaFunction):
    name = "TODAY"
    overloads = (Overload((), T.DATE),)
    uses_now = True

    def evaluate(self, node: TCall, ev: Evaluating) -> Any:
        return ev.now.astimezone(ev.tz).date()

    def compile(self, node: TCall, cc: Compiling) -> sql.Composable:
        return cc.today_sql()


@FUNCTIONS.entry
class Now(FormulaFunction):
    name = "NOW"
    overloads = (Overload((), T.DATETIME),)
    uses_now = True

    def evaluate(self, node: TCall, ev: Evaluating) -> Any:
        return ev.now.astimezone(UTC)

    def compile(self, node: TCall, cc: Compiling) -> sql.Composable:
        return cc.now_sql()


class _Part(FormulaFunction):
    """A number taken from a date: Python ``part(date)``, SQL ``extract(field from date)``."""

    overloads = (Overload((T.DATE,), T.NUMBER),)
    field = ""

    def part(self, day: dt.date) -> int:
        return int(getattr(day, self.field))

    def py(self, node: TCall, day: Any) -> Any:
        return Decimal(self.part(day))

    def sql(self, node: TCall, day: sql.Composable) -> sql.Composable:
        return tpl("extract(" + self.field + " from {})", day)


@FUNCTIONS.entry
class Year(_Part):
    name = "YEAR"
    field = "year"


@FUNCTIONS.entry
class Month(_Part):
    name = "MONTH"
    field = "month"


@FUNCTIONS.entry
class Day(_Part):
    name = "DAY"
    field = "day"


@FUNCTIONS.entry
class DayOfYear(_Part):
    name = "DAYOFYEAR"
    field = "doy"

    def part(self, day: dt.date) -> int:
        return day.timetuple().tm_yday


@FUNCTIONS.entry
class IsoWeek(_Part):
    name = "ISOWEEK"
    field = "week"

    def part(self, day: dt.date) -> int:
        return day.isocalendar()[1]


@FUNCTIONS.entry
class IsoYear(_Part):
    name = "ISOYEAR"
    field = "isoyear"

    def part(self, day: dt.date) -> int:
        return day.isocalendar()[0]


@FUNCTIONS.entry
class Weekday(FormulaFunction):
    """WEEKDAY(date): 1 = Sunday ... 7 = Saturday."""

    name = "WEEKDAY"
    overloads = (Overload((T.DATE,), T.NUMBER),)

    def py(self, node: TCall, day: Any) -> Any:
        return Decimal(day.isoweekday() % 7 + 1)

    def sql(self, node: TCall, day: sql.Composable) -> sql.Composable:
        return tpl("(extract(dow from {}) + 1)", day)


@FUNCTIONS.entry
class AddMonths(FormulaFunction):
    """ADDMONTHS(date, n): month-end dates stay month-end; otherwise the day is kept or clamped."""

    name = "ADDMONTHS"
    overloads = (Overload((T.DATE, T.NUMBER), T.DATE),)

    def py(self, node: TCall, day: Any, n: Any) -> Any:
        return datemath.add_months(day, n)

    def sql(self, node: TCall, day: sql.Composable, n: sql.Composable) -> sql.Composable:
        return func("tessera_f_addmonths", day, n)
