"""The Bot Connector REST API over httpx: the bot's own token (client credentials, cached until
shortly before it expires), and sending, replying to, updating activities, creating a 1:1
conversation and reading a conversation's members."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import quote

import httpx

SCOPE = "https://api.botframework.com/.default"
REFRESH_MARGIN = 300  # seconds before expiry a token is renewed
ATTEMPTS = 4  # of a read that may be retried (the roster), on 429 and 5xx
LONGEST_WAIT = 30.0  # seconds: a longer Retry-After is waited out over several attempts

log = logging.getLogger(__name__)


class ConnectorError(Exception):
    def __init__(self, status: int, body: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status}: {body[:200]}")
        self.status = status
        self.body = body
        self.retry_after = retry_after


class BotConnector:
    def __init__(
        self, app_id: str, app_password: str, token_url: str, http: httpx.AsyncClient
    ) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.token_url = token_url
        self.http = http
        self._token: tuple[str, float] | None = None
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is not None and time.monotonic() < self._token[1]:
                return self._token[0]
            response = await self.http.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.app_id,
                    "client_secret": self.app_password,
                    "scope": SCOPE,
                },
                timeout=15,
            )
            _check(response)
            data = response.json()
            expires = time.monotonic() + float(data.get("expires_in", 3600)) - REFRESH_MARGIN
            self._token = (str(data["access_token"]), expires)
            return self._token[0]

    async def _call(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {await self.token()}"}
        response = await self.http.request(method, url, json=body, headers=headers, timeout=20)
        if response.status_code == 401:
            self._token = None  # a token revoked early: fetch a new one next time
        _check(response)
        return response.json() if response.content else {}

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        data = await self._call("POST", _activities(service_url, conversation_id), activity)
        return str(data.get("id", ""))

    async def reply(
        self, service_url: str, conversation_id: str, reply_to_id: str, activity: dict[str, Any]
    ) -> str:
        url = f"{_activities(service_url, conversation_id)}/{quote(reply_to_id, safe='')}"
        data = await self._call("POST", url, {**activity, "replyToId": reply_to_id})
        return str(data.get("id", ""))

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        url = f"{_activities(service_url, conversation_id)}/{quote(activity_id, safe='')}"
        await self._call("PUT", url, {**activity, "id": activity_id})

    async def create_conversation(self, service_url: str, tenant_id: str, user_id: str) -> str:
        """The 1:1 chat with a person, for a proactive message (the app must be installed for
        them, which installing it in their team does)."""
        data = await self._call(
            "POST",
            f"{service_url.rstrip('/')}/v3/conversations",
            {
                "bot": {"id": f"28:{self.app_id}"},
                "members": [{"id": user_id}],
                "channelData": {"tenant": {"id": tenant_id}},
                "tenantId": tenant_id,
                "isGroup": False,
            },
        )
        return str(data["id"])

    async def members(self, service_url: str, conversation_id: str) -> list[dict[str, Any]]:
        """Everyone in the conversation (for a channel: its team), page after page."""
        found: list[dict[str, Any]] = []
        token = None
        base = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}"
        while True:
            url = f"{base}/pagedmembers?pageSize=100"
            if token:
                url += f"&continuationToken={quote(token, safe='')}"
            data = await self._patiently("GET", url)
            found += data.get("members", [])
            token = data.get("continuationToken")
            if not token:
                return found

    async def _patiently(self, method: str, url: str) -> Any:
        """`_call`, retried on 429 and 5xx after the Retry-After Teams sends (or a short
        backoff), a bounded number of times; then the last error is raised."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._call(method, url)
            except ConnectorError as error:
                if attempt == ATTEMPTS or not (error.status == 429 or error.status >= 500):
                    raise
                wait = error.retry_after if error.retry_after is not None else attempt
            except httpx.TransportError:
                if attempt == ATTEMPTS:
                    raise
                wait = attempt
            log.info("%s %s: waiting %.0f s before attempt %d", method, url, wait, attempt + 1)
            await asyncio.sleep(min(max(wait, 0.0), LONGEST_WAIT))
        raise AssertionError("unreachable: the last attempt returns or raises")


def _activities(service_url: str, conversation_id: str) -> str:
    return (
        f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
    )


def _check(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    retry_after = response.headers.get("Retry-After")
    raise ConnectorError(
        response.status_code, response.text, float(retry_after) if retry_after else None
    )
