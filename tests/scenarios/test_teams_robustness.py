"""Teams: tokens that must be refused, cards submitted twice, throttling and removed apps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.interactions import submit_form
from tests import builders
from tests.builders import row_counts, summary_values
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.teams_harness import APP_ID, TeamsHarness, teams_bot, text_of
from tests.waiting import eventually, settle

METTE = TeamsUser.make("Mette Lund")
ANNA = TeamsUser.make("Anna Holm", locale="en-GB")
EMIL = TeamsUser.make("Emil Vestergaard")
GITTE = TeamsUser.make("Gitte Møller")
EVERYONE = [METTE, ANNA, EMIL, GITTE]
WHERE = ChannelRef("teams", teams.TENANT_ID, teams.CHANNEL_ID, "odder")


def ref(user: TeamsUser) -> PersonRef:
    return PersonRef("teams", teams.TENANT_ID, user.id, user.name, "da")


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def set_up(deps: Deps, *, language: str = "da") -> None:
    roster = replace(WHERE, roster=tuple(ref(u) for u in EVERYONE))
    builders.set_up(
        deps, roster, ref(METTE), language=language, step="3", name="Odder", tracks="Visitation"
    )


def summarise(deps: Deps, attendees: list[TeamsUser]) -> None:
    assert submit_form(
        deps,
        ref(METTE),
        WHERE,
        "workshop",
        {},
        {
            "track": "1",
            "title": "Ny visitationsmodel",
            "starts_at": "2026-11-23 08:00",
            "invitees": [u.id for u in EVERYONE],
        },
    ).ok
    assert submit_form(
        deps,
        ref(METTE),
        WHERE,
        "summary",
        {"workshop": "1"},
        summary_values([ref(u) for u in attendees]),
    ).ok


BAD_TOKENS: dict[str, dict[str, Any]] = {
    "signed by another key": {"key": "foreign"},
    "for another audience": {"audience": "someone-else"},
    "from another issuer": {"issuer": "https://evil.example"},
    "expired": {"expires_in": -600},
    "not valid yet": {"not_before_offset": 600},
    "for another serviceUrl": {"service_url": "https://elsewhere.example/teams/"},
    "with a key not endorsed for msteams": {"channel_endorsement": False},
}


@pytest.fixture(scope="module")
def served(module_deps: Deps) -> Iterator[TeamsHarness]:
    """Odder set up, served once for all the bad tokens, each of which changes nothing."""
    with teams_bot(module_deps, EVERYONE) as harness:
        set_up(module_deps)
        harness.bf.wait_for(lambda bf: bool(bf.activities(teams.CHANNEL_ID)))  # the announcement
        settle()  # and whatever else the set-up sends
        yield harness


@pytest.mark.parametrize("why", list(BAD_TOKENS))
def test_a_bad_token_gets_401_and_changes_nothing(
    served: TeamsHarness, module_deps: Deps, why: str
) -> None:
    bot, deps = served, module_deps
    before, calls = row_counts(deps), len(bot.bf.calls)
    activity = teams.channel_message(
        "status", user=ANNA, service_url=bot.bf.service_url, bot_app_id=APP_ID
    )
    assert bot.post(activity, **BAD_TOKENS[why]).status_code == 401
    unsigned = bot.http.post(bot.url, json=activity)
    assert unsigned.status_code == 401
    settle()
    assert row_counts(deps) == before
    assert len(bot.bf.calls) == calls, "nothing was sent"


def test_a_malformed_body_gets_400(bot: TeamsHarness) -> None:
    response = bot.http.post(
        bot.url, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_a_rotated_signing_key_is_fetched_at_the_next_refresh_allowed(
    bot: TeamsHarness, deps: Deps, clock: Clock
) -> None:
    set_up(deps)
    first = bot.say(ANNA, "status")
    fetched = bot.bf.jwks_requests
    bot.bf.rotate_key()
    clock.advance(minutes=1)  # the keys are fetched again at most once a minute
    second = bot.say(ANNA, "status")
    assert bot.bf.jwks_requests == fetched + 1
    assert bot.replies_to(first) and bot.replies_to(second)


def test_the_answer_follows_the_clients_language(bot: TeamsHarness, deps: Deps) -> None:
    set_up(deps, language="en")
    danish = bot.say(EMIL, "hjælp")  # da-DK client in an English process
    english = bot.say(ANNA, "help")  # en-GB client
    assert "/samskab status: hvor er vi i forløbet?" in text_of(bot.replies_to(danish)[0])
    assert "/samskab status: where are we in the process?" in text_of(bot.replies_to(english)[0])


def test_a_card_submitted_twice_acts_once(bot: TeamsHarness, deps: Deps) -> None:
    set_up(deps)
    asked = bot.say(ANNA, "input")
    form = bot.replies_to(asked)[0]
    bot.submit(ANNA, form, asked["conversation"]["id"], {"text": "Kun én gang."})
    bot.submit(ANNA, form, asked["conversation"]["id"], {"text": "Kun én gang."})
    bot.bf.wait_for(
        lambda bf: any(
            "Kun én gang." in text_of(a)
            for a in bf.activities(teams.CHANNEL_ID)
            if "Input" in text_of(a)
        )
    )
    assert row_counts(deps)["inputs"] == 1


def test_a_removed_app_is_recorded_and_the_facilitator_told(bot: TeamsHarness, deps: Deps) -> None:
    set_up(deps)
    for user in (METTE, GITTE):  # both seen in Teams, so both can be reached proactively
        bot.say(user, "status")
    bot.bf.fail(r"POST /v3/conversations$", status=403, times=1)  # Gitte blocked the app
    summarise(deps, [METTE, ANNA, EMIL])
    bot.bf.wait_for(
        lambda bf: any(
            "Gitte Møller kunne ikke nås" in text_of(a)
            for c in [bf.conversation_for(METTE.id)]
            if c
            for a in bf.activities(c)
        )
    )
    notice = next(
        a
        for a in bot.bf.activities(bot.bf.conversation_for(METTE.id) or "")
        if "kunne ikke nås" in text_of(a)
    )
    assert "appen er ikke installeret for vedkommende" in text_of(notice)


def test_throttling_is_retried_until_delivered(bot: TeamsHarness, deps: Deps, clock: Clock) -> None:
    set_up(deps)
    bot.bf.wait_for(lambda bf: bool(bf.activities(teams.CHANNEL_ID)))
    bot.say(GITTE, "status")  # seen in Teams: she can be reached proactively
    bot.bf.fail(r"POST /v3/conversations/19:[^/]+/activities$", status=429, retry_after=3, times=2)
    summarise(deps, [METTE, ANNA, EMIL])
    bot.bf.wait_for(lambda bf: sum(c.status == 429 for c in bf.calls) == 2)
    clock.advance(seconds=60)
    bot.bf.wait_for(
        lambda bf: bool(
            bf.conversation_for(GITTE.id) and bf.activities(bf.conversation_for(GITTE.id) or "")
        )
    )
    summaries = [
        a
        for a in bot.bf.activities(teams.CHANNEL_ID)
        if "Opsamling fra workshoppen" in text_of(a) and not a.get("replyToId")
    ]
    assert len(summaries) == 1
    eventually(lambda: len(bot.bf.activities(bot.bf.conversation_for(GITTE.id) or "")) == 1)


def test_commands_in_the_one_to_one_chat_concern_the_persons_process(
    bot: TeamsHarness, deps: Deps
) -> None:
    set_up(deps)
    bot.bf.add_channel("a:1emil", members=[EMIL])  # the 1:1 chat Emil opened with the app
    chat = teams.personal_message(
        "status",
        user=EMIL,
        conversation_id="a:1emil",
        service_url=bot.bf.service_url,
        bot_app_id=APP_ID,
    )
    assert bot.post(chat).status_code == 200
    bot.bf.wait_for(lambda bf: bool(bf.activities("a:1emil")))
    assert "Trin 3 af 6: Udvikle løsninger" in text_of(bot.bf.activities("a:1emil")[0])


def test_a_single_tenant_bot_refuses_other_tenants(deps: Deps) -> None:
    tenant = teams.TENANT_ID
    with teams_bot(deps, EVERYONE, tenant_id=tenant) as bot:
        set_up(deps)
        ours = bot.say(ANNA, "status")
        assert bot.replies_to(ours), "its token came from the tenant's own endpoint"
        stranger = teams.channel_message(
            "status",
            user=ANNA,
            tenant="another-tenant",
            service_url=bot.bf.service_url,
            bot_app_id=APP_ID,
        )
        assert bot.post(stranger).status_code == 401
