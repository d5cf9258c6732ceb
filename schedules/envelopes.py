"""What the delivery worker and the platform messengers say to each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from handlers.messages import Message


@dataclass(frozen=True)
class Recipient:
    user_id: str
    name: str
    dm_channel: str | None


@dataclass(frozen=True)
class Envelope:
    """What a messenger needs to send one outbox row. Refs are the platform's own ids."""

    key: str
    platform: str
    workspace: str
    message: Message
    channel_id: str | None = None
    recipient: Recipient | None = None
    thread_ref: str | None = None
    replaces_ref: str | None = None
    link_ref: str | None = None
    # The row was claimed before and the claim ran out: it may have reached the platform just
    # before a crash. A messenger that can look (Slack) checks before sending again.
    maybe_sent: bool = False


@dataclass(frozen=True)
class Delivered:
    ref: str
    dm_channel: str | None = None


class RetryLater(Exception):
    """A passing failure (rate limit, 5xx, network): try again, after `retry_after` if given."""

    def __init__(
        self, reason: str, retry_after: float | None = None, *, dm_channel: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        # A person's DM channel learnt before the failure: kept, so a retry need not ask again.
        self.dm_channel = dm_channel


class PermanentFailure(Exception):
    """The platform will never accept this message (user deactivated, channel gone)."""

    def __init__(self, reason: str, *, dm_channel: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.dm_channel = dm_channel


class Messenger(Protocol):
    platform: str

    async def deliver(self, envelope: Envelope) -> Delivered: ...
