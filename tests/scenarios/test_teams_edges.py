"""Teams at the edges: card data that names another conversation, made-up key ids, activity ids
that repeat across conversations, refused set-ups, malformed and oversized requests, and a use
case that fails. Each request goes over real HTTP to our real app, against the fake Bot Framework.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import ChannelRef, Deps, PersonRef
from storage.models import Person, Process, Workshop
from tests import builders
from tests.builders import row_counts
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.teams_harness import (
    APP_ID,
    TeamsHarness,
    actions_of,
    card_of,
    fill,
    teams_bot,
    text_of,
)
from tests.waiting import eventually, settle

METTE = TeamsUser.make("Mette Lund")
ANNA = TeamsUser.make("Anna Holm", locale="en-GB")
EMIL = TeamsUser.make("Emil Vestergaard")
EVERYONE = [METTE, ANNA, EMIL]
WHERE = ChannelRef("teams", teams.TENANT_ID, teams.CHANNEL_ID, "odder")

# Another team's channel, which none of the people above are in.
OTHER_CHANNEL = "19:0ther0ther0ther0ther0ther0ther00@thread.tacv2"
STRANGERS = [TeamsUser.make("Søren Fremmed"), TeamsUser.make("Tove Ukendt")]

# Words a person wrote, which no log line may hold.
SECRET = "Fortroligt-Q7x-borgeren-på-Vestervej"
OURS = ("bot", "handlers", "storage", "schedules")


def ref(user: TeamsUser) -> PersonRef:
    return PersonRef("teams", teams.TENANT_ID, user.id, user.name, "da")


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        yield harness


def set_up(deps: Deps) -> None:
    """Odder, in the team's channel, with Mette its facilitator."""
    roster = replace(WHERE, roster=tuple(ref(u) for u in EVERYONE))
    builders.set_up(deps, roster, ref(METTE), step="3", name="Odder", tracks="Visitation")


def process_channels(deps: Deps) -> list[str]:
    with deps.db.transaction() as session:
        return list(session.scalars(select(Process.channel_id)))


def people(deps: Deps) -> set[str]:
    with deps.db.transaction() as session:
        return set(session.scalars(select(Person.user_id)))


def roster_reads(bot: TeamsHarness, conversation: str = "") -> int:
    return len(bot.bf.calls_to(rf"GET /v3/conversations/{conversation}[^/]*/pagedmembers"))


# --- 1. where a card is submitted is where it acts ---------------------------------------------


def test_a_setup_card_acts_where_it_is_pressed_not_where_its_data_says(
    bot: TeamsHarness, deps: Deps
) -> None:
    bot.bf.add_channel(OTHER_CHANNEL, members=STRANGERS)
    asked = bot.say(ANNA, "setup")
    card = bot.replies_to(asked)[0]
    value = fill(card_of(card), {"name": "Overtaget", "step": "1"})
    value["c"] = OTHER_CHANNEL  # the data as an altered client sends it back
    submitted = teams.card_submit(
        value,
        user=ANNA,
        conversation_id=asked["conversation"]["id"],
        reply_to_id=card["id"],
        service_url=bot.bf.service_url,
        bot_app_id=APP_ID,
    )
    assert bot.post(submitted).status_code == 200
    eventually(lambda: row_counts(deps)["members"] == len(EVERYONE))
    settle()
    assert process_channels(deps) == [teams.CHANNEL_ID], "set up where Anna pressed it"
    assert roster_reads(bot, OTHER_CHANNEL) == 0, "the other team's roster was never read"
    assert not people(deps) & {u.id for u in STRANGERS}, "nobody from the other team enrolled"


def test_a_card_naming_another_process_s_summary_is_refused(bot: TeamsHarness, deps: Deps) -> None:
    set_up(deps)
    other = ChannelRef("teams", teams.TENANT_ID, OTHER_CHANNEL, "other")
    strangers = [ref(u) for u in STRANGERS]
    builders.set_up(deps, replace(other, roster=tuple(strangers)), strangers[0], name="Andet")
    workshop = builders.plan(deps, other, strangers[0], strangers)
    builders.summarise(deps, other, strangers[0], workshop, strangers)
    asked = bot.say(ANNA, "input")  # a card in her own channel, whose data she alters
    before = row_counts(deps)
    value = {
        "callback_id": "input",
        "metadata": {"summary": "1"},  # the other process's summary
        "fields": {"text": "long_text", "anonymous": "choice"},
        "text": SECRET,
        "anonymous": "named",
    }
    submitted = teams.card_submit(
        value,
        user=ANNA,
        conversation_id=asked["conversation"]["id"],
        reply_to_id=bot.replies_to(asked)[0]["id"],
        service_url=bot.bf.service_url,
        bot_app_id=APP_ID,
    )
    assert bot.post(submitted).status_code == 200
    card = next(a for a in bot.bf.activities(teams.CHANNEL_ID) if a["id"] == submitted["replyToId"])
    assert "Andet" in text_of(card) and SECRET not in text_of(card), "she is told no"
    written = ("inputs", "input_requests", "members", "people", "audit_log")
    assert {t: row_counts(deps)[t] for t in written} == {t: before[t] for t in written}


