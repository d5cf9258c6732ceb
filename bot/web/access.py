"""Who may see a process's status page, and the personal links that open it from Slack.

A personal link carries a JWT (HS256, as bot.downloads signs its links) naming the person
(platform, workspace, user id) and the process, valid for 30 days. The link only says who is
asking: every request checks again that the person is an active member of that process and not
forgotten, so leaving the channel or `forget-me` shuts the page at once, whatever the link says.
Its key is derived from SLACK_SIGNING_SECRET (HMAC-SHA256 of a fixed label), so the secret itself
never signs anything a browser sees, and changing it voids every link. Expiry follows
`deps.clock`, as everything else in the bot does.

In Teams the page is a channel tab, and the person is who Azure AD says (bot.web.tab_auth): found
by their AAD object id among the Teams references, they too must be an active member.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from bot import hs256
from handlers.context import Deps, PersonRef
from storage.models import Member, Person, Process, TeamsReference

LIFETIME = timedelta(days=30)
PATH = "/status/{process_id}"
_LABEL = b"samskab status page links v1"
_AUDIENCE = "samskab:status"
_CLAIMS = ("exp", "aud", "pf", "ws", "sub", "pid")
# Processes whose page may still be shown: an erased one has nothing left to show anybody.
_SHOWN = ("active", "closed")


class LinkAltered(Exception):
    """Not a token we signed (changed, cut short, or signed with another key)."""


class LinkExpired(Exception):
    """A token we signed whose 30 days are over."""


@dataclass(frozen=True)
class Visitor:
    """Who a personal link says is asking, and for which process's page."""

    person: PersonRef
    process_id: int


class StatusLinks:
    """Makes and reads the personal links. The links point at SAMSKAB_PUBLIC_URL, else at the
    address Slack's requests last came in on (`remembering`): Slack's work is done by the inbox's
    workers after the request is answered, so the request itself is gone by then."""

    def __init__(
        self, signing_secret: str, clock: Callable[[], datetime], public_url: str | None = None
    ) -> None:
        self._key = hmac.new(signing_secret.encode("utf-8"), _LABEL, hashlib.sha256).digest()
        self._clock = clock
        self.public_url = public_url.rstrip("/") if public_url else None
        self._seen_base = ""

    def token(self, person: PersonRef, process_id: int) -> str:
        expires = self._clock() + LIFETIME
        claims = {
            "aud": _AUDIENCE,
            "exp": int(expires.timestamp()),
            "pf": person.platform,
            "ws": person.workspace,
            "sub": person.user_id,
            "pid": process_id,
        }
        return hs256.sign(claims, self._key)

    def url(self, person: PersonRef, process_id: int) -> str | None:
        """The person's link to the page, valid for 30 days; None while we do not know our own
        address (Socket Mode without SAMSKAB_PUBLIC_URL)."""
        base = self.public_url or self._seen_base
        if not base:
            return None
        token = self.token(person, process_id)
        return base + PATH.format(process_id=process_id) + "?t=" + token

    def read(self, token: str) -> Visitor:
        try:
            # The expiry is checked below, against our clock.
            claims = hs256.verify(token, self._key, audience=_AUDIENCE, required=_CLAIMS)
        except hs256.TokenAltered as error:
            raise LinkAltered(str(error)) from None
        platform, workspace, user_id = claims["pf"], claims["ws"], claims["sub"]
        process_id, expires = claims["pid"], claims["exp"]
        texts = (platform, workspace, user_id)
        if not all(isinstance(t, str) for t in texts) or not isinstance(process_id, int):
            raise LinkAltered("malformed claims")
        if not isinstance(expires, int):
            raise LinkAltered("malformed expiry")
        if self._clock().timestamp() >= expires:
            raise LinkExpired(process_id)
        return Visitor(PersonRef(platform, workspace, user_id), process_id)

    def remembering(
        self, endpoint: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """`endpoint` (Slack's), noting the address its requests come in on."""

        async def remembering(request: Request) -> Response:
            self._seen_base = str(request.base_url).rstrip("/")
            return await endpoint(request)

        return remembering


def may_see(deps: Deps, person: PersonRef, process_id: int) -> bool:
    """Whether `person` is an active member of the process now. A forgotten person has no row
    any more, and one who left has an inactive membership: both are refused."""
    with deps.db.transaction() as session:
        found = session.scalar(
            select(Member.id)
            .join(Person, Member.person_id == Person.id)
            .join(Process, Member.process_id == Process.id)
            .where(
                Person.platform == person.platform,
                Person.workspace == person.workspace,
                Person.user_id == person.user_id,
                Member.process_id == process_id,
                Member.active.is_(True),
                Process.status.in_(_SHOWN),
            )
        )
        return found is not None


def tab_process(deps: Deps, tenant_id: str, object_id: str, channel_id: str) -> int | None:
    """The process of the Teams channel `channel_id`, when the person Azure AD knows as
    `object_id` in `tenant_id` is an active member of it; else None. The channel must be the
    tenant's: a token from one organisation never opens another's page."""
    with deps.db.transaction() as session:
        process_id = session.scalar(
            select(Process.id).where(
                Process.platform == "teams",
                Process.workspace == tenant_id,
                Process.channel_id == channel_id,
                Process.status.in_(_SHOWN),
            )
        )
        if process_id is None or not object_id:
            return None
        user_ids = select(TeamsReference.key).where(
            TeamsReference.kind == "user",
            TeamsReference.tenant_id == tenant_id,
            TeamsReference.aad_object_id == object_id,
        )
        found = session.scalar(
            select(Member.id)
            .join(Person, Member.person_id == Person.id)
            .where(
                Person.platform == "teams",
                Person.workspace == tenant_id,
                Person.user_id.in_(user_ids),
                Member.process_id == process_id,
                Member.active.is_(True),
            )
            .limit(1)
        )
        return process_id if found is not None else None
