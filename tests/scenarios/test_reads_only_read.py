"""Reads that only read, in a Slack workspace (signed requests to our real server, a fake Slack
Web API over real HTTP, a real SQLite file): a status, the help, the lists and the App Home write
nothing of the process or its people, so they never queue for SQLite's one write lock; a
stranger who is refused leaves no trace; a newcomer who types a command in the channel becomes
a member on that first command, and only then."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from handlers.context import Deps
from storage.models import Member, Person
from tests.builders import row_counts
from tests.fakes import slack_payloads as payloads
from tests.slack_harness import SlackHarness, slack_bot, text_of
from tests.waiting import eventually

METTE, ANNA, BO, CARL = "U0METTE", "U0ANNA", "U0BO", "U0CARL"
USERS = {
    METTE: ("Mette Lund", "da-DK"),
    ANNA: ("Anna Holm", "da-DK"),
    BO: ("Bo Sørensen", "en-US"),
}
IN_CHANNEL = [METTE, ANNA, BO]
# What a request may write whatever it does: what reached us (the inbox, events seen once), what
# is to be sent (the outbox) and the pace of calls to Slack. Everything else is the process and
# its people.
MACHINERY = {"inbox", "processed_events", "outbox", "pace_buckets"}
# A command from someone the bot does not know makes it read the channel's roster again (in the
# background, bot/slack/roster.py): that reconcile notes itself in the audit log.
ROSTER_READ = "members.synced"
WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    users = USERS | {CARL: ("Carl Friis", "en-GB")}  # Carl: in the workspace, not the channel
    with slack_bot(deps, users, IN_CHANNEL) as harness:
        yield harness


class Writes:
    """The tables written to through the bot's own engine, statement by statement (SQLAlchemy's
    event API: it watches what the bot sends to the database, and changes nothing)."""

    def __init__(self, deps: Deps) -> None:
        self.engine = deps.db.engine
        self.tables: list[str] = []

    def __enter__(self) -> Writes:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        match = WRITE.match(statement)
        if match is not None and ROSTER_READ not in repr(parameters):
            self.tables.append(match.group(2).lower())

    def of_the_process(self) -> list[str]:
        return [table for table in self.tables if table not in MACHINERY]


def set_up(bot: SlackHarness, deps: Deps) -> None:
    view = bot.open_form(METTE, "opsætning")
    answer = bot.submit(METTE, view, {"name": "Odder – samskabt styring", "step": "3"})
    assert answer["response_action"] == "update"
    eventually(lambda: row_counts(deps)["members"] == len(IN_CHANNEL))


def answer_to(bot: SlackHarness, user: str, text: str) -> str:
    return text_of(bot.response(bot.command(user, text)))


def home_of(bot: SlackHarness, user: str, event_id: str) -> str:
    before = len(bot.slack.calls_to("views.publish"))
    body, kind = payloads.event_callback(
        {"type": "app_home_opened", "user": user}, event_id=event_id
    )
    assert bot.post(body, kind).status_code == 200
    bot.slack.wait_for(lambda s: len(s.calls_to("views.publish")) > before)
    view = bot.slack.calls_to("views.publish")[-1].params["view"]
    return str(view)


def test_status_help_lists_and_home_write_nothing(bot: SlackHarness, deps: Deps) -> None:
    set_up(bot, deps)
    before = row_counts(deps)
    with Writes(deps) as writes:
        assert "Trin 3 af 6" in answer_to(bot, ANNA, "status")
        assert "/samskab status" in answer_to(bot, ANNA, "hjælp")
        answer_to(bot, ANNA, "workshopper")
        answer_to(bot, METTE, "bidragene")
        assert "Odder – samskabt styring" in home_of(bot, ANNA, "EvHomeAnna")
        # Bo's Slack is in English, as it was when he was enrolled: nothing new to record.
        assert "Trin 3 af 6" in answer_to(bot, BO, "status")
    assert writes.of_the_process() == []
    assert row_counts(deps) | {t: 0 for t in MACHINERY} == before | {t: 0 for t in MACHINERY}


def test_a_refused_stranger_leaves_no_trace(bot: SlackHarness, deps: Deps) -> None:
    """Carl is in the workspace but not the channel: the lists are for members, and his App
    Home says he is in no process; neither makes him a person the bot keeps."""
    set_up(bot, deps)
    with Writes(deps) as writes:
        assert "Du er ikke med i forløbet" in answer_to(bot, CARL, "workshopper")
        assert "Du er ikke med i et forløb endnu" in home_of(bot, CARL, "EvHomeCarl")
    assert writes.of_the_process() == []
    with deps.db.transaction() as session:
        assert session.scalar(select(Person).where(Person.user_id == CARL)) is None


def test_a_newcomer_joins_on_the_first_command_and_then_only_reads(
    bot: SlackHarness, deps: Deps
) -> None:
    """Whoever types a command in the process's channel is a member: the first status records
    Carl (his name, and that his Slack is not in Danish) and his membership; the second writes
    nothing."""
    set_up(bot, deps)
    bot.slack.add_channel("C0ODDER", members=[*IN_CHANNEL, CARL, bot.slack.bot_user_id])
    with Writes(deps) as writes:
        assert "Trin 3 af 6" in answer_to(bot, CARL, "status")
    assert set(writes.of_the_process()) == {"people", "members"}
    with deps.db.transaction() as session:
        carl = session.scalars(select(Person).where(Person.user_id == CARL)).one()
        assert (carl.name, carl.locale) == ("Carl Friis", "")
        member = session.scalars(select(Member).where(Member.person_id == carl.id)).one()
        assert member.active
    with Writes(deps) as writes:
        assert "Trin 3 af 6" in answer_to(bot, CARL, "status")
    assert writes.of_the_process() == []
