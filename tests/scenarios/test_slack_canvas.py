"""The channel's "Hvor er vi?" canvas in Slack, as the channel's people read it: made when the
process is set up, kept current after a step change, a summary and a mark (at most once a
minute), people's own sections left alone, one edit however many replicas run the job, and a
workspace without canvases told once and left alone.

The canvas job is called here as the scheduler calls it (bot.slack.canvas.keep_canvases), with
the test's clock; the scheduler itself is off, so nothing else edits the canvas meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select, update

from bot.slack.canvas import canvas_patience, keep_canvases
from bot.slack.canvas_markdown import STEPS
from handlers.context import Deps
from handlers.i18n import Translator
from handlers.privacy.retention import erase_due
from storage.models import Member, Person, Process
from tests.conftest import Clock
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_canvases import Canvas
from tests.scenarios.test_slack_loop import (
    ANNA,
    METTE,
    USERS,
    plan_and_summarise,
    set_up_process,
)
from tests.slack_harness import CHANNEL, SlackHarness, button_value, slack_bot, text_of

PROCESS = "Odder – samskabt styring"
OWN = "## Vores egne noter\nHusk kage til workshoppen på torsdag."
CANVAS_METHODS = ("conversations.canvases.create", "canvases.sections.lookup", "canvases.edit")


@pytest.fixture
def bot(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackHarness]:
    monkeypatch.setenv("SAMSKAB_SCHEDULER", "off")  # the test runs the canvas job itself
    with slack_bot(deps, USERS, list(USERS)) as harness:
        yield harness


def keep(deps: Deps, slack: FakeSlack, replicas: int = 1) -> int:
    """The canvas job, run by `replicas` bots at once, each with a Slack client of its own."""

    async def run() -> int:
        clients = [
            AsyncWebClient(token="xoxb-test", base_url=slack.api_url) for _ in range(replicas)
        ]
        done = await asyncio.gather(
            *(keep_canvases(deps, c, canvas_patience(deps)) for c in clients)
        )
        return sum(done)

    return asyncio.run(run())


def canvas(bot: SlackHarness) -> Canvas:
    found = bot.slack.canvas_in(CHANNEL)
    assert found is not None, "the channel has no canvas"
    return found


def step_edits(bot: SlackHarness) -> int:
    """How many times the bot replaced its section on the six steps."""
    heading = "## " + Translator("da")._(STEPS)
    return sum(
        change.get("document_content", {}).get("markdown", "").startswith(heading)
        for call in bot.slack.calls_to("canvases.edit")
        if not call.failed
        for change in call.params.get("changes") or []
    )


def canvas_calls(bot: SlackHarness) -> int:
    return sum(len(bot.slack.calls_to(method)) for method in CANVAS_METHODS)


def move_to_step(bot: SlackHarness, step: int) -> None:
    answer = bot.response(bot.command(METTE, f"trin {step}"))
    assert f"Trin {step} af 6" in text_of(answer), text_of(answer)


def test_the_canvas_follows_a_step_change_a_summary_and_a_mark(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_process(bot, deps)
    assert keep(deps, bot.slack) == 1
    made = canvas(bot)
    assert made.title == "Hvor er vi?"  # needs the Danish catalog
    assert "Trin 3 af 6: Udvikle løsninger" in made.markdown
    assert len(bot.slack.calls_to("conversations.canvases.create")) == 1
    bot.slack.person_adds_to_canvas(CHANNEL, OWN)  # a colleague's own part, under their heading

    plan_and_summarise(bot, clock)  # a workshop planned, then its summary, two days later
    assert keep(deps, bot.slack) == 1
    after_summary = canvas(bot).markdown
    assert "Ny visitationsmodel" in after_summary
    assert "Fælles opstartsmøde afprøves i team Nord" in after_summary
    assert "Hvem indkalder til mødet?" in after_summary
    assert "besvaret" not in after_summary

    clock.advance(seconds=61)
    move_to_step(bot, 4)
    assert keep(deps, bot.slack) == 1
    assert "Trin 4 af 6: Teste og implementere løsninger" in canvas(bot).markdown
    assert "Trin 3 af 6" not in canvas(bot).markdown

    clock.advance(seconds=61)
    listing = bot.response(bot.command(METTE, "spørgsmål"))
    question = button_value(listing, "item.resolve")
    before = len(bot.slack.calls_to("views.open"))
    bot.click(METTE, "item.resolve", question, channel=CHANNEL)
    bot.submit(METTE, bot.opened_view(before), {"text": "Lederen af team Nord"})
    assert keep(deps, bot.slack) == 1
    marked = canvas(bot).markdown
    assert "Hvem indkalder til mødet? · besvaret: Lederen af team Nord" in marked

    # The colleague's part is where they left it, once; the bot's sections are each there once.
    assert marked.count("Husk kage til workshoppen på torsdag.") == 1
    assert canvas(bot).headings()[-1] == "Vores egne noter"
    headings = canvas(bot).headings()
    assert len(headings) == len(set(headings)), headings
    assert len(bot.slack.calls_to("conversations.canvases.create")) == 1


def test_two_changes_within_a_minute_make_one_edit(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up_process(bot, deps)
    assert keep(deps, bot.slack) == 1
    clock.advance(seconds=61)
    move_to_step(bot, 4)
    assert keep(deps, bot.slack) == 1
    edits = step_edits(bot)

    clock.advance(seconds=10)
    move_to_step(bot, 5)
    assert keep(deps, bot.slack) == 0, "edited less than a minute ago"
    clock.advance(seconds=10)
    move_to_step(bot, 6)
    assert keep(deps, bot.slack) == 0
    assert "Trin 4 af 6" in canvas(bot).markdown

    clock.advance(seconds=45)  # a minute after the last edit
    assert keep(deps, bot.slack) == 1
    assert "Trin 6 af 6" in canvas(bot).markdown and "Trin 5 af 6" not in canvas(bot).markdown
    assert step_edits(bot) == edits + 1, "both changes in one edit"
    assert keep(deps, bot.slack) == 0, "nothing is due any more"


def test_two_replicas_edit_a_due_canvas_once(bot: SlackHarness, deps: Deps, clock: Clock) -> None:
    set_up_process(bot, deps)
    assert keep(deps, bot.slack, replicas=2) == 1
    assert len(bot.slack.calls_to("conversations.canvases.create")) == 1
    clock.advance(seconds=61)
    move_to_step(bot, 4)
    edits = step_edits(bot)
    assert keep(deps, bot.slack, replicas=2) == 1
    assert step_edits(bot) == edits + 1
    assert "Trin 4 af 6" in canvas(bot).markdown


def test_a_workspace_without_canvases_is_told_once_and_left_alone(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    bot.slack.refuse_canvases("canvas_disabled_user_team")
    set_up_process(bot, deps)
    assert keep(deps, bot.slack) == 0
    assert bot.slack.canvas_in(CHANNEL) is None
    tried = canvas_calls(bot)
    assert tried == 1, "one attempt"

    def told(user: str) -> list[str]:
        return [
            text_of(m) for m in bot.dm(user) if "canvas" in text_of(m) and PROCESS in text_of(m)
        ]

    bot.slack.wait_for(lambda s: bool(told(METTE)))

    # The rest of the bot carries on: a step change reaches the channel; no canvas is tried.
    clock.advance(seconds=61)
    move_to_step(bot, 4)
    bot.slack.wait_for(lambda s: any("Trin 4 af 6" in text_of(m) for m in s.messages(CHANNEL)))
    clock.advance(minutes=30)
    assert keep(deps, bot.slack) == 0
    assert canvas_calls(bot) == tried
    assert len(told(METTE)) == 1, "the facilitator is told once"
    assert not told(ANNA), "only the facilitators are told"


@pytest.mark.parametrize("outage", ["ratelimited", "unavailable"])
def test_a_rate_limit_or_an_outage_is_tried_again_later(
    bot: SlackHarness, deps: Deps, clock: Clock, outage: str
) -> None:
    set_up_process(bot, deps)
    assert keep(deps, bot.slack) == 1
    clock.advance(seconds=61)
    move_to_step(bot, 4)
    if outage == "ratelimited":
        bot.slack.fail("canvases.sections.lookup", retry_after=30)
    else:
        bot.slack.fail("canvases.edit", status=503)
    assert keep(deps, bot.slack) == 0
    assert "Trin 3 af 6" in canvas(bot).markdown
    tried = canvas_calls(bot)
    assert keep(deps, bot.slack) == 0, "not before Slack's wait is over"
    assert canvas_calls(bot) == tried

    clock.advance(seconds=61)
    assert keep(deps, bot.slack) == 1
    assert "Trin 4 af 6" in canvas(bot).markdown
    assert canvas(bot).markdown.count("## ") == len(canvas(bot).headings())


def test_the_running_bot_makes_the_canvas_by_itself(deps: Deps) -> None:
    # The scheduler's canvas job, as `samskab serve` runs it: no one calls it here.
    with slack_bot(deps, USERS, list(USERS)) as bot:
        set_up_process(bot, deps)
        bot.slack.wait_for(lambda s: s.canvas_in(CHANNEL) is not None, timeout=60)
        assert "Trin 3 af 6: Udvikle løsninger" in canvas(bot).markdown


def test_a_deleted_canvas_is_made_again(bot: SlackHarness, deps: Deps, clock: Clock) -> None:
    set_up_process(bot, deps)
    assert keep(deps, bot.slack) == 1
    bot.slack.person_deletes_canvas(CHANNEL)
    clock.advance(seconds=61)
    move_to_step(bot, 4)
    keep(deps, bot.slack)  # finds it gone
    keep(deps, bot.slack)  # makes a new one
    assert "Trin 4 af 6" in canvas(bot).markdown
    assert len(bot.slack.calls_to("conversations.canvases.create")) == 2


def test_a_channel_with_a_canvas_of_its_own_gets_the_bots_sections_added(
    bot: SlackHarness, deps: Deps
) -> None:
    theirs = "## Mødeplan\nVi mødes hver tirsdag."
    bot.slack.person_makes_canvas(CHANNEL, theirs, "Kanalens canvas")
    set_up_process(bot, deps)
    assert keep(deps, bot.slack) == 1
    kept = canvas(bot)
    assert kept.title == "Kanalens canvas"
    assert kept.headings()[0] == "Mødeplan" and "Vi mødes hver tirsdag." in kept.markdown
    assert "Trin 3 af 6: Udvikle løsninger" in kept.markdown


def test_names_leave_the_canvas_with_forget_me_and_with_the_process_erased(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    """The canvas names the facilitators; it lives in Slack, beyond the database's erasure, so
    forget-me and the retention's erasure each rewrite it without the names."""
    set_up_process(bot, deps)
    with deps.db.transaction() as session:  # Anna a second facilitator, as setup can name one
        anna = session.scalar(select(Person.id).where(Person.user_id == ANNA))
        session.execute(update(Member).where(Member.person_id == anna).values(role="facilitator"))
    assert keep(deps, bot.slack) == 1
    assert "Mette Lund" in canvas(bot).markdown and "Anna Holm" in canvas(bot).markdown

    clock.advance(seconds=61)
    view = bot.open_form(METTE, "glem-mig")
    bot.submit(METTE, view, {"named": "delete"} if "named" in str(view) else {"confirm": "erase"})
    assert keep(deps, bot.slack) == 1
    assert "Mette Lund" not in canvas(bot).markdown
    assert "Anna Holm" in canvas(bot).markdown

    # Closed, and erased once the retention period has passed: the canvas keeps no name.
    with deps.db.transaction() as session:
        session.execute(update(Process).values(status="closed", closed_at=clock.now))
    clock.advance(days=deps.retention_days + 1)
    erase_due(deps, deps.retention_days, dry_run=False)
    keep(deps, bot.slack)
    for user_id, (name, _locale) in USERS.items():
        assert name not in canvas(bot).markdown and user_id not in canvas(bot).markdown
