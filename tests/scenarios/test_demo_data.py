"""`samskab demo`, whatever day it is loaded on: workshops on working days at a daytime hour, every
text the demo's only one of its kind, each input given on the workshop it speaks to, and one
colleague still asked for input, so the absent colleague's side can be tried at once. And the
README's two lines still hold: `samskab demo`, then `samskab console` opens as the facilitator."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.demo import load_demo
from bot.demo_data import ABSENT_COLLEAGUE, CHANNEL, FACILITATORS, WORKSHOPS
from handlers.context import Deps
from handlers.i18n import Translator
from handlers.inputs.working_time import is_working_day
from storage.models import (
    Input,
    InputRequest,
    Member,
    Person,
    Process,
    Summary,
    SummaryItem,
    Workshop,
)
from tests.command_line import CommandLine
from tests.conftest import MONDAY, Clock
from tests.console_driver import ConsoleDriver

README = Path(__file__).parents[2] / "README.md"

DAYS = {
    "the tests' Monday": MONDAY,
    "a Sunday evening": datetime(2026, 11, 29, 21, 30, tzinfo=UTC),
    "a Saturday": datetime(2027, 2, 13, 11, 0, tzinfo=UTC),
    "the Tuesday after Easter": datetime(2027, 3, 30, 7, 0, tzinfo=UTC),
    "between Christmas and New Year": datetime(2026, 12, 28, 9, 0, tzinfo=UTC),
    "New Year's Day": datetime(2027, 1, 1, 12, 0, tzinfo=UTC),
}


@pytest.fixture(params=list(DAYS.values()), ids=list(DAYS))
def demo(request: pytest.FixtureRequest, deps: Deps, clock: Clock) -> Deps:
    clock.set(request.param)
    load_demo(deps, Translator("da"))
    return deps


def test_every_workshop_is_on_a_working_day_in_the_daytime(demo: Deps) -> None:
    now = demo.clock()
    with demo.db.transaction() as session:
        process = session.scalars(select(Process).where(Process.channel_id == CHANNEL)).one()
        zone = ZoneInfo(process.timezone)
        workshops = session.scalars(select(Workshop).order_by(Workshop.starts_at)).all()
        assert len(workshops) == len(WORKSHOPS)
        for workshop in workshops:
            local = workshop.starts_at.astimezone(zone)
            assert is_working_day(local.date(), process.holiday_country), (workshop.title, local)
            assert time(8) <= local.time() <= time(15), (workshop.title, local)
            held = workshop.summary is not None
            assert (workshop.starts_at < now) == held, "held in the past, planned ahead"
        planned = [w.starts_at.astimezone(zone).date() for w in workshops if w.summary is None]
        assert len(set(planned)) == len(planned), "one planned workshop a day"


def test_no_text_is_used_twice(demo: Deps) -> None:
    with demo.db.transaction() as session:
        texts = [
            *session.scalars(select(Summary.text)),
            *session.scalars(select(Summary.question)),
            *session.scalars(select(SummaryItem.text)),
            *session.scalars(select(Input.text)),
            *session.scalars(select(Input.status_note).where(Input.status_note.is_not(None))),
        ]
    assert len(texts) > 30
    assert [text for text, n in Counter(texts).items() if n > 1] == []


def test_each_input_answers_the_workshop_it_was_written_for(demo: Deps) -> None:
    written_for = {text: (w.track, w.title) for w in WORKSHOPS for _, text, _ in w.answers if text}
    with demo.db.transaction() as session:
        given = {
            text: (workshop.track.name, workshop.title)
            for text, workshop in session.execute(
                select(Input.text, Workshop)
                .join(Summary, Input.summary_id == Summary.id)
                .join(Workshop, Summary.workshop_id == Workshop.id)
            ).all()
        }
    assert given == written_for


def test_a_colleague_has_an_open_request_to_try_the_absent_side(demo: Deps) -> None:
    with demo.db.transaction() as session:
        open_for = session.scalars(
            select(Person.name)
            .join(Member, Member.person_id == Person.id)
            .join(InputRequest, InputRequest.member_id == Member.id)
            .where(InputRequest.status.in_(("pending", "delivered")))
        ).all()
        deadline = session.scalar(
            select(Summary.input_deadline)
            .join(InputRequest, InputRequest.summary_id == Summary.id)
            .join(Member, InputRequest.member_id == Member.id)
            .join(Person, Member.person_id == Person.id)
            .where(Person.name == ABSENT_COLLEAGUE)
            .order_by(Summary.input_deadline.desc())
        )
    assert ABSENT_COLLEAGUE in open_for and not set(open_for) & set(FACILITATORS)
    assert deadline is not None and deadline > demo.clock().date(), "still time to answer"


def test_the_absent_colleague_answers_from_the_console(deps: Deps, tmp_path: Path) -> None:
    load_demo(deps, Translator("da"))
    chat = ConsoleDriver(deps, channel=CHANNEL, as_name=FACILITATORS[0], export_dir=tmp_path)
    chat.type("/as " + ABSENT_COLLEAGUE)
    chat.type(
        "/samskab input",
        {"Om": "Færre felter i journalen", "Dit input": "Feltet om pårørende bruger vi hver dag."},
    )
    with deps.db.transaction() as session:
        left = session.scalars(
            select(InputRequest.status).where(InputRequest.status.in_(("pending", "delivered")))
        ).all()
    assert left == [], "her answer closed the one open request"


def test_the_readmes_demo_then_console_opens_as_the_facilitator(samskab: CommandLine) -> None:
    readme = README.read_text(encoding="utf-8")
    assert ".venv/bin/samskab demo && .venv/bin/samskab console" in readme
    assert "opens a local chat in its channel, as its facilitator" in readme

    demo = samskab("demo")
    assert demo.returncode == 0, demo.stderr
    assert "Start konsollen som forløbets facilitator med: samskab console" in demo.stdout
    console = samskab("console", stdin=f"/as {ABSENT_COLLEAGUE}\n/samskab status\n")
    assert console.returncode == 0, console.stderr
    assert f"Du er {FACILITATORS[0]} i #{CHANNEL}" in console.stdout
    assert f"Du er nu {ABSENT_COLLEAGUE}." in console.stdout
    assert "Traceback" not in console.stderr
