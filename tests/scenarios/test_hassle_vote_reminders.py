"""Voting in the bøvl round, in the console: the one reminder to give dots (its working day before
the voting deadline, inside working hours, once, never to someone who has given dots or left,
never at the weekend or after the deadline, at most one bøvl reminder a person a day across
processes), and the board's "Give your dots" button while voting is open."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from handlers.context import Deps
from handlers.hassle.asking import remind_hassle
from handlers.interactions import submit_form
from schedules.jobs import Runtime, run_hassle_closing
from tests.builders import (
    add_hassle,
    channel,
    person,
    set_up,
    start_hassle_round,
    with_ballot_key,
)
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

FACILITATOR = "Mette Lund"
COLLEAGUES = ["Anna Holm", "Bo Sørensen", "Camilla Friis", "Dorte Bach"]
TITLES = ["Vagtplanen kommer for sent", "IT-systemet er langsomt", "For mange møder"]
REMINDER = "Påmindelse: stem om, hvad der bøvler i »Odder«"
DOTS = "Giv dine prikker"
TYPE_DOTS = "Eller skriv /samskab bøvl prikker. Ingen ser, hvem der har støttet hvad."


def only(posts: list[Post], label: str) -> Post:
    found = [p for p in posts if p.label == label]
    assert len(found) == 1, [p.label for p in posts]
    return found[0]


def reminded(posts: list[Post], heading: str = REMINDER) -> list[str]:
    """Who received a reminder with this heading, by name."""
    return sorted(
        p.label.removeprefix("DM til ")
        for p in posts
        if p.label.startswith("DM til ") and heading in p.body
    )


def voting_round(deps: Deps, clock: Clock, tmp_path: Path) -> tuple[ConsoleDriver, list[Post]]:
    """Odder: the facilitator and four colleagues; three bøvl collected; on Tuesday 24 November
    voting opens with 2 dots each until Tuesday 1 December. What opening it sent."""
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    chat.type("/join " + ", ".join(COLLEAGUES))
    chat.type("/samskab setup", {"Forløbets navn": "Odder", "Sprog": "Dansk"})
    round_id = start_hassle_round(deps, channel("odder"), person(FACILITATOR))
    for name, title in zip(COLLEAGUES, TITLES, strict=False):
        add_hassle(deps, person(name), round_id, title)
    chat.deliver()
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))  # 10:00 in Copenhagen
    posts = chat.type(
        "/samskab bøvl afstemning",
        {"Prikker pr. person": "2", "Afstemningen lukker efter": "2026-12-01"},
    )
    assert "Afstemningen er åben indtil tirsdag den 1. december" in only(posts, "kun til dig").body
    return chat, posts


def test_those_without_dots_get_one_voting_reminder_inside_working_hours(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = with_ballot_key(deps)
    chat, posts = voting_round(deps, clock, tmp_path)

    # The board says voting is open, with the button and the command beside it.
    board_post = only(posts, "#odder · opdateret")
    assert "Afstemningen er åben indtil tirsdag den 1. december." in board_post.body
    assert f"] {DOTS}" in board_post.body and TYPE_DOTS in board_post.body
    assert "Tilføj bøvl" not in board_post.body

    # Anna presses the board's button: her own form, and she gives a dot.
    chat.type("/as Anna Holm")
    saved = chat.type(
        "/click " + chat.button(board_post, DOTS), {"Bøvl": "#1 Vagtplanen kommer for sent"}
    )
    assert "Du har 2 prikker. Du har brugt 0." in chat.last_text
    assert only(saved, "kun til dig").body.startswith(
        "Dine prikker er gemt: #1. Du kan ændre dem indtil tirsdag den 1. december."
    )
    # Dorte leaves the process before the reminder.
    chat.type("/as " + FACILITATOR)
    chat.type("/leave Dorte Bach")

    # Wednesday, the collection's reminder day: it was replaced when voting opened.
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert remind_hassle(deps, clock.now) == 0
    # Friday 27 November, two working days before the deadline: not before working hours,
    # then once to each who has not given dots (not Anna, not Dorte).
    clock.set(datetime(2026, 11, 27, 7, 30, tzinfo=UTC))  # 08:30 in Copenhagen
    assert remind_hassle(deps, clock.now) == 0, "not before working hours"
    clock.set(datetime(2026, 11, 27, 8, 30, tzinfo=UTC))
    assert remind_hassle(deps, clock.now) == 3
    delivered = chat.deliver()
    assert reminded(delivered) == sorted([FACILITATOR, "Bo Sørensen", "Camilla Friis"])
    bos = only(delivered, "DM til Bo Sørensen").body
    assert (
        "Afstemningen er åben indtil tirsdag den 1. december. Du har 2 prikker til at støtte de "
        "bøvl, du synes er vigtigst." in bos
    )
    clock.advance(hours=1)
    assert remind_hassle(deps, clock.now) == 0, "one reminder"
    assert reminded(chat.deliver()) == []

    # Bo's reminder button opens his own form.
    chat.type("/as Bo Sørensen")
    saved = chat.type(
        "/click " + chat.button(only(delivered, "DM til Bo Sørensen"), DOTS),
        {"Bøvl": "#2 IT-systemet er langsomt"},
    )
    assert "Du har 2 prikker. Du har brugt 0." in chat.last_text
    assert only(saved, "kun til dig").body.startswith("Dine prikker er gemt: #2.")

    # The deadline passes: voting closes, the board loses its button, nobody is reminded.
    clock.set(datetime(2026, 12, 1, 23, 0, tzinfo=UTC))  # midnight in Copenhagen
    assert asyncio.run(run_hassle_closing(Runtime(deps))) == 1
    assert remind_hassle(deps, clock.now) == 0
    delivered = chat.deliver()
    board = only(delivered, "#odder · opdateret").body
    assert DOTS not in board and TYPE_DOTS not in board
    assert reminded(delivered) == []
    refused = only(chat.type("/click " + chat.button(board_post, DOTS)), "kun til dig").body
    assert refused.startswith("Afstemningen er lukket")


def test_a_voting_reminder_missed_on_its_day_is_not_sent_at_the_weekend_or_later(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = with_ballot_key(deps)
    chat, _ = voting_round(deps, clock, tmp_path)
    # The bot was down on Friday, the reminder day. Saturday, Monday (the day before the
    # deadline) and the day after the deadline: no reminder.
    for when in (
        datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    ):
        clock.set(when)
        assert remind_hassle(deps, clock.now) == 0, when
    assert [p.label for p in chat.deliver() if p.label.startswith("DM til ")] == []


def test_at_most_one_bøvl_reminder_a_day_for_someone_in_two_processes(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    """Anna is in Odder, still collecting until Tuesday 1 December, and in Skanderborg, voting
    until the same Tuesday: both reminders fall on Friday; she gets the collection's on Friday
    and voting's on Monday, never on Saturday."""
    deps = with_ballot_key(deps)
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    chat.type("/join Anna Holm")
    chat.type("/samskab setup", {"Forløbets navn": "Odder", "Sprog": "Dansk"})
    start_hassle_round(deps, channel("odder"), person(FACILITATOR), collect_until="2026-12-01")
    where = channel(
        "skanderborg", [person(FACILITATOR), person("Anna Holm"), person("Bo Sørensen")]
    )
    set_up(deps, where, person(FACILITATOR), name="Skanderborg")
    round_id = start_hassle_round(deps, where, person(FACILITATOR))
    add_hassle(deps, person("Bo Sørensen"), round_id, TITLES[0])
    opened = submit_form(
        deps,
        person(FACILITATOR),
        where,
        "hassle.open_voting",
        {"round": round_id},
        {"dots": "1", "stacking": "no", "vote_until": "2026-12-01"},
    )
    assert opened.ok, opened.errors
    chat.deliver()

    collecting = "Påmindelse: hvad bøvler for dig? (Odder)"
    voting = "Påmindelse: stem om, hvad der bøvler i »Skanderborg«"
    clock.set(datetime(2026, 11, 27, 8, 30, tzinfo=UTC))  # Friday, 09:30 in Copenhagen
    assert remind_hassle(deps, clock.now) == 3
    friday = chat.deliver()
    assert reminded(friday, collecting) == ["Anna Holm", FACILITATOR]
    assert reminded(friday, voting) == ["Bo Sørensen"]
    clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # Saturday
    assert remind_hassle(deps, clock.now) == 0
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday, 10:00
    assert remind_hassle(deps, clock.now) == 2
    assert reminded(chat.deliver(), voting) == ["Anna Holm", FACILITATOR]
    assert remind_hassle(deps, clock.now) == 0


def test_no_voting_reminder_on_the_day_voting_opened(deps: Deps, clock: Clock) -> None:
    """Opened on Thursday until Monday: the reminder day, two working days before, is the day
    the invitation came, so there is none."""
    deps = with_ballot_key(deps)
    where = channel("odder", [person(FACILITATOR), person("Anna Holm")])
    set_up(deps, where, person(FACILITATOR), name="Odder")
    round_id = start_hassle_round(deps, where, person(FACILITATOR))
    add_hassle(deps, person("Anna Holm"), round_id, TITLES[0])
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # Thursday, 10:00 in Copenhagen
    opened = submit_form(
        deps,
        person(FACILITATOR),
        where,
        "hassle.open_voting",
        {"round": round_id},
        {"dots": "1", "stacking": "no", "vote_until": "2026-11-30"},
    )
    assert opened.ok, opened.errors
    for when in (
        datetime(2026, 11, 26, 13, 0, tzinfo=UTC),  # Thursday afternoon
        datetime(2026, 11, 27, 9, 0, tzinfo=UTC),  # Friday
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC),  # Monday, the deadline
    ):
        clock.set(when)
        assert remind_hassle(deps, clock.now) == 0, when
