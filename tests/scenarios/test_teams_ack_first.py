"""Teams is answered first, as Slack is acked first: once an activity is authenticated,
well-formed and new, the Bot Framework gets its 200 and the work follows. Over real HTTP against
the fake Bot Framework; where the work must be caught half-way, the bot's calls to the Bot
Connector pass through a gate the test opens."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from handlers.context import ChannelRef, Deps, PersonRef
from tests import builders
from tests.builders import disk_on_fire
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.servers import serve
from tests.teams_harness import APP_ID, TeamsHarness, teams_bot, text_of

METTE = TeamsUser.make("Mette Lund")
EMIL = TeamsUser.make("Emil Vestergaard")
EVERYONE = [METTE, EMIL]
WHERE = ChannelRef("teams", teams.TENANT_ID, teams.CHANNEL_ID, "odder")
APOLOGY = "Beklager, noget gik galt"


class ConnectorGate:
    """The fake's Bot Connector behind a gate: the bot's calls wait there, unanswered, until
    `open()`, and are then passed on. The bot calls it for activities whose `serviceUrl` is
    `service_url` (the service URL travels in each activity, and its token says the same)."""

    def __init__(self) -> None:
        self.target = ""  # the fake Bot Framework's base URL
        self.service_url = ""
        self.reached = threading.Event()
        self.opened = threading.Event()

    def open(self) -> None:
        self.opened.set()

    async def _pass_on(self, request: Request) -> Response:
        self.reached.set()
        await asyncio.to_thread(self.opened.wait, 10)
        query = f"?{request.url.query}" if request.url.query else ""
        forwarded = {
            k: v for k, v in request.headers.items() if k in ("authorization", "content-type")
        }
        async with httpx.AsyncClient() as http:
            answer = await http.request(
                request.method,
                self.target + request.url.path + query,
                content=await request.body(),
                headers=forwarded,
            )
        kind = answer.headers.get("content-type", "application/json")
        return Response(answer.content, answer.status_code, headers={"content-type": kind})

    @contextmanager
    def serving(self) -> Iterator[ConnectorGate]:
        route = Route("/teams/{rest:path}", self._pass_on, methods=["GET", "POST", "PUT"])
        with serve(Starlette(routes=[route])) as base_url:
            self.service_url = base_url + "/teams/"
            try:
                yield self
            finally:
                self.open()  # nothing is left waiting on the gate


def ref(user: TeamsUser) -> PersonRef:
    return PersonRef("teams", teams.TENANT_ID, user.id, user.name, "da")


def set_up(deps: Deps) -> None:
    """Odder, in the team's channel, with Mette its facilitator."""
    roster = replace(WHERE, roster=tuple(ref(u) for u in EVERYONE))
    builders.set_up(deps, roster, ref(METTE), step="3", name="Odder", tracks="Visitation")


def message(text: str, *, user: TeamsUser, service_url: str) -> dict[str, Any]:
    return teams.channel_message(text, user=user, service_url=service_url, bot_app_id=APP_ID)


def send(bot: TeamsHarness, activity: dict[str, Any]) -> httpx.Response:
    """The POST alone: what the Bot Framework sees, without waiting for any work after it."""
    return bot.http.post(bot.url, json=activity, headers=bot.bf.sign_activity(activity))


@pytest.fixture
def gate() -> Iterator[ConnectorGate]:
    with ConnectorGate().serving() as opened:
        yield opened


def test_teams_gets_its_answer_before_the_work_is_done(deps: Deps, gate: ConnectorGate) -> None:
    with teams_bot(deps, EVERYONE) as bot:
        gate.target = bot.bf.base_url
        asked = message("hjælp", user=EMIL, service_url=gate.service_url)

        response = send(bot, asked)
        assert response.status_code == 200
        assert gate.reached.wait(10), "the work goes on after the answer"
        assert not bot.replies_to(asked), "answered while the reply was still on its way"

        again = send(bot, asked)  # the Bot Framework's retry, while the work is still going
        assert again.status_code == 200
        gate.open()
        bot.bf.wait_for(lambda bf: bool(bot.replies_to(asked)))
        assert "/samskab status" in text_of(bot.replies_to(asked)[0])
    assert len(bot.replies_to(asked)) == 1, "the retry was recognised, and not handled again"


def test_work_answered_before_a_shutdown_is_finished_first(deps: Deps, gate: ConnectorGate) -> None:
    with teams_bot(deps, EVERYONE) as bot:
        gate.target = bot.bf.base_url
        asked = message("hjælp", user=EMIL, service_url=gate.service_url)
        assert send(bot, asked).status_code == 200
        assert gate.reached.wait(10)
        health = bot.url.removesuffix("/api/messages") + "/healthz"
        # The reply may go on once the server no longer listens and a moment more, when the
        # shutdown would have cancelled the work had it not waited for it.
        threading.Thread(target=open_when_closed, args=(gate, health), daemon=True).start()
    assert len(bot.replies_to(asked)) == 1, "the server stopped after the work, not before"


def open_when_closed(gate: ConnectorGate, url: str) -> None:
    while True:
        try:
            httpx.get(url, timeout=1)
        except httpx.TransportError:
            break
        time.sleep(0.01)
    time.sleep(0.3)
    gate.open()


def test_a_failing_use_case_is_answered_200_and_apologised_for_in_the_thread(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    with teams_bot(deps, EVERYONE) as bot:
        set_up(deps)
        bot.bf.wait_for(lambda bf: bool(bf.activities(teams.CHANNEL_ID)))  # its announcement
        disk_on_fire(deps, "INSERT ON step_changes")
        caplog.clear()
        asked = message("trin 4", user=METTE, service_url=bot.bf.service_url)

        response = send(bot, asked)

        assert response.status_code == 200, "no 500: the Bot Framework has its answer"
        bot.bf.wait_for(lambda bf: bool(bot.replies_to(asked)))
        replies = bot.replies_to(asked)
        assert len(replies) == 1 and APOLOGY in text_of(replies[0]), "told, in the thread"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].getMessage() == "error handling a Teams message activity"
    assert errors[0].exc_info and "disk on fire" in str(errors[0].exc_info[1])


def test_an_invoke_still_gets_the_answer_teams_expects(deps: Deps) -> None:
    with teams_bot(deps, EVERYONE) as bot:
        invoke = message("", user=EMIL, service_url=bot.bf.service_url)
        invoke |= {"type": "invoke", "name": "adaptiveCard/action"}
        response = send(bot, invoke)
        assert response.status_code == 200
        assert response.json() == {"status": 200, "body": {}}
