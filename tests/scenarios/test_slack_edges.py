"""Slack's edge, probed as an attacker and a clumsy client would: each request sent over real
HTTP to the served app, its status, the log and the database checked. Nothing is read from, or
sent because of, a request whose signature was not verified; nothing malformed reaches a 500."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import text

from handlers.context import Deps
from tests.builders import disk_on_fire, outbox_drained, row_counts
from tests.fakes import slack_payloads as payloads
from tests.scenarios.test_slack_robustness import (
    ANNA,
    MEMBERS,
    METTE,
    USERS,
    set_up,
    summarise,
)
from tests.slack_harness import CHANNEL, SECRET, SlackHarness, slack_bot, text_of
from tests.waiting import eventually, settle

SECRET_TEXT = "HEMMELIG-TEKST-ANNA"  # what a person wrote: it must appear in no log line
OUR_LOGGERS = ("bot", "handlers", "schedules", "storage", "slack_bolt", "slack_sdk")


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[SlackHarness], tuple[bytes, dict[str, str]]]
    status: int


def signed(body: str | bytes, content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type, **payloads.sign(body, SECRET)}


def signed_json(data: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(data)
    return body.encode(), signed(body, payloads.JSON)


def signed_interaction(data: Any) -> tuple[bytes, dict[str, str]]:
    body = urlencode({"payload": json.dumps(data)})
    return body.encode(), signed(body, payloads.FORM)


def command_body(bot: SlackHarness, text: str = f"input {SECRET_TEXT}") -> str:
    body, _ = payloads.slash_command(
        text, user_id=ANNA, channel_id=CHANNEL, response_url=bot.slack.response_url("admin")
    )
    return body


def unsigned(
    bot: SlackHarness, timestamp: str, signature: str = "v0=00"
) -> tuple[bytes, dict[str, str]]:
    headers = {
        "Content-Type": payloads.FORM,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    return command_body(bot).encode(), headers


def stale(bot: SlackHarness) -> tuple[bytes, dict[str, str]]:
    body = command_body(bot)
    headers = {"Content-Type": payloads.FORM, **payloads.sign(body, SECRET, int(time.time()) - 600)}
    return body.encode(), headers


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def action(bot: SlackHarness, value: Any, **overrides: Any) -> dict[str, Any]:
    body = json.loads(
        dict(
            _form(
                payloads.block_actions(
                    "input.decline",
                    "1",
                    user_id=ANNA,
                    channel_id=CHANNEL,
                    response_url=bot.slack.response_url("answer"),
                )[0]
            )
        )["payload"]
    )
    body["actions"][0]["value"] = value
    if value is ...:
        del body["actions"][0]["value"]
    return dict(body) | overrides


def view(callback_id: str, state: Any, metadata: str = "") -> dict[str, Any]:
    # A modal of its own each time: a modal's id is acted on once (the cases share a database).
    view_id = f"V0EDGE{next(_ids)}"
    body = json.loads(
        dict(
            _form(
                payloads.view_submission(
                    callback_id, {}, user_id=METTE, private_metadata=metadata, view_id=view_id
                )[0]
            )
        )["payload"]
    )
    body["view"]["state"] = state
    return dict(body)


def event(event: Any, event_id: Any = None) -> dict[str, Any]:
    # An event id of its own unless given: an event is acted on once (the cases share a database).
    event_id = f"EvEdge{next(_ids)}" if event_id is None else event_id
    body, _ = payloads.event_callback({"type": "app_home_opened", "user": ANNA}, event_id=event_id)
    wrapper = json.loads(body)
    wrapper["event"] = event
    return dict(wrapper)


def _form(body: str) -> list[tuple[str, str]]:
    return parse_qsl(body)


UNREACHABLE_RESPONSE = "http://127.0.0.1:9/response-admin"
_ids = itertools.count(1)

CASES = [
    # Not Slack's: refused before anything in them is read.
    Case("timestamp not a number", lambda b: unsigned(b, "not-a-number"), 401),
    Case("timestamp empty", lambda b: unsigned(b, ""), 401),
    Case("signature forged", lambda b: unsigned(b, str(int(time.time())), "v0=" + "0" * 64), 401),
    Case("signature missing", lambda b: (command_body(b).encode(), {}), 401),
    Case("timestamp stale", stale, 401),
    Case(
        "body not UTF-8", lambda b: (b"\xff\xfe\xfa", signed(b"\xff\xfe\xfa", payloads.FORM)), 400
    ),
    # Signed by Slack's secret but not parseable: 400.
    Case("JSON invalid", lambda b: (b"{nope", signed("{nope", payloads.JSON)), 400),
    Case(
        "JSON nested 100 000 deep",
        lambda b: (nested(100_000).encode(), signed(nested(100_000), payloads.JSON)),
        400,
    ),
    Case(
        "JSON nested 100 000 deep inside payload",
        lambda b: (
            urlencode({"payload": nested(100_000)}).encode(),
            signed(urlencode({"payload": nested(100_000)}), payloads.FORM),
        ),
        400,
    ),
    Case(
        "payload not JSON",
        lambda b: (b"payload=%7Bnot", signed("payload=%7Bnot", payloads.FORM)),
        400,
    ),
    Case("JSON a list", lambda b: signed_json([1, 2, 3]), 400),
    # Signed and parseable, but meaningless: 200 and nothing changes.
    Case(
        "command with user_id a number",
        lambda b: signed_json(
            {
                "command": "/samskab",
                "team_id": "T0001",
                "user_id": 12,
                "channel_id": CHANNEL,
                "text": SECRET_TEXT,
            }
        ),
        200,
    ),
    Case("action with user a list", lambda b: signed_interaction(action(b, "1", user=[ANNA])), 200),
    Case("action value null", lambda b: signed_interaction(action(b, None)), 200),
    Case("action value missing", lambda b: signed_interaction(action(b, ...)), 200),
    Case("action value a list", lambda b: signed_interaction(action(b, ["1"])), 200),
    Case("action value a number", lambda b: signed_interaction(action(b, 7)), 200),
    Case(
        "action value too big for SQLite",
        lambda b: signed_interaction(action(b, "99999999999999999999999")),
        200,
    ),
    Case("actions empty", lambda b: signed_interaction(action(b, "1", actions=[])), 200),
    Case("setup state a string", lambda b: signed_interaction(view("setup", SECRET_TEXT)), 200),
    Case(
        "setup state values a list",
        lambda b: signed_interaction(view("setup", {"values": [SECRET_TEXT]})),
        200,
    ),
    Case(
        "setup element values of the wrong types",
        lambda b: signed_interaction(
            view(
                "setup",
                {
                    "values": {
                        "name": {"a": {"type": "plain_text_input", "value": 5}},
                        "step": {"a": {"type": "static_select", "selected_option": "x"}},
                        "facilitators": {
                            "a": {"type": "multi_users_select", "selected_users": "U1"}
                        },
                    }
                },
                json.dumps({"c": CHANNEL, "m": {}}),
            )
        ),
        200,
    ),
    Case("close with no channel", lambda b: signed_interaction(view("close", {"values": {}})), 200),
    Case(
        "app_home_opened with a numeric user",
        lambda b: signed_json(event({"type": "app_home_opened", "user": 42})),
        200,
    ),
    Case(
        "member_joined_channel without a user",
        lambda b: signed_json(event({"type": "member_joined_channel", "channel": CHANNEL})),
        200,
    ),
    Case("event a string", lambda b: signed_json(event(SECRET_TEXT)), 200),
    Case(
        "event_id a list",
        lambda b: signed_json(event({"type": "app_home_opened", "user": ANNA}, ["E1"])),
        200,
    ),
]


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    set_up(deps)
    summarise(deps, [METTE])  # Anna has an open request: a wrong click would change it
    with slack_bot(deps, USERS, MEMBERS) as harness:
        eventually(lambda: len(harness.slack.calls_to("chat.postMessage")) >= 2)
        yield harness


@pytest.fixture(scope="module")
def served(module_deps: Deps) -> Iterator[SlackHarness]:
    """As `bot`, served once for all the cases of the table, each of which changes nothing."""
    set_up(module_deps)
    summarise(module_deps, [METTE])
    with slack_bot(module_deps, USERS, MEMBERS) as harness:
        eventually(lambda: outbox_drained(module_deps))
        settle()  # the set-up's deliveries are done
        yield harness


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_edge_requests_get_4xx_or_change_nothing(
    case: Case, served: SlackHarness, module_deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    bot, deps = served, module_deps
    before, calls = row_counts(deps), len(bot.slack.calls)
    answered = len(bot.slack.responses["admin"])
    body, headers = case.build(bot)
    with caplog.at_level(logging.DEBUG, logger="bot"), caplog.at_level(logging.INFO):
        response = bot.http.post(bot.url, content=body, headers=headers)
        settle()  # any work wrongly started after the answer shows itself by now
    assert response.status_code == case.status, response.text
    after = row_counts(deps)
    # A modal's id is remembered once it was answered (so a double submit acts once): that is
    # bookkeeping, not a change a person could see.
    after["processed_events"] = before["processed_events"]
    assert after == before
    records = [r for r in caplog.records if r.name.startswith(OUR_LOGGERS)]
    assert not [r for r in records if r.exc_info], "no traceback"
    assert not [r for r in records if SECRET_TEXT in r.getMessage()], "no text a person wrote"
    assert not [r for r in records if r.levelno >= logging.ERROR]
    if case.status != 200:
        assert [r.getMessage() for r in records if r.levelno >= logging.INFO] == [
            r.getMessage() for r in records if "a Slack request" in r.getMessage()
        ] and len(records) >= 1, "one line saying why"
        new_calls = bot.slack.calls[calls:]
        assert not new_calls, f"nothing sent because of it: {new_calls}"
        assert len(bot.slack.responses["admin"]) == answered


def test_a_refused_setup_neither_joins_the_channel_nor_reads_its_roster(
    bot: SlackHarness, deps: Deps
) -> None:
    """Anna is not a facilitator: her setup form is refused, and that is all that happens."""
    form = bot.open_form(METTE, "setup")
    with deps.db.transaction() as session:  # Mette hands the process over before Anna submits
        session.execute(text("UPDATE members SET role = 'participant'"))
    before, calls = row_counts(deps), len(bot.slack.calls)
    answer = bot.submit(ANNA, form, {"name": "Overtaget"})
    assert answer["response_action"] == "update"
    assert "facilitator" in text_of(answer["view"]).lower()
    settle()  # the follow-up, had it started, would have called Slack by now
    new = {call.method for call in bot.slack.calls[calls:]}
    assert not new & {"conversations.join", "conversations.members"}, new
    after = row_counts(deps)
    assert after.pop("processed_events") == before.pop("processed_events") + 1  # the modal's id
    assert after == before


def test_the_error_handler_apologises_inside_the_modal(
    bot: SlackHarness, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    """The use case fails (the database refuses the write): the modal says so, in Danish, and
    the failed statement is logged without what Anna wrote."""
    form = bot.open_form(ANNA, "input")
    disk_on_fire(deps, "INSERT ON inputs")
    answer = bot.submit(ANNA, form, {"text": SECRET_TEXT})
    assert answer["response_action"] == "update"
    assert "Beklager, noget gik galt" in text_of(answer["view"])
    assert "disk on fire" in caplog.text and SECRET_TEXT not in caplog.text


def test_a_failed_app_home_button_apologises_in_the_dm(bot: SlackHarness, deps: Deps) -> None:
    disk_on_fire(deps, "UPDATE ON input_requests", when="NEW.status = 'declined'")
    request_id = _request_of(deps, ANNA)
    body, _ = payloads.block_actions(
        "input.decline", str(request_id), user_id=ANNA, channel_id=None, response_url=""
    )
    data = json.loads(dict(_form(body))["payload"])
    data.pop("response_url", None)
    data["container"] = {"type": "view", "view_id": "VHOME"}
    posted, headers = signed_interaction(data)
    assert bot.http.post(bot.url, content=posted, headers=headers).status_code == 200
    eventually(lambda: any("Beklager, noget gik galt" in text_of(m) for m in bot.dm(ANNA)))


def test_with_slack_unreachable_after_a_restart_a_click_is_kept(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    """auth.test and users.info fail (Slack is down): the click is still acted on, answered
    200, and the failed apology is a log line, not a 500."""
    set_up(deps)
    summarise(deps, [METTE])
    with slack_bot(deps, USERS, MEMBERS) as bot:
        bot.slack.fail("auth.test", status=503, error="service_unavailable", times=100)
        bot.slack.fail("users.info", status=503, error="service_unavailable", times=100)
        request_id = _request_of(deps, ANNA)
        body, kind = payloads.block_actions(
            "input.decline",
            str(request_id),
            user_id=ANNA,
            channel_id=CHANNEL,
            response_url=UNREACHABLE_RESPONSE,
        )
        response = bot.post(body, kind)
        assert response.status_code == 200
        eventually(lambda: _status_of(deps, request_id) == "declined")
        # Its answer cannot reach Anna either: that is one log line, and nothing raises.
        eventually(lambda: "could not tell U0ANNA about the error" in caplog.text, timeout=30)


def _request_of(deps: Deps, user: str) -> int:
    with deps.db.transaction() as session:
        return int(
            session.execute(
                text(
                    "SELECT r.id FROM input_requests r JOIN members m ON m.id = r.member_id "
                    "JOIN people p ON p.id = m.person_id WHERE p.user_id = :user"
                ),
                {"user": user},
            ).scalar_one()
        )


def _status_of(deps: Deps, request_id: int) -> str:
    with deps.db.transaction() as session:
        return str(
            session.execute(
                text("SELECT status FROM input_requests WHERE id = :id"), {"id": request_id}
            ).scalar_one()
        )
