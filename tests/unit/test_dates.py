"""Dates and weekdays in the locale and in the process's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from handlers.i18n import Translator


def test_danish_dates_and_times_are_local_to_copenhagen() -> None:
    tr = Translator("da", "Europe/Copenhagen")
    # 12:00 UTC in winter is 13:00 in Copenhagen; in summer 14:00.
    assert (
        tr.datetime(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == "torsdag den 3. december kl. 13:00"
    )
    assert tr.datetime(datetime(2026, 6, 4, 12, 0, tzinfo=UTC)) == "torsdag den 4. juni kl. 14:00"
    assert tr.weekday(0) == "mandag"


def test_english_dates_and_another_timezone() -> None:
    tr = Translator("en", "America/New_York")
    assert tr.datetime(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == "Thursday 3 December at 07:00"
    assert tr.date(date(2027, 1, 4), with_year=True) == "Monday 4 January 2027"
    assert tr.weekday(6) == "Sunday"


def test_today_is_the_date_in_the_process_timezone() -> None:
    late_evening_utc = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert Translator("da", "Europe/Copenhagen").today(late_evening_utc) == date(2026, 11, 24)
    assert Translator("da", "UTC").today(late_evening_utc) == date(2026, 11, 23)