def test_a_form_opened_in_the_one_to_one_chat_acts_on_the_persons_only_process(
    bot: TeamsHarness, deps: Deps
) -> None:
    set_up(deps)
    bot.bf.add_channel("a:1mette", members=[METTE])
    asked = teams.personal_message(
        "workshop",
        user=METTE,
        conversation_id="a:1mette",
        service_url=bot.bf.service_url,
        bot_app_id=APP_ID,
    )
    assert bot.post(asked).status_code == 200
    form = bot.replies_to(asked)[0]
    bot.submit(METTE, form, "a:1mette", {"title": "Fra chatten", "starts_at": "2026-11-30T10:00"})
    with deps.db.transaction() as session:
        assert session.scalars(select(Workshop.title)).all() == ["Fra chatten"]
    assert "Fra chatten" in text_of(bot.bf.activities("a:1mette")[0]), "the card says so"


# --- 2. made-up key ids cost one fetch a minute at most ----------------------------------------


def test_made_up_key_ids_fetch_the_keys_at_most_once_a_minute(deps: Deps, clock: Clock) -> None:
    with teams_bot(deps, EVERYONE) as bot:
        fetched = bot.bf.jwks_requests
        for _ in range(400):
            activity = teams.channel_message(
                "status", user=ANNA, service_url=bot.bf.service_url, bot_app_id=APP_ID
            )
            assert bot.post(activity, kid=secrets.token_urlsafe(12)).status_code == 401
        assert bot.bf.jwks_requests - fetched <= 1

        # A rotated key is picked up at the next refresh allowed.
        bot.bf.rotate_key()
        early = bot.post(
            teams.channel_message(
                "status", user=ANNA, service_url=bot.bf.service_url, bot_app_id=APP_ID
            )
        )
        assert early.status_code == 401
        clock.advance(seconds=60)
        assert bot.say(ANNA, "status")
        assert bot.bf.jwks_requests - fetched <= 2


# --- 3. activity ids are unique within a conversation only -------------------------------------


def test_the_same_activity_id_in_two_conversations_is_answered_in_both(
    bot: TeamsHarness, deps: Deps
) -> None:
    set_up(deps)
    chats = {EMIL: "a:1emil", ANNA: "a:1anna"}
    activity_id = teams.new_message_id()
    sent = []
    for user, chat in chats.items():
        bot.bf.add_channel(chat, members=[user])
        activity = teams.personal_message(
            "status",
            user=user,
            conversation_id=chat,
            service_url=bot.bf.service_url,
            bot_app_id=APP_ID,
        )
        activity["id"] = activity_id
        assert bot.post(activity).status_code == 200
        sent.append(activity)
    assert all(bot.replies_to(a) for a in sent), "both were answered"
    retry = bot.post(sent[0])
    assert retry.status_code == 200 and len(bot.replies_to(sent[0])) == 1, "a retry is not"


# --- 4. a refused setup reads no roster --------------------------------------------------------


def test_a_refused_setup_reads_no_roster(bot: TeamsHarness, deps: Deps) -> None:
    asked = bot.say(METTE, "opsætning")
    form = bot.replies_to(asked)[0]
    bot.submit(METTE, form, asked["conversation"]["id"], {"name": "Odder", "step": "3"})
    eventually(lambda: row_counts(deps)["members"] == len(EVERYONE))
    settle()
    newcomer = TeamsUser.make("Nina Ny")
    bot.bf.add_member(teams.CHANNEL_ID, newcomer)
    reads, before = roster_reads(bot), row_counts(deps)

    asked = bot.say(METTE, "opsætning")  # the card in the channel, which Anna presses
    form = bot.replies_to(asked)[0]
    bot.submit(ANNA, form, asked["conversation"]["id"], {"name": "Annas forløb"})
    settle()
    assert "facilitator" in text_of(bot.bf.activities(teams.CHANNEL_ID)[-1]), "refused"
    assert roster_reads(bot) == reads, "the roster was not read"
    assert without_events(row_counts(deps)) == without_events(before), "nobody was enrolled"
    assert newcomer.id not in people(deps)


# --- 5, 6. malformed requests: 400, 413, or 200 and nothing done; one log line, no body --------

