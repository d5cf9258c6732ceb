"""When reminders to give input may be sent.

A colleague asked for input has a deadline: a date, meaning the end of that day in the process's
timezone. Reminders fall on working days (Monday to Friday, not a public holiday of the process's
country) and only inside working hours. This module is pure: no I/O and no clock reads, so the
caller passes `now` in as an aware datetime and gets an aware UTC datetime back.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from holidays.registry import COUNTRIES

__all__ = [
    "WorkingHours",
    "is_working_day",
    "next_reminder_at",
    "reminder_days",
    "within_working_hours",
    "working_days_before",
]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingHours:
    """The daily window, in the process's local time, in which reminders may go out.

    The window is half-open: `start` is inside it, `end` is not.
    """

    start: time = time(9, 0)
    end: time = time(16, 0)
    country: str = "DK"

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"working hours must start before they end: {self.start}–{self.end}")


@cache
def _public_holidays(country: str, year: int) -> frozenset[date]:
    # Building a country's calendar is slow compared to a lookup, and the answer never changes.
    calendar = _country_calendar(country)
    if calendar is None:  # not a country the registry knows: holidays says why
        return frozenset(holidays.country_holidays(country, years=year).keys())
    return frozenset(calendar(years=year).keys())


def _country_calendar(country: str) -> type[holidays.HolidayBase] | None:
    """The country's calendar class with only its own module loaded. `holidays.country_holidays`
    imports the package `holidays.countries`, which imports every country's module (about 250,
    8 MB that the server then keeps; docs/benchmarks.md, memory at 1000 members), where a process
    needs the calendar of its own country."""
    for module_name, entities in COUNTRIES.items():
        if country in entities:
            name = f"holidays.countries.{module_name}"
            module = sys.modules.get(name)
            if module is None and "holidays.countries" in sys.modules:
                module = importlib.import_module(name)
            if module is None:
                path = Path(holidays.__file__).parent / "countries" / f"{module_name}.py"
                spec = importlib.util.spec_from_file_location(name, path)
                if spec is None or spec.loader is None:
                    return None
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module  # as an import would: a later one finds it
                try:
                    spec.loader.exec_module(module)
                except ImportError:  # built on another country's calendar: the whole package
                    del sys.modules[name]
                    return None
            calendar: type[holidays.HolidayBase] = getattr(module, country)
            return calendar
    return None


def is_working_day(day: date, country: str = "DK") -> bool:
    """Monday to Friday and not a public holiday in `country`."""
    return day.weekday() < 5 and day not in _public_holidays(country, day.year)


def working_days_before(day: date, n: int, country: str = "DK") -> date:
    """The date `n` working days before `day`; `day` itself need not be a working day."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    found = 0
    current = day
    while found < n:
        current -= _ONE_DAY
        if is_working_day(current, country):
            found += 1
    return current


def default_deadline(today: date, *, days: int = 7, at_least: int = 3, country: str = "DK") -> date:
    """The input deadline a summary proposes: about `days` on, moved forward to a working day,
    and never fewer than `at_least` working days after `today`, so colleagues have working days
    to answer in (the week around Christmas or Easter has few)."""
    deadline = today + timedelta(days=days)
    while not is_working_day(deadline, country) or _working_days(today, deadline, country) < (
        at_least
    ):
        deadline += _ONE_DAY
    return deadline


def _working_days(start: date, end: date, country: str) -> int:
    """Working days after `start`, up to and including `end`."""
    return sum(
        is_working_day(start + timedelta(days=n), country) for n in range(1, (end - start).days + 1)
    )


def reminder_days(
    deadline: date, *, days_before: int, on_deadline: bool, country: str = "DK"
) -> list[date]:
    """The days reminders fall on, ascending and without duplicates.

    The early reminder is `days_before` working days before the deadline (none when 0). The
    deadline-day reminder is on the deadline when that is a working day, else on the last working
    day before it, so nobody is reminded after their deadline has passed.
    """
    if days_before < 0:
        raise ValueError(f"days_before must not be negative, got {days_before}")
    days: set[date] = set()
    if days_before > 0:
        days.add(working_days_before(deadline, days_before, country))
    if on_deadline:
        days.add(
            deadline
            if is_working_day(deadline, country)
            else working_days_before(deadline, 1, country)
        )
    return sorted(days)


def within_working_hours(
    moment: datetime, tz: ZoneInfo, hours: WorkingHours = WorkingHours()
) -> bool:
    """Whether `moment` falls on a working day, inside working hours, in `tz`."""
    local = _require_aware(moment, "moment").astimezone(tz)
    return is_working_day(local.date(), hours.country) and hours.start <= local.time() < hours.end


def next_working_moment(
    now: datetime, tz: ZoneInfo, hours: WorkingHours = WorkingHours()
) -> datetime:
    """`now` when it is inside working hours; else the start of the next working hours, in UTC."""
    if within_working_hours(now, tz, hours):
        return now
    local = _require_aware(now, "now").astimezone(tz)
    day = local.date()
    if not (is_working_day(day, hours.country) and local.time() < hours.start):
        day += _ONE_DAY
        while not is_working_day(day, hours.country):
            day += _ONE_DAY
    return datetime.combine(day, hours.start, tzinfo=tz).astimezone(UTC)


def next_reminder_at(
    deadline: date,
    tz: ZoneInfo,
    now: datetime,
    *,
    days_before: int = 2,
    on_deadline: bool = True,
    hours: WorkingHours = WorkingHours(),
    after: datetime | None = None,
) -> datetime | None:
    """The earliest moment at or after `now` at which a reminder should go, in UTC.

    A reminder day qualifies while its working window has not ended at `now`; the moment is then
    the window's start, or `now` when that is later. `after` is when a reminder was last sent:
    only reminder days after its local date qualify, which is how the second reminder is found
    once the first has gone. None when no reminder day remains.
    """
    now_utc = _require_aware(now, "now").astimezone(UTC)
    # Days up to and including this local date have had their reminder.
    reminded_through = (
        _require_aware(after, "after").astimezone(tz).date() if after is not None else None
    )
    days = reminder_days(
        deadline, days_before=days_before, on_deadline=on_deadline, country=hours.country
    )
    # reminder_days never goes past the deadline, so once `now` is past the deadline day's
    # window every remaining day's window has ended too and the loop finds nothing.
    for day in days:
        if reminded_through is not None and day <= reminded_through:
            continue
        # Compare in UTC: aware datetimes sharing one tzinfo compare by wall clock, which is
        # wrong across a DST fold.
        start = datetime.combine(day, hours.start, tzinfo=tz).astimezone(UTC)
        end = datetime.combine(day, hours.end, tzinfo=tz).astimezone(UTC)
        if now_utc < end:
            return max(start, now_utc)
    return None


def _require_aware(moment: datetime, name: str) -> datetime:
    # A naive datetime would be read in the host's timezone, which is not the process's.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment
