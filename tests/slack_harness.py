"""Our real ASGI app, served over HTTP on an ephemeral port, against a fake Slack: requests signed
as Slack signs them, answers read from what reached the fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx

from bot.server import build_app
from bot.settings import Settings
from handlers.context import Deps
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_api import FakeSlack
from tests.servers import serve

SECRET = "test-signing-secret"
TEAM = payloads.TEAM_ID
CHANNEL = "C0ODDER"


class SlackHarness:
    def __init__(self, slack: FakeSlack, base_url: str) -> None:
        self.slack = slack
        self.url = base_url + "/slack/events"
        self.http = httpx.Client(timeout=10)
        self._responses = 0

    # --- sending what Slack sends ------------------------------------------------------------

    def post(self, body: str, content_type: str, **extra_headers: str) -> httpx.Response:
        headers = payloads.signed_headers(body, content_type, SECRET) | extra_headers
        return self.http.post(self.url, content=body.encode(), headers=headers)

    def command(self, user: str, text: str, channel: str = CHANNEL) -> str:
        """Types `/samskab text`; returns the name of its response_url in the fake."""
        name = self._response_name()
        body, kind = payloads.slash_command(
            text, user_id=user, channel_id=channel, response_url=self.slack.response_url(name)
        )
        assert self.post(body, kind).status_code == 200
        return name

    def click(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        name = self._response_name()
        body, kind = payloads.block_actions(
            action_id,
            value,
            user_id=user,
            channel_id=channel,
            message_ts=message_ts,
            response_url=self.slack.response_url(name),
        )
        assert self.post(body, kind).status_code == 200
        return name

    def submit(
        self,
        user: str,
        view: dict[str, Any],
        answers: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Submits a modal the bot opened, as a person who changed only `answers` (field id →
        value: a string, or a list for people); returns the response action (or {})."""
        state = fill(view, answers or {})
        body, kind = payloads.view_submission(
            view.get("callback_id", ""),
            state,
            user_id=user,
            private_metadata=view.get("private_metadata", ""),
            view_id=view["id"],
            view_hash=view.get("hash", "1700000000.AbCdEf12"),
            blocks=view.get("blocks", []),
        )
        response = self.post(body, kind)
        assert response.status_code == 200, response.text
        return response.json() if response.content else {}

    def event(self, event: dict[str, Any], event_id: str, **headers: str) -> httpx.Response:
        body, kind = payloads.event_callback(event, event_id=event_id)
        return self.post(body, kind, **headers)

    def _response_name(self) -> str:
        self._responses += 1
        return f"r{self._responses}"

    # --- reading what reached Slack -------------------------------------------------------------

    def opened_view(self, count_before: int) -> dict[str, Any]:
        """The modal opened by the views.open that followed `count_before` earlier ones."""
        self.slack.wait_for(lambda s: len(s.calls_to("views.open")) > count_before)
        modals = [v for v in self.slack.views.values() if v.get("type") == "modal"]
        return modals[count_before]

    def open_form(self, user: str, text: str) -> dict[str, Any]:
        before = len(self.slack.calls_to("views.open"))
        self.command(user, text)
        return self.opened_view(before)

    def response(self, name: str) -> dict[str, Any]:
        self.slack.wait_for(lambda s: bool(s.responses[name]))
        return dict(self.slack.responses[name][0])

    def posts(self, channel: str) -> list[dict[str, Any]]:
        return self.slack.messages(channel)

    def dm(self, user: str) -> list[dict[str, Any]]:
        channel = self.slack.dm_channel_of(user)
        return self.slack.messages(channel) if channel else []


def text_of(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: the fallback text and every block's text."""
    text = str(message.get("text", ""))
    return text + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)


def button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element.get("value", ""))
    raise AssertionError(f"no button {action_id} in {message}")


def fill(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """view.state.values as Slack builds it from the modal's inputs, initial values kept."""
    state: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, action_id, kind = block["block_id"], element["action_id"], element["type"]
        field, _, part = block_id.partition("__")
        answer = answers.get(field)
        if part and isinstance(answer, str) and "T" in answer:
            answer = answer.split("T")[0 if part == "date" else 1]
        elif part:
            answer = None
        state[block_id] = {action_id: _element_state(element, kind, answer)}
    return state


def _element_state(element: dict[str, Any], kind: str, answer: Any) -> dict[str, Any]:
    if kind == "plain_text_input":
        return {
            "type": kind,
            "value": answer if answer is not None else element.get("initial_value"),
        }
    if kind == "static_select":
        value = answer if answer is not None else (element.get("initial_option") or {}).get("value")
        option = next((o for o in element.get("options", []) if o["value"] == value), None)
        return {"type": kind, "selected_option": option}
    if kind == "multi_static_select":
        values = (
            answer
            if answer is not None
            else [o["value"] for o in element.get("initial_options", [])]
        )
        return {
            "type": kind,
            "selected_options": [o for o in element.get("options", []) if o["value"] in values],
        }
    if kind == "multi_users_select":
        return {
            "type": kind,
            "selected_users": answer if answer is not None else element.get("initial_users", []),
        }
    if kind == "users_select":
        return {
            "type": kind,
            "selected_user": answer if answer is not None else element.get("initial_user"),
        }
    if kind == "datepicker":
        return {
            "type": kind,
            "selected_date": answer if answer is not None else element.get("initial_date"),
        }
    if kind == "timepicker":
        return {
            "type": kind,
            "selected_time": answer if answer is not None else element.get("initial_time"),
        }
    if kind == "conversations_select":
        return {
            "type": kind,
            "selected_conversation": answer
            if answer is not None
            else element.get("initial_conversation"),
        }
    raise AssertionError(f"no state for element type {kind}")


@contextmanager
def slack_bot(
    deps: Deps,
    users: dict[str, tuple[str, str]],
    channel_members: list[str],
    *,
    page_size: int = 4,
) -> Iterator[SlackHarness]:
    """A fake Slack workspace with `users` (id → (name, locale)) in the channel, and our app;
    `page_size` is the most any page of a list holds (small: callers must follow cursors)."""
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack(page_size=page_size))
        for user_id, (name, locale) in users.items():
            slack.add_user(
                user_id, name.split()[0].lower(), real_name=name, display_name=name, locale=locale
            )
        slack.add_channel(CHANNEL, members=[*channel_members, slack.bot_user_id])
        settings = Settings(
            database_url=deps.db.url,
            slack_bot_token="xoxb-test",
            slack_signing_secret=SECRET,
            slack_api_url=slack.api_url,
            language=deps.language,
            timezone=deps.timezone,
        )
        app = build_app(settings, deps, worker_interval=0.05)
        base_url = stack.enter_context(serve(app))
        yield SlackHarness(slack, base_url)
