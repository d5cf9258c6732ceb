"""Our real ASGI app over real HTTP, against a fake Bot Framework (connector, token endpoint,
OpenID metadata and JWKS), with activities signed by the fake's key as Teams signs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from bot.server import build_app
from bot.settings import Settings
from handlers.context import Deps
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.fakes.botframework import FakeBotFramework
from tests.fakes.teams_activities import TeamsUser
from tests.servers import serve
from tests.waiting import eventually

APP_ID = "app-123"


class TeamsHarness:
    def __init__(self, bf: FakeBotFramework, base_url: str, app: Any) -> None:
        self.bf = bf
        self.url = base_url + "/api/messages"
        self.http = httpx.Client(timeout=15)
        self.app = app  # what build_app made

    def post(self, activity: dict[str, Any], **sign: Any) -> httpx.Response:
        """POSTs an activity as the Bot Framework does, then waits for the work the bot does
        after answering (it answers first), so that its replies are there to read."""
        response = self.http.post(
            self.url, json=activity, headers=self.bf.sign_activity(activity, **sign)
        )
        self.finished()
        return response

    def finished(self) -> None:
        """Waits until the app has no work left that it started after answering."""
        eventually(lambda: self.app.state.in_flight() == 0)

    def say(self, user: TeamsUser, text: str) -> dict[str, Any]:
        """@Samskab <text> in the channel; returns the activity sent."""
        activity = teams.channel_message(
            text, user=user, service_url=self.bf.service_url, bot_app_id=APP_ID
        )
        assert self.post(activity).status_code == 200
        return activity

    def replies_to(self, activity: dict[str, Any]) -> list[dict[str, Any]]:
        """What the bot answered to an activity (a reply in its thread or chat)."""
        return [
            a
            for a in self.bf.activities(activity["conversation"]["id"])
            if a.get("replyToId") == activity["id"]
        ]

    def submit(
        self,
        user: TeamsUser,
        card_activity: dict[str, Any],
        conversation_id: str,
        answers: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Presses a card's submit button as a person who changed only `answers`."""
        value = fill(card_of(card_activity), answers or {})
        activity = teams.card_submit(
            value,
            user=user,
            conversation_id=conversation_id,
            reply_to_id=card_activity["id"],
            service_url=self.bf.service_url,
            bot_app_id=APP_ID,
        )
        response = self.post(activity)
        assert response.status_code == 200, response.text
        return response

    def hold_workshop(self, facilitator: TeamsUser, clock: Clock, summary: dict[str, Any]) -> str:
        """Plans "Ny visitationsmodel" for Wednesday 25 November 13:00 on its card, moves the
        clock to that afternoon and posts its summary with `summary`'s answers. Returns the
        channel's conversation id."""
        asked = self.say(facilitator, "workshop")
        conversation: str = asked["conversation"]["id"]
        self.submit(
            facilitator,
            self.replies_to(asked)[0],
            conversation,
            {"title": "Ny visitationsmodel", "starts_at": "2026-11-25T13:00"},
        )
        clock.set(clock.now.replace(day=25, hour=16))
        asked = self.say(facilitator, "referat")
        self.submit(facilitator, self.replies_to(asked)[0], conversation, summary)
        return conversation

    def press(
        self, user: TeamsUser, card_activity: dict[str, Any], conversation_id: str, action_id: str
    ) -> dict[str, Any]:
        data = next(
            a["data"]
            for a in actions_of(card_of(card_activity))
            if (a.get("data") or {}).get("action_id") == action_id
        )
        activity = teams.card_submit(
            data,
            user=user,
            conversation_id=conversation_id,
            reply_to_id=card_activity["id"],
            service_url=self.bf.service_url,
            bot_app_id=APP_ID,
        )
        assert self.post(activity).status_code == 200
        return activity


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    return dict(activity["attachments"][0]["content"])


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions", []))
    for element in _elements(card.get("body", [])):
        if element.get("type") == "ActionSet":
            found += element.get("actions", [])
    return found


def _elements(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        for key in ("items", "columns", "body"):
            if isinstance(item.get(key), list):
                yield from _elements(item[key])


def text_of(activity: dict[str, Any]) -> str:
    """Everything a person reads in an activity: its texts and its card's texts."""
    import json

    return json.dumps(activity, ensure_ascii=False)


def fill(card: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The `value` Teams sends for a submit: the button's data merged with every input's value
    (as shown, or as the person changed it). A multi-select arrives comma-separated."""
    submit = next(a for a in actions_of(card) if a.get("type") == "Action.Submit")
    value = dict(submit.get("data") or {})
    for element in _elements(card.get("body", [])):
        if not str(element.get("type", "")).startswith("Input."):
            continue
        field, _, part = element["id"].partition("__")
        answer = answers.get(field)
        if part and isinstance(answer, str):
            answer = answer.split("T")[0 if part == "date" else 1]
        if isinstance(answer, list):
            answer = ",".join(answer)
        shown = element.get("value")
        chosen = answer if answer is not None else shown
        if chosen not in (None, ""):
            value[element["id"]] = chosen
    return value


@contextmanager
def teams_bot(
    deps: Deps,
    members: list[TeamsUser],
    *,
    tenant_id: str | None = None,
    more_settings: dict[str, Any] | None = None,
) -> Iterator[TeamsHarness]:
    """A team with `members` in its channel, the bot installed there, and our app serving.
    With `tenant_id`, a single-tenant bot of that tenant (and settings that say so);
    `more_settings` are further Settings fields (such as a fake's address).
    The bot fetches the signing keys again at most once a minute of `deps.clock`."""
    with FakeBotFramework(app_id=APP_ID, app_password="secret", tenant_id=tenant_id) as bf:
        bf.add_channel(teams.CHANNEL_ID, members=members)
        bf.add_channel(teams.TEAM_ID, members=members)
        settings = Settings(
            database_url=deps.db.url,
            teams_app_id=APP_ID,
            teams_app_password="secret",
            teams_openid_metadata_url=bf.openid_metadata_url,
            teams_token_url=bf.tenant_token_url(tenant_id) if tenant_id else bf.token_url,
            teams_tenant_id=tenant_id,
            language=deps.language,
            timezone=deps.timezone,
            **(more_settings or {}),
        )
        app = build_app(settings, deps, worker_interval=0.05)
        with serve(app) as base_url:
            harness = TeamsHarness(bf, base_url, app)
            installed = teams.conversation_update_members_added(
                [], by=members[0], bot_added=True, service_url=bf.service_url, bot_app_id=APP_ID
            )
            assert harness.post(installed).status_code == 200
            yield harness