Request = tuple[bytes, dict[str, str]]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[TeamsHarness], Request]
    status: int
    handled: bool = False  # it reaches a use case, which refuses it (and says so)


def message(bot: TeamsHarness, text: str = SECRET) -> dict[str, Any]:
    return teams.channel_message(text, user=ANNA, service_url=bot.bf.service_url, bot_app_id=APP_ID)


def submit(bot: TeamsHarness, value: Any) -> dict[str, Any]:
    """The bot's last message in the channel pressed, with `value` as its card's answer."""
    return teams.card_submit(
        value,
        user=ANNA,
        conversation_id=teams.CHANNEL_ID,
        reply_to_id=bot.bf.activities(teams.CHANNEL_ID)[-1]["id"],
        service_url=bot.bf.service_url,
        bot_app_id=APP_ID,
    )


def signed(change: Callable[[TeamsHarness], dict[str, Any]]) -> Callable[[TeamsHarness], Request]:
    """An activity with a valid token for it: Teams (or someone holding its token) sent it."""

    def build(bot: TeamsHarness) -> Request:
        activity = change(bot)
        headers = bot.bf.sign_activity(activity) | {"Content-Type": "application/json"}
        return json.dumps(activity).encode(), headers

    return build


def raw(body: Callable[[TeamsHarness], bytes]) -> Callable[[TeamsHarness], Request]:
    """Bytes that are no activity, with a valid token for a real one beside them."""

    def build(bot: TeamsHarness) -> Request:
        headers = bot.bf.sign_activity(message(bot)) | {"Content-Type": "application/json"}
        return body(bot), headers

    return build


def with_field(name: str, value: Any) -> Callable[[TeamsHarness], dict[str, Any]]:
    return lambda bot: message(bot) | {name: value}


def nested(bot: TeamsHarness) -> bytes:
    depth = 100_000
    start = json.dumps(message(bot))[:-1].encode() + b', "value": '
    return start + b"[" * depth + b"]" * depth + b"}"


def latin1(bot: TeamsHarness) -> bytes:
    return json.dumps(message(bot, "Gitte Møller " + SECRET), ensure_ascii=False).encode("latin-1")


def utf16(bot: TeamsHarness) -> bytes:
    return json.dumps(message(bot, "status " + SECRET)).encode("utf-16")


def oversized(size: int) -> Callable[[TeamsHarness], dict[str, Any]]:
    return lambda bot: submit(
        bot, {"callback_id": "input", "metadata": {"process": "1"}, "text": SECRET * size}
    )


def members_added(value: Any) -> Callable[[TeamsHarness], dict[str, Any]]:
    def change(bot: TeamsHarness) -> dict[str, Any]:
        activity = teams.conversation_update_members_added(
            [], by=METTE, service_url=bot.bf.service_url, bot_app_id=APP_ID
        )
        return activity | {"membersAdded": value}

    return change


def other_service_url(bot: TeamsHarness) -> dict[str, Any]:
    return message(bot) | {"serviceUrl": 12345}


def long_title(bot: TeamsHarness) -> dict[str, Any]:
    activity = submit(
        bot,
        {
            "callback_id": "workshop",
            "metadata": {},
            "fields": {"track": "choice", "title": "text", "starts_at": "datetime"},
            "track": "1",
            "title": SECRET * 5000,  # 180 KB: under the ceiling, over the field's 200 characters
            "starts_at__date": "2026-12-01",
            "starts_at__time": "10:00",
        },
    )
    return activity | {"from": METTE.account()}


