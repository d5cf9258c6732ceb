"""When reminders to give input may be sent: working days, working hours, holidays and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from handlers.inputs.working_time import (
    WorkingHours,
    default_deadline,
    is_working_day,
    next_reminder_at,
    next_working_moment,
    reminder_days,
    within_working_hours,
    working_days_before,
)

CPH = ZoneInfo("Europe/Copenhagen")
NEW_YORK = ZoneInfo("America/New_York")


def cph(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- working days -------------------------------------------------------------------------------


def test_weekdays_are_working_days_and_weekends_are_not() -> None:
    assert is_working_day(date(2026, 1, 16))  # Friday
    assert not is_working_day(date(2026, 1, 17))  # Saturday
    assert not is_working_day(date(2026, 1, 18))  # Sunday


def test_danish_easter_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 4, 2))  # Maundy Thursday
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert is_working_day(date(2026, 4, 1))
    assert is_working_day(date(2026, 4, 7))


def test_each_country_has_its_own_holidays() -> None:
    may_day = date(2026, 5, 1)  # a Friday: a holiday in Germany, not in Denmark
    assert is_working_day(may_day, "DK")
    assert not is_working_day(may_day, "DE")
    maundy_thursday = date(2026, 4, 2)  # a holiday in Denmark, not in Germany
    assert not is_working_day(maundy_thursday, "DK")
    assert is_working_day(maundy_thursday, "DE")


def test_working_days_before_skips_weekends() -> None:
    monday = date(2026, 1, 19)
    assert working_days_before(monday, 1) == date(2026, 1, 16)  # Friday
    assert working_days_before(monday, 2) == date(2026, 1, 15)  # Thursday


def test_working_days_before_skips_holidays() -> None:
    easter_tuesday = date(2026, 4, 7)
    # Back over Easter Monday, the weekend, Good Friday and Maundy Thursday.
    assert working_days_before(easter_tuesday, 1) == date(2026, 4, 1)
    assert working_days_before(easter_tuesday, 2) == date(2026, 3, 31)


def test_working_days_before_counts_from_a_day_that_is_not_a_working_day() -> None:
    sunday = date(2026, 3, 15)
    assert working_days_before(sunday, 1) == date(2026, 3, 13)  # Friday


def test_working_days_before_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError):
        working_days_before(date(2026, 1, 16), 0)


# --- reminder days ------------------------------------------------------------------------------


def test_deadline_on_a_friday_gives_wednesday_and_friday() -> None:
    assert reminder_days(date(2026, 1, 16), days_before=2, on_deadline=True) == [
        date(2026, 1, 14),
        date(2026, 1, 16),
    ]


def test_deadline_on_easter_monday_moves_both_reminders_before_easter() -> None:
    # Easter Monday is not a working day, so the deadline-day reminder moves to the last working day
    # before it, Wednesday 1 April (Thursday and Friday are holidays). Two working days before
    # Easter Monday are Wednesday 1 April and Tuesday 31 March.
    assert reminder_days(date(2026, 4, 6), days_before=2, on_deadline=True) == [
        date(2026, 3, 31),
        date(2026, 4, 1),
    ]


def test_deadline_on_a_sunday_reminds_thursday_and_friday() -> None:
    assert reminder_days(date(2026, 3, 15), days_before=2, on_deadline=True) == [
        date(2026, 3, 12),
        date(2026, 3, 13),
    ]


def test_early_and_deadline_reminders_on_the_same_day_are_one_reminder() -> None:
    # A Sunday deadline: one working day before it is the Friday the deadline reminder moves to.
    assert reminder_days(date(2026, 3, 15), days_before=1, on_deadline=True) == [date(2026, 3, 13)]


def test_days_before_zero_means_no_early_reminder() -> None:
    assert reminder_days(date(2026, 1, 16), days_before=0, on_deadline=True) == [date(2026, 1, 16)]


def test_no_deadline_reminder_leaves_only_the_early_one() -> None:
    assert reminder_days(date(2026, 1, 16), days_before=3, on_deadline=False) == [date(2026, 1, 13)]


def test_no_reminders_at_all_gives_no_days() -> None:
    assert reminder_days(date(2026, 1, 16), days_before=0, on_deadline=False) == []


def test_negative_days_before_is_refused() -> None:
    with pytest.raises(ValueError):
        reminder_days(date(2026, 1, 16), days_before=-1, on_deadline=True)


def test_swedish_epiphany_moves_the_early_reminder() -> None:
    wednesday = date(2026, 1, 7)  # Epiphany, Tuesday 6 January, is a holiday in Sweden only
    assert reminder_days(wednesday, days_before=1, on_deadline=False) == [date(2026, 1, 6)]
    assert reminder_days(wednesday, days_before=1, on_deadline=False, country="SE") == [
        date(2026, 1, 5)
    ]


# --- working hours ------------------------------------------------------------------------------


def test_working_hours_include_the_start_and_exclude_the_end() -> None:
    assert not within_working_hours(cph(2026, 1, 14, 8, 59), CPH)
    assert within_working_hours(cph(2026, 1, 14, 9, 0), CPH)
    assert within_working_hours(cph(2026, 1, 14, 15, 59), CPH)
    assert not within_working_hours(cph(2026, 1, 14, 16, 0), CPH)


def test_working_hours_are_judged_in_the_process_timezone() -> None:
    # 08:30 UTC is 09:30 in Copenhagen in winter, 10:30 in summer.
    assert within_working_hours(utc(2026, 1, 14, 8, 30), CPH)
    assert within_working_hours(utc(2026, 6, 17, 8, 30), CPH)
    # 15:30 UTC is 16:30 in Copenhagen in winter: too late there, but 10:30 in New York.
    assert not within_working_hours(utc(2026, 1, 14, 15, 30), CPH)
    assert within_working_hours(utc(2026, 1, 14, 15, 30), NEW_YORK, WorkingHours(country="US"))


def test_no_working_hours_on_weekends_or_holidays() -> None:
    assert not within_working_hours(cph(2026, 1, 17, 10), CPH)  # Saturday
    assert not within_working_hours(cph(2026, 4, 3, 10), CPH)  # Good Friday


def test_custom_working_hours() -> None:
    early = WorkingHours(start=time(7, 30), end=time(12, 0))
    assert within_working_hours(cph(2026, 1, 14, 7, 30), CPH, early)
    assert not within_working_hours(cph(2026, 1, 14, 12, 0), CPH, early)


def test_working_hours_must_start_before_they_end() -> None:
    with pytest.raises(ValueError):
        WorkingHours(start=time(16, 0), end=time(9, 0))


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        within_working_hours(datetime(2026, 1, 14, 10, 0), CPH)


# --- next reminder ------------------------------------------------------------------------------


def test_friday_deadline_in_winter_reminds_wednesday_and_friday_at_nine() -> None:
    deadline = date(2026, 1, 16)
    monday = cph(2026, 1, 12, 11)
    first = next_reminder_at(deadline, CPH, monday)
    assert first == cph(2026, 1, 14, 9)
    assert first == utc(2026, 1, 14, 8)  # CET is UTC+1
    second = next_reminder_at(deadline, CPH, first, after=first)
    assert second == cph(2026, 1, 16, 9)
    assert second == utc(2026, 1, 16, 8)


def test_friday_deadline_in_summer_reminds_wednesday_and_friday_at_nine() -> None:
    deadline = date(2026, 6, 19)
    monday = cph(2026, 6, 15, 11)
    first = next_reminder_at(deadline, CPH, monday)
    assert first == cph(2026, 6, 17, 9)
    assert first == utc(2026, 6, 17, 7)  # CEST is UTC+2
    second = next_reminder_at(deadline, CPH, first, after=first)
    assert second == cph(2026, 6, 19, 9)
    assert second == utc(2026, 6, 19, 7)


def test_next_reminder_is_returned_in_utc() -> None:
    moment = next_reminder_at(date(2026, 1, 16), CPH, cph(2026, 1, 12, 11))
    assert moment is not None
    assert moment.tzinfo is UTC


def test_easter_monday_deadline_reminds_before_easter() -> None:
    deadline = date(2026, 4, 6)
    first = next_reminder_at(deadline, CPH, cph(2026, 3, 26, 10))
    assert first == utc(2026, 3, 31, 7)  # Tuesday 09:00 CEST
    second = next_reminder_at(deadline, CPH, first, after=first)
    assert second == utc(2026, 4, 1, 7)  # Wednesday 09:00 CEST
    assert next_reminder_at(deadline, CPH, second, after=second) is None


def test_sunday_deadline_reminds_thursday_and_friday() -> None:
    deadline = date(2026, 3, 15)
    first = next_reminder_at(deadline, CPH, cph(2026, 3, 9, 10))
    assert first == cph(2026, 3, 12, 9)
    second = next_reminder_at(deadline, CPH, first, after=first)
    assert second == cph(2026, 3, 13, 9)


def test_sunday_deadline_has_no_reminder_left_on_the_weekend() -> None:
    assert next_reminder_at(date(2026, 3, 15), CPH, cph(2026, 3, 14, 10)) is None


def test_request_created_after_the_early_reminder_day_gets_only_the_deadline_one() -> None:
    deadline = date(2026, 1, 16)
    wednesday_evening = cph(2026, 1, 14, 17)
    reminder = next_reminder_at(deadline, CPH, wednesday_evening)
    assert reminder == cph(2026, 1, 16, 9)
    assert next_reminder_at(deadline, CPH, reminder, after=reminder) is None


def test_request_created_before_working_hours_waits_for_the_start() -> None:
    early_wednesday = cph(2026, 1, 14, 6, 45)
    assert next_reminder_at(date(2026, 1, 16), CPH, early_wednesday) == cph(2026, 1, 14, 9)


def test_now_inside_a_reminder_days_window_is_the_moment_itself() -> None:
    now = cph(2026, 1, 14, 10, 30)
    assert next_reminder_at(date(2026, 1, 16), CPH, now) == now
    assert next_reminder_at(date(2026, 1, 16), CPH, now) == utc(2026, 1, 14, 9, 30)


def test_now_after_working_hours_on_the_deadline_day_gives_none() -> None:
    deadline = date(2026, 1, 16)
    assert next_reminder_at(deadline, CPH, cph(2026, 1, 16, 16, 30)) is None
    assert next_reminder_at(deadline, CPH, cph(2026, 1, 16, 16, 0)) is None
    assert next_reminder_at(deadline, CPH, cph(2026, 1, 16, 15, 59)) == cph(2026, 1, 16, 15, 59)


def test_now_after_the_deadline_gives_none() -> None:
    assert next_reminder_at(date(2026, 1, 16), CPH, cph(2026, 1, 19, 10)) is None


def test_after_skips_the_day_already_reminded() -> None:
    deadline = date(2026, 1, 16)
    sent = cph(2026, 1, 14, 9)
    still_wednesday = cph(2026, 1, 14, 9, 5)
    assert next_reminder_at(deadline, CPH, still_wednesday, after=sent) == cph(2026, 1, 16, 9)


def test_after_is_read_as_a_local_date() -> None:
    # 23:30 UTC on Tuesday is already Wednesday in Copenhagen, so Wednesday counts as reminded.
    sent = utc(2026, 1, 13, 23, 30)
    now = cph(2026, 1, 14, 10)
    assert next_reminder_at(date(2026, 1, 16), CPH, now, after=sent) == cph(2026, 1, 16, 9)


def test_after_on_the_deadline_day_leaves_nothing() -> None:
    sent = cph(2026, 1, 16, 9)
    assert next_reminder_at(date(2026, 1, 16), CPH, cph(2026, 1, 16, 9, 1), after=sent) is None


def test_no_early_reminder_and_no_deadline_reminder_gives_none() -> None:
    now = cph(2026, 1, 12, 10)
    assert next_reminder_at(date(2026, 1, 16), CPH, now, days_before=0, on_deadline=False) is None


def test_only_the_deadline_reminder_when_days_before_is_zero() -> None:
    now = cph(2026, 1, 12, 10)
    assert next_reminder_at(date(2026, 1, 16), CPH, now, days_before=0) == cph(2026, 1, 16, 9)


def test_only_the_early_reminder_when_on_deadline_is_off() -> None:
    deadline = date(2026, 1, 16)
    first = next_reminder_at(deadline, CPH, cph(2026, 1, 12, 10), on_deadline=False)
    assert first == cph(2026, 1, 14, 9)
    assert next_reminder_at(deadline, CPH, first, on_deadline=False, after=first) is None


def test_reminders_across_the_spring_dst_change_are_at_nine_local() -> None:
    # Summer time starts Sunday 29 March 2026: Friday the 27th is CET, Tuesday the 31st CEST.
    deadline = date(2026, 3, 31)
    first = next_reminder_at(deadline, CPH, cph(2026, 3, 23, 10))
    assert first == utc(2026, 3, 27, 8)
    assert first is not None and first.astimezone(CPH).time() == time(9, 0)
    second = next_reminder_at(deadline, CPH, first, after=first)
    assert second == utc(2026, 3, 31, 7)
    assert second is not None and second.astimezone(CPH).time() == time(9, 0)


def test_reminders_across_the_autumn_dst_change_are_at_nine_local() -> None:
    # Summer time ends Sunday 25 October 2026: Thursday the 22nd is CEST, Monday the 26th CET.
    deadline = date(2026, 10, 26)
    first = next_reminder_at(deadline, CPH, cph(2026, 10, 19, 10))
    assert first == utc(2026, 10, 22, 7)
    second = next_reminder_at(deadline, CPH, first, after=first)
    assert second == utc(2026, 10, 26, 8)


def test_another_country_uses_its_own_holidays() -> None:
    # Deadline Friday 1 May 2026, a German holiday: the deadline reminder moves to Thursday.
    deadline = date(2026, 5, 1)
    berlin = ZoneInfo("Europe/Berlin")
    german = WorkingHours(country="DE")
    now = datetime(2026, 4, 30, 10, 0, tzinfo=berlin)
    assert next_reminder_at(deadline, berlin, now, days_before=0, hours=german) == now
    # In Denmark 1 May is a working day, so the reminder stays on the deadline.
    danish_now = cph(2026, 4, 30, 10)
    assert next_reminder_at(deadline, CPH, danish_now, days_before=0) == cph(2026, 5, 1, 9)


def test_another_timezone_reminds_at_nine_in_new_york() -> None:
    # Deadline Friday 3 July 2026, the observed Independence Day: the deadline reminder moves to
    # Thursday 2 July, and two working days before the deadline is Wednesday 1 July.
    deadline = date(2026, 7, 3)
    american = WorkingHours(country="US")
    first = next_reminder_at(deadline, NEW_YORK, utc(2026, 6, 29, 12), hours=american)
    assert first == utc(2026, 7, 1, 13)  # 09:00 EDT is UTC-4
    second = next_reminder_at(deadline, NEW_YORK, first, hours=american, after=first)
    assert second == utc(2026, 7, 2, 13)
    assert next_reminder_at(deadline, NEW_YORK, second, hours=american, after=second) is None


def test_new_york_working_hours_end_at_four_in_the_afternoon_local() -> None:
    deadline = date(2026, 1, 16)
    american = WorkingHours(country="US")
    # 20:30 UTC is 15:30 in New York: still inside the deadline day's window.
    now = utc(2026, 1, 16, 20, 30)
    assert next_reminder_at(deadline, NEW_YORK, now, hours=american) == now
    assert next_reminder_at(deadline, NEW_YORK, utc(2026, 1, 16, 21, 0), hours=american) is None


def test_custom_hours_set_the_reminder_time() -> None:
    hours = WorkingHours(start=time(13, 0), end=time(15, 0))
    assert next_reminder_at(date(2026, 1, 16), CPH, cph(2026, 1, 12, 10), hours=hours) == cph(
        2026, 1, 14, 13
    )


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        next_reminder_at(date(2026, 1, 16), CPH, datetime(2026, 1, 12, 10, 0))


@pytest.mark.parametrize(
    ("summary_day", "deadline"),
    [
        (date(2026, 11, 23), date(2026, 11, 30)),  # a week on, a Monday
        (date(2026, 11, 28), date(2026, 12, 7)),  # a week on is a Saturday: the Monday after
        (date(2026, 12, 18), date(2026, 12, 28)),  # a week on is Christmas Day: the Monday after
        (date(2027, 3, 24), date(2027, 4, 1)),  # Easter takes three days: 3 working days need 8
        (date(2027, 3, 22), date(2027, 3, 30)),  # a week on is Easter Monday: the Tuesday after
    ],
)
def test_the_default_deadline_is_a_working_day_three_working_days_on(
    summary_day: date, deadline: date
) -> None:
    assert default_deadline(summary_day) == deadline
    assert is_working_day(deadline)


@pytest.mark.parametrize(
    ("now", "then"),
    [
        (cph(2026, 12, 2, 11), cph(2026, 12, 2, 11)),  # a Wednesday morning: now
        (cph(2026, 12, 2, 7), cph(2026, 12, 2, 9)),  # before hours: this morning
        (cph(2026, 12, 4, 22), cph(2026, 12, 7, 9)),  # Friday night: Monday morning
        (cph(2026, 12, 5, 12), cph(2026, 12, 7, 9)),  # Saturday
        (cph(2027, 3, 24, 18), cph(2027, 3, 30, 9)),  # before Easter: after Easter Monday
    ],
)
def test_the_next_working_moment_is_now_or_the_next_working_morning(
    now: datetime, then: datetime
) -> None:
    assert next_working_moment(now, CPH) == then.astimezone(UTC)
