"""Reminders: two working days before the deadline and on the day, inside working hours, and
never to someone who answered, said "no input", left, or whose deadline has passed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from handlers.context import Deps
from handlers.inputs.reminders import send_due_reminders
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

ABSENT = ["Anna Holm", "Bo Berg", "Carl Ek", "Dorte Bach"]
SETUP = {"Forløbets navn": "Odder", "Nuværende trin": "3"}  # the rest as proposed
WORKSHOP = {"Spor": "Visitation", "Titel": "Visitation", "Dato og tidspunkt": "2026-11-23 08:00"}
SUMMARY = {"Hvem deltog?": "Mette Lund", "Opsamling": "Kort.", "Frist for input": "2026-11-27"}


def _reminders(posts: list[Post]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in posts:
        if post.label.startswith("DM til ") and "Påmindelse:" in post.body:
            name = post.label.removeprefix("DM til ")
            counts[name] = counts.get(name, 0) + 1
    return counts


def _sweep(chat: ConsoleDriver, deps: Deps, clock: Clock, when: datetime) -> dict[str, int]:
    clock.set(when)
    send_due_reminders(deps)
    return _reminders(chat.deliver())


def test_reminders_follow_the_cadence_and_stop_on_each_stop_condition(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    # Monday 23 November 2026, 10:00 in Copenhagen; the deadline is Friday the 27th.
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join " + ", ".join(ABSENT))
    chat.type("/samskab setup", SETUP)
    chat.type("/samskab workshop", WORKSHOP)
    posts = chat.type("/samskab referat", SUMMARY)
    dms = {p.label.removeprefix("DM til "): p for p in posts if p.label.startswith("DM til ")}
    assert sorted(dms) == ABSENT

    chat.type("/as Anna Holm")  # answers
    chat.type(
        "/click " + chat.button(dms["Anna Holm"], "Giv input"),
        {"Dit input": "Tak.", "Vis mit navn?": "Ja, med mit navn"},
    )
    chat.type("/as Bo Berg")  # no input from him
    chat.type("/click " + chat.button(dms["Bo Berg"], "Intet input fra mig"))
    chat.type("/leave Carl Ek")  # leaves the process

    # Tuesday: nothing yet. Wednesday 08:00 is before working hours.
    assert _sweep(chat, deps, clock, datetime(2026, 11, 24, 12, 0, tzinfo=UTC)) == {}
    assert _sweep(chat, deps, clock, datetime(2026, 11, 25, 7, 0, tzinfo=UTC)) == {}
    # Wednesday 09:05: two working days before Friday. Only Dorte, once.
    assert _sweep(chat, deps, clock, datetime(2026, 11, 25, 8, 5, tzinfo=UTC)) == {"Dorte Bach": 1}
    assert _sweep(chat, deps, clock, datetime(2026, 11, 25, 13, 0, tzinfo=UTC)) == {}
    assert _sweep(chat, deps, clock, datetime(2026, 11, 26, 9, 0, tzinfo=UTC)) == {}
    # Friday, the deadline day: the second reminder, at 09:00 and not again.
    assert _sweep(chat, deps, clock, datetime(2026, 11, 27, 8, 0, tzinfo=UTC)) == {"Dorte Bach": 1}
    assert _sweep(chat, deps, clock, datetime(2026, 11, 27, 14, 0, tzinfo=UTC)) == {}
    # Saturday: the deadline has passed; her request is closed.
    assert _sweep(chat, deps, clock, datetime(2026, 11, 28, 9, 0, tzinfo=UTC)) == {}
    chat.type("/as Dorte Bach")
    reply = chat.type("/click " + chat.button(dms["Dorte Bach"], "Giv input"))
    assert "Denne forespørgsel er lukket" in reply[0].body


def test_a_reminder_missed_outside_working_hours_waits_for_the_next_window(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join Dorte Bach")
    chat.type("/samskab setup", SETUP)
    chat.type("/samskab workshop", WORKSHOP)
    chat.type("/samskab referat", SUMMARY)
    # The bot was down all Wednesday; it comes back at 18:00, after working hours.
    assert _sweep(chat, deps, clock, datetime(2026, 11, 25, 17, 0, tzinfo=UTC)) == {}
    assert _sweep(chat, deps, clock, datetime(2026, 11, 26, 7, 59, tzinfo=UTC)) == {}
    # Wednesday's reminder day is over: the next is Friday's, not an extra one on Thursday.
    assert _sweep(chat, deps, clock, datetime(2026, 11, 26, 10, 0, tzinfo=UTC)) == {}
    assert _sweep(chat, deps, clock, datetime(2026, 11, 27, 8, 1, tzinfo=UTC)) == {"Dorte Bach": 1}