CASES = [
    Case("JSON nested 100 000 deep", raw(nested), 400),
    Case("bytes that are not UTF-8", raw(latin1), 400),
    Case("UTF-16", raw(utf16), 400),
    Case("a JSON array", raw(lambda bot: b"[1, 2, 3]"), 400),
    Case("no type", raw(lambda bot: json.dumps({"text": SECRET}).encode()), 400),
    Case("a type that is a number", signed(with_field("type", 7)), 400),
    Case("a body over 256 KB", signed(oversized(8_000)), 413),
    Case("a 10 MB answer", signed(oversized(300_000)), 413),
    Case("from: a string", signed(with_field("from", SECRET)), 200),
    Case("from: a list", signed(with_field("from", [SECRET])), 200),
    Case("from: a number", signed(with_field("from", 42)), 200),
    Case(
        "from: an id too long to store", signed(with_field("from", {"id": "29:" + "x" * 300})), 200
    ),
    Case("conversation: a string", signed(with_field("conversation", SECRET)), 200),
    Case("conversation: a list", signed(with_field("conversation", [SECRET])), 200),
    Case("conversation: a number", signed(with_field("conversation", 42)), 200),
    Case("channelData: a string", signed(with_field("channelData", SECRET)), 200),
    Case("text: a list", signed(with_field("text", [SECRET])), 200),
    Case("value: a string", signed(with_field("value", SECRET)), 200),
    Case("value: a list", signed(with_field("value", [SECRET])), 200),
    Case("an id too long to store", signed(with_field("id", "1" * 300)), 200),
    Case("serviceUrl: a number (in the token too)", signed(other_service_url), 200),
    Case("membersAdded: a string", signed(members_added(SECRET)), 200),
    Case("membersAdded: a list of strings", signed(members_added([SECRET])), 200),
    Case(
        "card metadata: a list",
        signed(lambda bot: submit(bot, {"callback_id": "input", "metadata": [SECRET]})),
        200,
    ),
    Case(
        "card metadata: a number for an id",
        signed(lambda bot: submit(bot, {"callback_id": "input", "metadata": {"summary": 5}})),
        200,
    ),
    Case(
        "a button's value: a number",
        signed(lambda bot: submit(bot, {"action_id": "input.open", "value": 5})),
        200,
    ),
    Case(
        "card kinds that are not JSON",
        signed(
            lambda bot: submit(bot, {"callback_id": "input", "kinds": "{" + SECRET, "text": SECRET})
        ),
        200,
        handled=True,
    ),
    Case(
        "a metadata id too large for the database",
        signed(
            lambda bot: submit(
                bot,
                {
                    "callback_id": "input",
                    "metadata": {"summary": "99999999999999999999999"},
                    "fields": {"text": "long_text"},
                    "text": SECRET,
                },
            )
        ),
        200,
        handled=True,
    ),
    Case(
        "a button naming an id too large for the database",
        signed(
            lambda bot: submit(bot, {"action_id": "input.open", "value": "99999999999999999999999"})
        ),
        200,
        handled=True,
    ),
    Case("an answer longer than its field", signed(long_title), 200, handled=True),
]


def without_events(counts: dict[str, int]) -> dict[str, int]:
    """Everything but the record that an activity was handled (so that a retry is not)."""
    return {table: n for table, n in counts.items() if table != "processed_events"}


@pytest.fixture(scope="module")
def served(module_deps: Deps) -> Iterator[TeamsHarness]:
    """As `bot` with Odder set up, served once for all the cases of the table, each of which
    changes nothing."""
    with teams_bot(module_deps, EVERYONE) as harness:
        set_up(module_deps)
        eventually(lambda: harness.bf.activities(teams.CHANNEL_ID))  # the set-up's announcement
        settle()  # and whatever else the set-up sends
        yield harness


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_malformed_request_changes_nothing_and_logs_one_line(
    served: TeamsHarness, module_deps: Deps, caplog: pytest.LogCaptureFixture, case: Case
) -> None:
    bot, deps = served, module_deps
    asked = bot.say(ANNA, "status")
    eventually(lambda: bot.replies_to(asked))  # Anna is known, and the bot answers her
    body, headers = case.build(bot)
    before, calls = row_counts(deps), len(bot.bf.calls)
    caplog.clear()
    caplog.set_level(logging.DEBUG)

    response = bot.http.post(bot.url, content=body, headers=headers)
    settle()

    assert response.status_code == case.status, response.text
    assert SECRET not in response.text
    ours = [r for r in caplog.records if r.name.split(".")[0] in OURS]
    assert len(ours) <= 1, [r.getMessage() for r in ours]
    assert all(r.levelno <= logging.WARNING for r in ours), [r.getMessage() for r in ours]
    assert not [r for r in caplog.records if r.exc_info], "no traceback"
    assert not [r for r in caplog.records if SECRET in r.getMessage()], "nobody's words logged"
    if case.handled:
        assert without_events(row_counts(deps)) == without_events(before)
        assert len(bot.bf.calls) > calls, "the person is told why"
    else:
        assert row_counts(deps) == before
        assert len(bot.bf.calls) == calls, "nothing was sent"
        if case.status == 200:
            assert ours[0].getMessage().startswith("ignored a Teams activity: ")


def test_a_form_card_names_no_channel_and_still_works(bot: TeamsHarness, deps: Deps) -> None:
    set_up(deps)
    asked = bot.say(EMIL, "input")
    form = bot.replies_to(asked)[0]
    data = next(a["data"] for a in actions_of(card_of(form)) if a["type"] == "Action.Submit")
    assert not {"c", "kinds"} & set(data), "where it acts comes from where it is pressed"
    bot.submit(EMIL, form, asked["conversation"]["id"], {"text": "Husk weekenden."})
    eventually(lambda: row_counts(deps)["inputs"] == 1)
