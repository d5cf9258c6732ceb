"""Slack: what must not act twice, what must not act at all, and platform errors that must be
retried or recorded, never swallowed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.interactions import submit_form
from storage.models import Member
from tests import builders
from tests.builders import row_counts, summary_values
from tests.conftest import Clock
from tests.fakes import slack_payloads as payloads
from tests.slack_harness import (
    CHANNEL,
    TEAM,
    SlackHarness,
    button_value,
    slack_bot,
    text_of,
)
from tests.unit.test_slack_blocks import assert_within_slack_limits
from tests.waiting import eventually, settle

METTE, ANNA, EMIL, FRIDA, GITTE, NEW = "U0METTE", "U0ANNA", "U0EMIL", "U0FRIDA", "U0GITTE", "U0NEW"
USERS = {
    METTE: ("Mette Lund", "da-DK"),
    ANNA: ("Anna Holm", "da-DK"),
    EMIL: ("Emil Vestergaard", "da-DK"),
    FRIDA: ("Frida Juhl", "en-US"),
    GITTE: ("Gitte Møller", "da-DK"),
    NEW: ("Nanna Ny", "da-DK"),
}
MEMBERS = [METTE, ANNA, EMIL, FRIDA, GITTE]
WHERE = ChannelRef("slack", TEAM, CHANNEL, "odder")


def ref(user: str) -> PersonRef:
    name, locale = USERS[user]
    return PersonRef("slack", TEAM, user, name, "da" if locale.startswith("da") else None)


def set_up(deps: Deps, *, language: str = "da", facilitators: list[str] | None = None) -> None:
    """The process as a facilitator would have set it up, through the same use case."""
    roster = replace(WHERE, roster=tuple(ref(u) for u in MEMBERS))
    builders.set_up(
        deps,
        roster,
        ref(METTE),
        language=language,
        step="3",
        name="Odder",
        tracks="Visitation",
        facilitators=facilitators,
    )


def summarise(deps: Deps, attendees: list[str], **overrides: str) -> None:
    outcome = submit_form(
        deps,
        ref(METTE),
        WHERE,
        "workshop",
        {},
        {
            "track": "1",
            "title": "Ny visitationsmodel",
            "starts_at": "2026-11-23 08:00",
            "invitees": MEMBERS,
        },
    )
    assert outcome.ok, outcome.errors
    outcome = submit_form(
        deps,
        ref(METTE),
        WHERE,
        "summary",
        {"workshop": "1"},
        summary_values([ref(u) for u in attendees], **overrides),
    )
    assert outcome.ok, outcome.errors


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, MEMBERS) as harness:
        yield harness


def test_forged_or_stale_signatures_get_401_and_change_nothing(
    bot: SlackHarness, deps: Deps
) -> None:
    set_up(deps)
    bot.slack.wait_for(lambda s: bool(s.messages(CHANNEL)))  # the setup announcement went
    before, calls = row_counts(deps), len(bot.slack.calls)
    body, kind = payloads.slash_command(
        "status", user_id=ANNA, channel_id=CHANNEL, response_url=bot.slack.response_url("forged")
    )
    forged = payloads.signed_headers(body, kind, "another-secret")
    assert bot.http.post(bot.url, content=body, headers=forged).status_code == 401
    stale = payloads.signed_headers(body, kind, "test-signing-secret", int(time.time()) - 600)
    assert bot.http.post(bot.url, content=body, headers=stale).status_code == 401
    unsigned = {"Content-Type": kind}
    assert bot.http.post(bot.url, content=body, headers=unsigned).status_code == 401
    event_body, event_kind = payloads.event_callback(
        payloads.member_joined_channel(NEW, CHANNEL), event_id="EvForged"
    )
    forged = payloads.signed_headers(event_body, event_kind, "another-secret")
    assert bot.http.post(bot.url, content=event_body, headers=forged).status_code == 401
    settle()
    assert row_counts(deps) == before
    assert len(bot.slack.calls) == calls and not bot.slack.responses["forged"]


def test_a_retried_event_welcomes_once_even_across_a_restart(deps: Deps) -> None:
    set_up(deps)
    event = payloads.member_joined_channel(NEW, CHANNEL)
    with slack_bot(deps, USERS, MEMBERS) as bot:
        assert bot.event(event, "Ev0001").status_code == 200
        bot.slack.wait_for(
            lambda s: bool(s.dm_channel_of(NEW) and s.messages(s.dm_channel_of(NEW)))
        )
        welcome = bot.dm(NEW)[0]
        assert "Velkommen til forløbet »Odder«" in text_of(welcome)
        assert "Trin 3 af 6" in text_of(welcome)
        retry = bot.event(
            event, "Ev0001", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert retry.status_code == 200
    with slack_bot(deps, USERS, MEMBERS) as restarted:  # a new process on the same database
        restarted.event(event, "Ev0001", **{"X-Slack-Retry-Num": "2"})
        settle()  # a wrong DM would have gone by now
        assert not restarted.slack.calls_to("chat.postMessage")
    assert row_counts(deps)["outbox"] == 1 + 1  # the setup announcement and one welcome


def test_a_modal_submitted_twice_stores_one_input(bot: SlackHarness, deps: Deps) -> None:
    set_up(deps)
    view = bot.open_form(ANNA, "input")
    first = bot.submit(ANNA, view, {"text": "Kun én gang, tak."})
    second = bot.submit(ANNA, view, {"text": "Kun én gang, tak."})
    assert first["response_action"] == "update" and second == {}
    eventually(lambda: len([m for m in bot.posts(CHANNEL) if "Kun én gang" in text_of(m)]) == 1)
    assert row_counts(deps)["inputs"] == 1


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (METTE, "Fristen er overskredet. Vælg i dag eller en senere dato."),
        (FRIDA, "The deadline has passed. Choose today or a later date."),
    ],
)
def test_modal_errors_answer_inside_the_modal_in_the_persons_language(
    bot: SlackHarness, deps: Deps, user: str, message: str
) -> None:
    """An English process: Mette's Slack says da-DK, so she reads Danish; Frida's says en-US."""
    set_up(deps, language="en", facilitators=[FRIDA])
    submit_form(
        deps,
        ref(METTE),
        WHERE,
        "workshop",
        {},
        {"track": "1", "title": "W", "starts_at": "2026-11-23 08:00", "invitees": MEMBERS},
    )
    view = bot.open_form(user, "summary")
    before = row_counts(deps)
    answer = bot.submit(user, view, {"text": "Kort.", "deadline": "2026-11-01"})
    assert answer == {"response_action": "errors", "errors": {"deadline": message}}
    assert row_counts(deps) == before


def test_an_unreachable_colleague_is_recorded_and_the_facilitator_told(
    bot: SlackHarness, deps: Deps
) -> None:
    set_up(deps)
    # Posting to her user id is refused; conversations.open, asked then, says why.
    bot.slack.fail(
        "chat.postMessage", error="channel_not_found", when=lambda p: p.get("channel") == GITTE
    )
    bot.slack.fail(
        "conversations.open", error="user_disabled", times=5, when=lambda p: p.get("users") == GITTE
    )
    summarise(deps, [METTE, ANNA])
    bot.slack.wait_for(
        lambda s: any(
            "Gitte Møller kunne ikke nås" in text_of(m)
            for m in s.messages(s.dm_channel_of(METTE) or "none")
        )
    )
    notice = next(m for m in bot.dm(METTE) if "kunne ikke nås" in text_of(m))
    assert "kontoen er deaktiveret" in text_of(notice)
    assert all(bot.dm(u) for u in (EMIL, FRIDA)), "the others were reached"
    status = bot.response(bot.command(METTE, "status"))
    assert "*Nået*\\n2 af 3" in text_of(status)


def test_rate_limits_and_server_errors_are_retried_until_delivered(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    set_up(deps)
    bot.slack.wait_for(lambda s: bool(s.messages(CHANNEL)))  # the setup announcement
    bot.slack.fail("chat.postMessage", retry_after=7, times=1)
    bot.slack.fail("chat.postMessage", status=503, times=1)
    summarise(deps, [METTE, ANNA, EMIL, FRIDA])
    bot.slack.wait_for(lambda s: sum(c.failed for c in s.calls_to("chat.postMessage")) == 2)
    assert not any("Opsamling" in text_of(m) for m in bot.posts(CHANNEL))
    clock.advance(seconds=60)  # past Retry-After and the backoff
    bot.slack.wait_for(
        lambda s: bool(s.dm_channel_of(GITTE) and s.messages(s.dm_channel_of(GITTE)))
    )
    summaries = [m for m in bot.posts(CHANNEL) if "Opsamling fra workshoppen" in text_of(m)]
    assert len(summaries) == 1 and len(bot.dm(GITTE)) == 1, "each message once"


def test_an_error_in_a_listener_gets_a_short_apology(bot: SlackHarness, deps: Deps) -> None:
    set_up(deps)
    bot.slack.fail("views.open", error="internal_error", times=1)
    name = bot.command(METTE, "workshop")
    assert "Beklager, noget gik galt hos os." in text_of(bot.response(name))
    assert bot.response(bot.command(METTE, "status"))["response_type"] == "ephemeral", (
        "the bot keeps running"
    )


def test_app_home_shows_open_requests_and_the_status(bot: SlackHarness, deps: Deps) -> None:
    set_up(deps)
    summarise(deps, [METTE, ANNA, EMIL, FRIDA])
    bot.event(payloads.app_home_opened(GITTE), "EvHome1")
    bot.slack.wait_for(lambda s: GITTE in s.home_views)
    home = bot.slack.home_views[GITTE]
    assert home["type"] == "home"
    request = next(b for b in home["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in request["elements"]] == ["input.request", "input.decline"]
    assert "Trin 3 af 6: Udvikle løsninger" in text_of(home)
    assert_within_slack_limits(home)


def test_long_content_is_cut_visibly_and_slack_accepts_every_payload(
    bot: SlackHarness, deps: Deps
) -> None:
    set_up(deps)
    # As much as the form accepts: rendered with bullets, the decisions no longer fit a section.
    decisions = "\n".join(f"Beslutning nummer {n:02d} om noget vigtigt" for n in range(78))
    assert len(decisions) <= 3000
    summarise(deps, [METTE, ANNA], text="Lang tekst. " * 250, decisions=decisions)
    bot.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 4)
    for call in bot.slack.calls_to("chat.postMessage"):
        assert_within_slack_limits({"text": call.params["text"], "blocks": call.params["blocks"]})
    summary = next(m for m in bot.posts(CHANNEL) if "Opsamling" in text_of(m))
    assert "… og" in text_of(summary) and "mere" in text_of(summary)


def test_a_da_dk_colleague_reads_danish_in_an_english_process(
    bot: SlackHarness, deps: Deps
) -> None:
    set_up(deps, language="en")
    summarise(deps, [METTE, ANNA, EMIL])
    bot.slack.wait_for(lambda s: all(s.dm_channel_of(u) for u in (FRIDA, GITTE)))
    bot.slack.wait_for(lambda s: all(s.messages(s.dm_channel_of(u)) for u in (FRIDA, GITTE)))
    assert "You were not at “Ny visitationsmodel”" in text_of(bot.dm(FRIDA)[0])
    assert "Du var ikke med til »Ny visitationsmodel«" in text_of(bot.dm(GITTE)[0])
    assert button_value(bot.dm(GITTE)[0], "input.decline")


def test_a_colleague_who_leaves_the_channel_is_asked_no_more(bot: SlackHarness, deps: Deps) -> None:
    set_up(deps)
    summarise(deps, [METTE, ANNA, EMIL, FRIDA])
    bot.slack.wait_for(
        lambda s: bool(s.dm_channel_of(GITTE) and s.messages(s.dm_channel_of(GITTE)))
    )
    bot.event(payloads.member_left_channel(GITTE, CHANNEL), "EvLeft1")
    eventually(lambda: _active_members(deps) == 4)
    name = bot.click(GITTE, "input.request", button_value(bot.dm(GITTE)[0], "input.request"))
    assert "Denne forespørgsel er lukket" in text_of(bot.response(name))


def _active_members(deps: Deps) -> int:
    with deps.db.transaction() as session:
        return session.query(Member).filter(Member.active.is_(True)).count()


def test_modals_carry_ids_never_content(bot: SlackHarness, deps: Deps) -> None:
    set_up(deps)
    summarise(deps, [METTE, ANNA, EMIL, FRIDA])
    bot.slack.wait_for(
        lambda s: bool(s.dm_channel_of(GITTE) and s.messages(s.dm_channel_of(GITTE)))
    )
    bot.click(GITTE, "input.request", button_value(bot.dm(GITTE)[0], "input.request"))
    bot.open_form(ANNA, "input")
    bot.slack.wait_for(lambda s: len(s.calls_to("views.open")) == 2)
    for call in bot.slack.calls_to("views.open"):
        metadata = json.loads(call.params["view"]["private_metadata"])
        assert set(metadata) == {"c", "m"}
        assert all(value.isdigit() for value in metadata["m"].values()), metadata


def test_the_export_arrives_as_a_file_in_the_channel(bot: SlackHarness, deps: Deps) -> None:
    set_up(deps)
    summarise(deps, [METTE, ANNA, EMIL, FRIDA])
    name = bot.command(ANNA, "eksport")
    assert "Dokumentationen for »Odder« er klar" in text_of(bot.response(name))
    bot.slack.wait_for(lambda s: bool(s.files))
    shared = bot.slack.files[0]
    assert shared["channel_id"] == CHANNEL and shared["filename"].endswith(".md")
    content = shared["content"].decode()
    assert content.startswith("# Odder") and "Ny visitationsmodel" in content


def test_a_channel_the_app_is_not_in_is_reported_to_the_facilitator(
    bot: SlackHarness, deps: Deps
) -> None:
    bot.slack.fail(
        "chat.postMessage",
        error="not_in_channel",
        times=1,
        when=lambda p: p.get("channel") == CHANNEL,
    )
    set_up(deps)
    bot.slack.wait_for(
        lambda s: bool(s.dm_channel_of(METTE) and s.messages(s.dm_channel_of(METTE)))
    )
    notice = text_of(bot.dm(METTE)[0])
    assert "Samskab kunne ikke skrive i kanalen for »Odder«" in notice
    assert "/invite" in notice
