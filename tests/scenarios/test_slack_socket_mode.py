"""`samskab socket`: the same Slack app over Socket Mode, against the fake's WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from bot.settings import Settings
from bot.socket_mode import run_socket_mode
from handlers.context import Deps
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import CHANNEL, text_of
from tests.waiting import eventually


def test_a_slash_command_over_socket_mode_is_acked_and_answered(deps: Deps) -> None:
    with FakeSlack() as slack:
        slack.add_user("U0ANNA", "anna", real_name="Anna Holm", locale="da-DK")
        slack.add_channel(CHANNEL, members=["U0ANNA"])
        settings = Settings(
            database_url=deps.db.url,
            slack_bot_token="xoxb-test",
            slack_signing_secret="s",
            slack_app_token="xapp-test",
            slack_api_url=slack.api_url,
        )
        loop = asyncio.new_event_loop()
        task = loop.create_task(run_socket_mode(settings, deps))
        thread = threading.Thread(target=_until_cancelled, args=(loop, task), daemon=True)
        thread.start()
        try:
            eventually(lambda: bool(slack.sockets))
            slack.socket_send(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": {
                        "token": "t",
                        "team_id": slack.team_id,
                        "team_domain": "samskab-test",
                        "channel_id": CHANNEL,
                        "channel_name": "odder",
                        "user_id": "U0ANNA",
                        "user_name": "anna",
                        "command": "/samskab",
                        "text": "hjælp",
                        "api_app_id": "A0001",
                        "response_url": slack.response_url("socket"),
                        "trigger_id": "1.2.abc",
                    },
                }
            )
            eventually(lambda: any(a.get("envelope_id") == "env-1" for a in slack.socket_acks))
            slack.wait_for(lambda s: bool(s.responses["socket"]))
            answer = slack.responses["socket"][0]
            assert answer["response_type"] == "ephemeral"
            assert "/samskab status: hvor er vi i forløbet?" in text_of(answer)
        finally:
            loop.call_soon_threadsafe(task.cancel)
            thread.join(10)
            loop.close()


def _until_cancelled(loop: asyncio.AbstractEventLoop, task: asyncio.Task[None]) -> None:
    with contextlib.suppress(asyncio.CancelledError):  # stopping the bot is the test's last step
        loop.run_until_complete(task)
