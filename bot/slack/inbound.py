"""What may reach slack-bolt over HTTP: a request whose signature we verified, whose body parses,
and whose fields have the types our listeners read. Checked here, before bolt, because bolt hands
a request it could not verify or parse to the error handler with the unverified body, and logs
the body whole."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import Response

from bot.bodies import Refusal, read_limited

log = logging.getLogger(__name__)

# Slack's payloads are a few KB; a view submission carries its whole modal (at most 100 blocks).
MAX_BODY = 1_000_000
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def slack_route(handler: AsyncSlackRequestHandler, signing_secret: str) -> Any:
    """`POST /slack/events`: checked here, then bolt."""

    async def slack_events(request: Request) -> Response:
        body = await read_limited(request, MAX_BODY)
        refusal = (
            Refusal(413, "the body is too large")
            if body is None
            else check_request(request.headers, body, signing_secret)
        )
        if refusal is None:
            return await handler.handle(request)
        verb = "ignored" if refusal.status == 200 else "refused"
        log.info("%s a Slack request (%d): %s", verb, refusal.status, refusal.reason)
        return Response(status_code=refusal.status)

    return slack_events


def check_request(headers: Mapping[str, str], body: bytes, signing_secret: str) -> Refusal | None:
    """None for a request bolt may handle; else what to answer and why. A request that is not
    Slack's gets 401 before anything in it is read; one that is but does not parse gets 400."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not signature.startswith("v0="):
        return Refusal(401, "no valid signature headers")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "the body is not UTF-8")  # Slack's always is; nothing is read
    if not SignatureVerifier(signing_secret).is_valid(text, timestamp, signature):
        return Refusal(401, "the signature does not match, or the timestamp is too old")
    try:
        parsed = parse_body(text, headers.get("content-type"))
    except (ValueError, RecursionError) as error:
        return Refusal(400, f"the body does not parse ({type(error).__name__})")
    if not isinstance(parsed, dict):
        return Refusal(400, "the body is not an object")
    reason = meaningless(parsed)
    return Refusal(200, reason) if reason else None


def meaningless(body: dict[str, Any]) -> str | None:
    """Why a verified body cannot be acted on (a field of the wrong type, a missing id), or None.
    Only the shapes we have listeners for are checked; bolt answers the rest itself."""
    shape = _shape_of(body)
    if shape is None:
        return None
    try:
        shape.validate_python(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{first['type']} at {where or 'the top'}"
    except RecursionError:
        return "too deeply nested"
    return None


# --- the shapes our listeners read --------------------------------------------------------------


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Command(_Shape):
    command: str
    team_id: str
    user_id: str
    channel_id: str
    text: str = ""
    user_name: str = ""
    channel_name: str = ""
    trigger_id: str = ""
    response_url: str = ""


class _Id(_Shape):
    id: str


class _User(_Id):
    name: str = ""
    team_id: str = ""


class _Action(_Shape):
    action_id: str
    value: str | None = None  # Slack leaves it out for a button without one


class _BlockActions(_Shape):
    type: Literal["block_actions"]
    user: _User
    team: _Id | None = None
    actions: list[_Action] = Field(min_length=1)
    channel: _Id | None = None
    response_url: str | None = None
    trigger_id: str | None = None


class _ViewState(_Shape):
    values: dict[str, dict[str, dict[str, Any]]]


class _View(_Shape):
    id: str
    callback_id: str
    private_metadata: str = ""
    state: _ViewState
    blocks: list[dict[str, Any]] = []
    title: dict[str, Any] | None = None


class _ViewSubmission(_Shape):
    type: Literal["view_submission"]
    user: _User
    team: _Id | None = None
    view: _View


class _MembershipEvent(_Shape):
    type: Literal["member_joined_channel", "member_left_channel"]
    user: str
    channel: str
    team: str = ""


class _HomeEvent(_Shape):
    type: Literal["app_home_opened"]
    user: str
    tab: str = "home"


class _OtherEvent(_Shape):
    type: str


class _EventCallback(_Shape):
    type: Literal["event_callback"]
    event_id: str
    team_id: str = ""
    event: dict[str, Any]


_EVENTS: dict[str, TypeAdapter[Any]] = {
    "member_joined_channel": TypeAdapter(_MembershipEvent),
    "member_left_channel": TypeAdapter(_MembershipEvent),
    "app_home_opened": TypeAdapter(_HomeEvent),
}


class _EventShape:
    """The wrapper first, then the event by its own type."""

    wrapper = TypeAdapter(_EventCallback)
    other = TypeAdapter(_OtherEvent)

    def validate_python(self, body: dict[str, Any]) -> None:
        self.wrapper.validate_python(body)
        event = body["event"]
        _EVENTS.get(str(event.get("type")), self.other).validate_python(event)


_SHAPES: dict[str, Any] = {
    "command": TypeAdapter(_Command),
    "block_actions": TypeAdapter(_BlockActions),
    "view_submission": TypeAdapter(_ViewSubmission),
    "event_callback": _EventShape(),
}


def _shape_of(body: dict[str, Any]) -> Any:
    if "command" in body:
        return _SHAPES["command"]
    kind = body.get("type")
    return _SHAPES.get(kind) if isinstance(kind, str) else None
