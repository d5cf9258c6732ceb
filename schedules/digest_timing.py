"""When a process's digest is due: its weekly trigger in its own timezone, the period a digest
belongs to, and the digest missed while the bot was down."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from storage.models import Process

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def digest_trigger(process: Process) -> CronTrigger:
    """Every week on the process's weekday and time, in its timezone, so 09:00 stays 09:00 on
    both sides of a daylight-saving change."""
    return CronTrigger(
        day_of_week=WEEKDAYS[process.digest_weekday],
        hour=process.digest_time.hour,
        minute=process.digest_time.minute,
        timezone=ZoneInfo(process.timezone),
    )


def period_of(process: Process, moment: datetime) -> str:
    """The ISO week, in the process's timezone, that a digest at `moment` belongs to."""
    year, week, _ = moment.astimezone(ZoneInfo(process.timezone)).isocalendar()
    return f"{year}-W{week:02d}"


def last_scheduled(process: Process, now: datetime) -> datetime:
    """The latest moment at or before `now` when the digest was due."""
    tz = ZoneInfo(process.timezone)
    local = now.astimezone(tz)
    days_back = (local.weekday() - process.digest_weekday) % 7
    day = local.date() - timedelta(days=days_back)
    due = datetime.combine(day, process.digest_time, tzinfo=tz)
    if due > local:
        due = datetime.combine(day - timedelta(days=7), process.digest_time, tzinfo=tz)
    return due


def missed_period(process: Process, now: datetime) -> str | None:
    """The period whose digest should have gone already and whose week is not over: posted on
    start after downtime (once: the period's digest run is unique). None when nothing is owed."""
    due = last_scheduled(process, now)
    if due < process.created_at or period_of(process, due) != period_of(process, now):
        return None
    return period_of(process, due)
