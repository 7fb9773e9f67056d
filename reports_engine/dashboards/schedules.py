"""Scheduled reports: a report e-mailed weekly or monthly to chosen users.

Each recipient receives the report run as themselves (`run_report(report, recipient)`): what they
may read and nothing else; a recipient who may no longer see the report gets nothing. Beat asks
every tenant hourly (`tasks.send_scheduled_reports`), and a schedule sends once per period, at or
after its hour in the tenant's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from metadata.cache import get_meta
from reports_engine import services as reports
from reports_engine.result import ReportResult
from tessera.errors import ErrorCollector, NotFound, PermissionDenied, TesseraError
from tessera.security import audit
from tessera.security.access import access_for, user_id
from tessera.security.actor import Actor

from .models import ReportSchedule

MAX_RECIPIENTS = 50
MAIL_ROWS = 50


def create_schedule(report: str, actor: Actor, *, frequency: str, recipients: Iterable[Any], weekday: int = 0,
                    day: int = 1, hour: int = 8, base_url: str = "") -> ReportSchedule:
    """Schedule `report` (which the actor may see) for `recipients` (active users of the tenant)."""
    reports.get_report(report, actor)  # NotFound when the actor may not see it
    if not reports.can_create_reports(actor):
        raise PermissionDenied(_("Scheduling reports needs the “create reports” right."), code="no_create_reports_right")
    errors = ErrorCollector()
    if frequency not in ReportSchedule.Frequency.values:
        errors.add("frequency", "invalid", _("Choose weekly or monthly."))
    if not (0 <= weekday <= 6 and 1 <= day <= 28 and 0 <= hour <= 23):
        errors.add("day", "invalid", _("Choose a day and an hour the calendar has every week or month."))
    ids = sorted({int(r) for r in recipients if str(r).isdigit()})
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    if not users or len(users) != len(ids) or len(users) > MAX_RECIPIENTS:
        errors.add("recipients", "invalid", _("Choose between 1 and %(max)d active users.") % {"max": MAX_RECIPIENTS})
    errors.raise_if_any()
    with transaction.atomic():
        schedule = ReportSchedule.objects.create(report=report, owner_id=user_id(actor), frequency=frequency,
                                                 weekday=weekday, day=day, hour=hour, recipients=users,
                                                 base_url=base_url[:200])
        audit.log(actor, "reports.schedule", target_type="report", target_id=report,
                  detail={"schedule": schedule.pk, "frequency": frequency, "recipients": users})
    return schedule


def schedules_for(report: str, actor: Actor) -> list[ReportSchedule]:
    reports.get_report(report, actor)
    return list(ReportSchedule.objects.filter(report=report))


def delete_schedule(schedule_id: int, actor: Actor) -> None:
    schedule = ReportSchedule.objects.filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound(_("No such schedule."), code="unknown_schedule")
    if schedule.owner_id != user_id(actor) and not access_for(actor).has_right("customize"):
        raise PermissionDenied(_("Only whoever scheduled it or an administrator may stop it."), code="not_yours")
    schedule.delete()
    audit.log(actor, "reports.unschedule", target_type="report", target_id=schedule.report,
              detail={"schedule": schedule_id})


def last_slot(schedule: ReportSchedule, now: dt.datetime) -> dt.datetime:
    """The latest time at or before `now` (tenant's local time) the schedule is meant to send."""
    at = now.replace(hour=schedule.hour, minute=0, second=0, microsecond=0)
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        at -= dt.timedelta(days=(at.weekday() - schedule.weekday) % 7)
        return at if at <= now else at - dt.timedelta(days=7)
    at = at.replace(day=schedule.day)
    if at > now:
        previous = at.replace(day=1) - dt.timedelta(days=1)
        at = previous.replace(day=schedule.day, hour=schedule.hour)
    return at


def is_due(schedule: ReportSchedule, now: dt.datetime) -> bool:
    # The hour is the organisation's, read in its own time zone: never the zone the worker (or
    # whichever tenant it ran last) happens to have active.
    slot = last_slot(schedule, now.astimezone(ZoneInfo(get_meta().time_zone)))
    return slot >= schedule.created_at and (schedule.last_sent_at is None or schedule.last_sent_at < slot)


def send_due(now: dt.datetime | None = None) -> int:
    """Send every schedule whose time has come since it last sent; the number of e-mails sent."""
    now = now or timezone.now()
    sent = 0
    for schedule in ReportSchedule.objects.all():
        if is_due(schedule, now):
            sent += send_schedule(schedule)
            schedule.last_sent_at = now
            schedule.save(update_fields=["last_sent_at"])
    return sent


def send_schedule(schedule: ReportSchedule) -> int:
    """E-mail the report to each recipient, run as that recipient; the number sent."""
    sent = 0
    for user in get_user_model().objects.filter(pk__in=schedule.recipients, is_active=True):
        with translation.override(user.language or None):
            try:
                result = reports.run_report(schedule.report, user, limit=MAIL_ROWS)
            except TesseraError:  # they may no longer see the report or its object
                continue
            context = {"result": result, "lines": mail_lines(result), "user": user,
                       "link": f"{schedule.base_url.rstrip('/')}/app/reports/{schedule.report}/" if schedule.base_url else ""}
            subject = _("Report: %(name)s") % {"name": result.label}
            text = render_to_string("dashboards/report_mail.txt", context)
            html = render_to_string("dashboards/report_mail.html", context)
        send_mail(subject, text, None, [user.email], html_message=html)
        sent += 1
    return sent


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:,}"
    try:
        return f"{value:,f}" if hasattr(value, "as_tuple") else str(value)
    except (TypeError, ValueError):
        return str(value)


def mail_lines(result: ReportResult) -> list[list[str]]:
    """The result as rows of text cells, the first row the headers (the e-mail's table)."""
    values = [c for c in result.columns if c.kind in ("aggregate", "summary_formula")]
    if result.shape == "matrix" and result.matrix is not None:
        matrix = result.matrix
        key = values[0].key if values else ""
        lines = [[" × ".join(c.label for c in result.columns if c.kind == "group")]
                 + [" / ".join(c.labels) for c in matrix.columns] + [_("Total")]]
        lines += [[" / ".join(row.labels)] + [_text(matrix.cells[i][j].get(key)) for j in range(len(matrix.columns))]
                  + [_text(row.totals.get(key))] for i, row in enumerate(matrix.rows)]
        return lines
    if result.shape == "tabular":
        shown = [c for c in result.columns if c.kind not in ("aggregate", "summary_formula")]
        return [[c.label for c in shown]] + [[_text(row.get(c.key)) for c in shown] for row in result.rows]
    lines = [[_("Group"), _("Records")] + [c.label for c in values]]

    def walk(groups, depth):
        for g in groups:
            lines.append(["  " * depth + (g.label or _("(blank)")), _text(g.count)] + [_text(g.values.get(c.key)) for c in values])
            walk(g.children, depth + 1)

    walk(result.groups, 0)
    lines.append([_("Grand total"), _text(result.total_rows)] + [_text(result.grand_total.get(c.key)) for c in values])
    return lines
