"""A fake Slack Web API on 127.0.0.1, port 0, served by aiohttp from a background thread.

It parses every way slack_sdk sends a method: JSON bodies (chat.*, views.*), query strings (the
GET methods, and auth.test / conversations.open, which AsyncWebClient POSTs with their arguments
in the query string) and form bodies (other clients). Responses mirror Slack's documented shapes
and error codes; ``fail()`` injects rate limits, outages and API errors, and ``rate_limit()``
enforces Slack's per-channel and workspace-wide limits on a method as token buckets.
``SlackWorkspace`` is Slack's behaviour without HTTP; ``FakeSlack`` serves it and records every call.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web

from tests.fakes.http_server import ThreadedServer
from tests.fakes.slack_canvases import Canvas, CanvasError, CanvasStore
from tests.fakes.slack_payloads import API_APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID
from tests.waiting import eventually, eventually_async

Params = dict[str, Any]
# Fields Slack documents as "a JSON-based array ... presented as a URL-encoded string".
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "files"})


@dataclass
class Call:
    method: str
    params: Params
    headers: dict[str, str]
    failed: bool = False


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None
    times: int
    when: Callable[[Params], bool] | None
    content_type: str = "text/html"

    def matches(self, params: Params) -> bool:
        return self.times > 0 and (self.when is None or self.when(params))


class _Bucket:
    """A token bucket: `burst` calls at once, then `rate` calls a second."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, max(1.0, burst)
        self.tokens, self.updated = self.burst, time.monotonic()

    def wait(self, now: float) -> float:
        """Seconds until a call may go; 0 when one may go now."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class _RateLimit:
    """Slack's limits on one method: per channel (chat.postMessage: about one a second, short
    bursts allowed) and for the whole workspace (a number Slack does not publish)."""

    per_channel: tuple[float, float] | None  # (calls a second, burst)
    workspace: _Bucket | None
    channels: dict[str, _Bucket]

    def admit(self, channel: str | None, now: float) -> int | None:
        """None when the call may go (its tokens are taken); else Retry-After in whole seconds."""
        buckets = [self.workspace] if self.workspace is not None else []
        if self.per_channel is not None and channel:
            rate, burst = self.per_channel
            buckets.append(self.channels.setdefault(channel, _Bucket(rate, burst)))
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None


class _ApiError(Exception):
    """Raised inside a method handler to answer HTTP 200 ``{"ok": false, "error": ...}``."""


def _truthy(value: Any) -> bool:
    # slack_sdk turns bools into "1"/"0" for query strings; JSON bodies keep true/false.
    return value in (True, 1, "1", "true", "True")


def _decode(key: str, value: Any) -> Any:
    if key in JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read_params(request: web.Request) -> Params:
    params: Params = {k: _decode(k, v) for k, v in request.query.items()}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            form = await request.post()
            params.update({k: _decode(k, v) for k, v in form.items() if isinstance(v, str)})
    return params


def _auth_error(headers: Mapping[str, str], params: Params) -> str | None:
    auth = headers.get("Authorization", "")
    token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
    if not token:
        return "not_authed"
    return None if str(token).startswith(("xox", "xapp-")) else "invalid_auth"


def _failure_response(failure: _Failure) -> web.Response:
    headers = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
    if failure.status >= 500:
        # A 5xx from Slack's edge need not be JSON; an HTML page makes clients prove they cope.
        text = f"<html><body><h1>{failure.status} Service Unavailable</h1></body></html>"
        if failure.content_type == "text/plain":
            text = f"{failure.status} Service Unavailable"
        return web.Response(
            status=failure.status, text=text, content_type=failure.content_type, headers=headers
        )
    body = {"ok": False, "error": failure.error}
    return web.json_response(body, status=failure.status, headers=headers)


class SlackWorkspace:
    """Users, channels, messages and views, and the Web API methods that act on them."""

    def __init__(self, *, team_id: str, bot_user_id: str, page_size: int) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = BOT_ID
        self.page_size = page_size  # small by default so callers must follow cursors
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, dict[str, Any]] = {}  # files.getUploadURLExternal, by file id
        self.files: list[dict[str, Any]] = []  # files shared by files.completeUploadExternal
        self.sockets: list[Any] = []  # Socket Mode connections from the app
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering
        self.socket_acks: list[dict[str, Any]] = []
        self.upload_base = ""
        self._lock = threading.RLock()
        self._users: dict[str, dict[str, Any]] = {}
        self._members: dict[str, list[str]] = {}
        self._history: dict[str, list[list[dict[str, Any]]]] = {}  # channel -> versions per message
        self._dms: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.canvases = CanvasStore()  # each channel's canvas, as sections
        self.add_user(bot_user_id, "samskab", real_name="Samskab", is_bot=True, locale="en-US")

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str = "",
        locale: str = "da-DK",
        tz: str = "Europe/Copenhagen",
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        real = real_name or name
        profile = {"real_name": real, "real_name_normalized": real, "display_name": display_name}
        profile |= {"display_name_normalized": display_name, "team": self.team_id}
        user = {"id": user_id, "team_id": self.team_id, "name": name, "deleted": deleted}
        user |= {"real_name": real, "tz": tz, "is_bot": is_bot, "is_app_user": False}
        user |= {"is_admin": False, "updated": 1700000000, "locale": locale, "profile": profile}
        with self._lock:
            self._users[user_id] = user

    def add_channel(self, channel_id: str, members: list[str] | None = None) -> None:
        with self._lock:
            self._members[channel_id] = list(members or [])
            self._history.setdefault(channel_id, [])

    def messages(self, channel: str | None) -> list[dict[str, Any]]:
        """Latest version of every message in ``channel`` (thread replies too), oldest first;
        none in a DM not opened yet (``dm_channel_of`` gives None)."""
        if channel is None:
            return []
        with self._lock:
            return [dict(versions[-1]) for versions in self._history.get(channel, [])]

    def dm_channel_of(self, user_id: str) -> str | None:
        with self._lock:
            return self._dms.get(user_id)

    def handle(self, method: str, params: Params) -> Params:
        """Slack's reply to ``method`` (without ``ok``); raises _ApiError for ok:false replies."""
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            raise _ApiError("unknown_method")
        with self._lock:
            reply: Params = handler(params)
            return reply

    # -- shared by the methods ------------------------------------------------------------
    def _next_ts(self) -> str:
        micros = next(self._ts) * 100
        return f"{1700000000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _open_dm(self, user_id: str) -> str:
        dm = self._dms.setdefault(user_id, f"D{user_id[1:]}")
        self._members.setdefault(dm, [user_id, self.bot_user_id])
        self._history.setdefault(dm, [])
        return dm

    def _resolve(self, channel: Any) -> str:
        # chat.postMessage accepts a user id and posts into the app's DM with that user (the
        # Messages tab of the App Home), answering with the D… id as `channel`.
        if isinstance(channel, str) and channel[:1] in ("U", "W") and channel in self._users:
            return self._open_dm(channel)
        if isinstance(channel, str) and channel in self._history:
            return channel
        raise _ApiError("channel_not_found")

    def _versions(self, channel: Any, ts: Any) -> list[dict[str, Any]]:
        if channel not in self._history:
            raise _ApiError("channel_not_found")
        for versions in self._history[channel]:
            if versions[0]["ts"] == ts:
                return versions
        raise _ApiError("message_not_found")

    def _page(self, items: list[Any], p: Params, key: str, default: int) -> Params:
        try:  # Slack's cursors are opaque base64 strings; ours encode an offset
            start = int(base64.b64decode(p["cursor"]).decode()[5:]) if p.get("cursor") else 0
        except ValueError as exc:
            raise _ApiError("invalid_cursor") from exc
        # Slack may return fewer than `limit`; the fake always does, so callers must follow cursors.
        end = start + min(int(p.get("limit") or default), self.page_size)
        cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
        return {key: items[start:end], "response_metadata": {"next_cursor": cursor}}

    def _store_view(self, p: Params, view_id: str | None = None, **extra: Any) -> Params:
        if not isinstance(p.get("view"), dict):
            raise _ApiError("invalid_arguments")
        view_id = view_id or f"V{next(self._ids):08d}"
        view: Params = {"id": view_id, "team_id": self.team_id, "type": "modal", "blocks": []}
        view |= {"private_metadata": "", "callback_id": "", "state": {"values": {}}}
        view |= {"root_view_id": view_id, "app_id": API_APP_ID, "bot_id": self.bot_id}
        view |= extra | p["view"]
        view |= {"id": view_id, "hash": f"{int(time.time())}.{next(self._ids):08d}"}
        self.views[view_id] = view
        return {"view": view}

    # -- Web API methods, found by name: chat.postMessage -> _api_chat_postMessage ---------------
    def _api_auth_test(self, p: Params) -> Params:
        url, team = f"https://{TEAM_DOMAIN}.slack.com/", "Samskab Test"
        ids = {"team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id}
        return {"url": url, "team": team, "user": "samskab", **ids, "is_enterprise_install": False}

    def _api_chat_postMessage(self, p: Params) -> Params:
        channel = self._resolve(p.get("channel"))
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            raise _ApiError("no_text")
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id}
        message |= {"app_id": API_APP_ID, "text": p.get("text", ""), "ts": self._next_ts()}
        message |= {k: p[k] for k in ("blocks", "attachments", "thread_ts", "metadata") if k in p}
        self._history[channel].append([message])
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _api_chat_update(self, p: Params) -> Params:
        versions = self._versions(p.get("channel"), p.get("ts"))
        message = {**versions[-1], "edited": {"user": self.bot_user_id, "ts": self._next_ts()}}
        message |= {k: p[k] for k in ("text", "blocks", "attachments", "metadata") if k in p}
        versions.append(message)
        return {"channel": p["channel"], "ts": p["ts"], "text": message["text"], "message": message}

    def _api_chat_postEphemeral(self, p: Params) -> Params:
        channel = self._resolve(p.get("channel"))
        if p.get("user") not in self._members.get(channel, []):
            raise _ApiError("user_not_in_channel")
        return {"message_ts": self._next_ts()}

    def _api_chat_getPermalink(self, p: Params) -> Params:
        channel, ts = p.get("channel"), str(p.get("message_ts"))
        self._versions(channel, ts)
        url = f"https://fake.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": url}

    def _api_conversations_open(self, p: Params) -> Params:
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if not users:
            if p.get("channel") in self._dms.values():
                return {"channel": {"id": p["channel"]}}
            raise _ApiError("channel_not_found" if p.get("channel") else "users_list_not_supplied")
        if len(users) > 1:
            raise _ApiError("fake_slack_supports_only_one_to_one_dms")
        if users[0] not in self._users:
            raise _ApiError("user_not_found")
        if self._users[users[0]]["deleted"]:
            raise _ApiError("user_disabled")  # as documented for conversations.open
        return {"channel": {"id": self._open_dm(users[0])}}

    def _api_conversations_members(self, p: Params) -> Params:
        if p.get("channel") not in self._members:
            raise _ApiError("channel_not_found")
        return self._page(list(self._members[p["channel"]]), p, "members", self.page_size)

    def _api_conversations_history(self, p: Params) -> Params:
        if p.get("channel") not in self._history:
            raise _ApiError("channel_not_found")
        inclusive = _truthy(p.get("inclusive"))
        oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")
        found = []
        for versions in reversed(self._history[p["channel"]]):
            message, ts = dict(versions[-1]), float(versions[-1]["ts"])
            if message.get("thread_ts", message["ts"]) != message["ts"]:
                continue  # thread replies are served by conversations.replies, not history
            if (oldest <= ts <= latest) if inclusive else (oldest < ts < latest):
                if not _truthy(p.get("include_all_metadata")):
                    message.pop("metadata", None)
                found.append(message)
        reply = self._page(found, p, "messages", 100)
        return reply | {"has_more": bool(reply["response_metadata"]["next_cursor"]), "pin_count": 0}

    def _api_conversations_replies(self, p: Params) -> Params:
        if p.get("channel") not in self._history:
            raise _ApiError("channel_not_found")
        thread = [
            dict(versions[-1])
            for versions in self._history[p["channel"]]
            if versions[-1]["ts"] == p.get("ts") or versions[-1].get("thread_ts") == p.get("ts")
        ]
        if not thread:
            raise _ApiError("thread_not_found")
        if not _truthy(p.get("include_all_metadata")):
            for message in thread:
                message.pop("metadata", None)
        reply = self._page(thread, p, "messages", 100)
        return reply | {"has_more": bool(reply["response_metadata"]["next_cursor"])}

    def _api_users_info(self, p: Params) -> Params:
        if p.get("user") not in self._users:
            raise _ApiError("user_not_found")
        user = dict(self._users[p["user"]])
        if not _truthy(p.get("include_locale")):
            user.pop("locale")
        return {"user": user}

    def _api_users_list(self, p: Params) -> Params:
        # Everyone in the workspace, deactivated people and bots too, as Slack lists them.
        users = [dict(u) for u in self._users.values()]
        if not _truthy(p.get("include_locale")):
            for user in users:
                user.pop("locale")
        return self._page(users, p, "members", 100) | {"cache_ts": int(time.time())}

    def _api_views_open(self, p: Params) -> Params:
        return self._store_view(p)

    def _api_views_push(self, p: Params) -> Params:
        return self._store_view(p)

    def _api_views_update(self, p: Params) -> Params:
        view_id = p.get("view_id")
        if not view_id and p.get("external_id"):
            found = [
                v["id"] for v in self.views.values() if v.get("external_id") == p["external_id"]
            ]
            view_id = found[0] if found else None
        if view_id not in self.views:
            raise _ApiError("not_found")
        if p.get("hash") and p["hash"] != self.views[view_id]["hash"]:
            raise _ApiError("hash_conflict")
        return self._store_view(p, view_id)

    def _api_apps_connections_open(self, p: Params) -> Params:
        # Socket Mode: the app asks for a WebSocket URL with its app-level (xapp-) token.
        return {"url": f"{self.upload_base.replace('http', 'ws', 1)}/socket"}

    def _api_conversations_join(self, p: Params) -> Params:
        if p.get("channel") not in self._members:
            raise _ApiError("channel_not_found")
        if self.bot_user_id not in self._members[p["channel"]]:
            self._members[p["channel"]].append(self.bot_user_id)
        return {"channel": {"id": p["channel"]}}

    def _api_files_getUploadURLExternal(self, p: Params) -> Params:
        file_id = f"F{next(self._ids):08d}"
        self.uploads[file_id] = {"id": file_id, "filename": p.get("filename"), "content": b""}
        return {"upload_url": f"{self.upload_base}/upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, p: Params) -> Params:
        shared = []
        for entry in p.get("files") or []:
            if entry.get("id") not in self.uploads:
                raise _ApiError("file_not_found")
            upload = self.uploads[entry["id"]] | {"title": entry.get("title")}
            upload["channel_id"] = p.get("channel_id")
            self.files.append(upload)
            shared.append({"id": upload["id"], "title": upload["title"]})
        return {"files": shared}

    def _api_views_publish(self, p: Params) -> Params:
        if p.get("user_id") not in self._users:
            raise _ApiError("user_not_found")
        reply = self._store_view(p, type="home")
        self.home_views[p["user_id"]] = reply["view"]
        return reply

    # -- canvases (tests/fakes/slack_canvases.py keeps them) --------------------------------------
    def canvas_in(self, channel_id: str) -> Canvas | None:
        """The channel's canvas as it reads now, or None."""
        with self._lock:
            return self.canvases.of_channel(channel_id)

    def refuse_canvases(self, error: str | None) -> None:
        """From now on every canvas method answers ``error`` (as a workspace whose plan or
        settings allow no canvases does); None allows them again."""
        with self._lock:
            self.canvases.refusal = error

    def person_adds_to_canvas(self, channel_id: str, markdown: str) -> None:
        """Someone in the channel writes their own part at the end of its canvas."""
        with self._lock:
            canvas = self.canvases.of_channel(channel_id)
            assert canvas is not None, "the channel has no canvas"
            content = {"type": "markdown", "markdown": markdown}
            self.canvases.edit(
                canvas.id, [{"operation": "insert_at_end", "document_content": content}]
            )

    def person_makes_canvas(self, channel_id: str, markdown: str, title: str) -> None:
        """Someone in the channel makes its canvas, before the bot does."""
        with self._lock:
            self.canvases.create(channel_id, {"type": "markdown", "markdown": markdown}, title)

    def person_deletes_canvas(self, channel_id: str) -> None:
        """Someone deletes the channel's canvas."""
        with self._lock:
            canvas_id = self.canvases.by_channel.pop(channel_id)
            del self.canvases.by_id[canvas_id]

    def _api_conversations_canvases_create(self, p: Params) -> Params:
        channel = p.get("channel_id")
        if channel not in self._history:
            raise _ApiError("channel_not_found")
        try:
            canvas = self.canvases.create(
                str(channel), p.get("document_content"), str(p.get("title") or "")
            )
        except CanvasError as error:
            raise _ApiError(str(error)) from None
        return {"canvas_id": canvas.id}

    def _api_conversations_info(self, p: Params) -> Params:
        channel = p.get("channel")
        if channel not in self._history:
            raise _ApiError("channel_not_found")
        info: Params = {"id": channel, "is_channel": str(channel).startswith("C")}
        canvas = self.canvases.of_channel(str(channel))
        if canvas is not None:  # where Slack says which canvas is the channel's
            info["properties"] = {"canvas": {"file_id": canvas.id, "is_empty": not canvas.sections}}
        return {"channel": info}

    def _api_canvases_sections_lookup(self, p: Params) -> Params:
        try:
            ids = self.canvases.lookup(p.get("canvas_id"), p.get("criteria"))
        except CanvasError as error:
            raise _ApiError(str(error)) from None
        return {"sections": [{"id": section_id} for section_id in ids]}

    def _api_canvases_edit(self, p: Params) -> Params:
        try:
            self.canvases.edit(p.get("canvas_id"), p.get("changes"))
        except CanvasError as error:
            raise _ApiError(str(error)) from None
        return {}


class FakeSlack(SlackWorkspace, ThreadedServer):
    """``with FakeSlack() as slack:`` then point ``AsyncWebClient(base_url=slack.api_url)`` at it."""

    def __init__(
        self, *, team_id: str = TEAM_ID, bot_user_id: str = BOT_USER_ID, page_size: int = 2
    ) -> None:
        SlackWorkspace.__init__(self, team_id=team_id, bot_user_id=bot_user_id, page_size=page_size)
        ThreadedServer.__init__(self)
        self._calls: list[Call] = []
        self._responses: defaultdict[str, list[Any]] = defaultdict(list)
        self._failures: defaultdict[str, list[_Failure]] = defaultdict(list)
        self._limits: dict[str, _RateLimit] = {}
        self._rate_limited: Counter[str] = Counter()

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._serve_api)
        app.router.add_post("/response/{name}", self._serve_response_url)
        app.router.add_post("/upload/{file_id}", self._serve_upload)
        app.router.add_get("/socket", self._serve_socket)
        return app

    def __enter__(self) -> Self:
        super().__enter__()
        self.upload_base = self.base_url
        return self

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/response/{name}"

    def fail(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        when: Callable[[Params], bool] | None = None,
        content_type: str = "text/html",
    ) -> None:
        """Answer the next ``times`` matching calls with a failure instead of the real reply.

        ``retry_after`` gives HTTP 429 + Retry-After + error "ratelimited"; ``status`` >= 500
        gives an outage page (HTML, or plain text with ``content_type="text/plain"``, with
        Retry-After when given); otherwise HTTP ``status`` with ``{"ok": false, "error"}``.
        """
        if retry_after is not None and status < 500:
            error, status = "ratelimited", (429 if status == 200 else status)
        failure = _Failure(error, status, retry_after, times, when, content_type)
        with self._lock:
            self._failures[method].append(failure)

    def rate_limit(
        self,
        method: str = "chat.postMessage",
        *,
        per_channel_per_second: float | None = None,
        per_channel_burst: float = 1,
        workspace_per_second: float | None = None,
        workspace_burst: float | None = None,
    ) -> None:
        """From now on, answer calls of ``method`` beyond these rates as Slack does: HTTP 429,
        ``Retry-After`` in whole seconds (rounded up) and ``{"ok": false, "error":
        "ratelimited"}``; nothing is stored. Token buckets, full at the start; the workspace's
        burst defaults to one second's worth. Calling it again starts afresh."""
        workspace = None
        if workspace_per_second is not None:
            burst = workspace_per_second if workspace_burst is None else workspace_burst
            workspace = _Bucket(workspace_per_second, burst)
        per_channel = None
        if per_channel_per_second is not None:
            per_channel = (per_channel_per_second, per_channel_burst)
        with self._lock:
            self._limits[method] = _RateLimit(per_channel, workspace, {})

    def rate_limited(self, method: str) -> int:
        """How many calls of ``method`` the limits of :meth:`rate_limit` have answered 429."""
        with self._lock:
            return self._rate_limited[method]

    def _admit(self, method: str, params: Params) -> int | None:
        limit = self._limits.get(method)
        if limit is None:
            return None
        channel = params.get("channel")
        if isinstance(channel, str) and channel[:1] in ("U", "W"):
            channel = self._dms.get(channel, channel)  # a DM by user id counts against the D…
        retry_after = limit.admit(channel if isinstance(channel, str) else None, time.monotonic())
        if retry_after is not None:
            self._rate_limited[method] += 1
        return retry_after

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    @property
    def responses(self) -> defaultdict[str, list[Any]]:
        """What was POSTed to each ``response_url(name)``, by name."""
        with self._lock:
            return defaultdict(list, {k: list(v) for k, v in self._responses.items()})

    def dump(self) -> str:
        lines = [
            f"  {i}. {c.method}{' [FAILED]' if c.failed else ''} {json.dumps(c.params)[:300]}"
            for i, c in enumerate(self.calls, 1)
        ]
        return "\n".join(lines) or "  (no calls)"

    def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 10.0) -> None:
        """Waits until ``predicate(self)``; on giving up, the message lists every call seen."""
        eventually(lambda: predicate(self), timeout, explain=self._calls_seen)

    async def wait_for_async(
        self, predicate: Callable[[FakeSlack], bool], timeout: float = 10.0
    ) -> None:
        """As :meth:`wait_for`, but yields to the caller's event loop (where the app may run)."""
        await eventually_async(lambda: predicate(self), timeout, explain=self._calls_seen)

    def _calls_seen(self) -> str:
        return f"Slack calls:\n{self.dump()}"

    async def _serve_api(self, request: web.Request) -> web.Response:
        method, params = request.match_info["method"], await _read_params(request)
        with self._lock:
            failure = next((f for f in self._failures[method] if f.matches(params)), None)
            if failure is not None:
                failure.times -= 1
            retry_after = None if failure is not None else self._admit(method, params)
            refused = failure is not None or retry_after is not None
            self._calls.append(Call(method, params, dict(request.headers), refused))
        if failure is not None:
            return _failure_response(failure)
        if retry_after is not None:
            body = {"ok": False, "error": "ratelimited"}
            return web.json_response(body, status=429, headers={"Retry-After": str(retry_after)})
        try:
            error = _auth_error(request.headers, params)
            if error is None:
                reply = self.handle(method, params)
                # Done at Slack, answered late: what a client sees when it dies mid-call.
                await asyncio.sleep(self.delays.get(method, 0.0))
                return web.json_response({"ok": True, **reply})
        except _ApiError as api_error:
            error = str(api_error)
        return web.json_response({"ok": False, "error": error})

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            body: Any = await request.json()
        else:
            body = {k: _decode(k, v) for k, v in (await request.post()).items()}
        await asyncio.sleep(self.delays.get("response_url", 0.0))  # noted only once answered
        with self._lock:
            self._responses[request.match_info["name"]].append(body)
        return web.json_response({"ok": True})

    async def _serve_upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        with self._lock:
            upload = self.uploads.get(request.match_info["file_id"])
            if upload is None:
                return web.Response(status=404, text="no such upload")
            upload["content"] = body
        return web.Response(text=f"OK - {len(body)}")

    # -- Socket Mode: Slack's side of the WebSocket ---------------------------------------------
    async def _serve_socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": API_APP_ID}}
        )
        async for frame in socket:
            if frame.type == web.WSMsgType.TEXT:
                with self._lock:
                    self.socket_acks.append(json.loads(frame.data))
        self.sockets.remove(socket)
        return socket

    def socket_send(self, envelope: dict[str, Any]) -> None:
        """Pushes an envelope (a slash command, an interaction, an event) to the connected app."""
        assert self.sockets, "no app is connected over Socket Mode"
        self.run_in_loop(self.sockets[-1].send_json(envelope))
