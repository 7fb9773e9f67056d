"""A schedule's hour is the organisation's: a worker running in another time zone sends it then."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from reports_engine.dashboards import schedules
from reports_engine.dashboards.models import ReportSchedule
from tenants.organization import update_organization

UTC = dt.UTC


def test_the_hour_is_read_in_the_tenants_time_zone_not_the_workers(admin_a):
    update_organization({"time_zone": "Asia/Shanghai"}, admin_a)
    # Weekly on Monday 08:00 Shanghai (00:00 UTC); it last sent the Monday before (Dec 31st, 2029).
    weekly = ReportSchedule(report="r", frequency="weekly", weekday=0, hour=8,
                            created_at=dt.datetime(2029, 12, 1, tzinfo=UTC),
                            last_sent_at=dt.datetime(2029, 12, 31, 0, 0, tzinfo=UTC))
    # Monthly on the 1st at 08:00 Shanghai; it last sent on December 1st.
    monthly = ReportSchedule(report="r", frequency="monthly", day=1, hour=8,
                             created_at=dt.datetime(2029, 11, 1, tzinfo=UTC),
                             last_sent_at=dt.datetime(2029, 12, 1, 0, 0, tzinfo=UTC))
    with timezone.override("UTC"):  # the worker's zone
        # Sunday 23:30 UTC is Monday 07:30 in Shanghai: not yet (a UTC reading says 08:00 has passed).
        assert not schedules.is_due(weekly, dt.datetime(2030, 1, 6, 23, 30, tzinfo=UTC))
        assert schedules.is_due(weekly, dt.datetime(2030, 1, 7, 0, 30, tzinfo=UTC))  # 08:30 in Shanghai
        # Dec 31st 23:30 UTC is Jan 1st 07:30 in Shanghai; at 08:30 there it is due (still Dec 31st in UTC).
        assert not schedules.is_due(monthly, dt.datetime(2029, 12, 31, 23, 30, tzinfo=UTC))
        assert schedules.is_due(monthly, dt.datetime(2030, 1, 1, 0, 30, tzinfo=UTC))
    update_organization({"time_zone": "Europe/London"}, admin_a)  # another organisation's 08:00
    weekly.last_sent_at = dt.datetime(2029, 12, 31, 8, 0, tzinfo=UTC)
    with timezone.override("Asia/Shanghai"):
        assert not schedules.is_due(weekly, dt.datetime(2030, 1, 7, 0, 30, tzinfo=UTC))  # 00:30 in London
        assert schedules.is_due(weekly, dt.datetime(2030, 1, 7, 8, 30, tzinfo=UTC))
