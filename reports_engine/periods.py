"""Relative periods reports add to the records API's (this_quarter, last_n_days:30…): months back
from today and the tenant's fiscal quarters and years. Each becomes the `low,high` date range the
records API's range filter takes; any other value passes through unchanged."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def fiscal_period_start(day: dt.date, months: int, fiscal_start: int) -> dt.date:
    """The first day of the fiscal quarter (months=3) or year (12) holding `day`."""
    offset = (day.month - fiscal_start) % 12
    return _month_start(day.replace(day=1), -(offset % months))


def expand_period(value: str, fiscal_start: int = 1, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    name = value.strip().lower()
    if name.startswith("last_n_months:"):
        try:
            months = int(name.split(":", 1)[1])
        except ValueError:
            return value
        if not 0 < months <= 240:
            return value
        return f"{_month_start(today, -months + 1).isoformat()},{today.isoformat()}"
    for prefix, months in (("_fiscal_quarter", 3), ("_fiscal_year", 12)):
        if name.endswith(prefix):
            when = name[: -len(prefix)]
            shift = {"this": 0, "last": -1, "next": 1}.get(when)
            if shift is None:
                return value
            start = _month_start(fiscal_period_start(today, months, fiscal_start), shift * months)
            end = _month_start(start, months) - dt.timedelta(days=1)
            return f"{start.isoformat()},{end.isoformat()}"
    return value
