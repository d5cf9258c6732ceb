"""A fake Microsoft Bot Framework on 127.0.0.1, port 0, served by aiohttp from a background thread.

One port plays the three services a Teams bot talks to: Azure AD's token endpoint (the
client-credentials grant, answered with Azure AD's JSON for success and each AADSTS refusal); the
Bot Connector at ``service_url`` (create a 1:1 conversation, send, reply, update, page through
members; bearer token required; Teams' ``{"error": {"code", "message"}}`` errors); and the Bot
Framework OpenID metadata with its JWKS, whose RSA keys carry ``endorsements``.
``sign_activity`` mints the JWT the Connector sends with each activity it POSTs to a bot. The
service URL travels in the ``serviceurl`` claim: botbuilder's AuthenticationConstants spelling.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.http_server import ThreadedServer
from tests.fakes.teams_activities import TENANT_ID, TeamsUser
from tests.waiting import eventually, eventually_async

Json = dict[str, Any]
ISSUER = "https://api.botframework.com"
SCOPE = "https://api.botframework.com/.default"
CHANNEL_AUTH_TENANT = "botframework.com"  # the tenant multi-tenant bots get tokens from
BOTFRAMEWORK_TENANT_GUID = "d6d49420-f39b-4df7-a1dc-d59a935871db"  # botframework.com's tenant id
ENDORSED = ["msteams", "skype", "webchat"]
CONNECTOR = "/teams"  # serviceUrl path, as in https://smba.trafficmanager.net/teams/
MAX_ACTIVITY_BYTES = 28 * 1024  # Teams refuses bigger messages with 413 MessageSizeTooBig
DENIED = {"message": "Authorization has been denied for this request."}
# Teams' error codes by status ("Status codes from bot conversational APIs").
TEAMS_ERRORS = {400: "BadArgument", 401: "BotNotRegistered", 403: "BotNotInConversationRoster"}
TEAMS_ERRORS |= {404: "ConversationNotFound", 412: "PreconditionFailed", 413: "MessageSizeTooBig"}
TEAMS_ERRORS |= {429: "Throttled", 500: "ServiceError", 502: "ServiceError"}
METADATA: Json = {"issuer": ISSUER, "authorization_endpoint": "https://invalid.botframework.com"}
METADATA |= {"id_token_signing_alg_values_supported": ["RS256"]}
METADATA |= {"token_endpoint_auth_methods_supported": ["private_key_jwt"]}


@dataclass
class Call:
    """One Connector request, its path written as the API reference does (``/v3/...``)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int = 0


@dataclass
class _Failure:
    pattern: re.Pattern[str]
    status: int
    retry_after: int | None
    times: int
    code: str | None
    message: str | None


@dataclass
class _Key:
    kid: str
    private: rsa.RSAPrivateKey
    endorsements: list[str]

    def jwk(self) -> Json:
        numbers = self.private.public_key().public_numbers()
        jwk = {"kty": "RSA", "use": "sig", "kid": self.kid, "n": _b64(numbers.n)}
        return jwk | {"e": _b64(numbers.e), "endorsements": self.endorsements}


@dataclass
class _Conversation:
    id: str
    tenant_id: str
    members: list[Json] = field(default_factory=list)
    history: list[list[Json]] = field(default_factory=list)  # every activity's versions


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_PRIVATE_KEYS: list[rsa.RSAPrivateKey] = []  # this process's; a 2048-bit key takes 30 ms to make


def _private_key(n: int) -> rsa.RSAPrivateKey:
    """The n-th RSA key of this process. A fake takes another one for each key it makes, so that
    a key it does not list really is another key; the fakes of different tests share them."""
    while len(_PRIVATE_KEYS) <= n:
        _PRIVATE_KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _PRIVATE_KEYS[n]


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _teams_error(status: int, code: str | None = None, message: str | None = None) -> web.Response:
    code = code or TEAMS_ERRORS.get(status, "ServiceError")
    body = {"error": {"code": code, "message": message or f"{code} (fake Bot Connector)"}}
    return web.json_response(body, status=status)


