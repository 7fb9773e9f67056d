"""Date and date-time field types.

Dates are stored as "YYYY-MM-DD"; date-times as UTC "YYYY-MM-DDTHH:MM:SSZ" (aware, second precision).
Their SQL expressions go through IMMUTABLE inlinable functions (public.tessera_date /
public.tessera_timestamptz), because `::date` and `::timestamptz` casts are not immutable and so
cannot be used in expression indexes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from psycopg2 import sql

from .base import COMPARISON_OPS, ContractSamples, FieldType, FieldValueError

if TYPE_CHECKING:
    from metadata.meta import FieldMeta

#: Date-times a field holds: a day inside Python's range on each side, so that showing one in any
#: time zone (offsets are under a day) never leaves it.
DATETIME_MIN = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
DATETIME_MAX = dt.datetime(9999, 12, 30, 23, 59, 59, tzinfo=dt.UTC)
#: A date as written with - (or / or . turned into -): year, month, day.
DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class DateFieldType(FieldType):
    key = "date"
    label = pgettext_lazy("field type", "Date")
    supports_unique = True
    filter_ops = COMPARISON_OPS
    sql_type = "date"
    slot_family = "d"
    formula_type = "DATE"
    widget = "date"
    converts_to = frozenset({"datetime", "text"})
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}

    def coerce(self, raw: Any, field: FieldMeta) -> dt.date | None:
        """A date: YYYY-MM-DD (or / . as separators); a date-time only at midnight (a date field
        holds no time, and dropping one silently could move the day). `2016-02-30` is no date."""
        if raw is None or raw == "":
            return None
        if isinstance(raw, dt.datetime):
            return _midnight_date(raw, str(raw))
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            text = raw.strip()
            try:
                return dt.date.fromisoformat(text) if len(text) == 10 else _parse_date(text, raw)
            except ValueError:
                return _parse_date(text, raw)
        raise FieldValueError("invalid_date", _("Enter a date as YYYY-MM-DD."))

    def column_coercer(self, field: FieldMeta) -> Callable[[list[Any]], list[Any]]:
        """A column of dates (the importer's) is taken as it is, and one of YYYY-MM-DD text read
        in one comprehension; anything else, or a day that does not exist, value by value."""
        general = super().column_coercer(field)
        fromisoformat = dt.date.fromisoformat

        def read(raws: list[Any]) -> list[Any]:
            if self.all_of(frozenset({dt.date}), raws):
                return list(raws)
            if self.all_of(frozenset({str}), raws) and all(len(raw) == 10 for raw in raws):
                try:
                    return [fromisoformat(raw) for raw in raws]
                except ValueError:
                    pass
            return general(raws)

        return read

    def to_storage(self, value: Any, field: FieldMeta) -> Any:
        return None if value is None else value.isoformat()

    def from_storage(self, stored: Any, field: FieldMeta) -> Any:
        return None if stored is None else dt.date.fromisoformat(stored)

    def to_api(self, value: Any, field: FieldMeta) -> Any:
        return None if value is None else value.isoformat()

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("public.tessera_date({} ->> {})").format(data, sql.Literal(key))

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return "" if value is None else value.isoformat()

    def filter_range(self, raw: Any, field: FieldMeta) -> tuple[Any, Any]:
        """`low,high`, or a period around today such as `this_month` (see relative_period)."""
        if isinstance(raw, str) and "," not in raw:
            return relative_period(raw.strip())
        return super().filter_range(raw, field)

    def convert_value(self, value: Any, source: FieldMeta, target: FieldMeta) -> Any:
        if value is not None and target.type.key == "datetime":
            tz = timezone.get_current_timezone()
            return dt.datetime.combine(value, dt.time(0, 0), tzinfo=tz).astimezone(dt.UTC)
        return super().convert_value(value, source, target)

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, ("2026-05-01", "1999/12/31"))


class DateTimeFieldType(FieldType):
    key = "datetime"
    label = pgettext_lazy("field type", "Date/time")
    filter_ops = COMPARISON_OPS
    sql_type = "timestamptz"
    slot_family = "ts"
    formula_type = "DATETIME"
    widget = "datetime"
    converts_to = frozenset({"date", "text"})
    options_schema = {"type": "object", "properties": {}, "additionalProperties": False}

    def coerce(self, raw: Any, field: FieldMeta) -> dt.datetime | None:
        if raw is None or raw == "":
            return None
        value = raw
        if isinstance(raw, str):
            try:
                value = parse_datetime(raw.strip().replace("Z", "+00:00"))
            except ValueError:
                value = None
            if value is None:
                try:
                    day = parse_date(raw.strip())
                except ValueError:
                    day = None
                value = dt.datetime.combine(day, dt.time(0, 0)) if day else None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time(0, 0))
        if not isinstance(value, dt.datetime):
            raise FieldValueError("invalid_datetime", _("Enter a date and time, e.g. 2026-05-01T09:30:00+08:00."))
        try:
            if timezone.is_naive(value):
                # A time without an offset is a wall-clock time in the tenant's time zone.
                value = timezone.make_aware(value, timezone.get_current_timezone())
            value = value.astimezone(dt.UTC).replace(microsecond=0)
        except (OverflowError, ValueError):
            value = None
        if value is None or not DATETIME_MIN <= value <= DATETIME_MAX:
            raise FieldValueError("invalid_datetime", _("Enter a date and time between the years 1 and 9999."))
        return value

    def to_storage(self, value: Any, field: FieldMeta) -> Any:
        return None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def from_storage(self, stored: Any, field: FieldMeta) -> Any:
        if stored is None:
            return None
        return dt.datetime.strptime(stored, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)

    def to_api(self, value: Any, field: FieldMeta) -> Any:
        return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")

    def equal(self, a: Any, b: Any) -> bool:
        if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
            return a.replace(microsecond=0) == b.replace(microsecond=0)
        return a == b

    def json_sql(self, data: sql.Composable, key: str) -> sql.Composable:
        return sql.SQL("public.tessera_timestamptz({} ->> {})").format(data, sql.Literal(key))

    def format_text(self, value: Any, field: FieldMeta, language: str | None = None) -> str:
        return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")

    def filter_range(self, raw: Any, field: FieldMeta) -> tuple[Any, Any]:
        """`low,high`, or a period around today (whole days in the tenant's time zone)."""
        if isinstance(raw, str) and "," not in raw:
            return _day_bounds(*relative_period(raw.strip()))
        return super().filter_range(raw, field)

    def convert_value(self, value: Any, source: FieldMeta, target: FieldMeta) -> Any:
        if value is not None and target.type.key == "date":
            return timezone.localtime(value).date()
        return super().convert_value(value, source, target)

    def contract_samples(self) -> ContractSamples | None:
        return ContractSamples({}, ("2026-05-01T09:30:00+08:00", "2026-12-31 23:59:59"))


def _parse_date(text: str, raw: str) -> dt.date:
    day_text = text.replace("/", "-").replace(".", "-")
    if len(day_text) > 10 and day_text[10] in "T ":
        try:
            moment = parse_datetime(text.replace("/", "-").replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            return _midnight_date(moment, raw)
        day_text = day_text[:10]
    match = DATE_RE.match(day_text)
    if match is None:
        raise FieldValueError("invalid_date", _("Enter a date as YYYY-MM-DD."))
    year, month, day = (int(part) for part in match.groups())
    try:
        value = dt.date(year, month, day)
    except ValueError:
        value = None
    if value is None or len(day_text) > 10 or not 1 <= year <= 9999:
        raise FieldValueError("invalid_date", _("“%(value)s” is not a date.") % {"value": raw.strip()})
    return value


def _midnight_date(moment: dt.datetime, raw: str) -> dt.date:
    """The day of a date-time given to a date field: only at midnight (in the tenant's time zone
    when it has an offset)."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    if local.time() != dt.time(0, 0):
        raise FieldValueError("invalid_date", _("“%(value)s” has a time of day; this field holds only a date.")
                              % {"value": raw.strip()})
    return local.date()


# --- periods of range filters -------------------------------------------------------------------


def _day_bounds(low: dt.date, high: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(low, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(high, dt.time(23, 59, 59), tzinfo=tz)
    return start, end


def relative_period(name: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A named period around today (the tenant's today) → (first day, last day)."""
    today = today or timezone.localdate()
    name = name.lower()
    if name.startswith(("last_n_days:", "next_n_days:")):
        try:
            days = int(name.split(":", 1)[1])
        except ValueError:
            days = -1
        if not 0 <= days <= 3660:
            raise FieldValueError("invalid_period", _("Give a number of days between 0 and 3660."))
        if name.startswith("last"):
            return today - dt.timedelta(days=days), today
        return today, today + dt.timedelta(days=days)
    month_start = today.replace(day=1)
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    week_start = today - dt.timedelta(days=today.weekday())
    periods = {
        "today": (today, today),
        "yesterday": (today - dt.timedelta(days=1),) * 2,
        "tomorrow": (today + dt.timedelta(days=1),) * 2,
        "this_week": (week_start, week_start + dt.timedelta(days=6)),
        "last_week": (week_start - dt.timedelta(days=7), week_start - dt.timedelta(days=1)),
        "next_week": (week_start + dt.timedelta(days=7), week_start + dt.timedelta(days=13)),
        "this_month": (month_start, _add_months(month_start, 1) - dt.timedelta(days=1)),
        "last_month": (_add_months(month_start, -1), month_start - dt.timedelta(days=1)),
        "next_month": (_add_months(month_start, 1), _add_months(month_start, 2) - dt.timedelta(days=1)),
        "this_quarter": (quarter_start, _add_months(quarter_start, 3) - dt.timedelta(days=1)),
        "last_quarter": (_add_months(quarter_start, -3), quarter_start - dt.timedelta(days=1)),
        "next_quarter": (_add_months(quarter_start, 3), _add_months(quarter_start, 6) - dt.timedelta(days=1)),
        "this_year": (today.replace(month=1, day=1), today.replace(month=12, day=31)),
        "last_year": (today.replace(year=today.year - 1, month=1, day=1),
                      today.replace(year=today.year - 1, month=12, day=31)),
        "next_year": (today.replace(year=today.year + 1, month=1, day=1),
                      today.replace(year=today.year + 1, month=12, day=31)),
    }
    periods.update(_fiscal_periods(today))
    if name not in periods:
        raise FieldValueError("invalid_period", _("Give a range as low,high or a period such as this_month."))
    return periods[name]


def fiscal_year_start_month() -> int:
    """The month the tenant's fiscal year starts in (its organisation settings, also compiled into
    TenantMeta.fiscal_year_start_month); January without a tenant."""
    month = getattr(getattr(connection, "tenant", None), "fiscal_year_start_month", None)
    return month if isinstance(month, int) and 1 <= month <= 12 else 1


def _fiscal_periods(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """this/last/next fiscal quarter and year, from the tenant's fiscal-year start month (a fiscal
    year starting in April 2026 is "fiscal 2026": 2026-04-01 … 2027-03-31)."""
    start = fiscal_year_start_month()
    months_in = (today.month - start) % 12
    year_start = _add_months(today.replace(day=1), -months_in)
    quarter_start = _add_months(year_start, 3 * (months_in // 3))
    periods = {}
    for word, shift in (("this", 0), ("last", -1), ("next", 1)):
        first_q = _add_months(quarter_start, 3 * shift)
        periods[f"{word}_fiscal_quarter"] = (first_q, _add_months(first_q, 3) - dt.timedelta(days=1))
        first_y = _add_months(year_start, 12 * shift)
        periods[f"{word}_fiscal_year"] = (first_y, _add_months(first_y, 12) - dt.timedelta(days=1))
    return periods


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)
