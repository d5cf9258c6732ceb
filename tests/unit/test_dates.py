"""Dates and weekdays in the locale and in the process's timezone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from handlers.context import Deps
from handlers.i18n import Translator
from handlers.status.overview import show_status
from tests.builders import channel, person, plan, set_up

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_danish_dates_and_times_are_local_to_copenhagen() -> None:
    tr = Translator("da", "Europe/Copenhagen", now=NOW)
    # 12:00 UTC in winter is 13:00 in Copenhagen; in summer 14:00.
    assert (
        tr.datetime(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == "torsdag den 3. december kl. 13:00"
    )
    assert tr.datetime(datetime(2026, 6, 4, 12, 0, tzinfo=UTC)) == "torsdag den 4. juni kl. 14:00"
    assert tr.weekday(0) == "mandag"


def test_english_dates_and_another_timezone() -> None:
    tr = Translator("en", "America/New_York", now=NOW)
    assert tr.datetime(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == "Thursday 3 December at 07:00"
    assert tr.date(date(2027, 1, 4), with_year=True) == "Monday 4 January 2027"
    assert tr.weekday(6) == "Sunday"


def test_today_is_the_date_in_the_process_timezone() -> None:
    late_evening_utc = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert Translator("da", "Europe/Copenhagen").today(late_evening_utc) == date(2026, 11, 24)
    assert Translator("da", "UTC").today(late_evening_utc) == date(2026, 11, 23)


def test_a_date_in_another_year_shows_its_year() -> None:
    da, en = Translator("da", now=NOW), Translator("en", now=NOW)
    assert da.date(date(2027, 1, 14)) == "torsdag den 14. januar 2027"
    assert en.date(date(2025, 12, 4)) == "Thursday 4 December 2025"
    assert da.date(date(2026, 12, 3)) == "torsdag den 3. december"


def test_the_status_shows_the_year_of_a_workshop_next_year(deps: Deps) -> None:
    mette, anna = person("Mette Lund"), person("Anna Holm")
    where = channel("odder", [mette, anna])
    set_up(deps, where, mette)
    plan(deps, where, mette, [anna], title="Nytårsworkshop", when="2027-01-14 13:00")
    status = show_status(deps, anna, where).message
    assert status is not None
    shown = json.dumps(status.to_json(), ensure_ascii=False)
    assert "torsdag den 14. januar 2027" in shown
    assert "Status pr. mandag den 23. november kl. 10:00." in shown  # this year: no year