def _aad_error(status: int, error: str, code: int, text: str) -> web.Response:
    """Azure AD's error body: the AADSTS code leads ``error_description``."""
    stamp, trace = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"), str(uuid.uuid4())
    description = f"AADSTS{code}: {text}\r\nTrace ID: {trace}\r\nTimestamp: {stamp}"
    body = {"error": error, "error_description": description, "error_codes": [code]}
    body |= {"timestamp": stamp, "trace_id": trace, "correlation_id": str(uuid.uuid4())}
    body["error_uri"] = f"https://login.microsoftonline.com/error?code={code}"
    return web.json_response(body, status=status)


class FakeBotFramework(ThreadedServer):
    """``with FakeBotFramework(app_id="app-123", app_password="secret") as bf:`` then give the bot
    ``bf.token_url`` (or ``bf.tenant_token_url(t)``), ``bf.openid_metadata_url`` and activities
    whose ``serviceUrl`` is ``bf.service_url``. ``tenant_id`` makes it a single-tenant bot: its
    tokens then come only from ``tenant_token_url(tenant_id)``, as for Azure AD since 2025."""

    def __init__(
        self,
        app_id: str = "app-123",
        app_password: str = "secret",
        *,
        tenant_id: str | None = None,
        page_size: int = 2,
        token_lifetime: int = 3599,
    ) -> None:
        super().__init__()
        self.app_id, self.app_password, self.tenant_id = app_id, app_password, tenant_id
        self.bot_id = f"28:{app_id}"
        self.page_size = page_size  # small so that clients must follow continuationToken
        self.token_lifetime = token_lifetime
        self.token_requests = self.jwks_requests = self.metadata_requests = 0
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._failures: list[_Failure] = []
        self._tokens: dict[str, float] = {}  # access token -> expiry (epoch seconds)
        self._token_secret = secrets.token_bytes(32)
        self._made = itertools.count()  # keys made so far, for _private_key
        self._keys = [self._new_key(ENDORSED)]
        self._unendorsed = self._new_key(["webchat", "directline"])  # listed, not for msteams
        self._foreign: _Key | None = None
        self._conversations: dict[str, _Conversation] = {}
        self._ids = itertools.count(int(time.time() * 1000))  # Teams ids are ms timestamps

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=4 * MAX_ACTIVITY_BYTES)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._jwks)
        conv = CONNECTOR + "/v3/conversations"
        app.router.add_post(conv, self._connector(self._create))
        app.router.add_post(conv + "/{cid}/activities", self._connector(self._send))
        app.router.add_post(conv + "/{cid}/activities/{aid}", self._connector(self._send))
        app.router.add_put(conv + "/{cid}/activities/{aid}", self._connector(self._update))
        app.router.add_get(conv + "/{cid}/pagedmembers", self._connector(self._paged_members))
        return app

    @property
    def service_url(self) -> str:
        return f"{self.base_url}{CONNECTOR}/"  # trailing slash, as Teams sends it

    @property
    def token_url(self) -> str:
        return self.tenant_token_url(CHANNEL_AUTH_TENANT)

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/keys"

    def _new_key(self, endorsements: list[str]) -> _Key:
        with self._lock:
            private = _private_key(next(self._made))
        return _Key(secrets.token_urlsafe(16), private, endorsements)

    def tenant_token_url(self, tenant: str) -> str:
        """The token endpoint of one Azure AD tenant (``token_url`` is botframework.com's)."""
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    # -- what a test arranges and inspects ---------------------------------------------------
    def add_channel(
        self,
        conversation_id: str,
        members: Sequence[TeamsUser | Json] = (),
        tenant: str = TENANT_ID,
    ) -> None:
        """A channel (or group chat) the bot is in, with the people ``pagedmembers`` lists."""
        with self._lock:
            self._conversations.setdefault(conversation_id, _Conversation(conversation_id, tenant))
            for member in members:
                self.add_member(conversation_id, member)

    def add_member(self, conversation_id: str, member: TeamsUser | Json) -> None:
        with self._lock:
            conversation = self._conversations[conversation_id]
            if isinstance(member, TeamsUser):
                member = member.member(conversation.tenant_id)
            conversation.members.append(dict(member))

    def activities(self, conversation_id: str) -> list[Json]:
        """The current version of each activity in a conversation (threads too), oldest first."""
        with self._lock:
            conversation = self._conversations.get(conversation_id.split(";")[0])
            return [dict(v[-1]) for v in conversation.history] if conversation else []

    def conversation_for(self, user_id: str, tenant: str = TENANT_ID) -> str | None:
        """The 1:1 conversation ``POST /v3/conversations`` made for ``user_id``, if it did."""
        cid = self._personal_id(user_id, tenant)
        with self._lock:
            return cid if cid in self._conversations else None

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, pattern: str) -> list[Call]:
        """Calls whose ``"METHOD /v3/path"`` matches the regular expression ``pattern``."""
        return [c for c in self.calls if re.search(pattern, f"{c.method} {c.path}")]

    @property
    def kids(self) -> list[str]:
        """Key ids in the JWKS, the current signing key last."""
        with self._lock:
            return [k.kid for k in [self._unendorsed, *self._keys]]

    def fail(
        self,
        pattern: str,
        *,
        status: int = 429,
        retry_after: int | None = None,
        times: int = 1,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests whose ``"METHOD /path"`` matches ``pattern``
        (``re.search``) with ``status`` and Teams' error code for it. Connector paths read
        ``/v3/...``; token endpoints ``/<tenant>/oauth2/v2.0/token``. ``retry_after`` (seconds)
        adds the Retry-After header Teams sends with 429 Throttled."""
        failure = _Failure(re.compile(pattern), status, retry_after, times, code, message)
        with self._lock:
            self._failures.append(failure)

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working, as when they pass their expiry."""
        with self._lock:
            self._tokens.clear()

    def rotate_key(self) -> str:
        """Publish a new signing key and sign with it from now on; the old one stays listed, as
        in a real rollover. Returns the new kid."""
        key = self._new_key(ENDORSED)
        with self._lock:
            self._keys.append(key)
        return key.kid

    def dump(self) -> str:
        lines = [f"  {c.status} {c.method} {c.path} {json.dumps(c.json)[:300]}" for c in self.calls]
        return "\n".join(lines) or "  (no calls)"

    def wait_for(self, predicate: Callable[[FakeBotFramework], bool], timeout: float = 10) -> None:
        """Waits until ``predicate(self)``; on giving up, the message lists every call seen."""
        eventually(lambda: predicate(self), timeout, explain=self._calls_seen)

    async def wait_for_async(
        self, predicate: Callable[[FakeBotFramework], bool], timeout: float = 10
    ) -> None:
        """As :meth:`wait_for`, but yields to the caller's event loop (where the app may run)."""
        await eventually_async(lambda: predicate(self), timeout, explain=self._calls_seen)

    def _calls_seen(self) -> str:
        return f"Bot Framework calls:\n{self.dump()}"

    # -- inbound: what the Connector sends with each activity --------------------------------
    def sign_activity(
        self,
        activity: Json,
        *,
        audience: str | None = None,
        issuer: str = ISSUER,
        service_url: str | None = None,
        expires_in: int = 3600,
        not_before_offset: int = 0,
        key: Literal["current", "foreign"] = "current",
        kid: str | None = None,
        channel_endorsement: bool = True,
    ) -> dict[str, str]:
        """The ``Authorization`` header for POSTing ``activity`` to the bot: an RS256 JWT with
        iss, aud (the app id), iat, nbf, exp and serviceurl. Each option makes one kind of token
        a bot must refuse: ``key="foreign"`` (a key not in the JWKS), ``kid`` (a header naming
        another key), ``channel_endorsement=False`` (a listed key not endorsed for msteams),
        ``audience``, ``issuer``, ``service_url``, ``expires_in`` <= -300 (expired beyond the
        5-minute clock skew) and ``not_before_offset`` >= 300 (not yet valid)."""
        with self._lock:
            if key == "foreign":
                signer = self._foreign = self._foreign or self._new_key(ENDORSED)
            else:
                signer = self._keys[-1] if channel_endorsement else self._unendorsed
        now = int(time.time())
        claims = {"serviceurl": service_url or activity["serviceUrl"], "iss": issuer}
        claims |= {"aud": audience or self.app_id, "iat": now, "nbf": now + not_before_offset}
        claims["exp"] = now + expires_in
        headers = {"kid": kid or signer.kid, "typ": "JWT"}
        token = jwt.encode(claims, signer.private, algorithm="RS256", headers=headers)
        return {"Authorization": f"Bearer {token}"}

    async def _metadata(self, request: web.Request) -> web.Response:
        with self._lock:
            self.metadata_requests += 1
        metadata = METADATA | {"jwks_uri": self.jwks_url}
        return self._failure(request) or web.json_response(metadata)

    async def _jwks(self, request: web.Request) -> web.Response:
        with self._lock:
            self.jwks_requests += 1
            keys = [k.jwk() for k in [self._unendorsed, *self._keys]]
        return self._failure(request) or web.json_response({"keys": keys})

    # -- Azure AD token endpoint -------------------------------------------------------------
    async def _token(self, request: web.Request) -> web.Response:
        with self._lock:
            self.token_requests += 1
        tenant = request.match_info["tenant"]
        form = await request.post()  # Azure AD reads a form body, never JSON
        refusal = self._failure(request) or self._refuse_token(tenant, form)
        if refusal is not None:
            return refusal
        now, tid = int(time.time()), tenant
        if tenant == CHANNEL_AUTH_TENANT:
            tid = BOTFRAMEWORK_TENANT_GUID
        claims: Json = {"aud": ISSUER, "iss": f"https://sts.windows.net/{tid}/"}
        claims |= {
            "appid": self.app_id,
            "tid": tid,
            "iat": now,
            "nbf": now,
            "exp": now + self.token_lifetime,
        }
        claims["uti"] = secrets.token_urlsafe(16)  # Azure AD's unique token id: no two alike
        token = jwt.encode(claims, self._token_secret, algorithm="HS256")
        with self._lock:
            self._tokens[token] = now + self.token_lifetime
        body = {"token_type": "Bearer", "expires_in": self.token_lifetime}
        body |= {"ext_expires_in": self.token_lifetime, "access_token": token}
        return web.json_response(body)

    def _refuse_token(self, tenant: str, form: Any) -> web.Response | None:
        for name in ("grant_type", "client_id", "client_secret", "scope"):
            if not form.get(name):
                text = f"The request body must contain the following parameter: '{name}'."
                return _aad_error(400, "invalid_request", 900144, text)
        if form["grant_type"] != "client_credentials":
            text = "The app requested an unsupported grant type."
            return _aad_error(400, "unsupported_grant_type", 70003, text)
        if form["client_id"] != self.app_id or tenant != (self.tenant_id or CHANNEL_AUTH_TENANT):
            # A single-tenant bot does not exist in botframework.com's directory, and vice versa.
            where = "Bot Framework" if tenant == CHANNEL_AUTH_TENANT else tenant
            text = f"Application with identifier '{form['client_id']}' was not found in the directory '{where}'."
            return _aad_error(400, "unauthorized_client", 700016, text)
        if form["client_secret"] != self.app_password:
            text = f"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{self.app_id}'."
            return _aad_error(401, "invalid_client", 7000215, text)
        if form["scope"] != SCOPE:
            text = f"The provided value for the input parameter 'scope' is not valid. The scope {form['scope']} is not valid."
            return _aad_error(400, "invalid_scope", 70011, text)
        return None

    # -- the Connector -----------------------------------------------------------------------
    def _failure(self, request: web.Request) -> web.Response | None:
        target = f"{request.method} {request.path.removeprefix(CONNECTOR)}"
        with self._lock:
            due = [f for f in self._failures if f.times > 0 and f.pattern.search(target)]
            if not due:
                return None
            failure = due[0]
            failure.times -= 1
        if request.path.startswith(CONNECTOR):
            response = _teams_error(failure.status, failure.code, failure.message)
        else:
            body = {"error": failure.code or "temporarily_unavailable"}
            response = web.json_response(body, status=failure.status)
        if failure.retry_after is not None:
            response.headers["Retry-After"] = str(failure.retry_after)
        return response

    def _connector(
        self, operation: Callable[[web.Request, Any], Awaitable[tuple[int, Json]]]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        """Wraps a Connector operation: record the call, then meet failure injection, the bearer
        token, the size limit and the operation, in the order a client would."""

        async def serve(request: web.Request) -> web.Response:
            raw = await request.read()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            path, query = request.path.removeprefix(CONNECTOR), dict(request.query)
            call = Call(request.method, path, query, body, dict(request.headers))
            with self._lock:
                self._calls.append(call)
            response = self._failure(request) or self._refuse_bearer(request)
            if response is None and len(raw) > MAX_ACTIVITY_BYTES:
                response = _teams_error(413, message="Message size too large.")
            try:
                if response is None:
                    status, reply = await operation(request, body)
                    response = web.json_response(reply, status=status)
            except _Refusal as refusal:
                response = _teams_error(refusal.status, refusal.code, refusal.message)
            call.status = response.status
            return response

        return serve

    def _refuse_bearer(self, request: web.Request) -> web.Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with self._lock:
            expiry = self._tokens.get(token, 0.0) if scheme == "Bearer" else 0.0
        return None if expiry > time.time() else web.json_response(DENIED, status=401)

    def _personal_id(self, user_id: str, tenant: str) -> str:
        # Teams gives a user the same 1:1 conversation with a bot every time it is asked.
        digest = hashlib.sha256(f"{self.app_id}|{tenant}|{user_id}".encode()).digest()
        return "a:1" + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def _conversation(self, cid: str) -> _Conversation:
        # A channel thread ("19:…@thread.tacv2;messageid=…") lives in its channel.
        conversation = self._conversations.get(cid.split(";")[0])
        if conversation is None:
            raise _Refusal(404, "ConversationNotFound", "Conversation not found.")
        return conversation

    async def _create(self, request: web.Request, body: Any) -> tuple[int, Json]:
        body = body if isinstance(body, dict) else {}
        members = body.get("members") or [{}]
        tenant = body.get("tenantId") or (body.get("channelData") or {}).get("tenant", {}).get("id")
        if body.get("isGroup") or len(members) != 1 or "id" not in members[0] or not tenant:
            text = "A bot may create only a 1:1 conversation: one member and channelData.tenant.id."
            raise _Refusal(400, "BadArgument", text)
        user, cid = members[0], self._personal_id(members[0]["id"], tenant)
        with self._lock:
            known = [
                m for c in self._conversations.values() for m in c.members if m["id"] == user["id"]
            ]
            conversation = self._conversations.setdefault(cid, _Conversation(cid, tenant))
            conversation.members = conversation.members or [dict((known or [user])[0])]
            reply = {"id": cid}
            if isinstance(body.get("activity"), dict):
                reply["activityId"] = self._store(conversation, cid, body["activity"], None)
        return 201, reply

    async def _send(self, request: web.Request, body: Any) -> tuple[int, Json]:
        cid, reply_to = request.match_info["cid"], request.match_info.get("aid")
        if not isinstance(body, dict) or not body.get("type"):
            raise _Refusal(400, "BadArgument", "The activity must be a JSON object with a type.")
        with self._lock:
            return 201, {"id": self._store(self._conversation(cid), cid, body, reply_to)}

    def _store(
        self, conversation: _Conversation, cid: str, body: Json, reply_to: str | None
    ) -> str:
        activity = dict(body) | {"id": str(next(self._ids)), "conversation": {"id": cid}}
        if reply_to is not None:
            activity["replyToId"] = reply_to  # the path's activity id is what Teams threads under
        conversation.history.append([activity])
        return str(activity["id"])

    async def _update(self, request: web.Request, body: Any) -> tuple[int, Json]:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        if not isinstance(body, dict) or not body.get("type"):
            raise _Refusal(400, "BadArgument", "The activity must be a JSON object with a type.")
        with self._lock:
            history = self._conversation(cid).history
            versions = next((v for v in history if v[0]["id"] == aid), None)
            if versions is None:  # Teams' documented message for this code, odd as it reads
                raise _Refusal(404, "ActivityNotFoundInConversation", "Conversation not found.")
            kept = {k: versions[0][k] for k in ("conversation", "replyToId") if k in versions[0]}
            versions.append(dict(body) | kept | {"id": aid})
        return 200, {"id": aid}

    async def _paged_members(self, request: web.Request, body: Any) -> tuple[int, Json]:
        token = request.query.get("continuationToken")
        try:
            asked = int(request.query.get("pageSize") or 50)
            start = int(base64.urlsafe_b64decode(token or "").decode().removeprefix("at:") or 0)
        except ValueError as exc:
            raise _Refusal(400, "BadArgument", "Invalid pageSize or continuationToken.") from exc
        with self._lock:
            members = list(self._conversation(request.match_info["cid"]).members)
        # Teams treats pageSize below 50 as 50 and caps it at 500; the fake pages much smaller
        # (page_size) so that every client has to follow continuationToken.
        end = start + min(max(asked, 50), 500, self.page_size)
        reply: Json = {"members": members[start:end]}
        if end < len(members):  # the last page has no continuationToken at all
            reply["continuationToken"] = base64.urlsafe_b64encode(f"at:{end}".encode()).decode()
        return 200, reply
