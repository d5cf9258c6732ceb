"""What Slack POSTs to an app: request signing and builders for commands, interactions and events.

Shapes follow Slack's docs ("Verifying requests from Slack", slash commands, block_actions and
view_submission payloads, the Events API wrapper) and bolt-python's own scenario tests. Every
builder returns ``(body, content_type)``; sign the exact body string with :func:`sign`.

Default ``response_url`` values point at a closed local port on purpose: a test that forgets to
pass ``slack.response_url(name)`` fails fast instead of ever reaching hooks.slack.com.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0001"
TEAM_DOMAIN = "samskab-test"
API_APP_ID = "A0001"
BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0001"
VERIFICATION_TOKEN = "fake-verification-token"
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response-url-not-set"

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_counter = itertools.count(1)


def sign(body: bytes | str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{raw body}`` keyed by the secret."""
    ts = int(time.time()) if timestamp is None else timestamp
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), b"v0:%d:" % ts + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(
    body: str, content_type: str, secret: str, timestamp: int | None = None
) -> dict[str, str]:
    """Content-Type plus signature headers: everything a test client must send with ``body``."""
    return {"Content-Type": content_type, **sign(body, secret, timestamp)}


def new_trigger_id() -> str:
    """A fresh trigger id in Slack's dotted format (trigger ids are single-use)."""
    n = next(_counter)
    return f"{1000000000 + n}.{2000000000 + n}.{hashlib.sha1(str(n).encode()).hexdigest()[:32]}"


def _event_ts() -> str:
    return f"{time.time():.6f}"


def _channel_name(channel_id: str) -> str:
    # Slack sends these placeholder names for conversations that have none of their own.
    return {"D": "directmessage", "G": "privategroup"}.get(channel_id[:1], "samskab")


def slash_command(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    team_id: str = TEAM_ID,
    command: str = "/samskab",
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    user_name: str | None = None,
    channel_name: str | None = None,
    api_app_id: str = API_APP_ID,
) -> tuple[str, str]:
    """The form-encoded body Slack POSTs for a slash command, fields in Slack's order."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name or _channel_name(channel_id),
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields), FORM


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _interaction(payload: dict[str, Any]) -> tuple[str, str]:
    # Interactions arrive form-encoded with a single field, ``payload``, holding JSON.
    return urlencode({"payload": json.dumps(payload)}), FORM


def block_actions(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str | None = None,
    message_ts: str | None = None,
    container: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    view: dict[str, Any] | None = None,
    block_id: str = "actions",
    button_text: str = "Button",
    message: dict[str, Any] | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> tuple[str, str]:
    """A button click: in a message (``channel_id``/``message_ts``) or in a view (``view``)."""
    if container is None:
        if view is not None:
            container = {"type": "view", "view_id": view.get("id", "V123")}
        else:
            container = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": button_text, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": _event_ts(),
            }
        ],
    }
    if view is not None:
        payload["view"] = view
    else:
        # Only message containers carry a response_url and the message itself.
        payload["response_url"] = response_url
        payload["state"] = {"values": {}}
        payload["message"] = message or {
            "type": "message",
            "ts": message_ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": "",
        }
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
    return _interaction(payload)


def text_input(value: str | None) -> dict[str, Any]:
    """One entry of ``view.state.values[block_id][action_id]`` for a plain_text_input."""
    return {"type": "plain_text_input", "value": value}


def view_submission(
    callback_id: str,
    state_values: dict[str, dict[str, dict[str, Any]]],
    *,
    user_id: str,
    private_metadata: str = "",
    view_id: str = "V123",
    view_hash: str = "1700000000.AbCdEf12",
    blocks: list[dict[str, Any]] | None = None,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> tuple[str, str]:
    """A modal's submit: ``state_values`` is ``{block_id: {action_id: {"type", "value"...}}}``."""
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state_values},
        "hash": view_hash,
        "title": {"type": "plain_text", "text": "Samskab"},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": api_app_id,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return _interaction(payload)


def event_callback(
    event: dict[str, Any],
    *,
    event_id: str,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    event_time: int | None = None,
    bot_user_id: str = BOT_USER_ID,
) -> tuple[str, str]:
    """The Events API wrapper around ``event``, as JSON."""
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{event_id}",
    }
    return json.dumps(body), JSON


def url_verification(challenge: str) -> tuple[str, str]:
    """The handshake Slack sends when a Request URL is saved."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body), JSON


def _membership(kind: str, user: str, channel: str, team: str) -> dict[str, Any]:
    return {
        "type": kind,
        "user": user,
        "channel": channel,
        "channel_type": "G" if channel.startswith("G") else "C",
        "team": team,
        "event_ts": _event_ts(),
    }


def member_joined_channel(
    user: str, channel: str, *, team: str = TEAM_ID, inviter: str | None = None
) -> dict[str, Any]:
    event = _membership("member_joined_channel", user, channel, team)
    if inviter is not None:
        event["inviter"] = inviter
    return event


def member_left_channel(user: str, channel: str, *, team: str = TEAM_ID) -> dict[str, Any]:
    return _membership("member_left_channel", user, channel, team)


def app_home_opened(
    user: str, *, channel: str | None = None, tab: str = "home", view: dict[str, Any] | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel or f"D{user[1:]}",
        "tab": tab,
        "event_ts": _event_ts(),
    }
    if view is not None:
        event["view"] = view
    return event
