"""Date and date/time arithmetic rules shared by operators and date functions (Python side).

Mirrored by the ``tessera_f_date_*``/``tessera_f_dt_*`` helpers in ``sql_functions.sql``:

* date ± n: n is truncated toward zero to whole days (``date + 30.9`` adds 30 days);
* date/time ± n: n days are converted to milliseconds, rounded half away from zero;
* date - date: whole days; date/time - date/time: days with the 20-significant-digit rule;
* results outside years 1..9999 (or |n| beyond 3,652,059 days) are blank.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from .numeric import EXACT, divide, to_int

UTC = dt.UTC
MAX_DAYS = 3_652_059
MAX_MONTHS = 119_988
_MS_PER_DAY = Decimal(86_400_000)
_US_PER_DAY = Decimal(86_400_000_000)


def add_days(day: dt.date, n: Decimal) -> dt.date | None:
    if abs(n) > MAX_DAYS:
        return None
    try:
        return day + dt.timedelta(days=to_int(n))
    except OverflowError:
        return None


def add_days_dt(moment: dt.datetime, n: Decimal) -> dt.datetime | None:
    if abs(n) > MAX_DAYS:
        return None
    ms = int(EXACT.multiply(n, _MS_PER_DAY).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    try:
        return (moment + dt.timedelta(milliseconds=ms)).astimezone(UTC)
    except OverflowError:
        return None


def diff_days(a: dt.date, b: dt.date) -> Decimal:
    return Decimal((a - b).days)


def diff_days_dt(a: dt.datetime, b: dt.datetime) -> Decimal | None:
    delta = a - b
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return divide(Decimal(micros), _US_PER_DAY)


def make_date(y: Decimal, m: Decimal, d: Decimal) -> dt.date | None:
    if not (1 <= y < 10_000 and 1 <= m < 13 and 1 <= d < 32):
        return None
    try:
        return dt.date(to_int(y), to_int(m), to_int(d))
    except ValueError:
        return None


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(day: dt.date, n: Decimal) -> dt.date | None:
    """Salesforce ADDMONTHS: the last day of a month maps to the last day of the result month."""
    if abs(n) > MAX_MONTHS:
        return None
    total = day.year * 12 + (day.month - 1) + to_int(n)
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        return None
    end = last_day(year, month)
    if day.day == last_day(day.year, day.month):
        return dt.date(year, month, end)
    return dt.date(year, month, min(day.day, end))


def text_of_date(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def text_of_datetime(moment: dt.datetime) -> str:
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"
