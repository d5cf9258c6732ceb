from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime
from storage.models.kinds import OutboxStatus, Platform, TargetKind


class OutboxMessage(Base):
    """A message to send. Written in the use case's transaction; sent by the delivery worker.

    `key` is the idempotency key: a message with the same key is never written twice.
    Targets: a process channel (`channel`) or a person's DM (`person`). `reply_to_key` threads the
    message under an earlier one; `replaces_key` turns it into an update of an earlier one.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("target_kind IN ('channel', 'person')", name="target_kind"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    platform: Mapped[Platform] = mapped_column(String(20))
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    target_kind: Mapped[TargetKind] = mapped_column(String(20))
    channel_id: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    reply_to_key: Mapped[str | None] = mapped_column(String(200))
    # Indexed: delivery asks whether a newer update of the same message went out already.
    replaces_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # The adapter adds a link to the message sent under this key (a DM pointing to the summary).
    link_key: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("input_requests.id", ondelete="SET NULL")
    )
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whose claim it is: a worker sends only while the row still carries its own token.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # The boot id of the worker holding the claim: when that worker stops beating (see
    # `workers`), the claim is free before its lease runs out.
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_ref: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProcessedEvent(Base):
    """An inbound event or submission already handled: Slack retries an event with the same
    `event_id`, and a modal can be submitted twice. Kept in the database so a restart remembers."""

    __tablename__ = "processed_events"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WorkerBeat(Base):
    """A delivery worker's heartbeat: one row per process start (`boot_id`), `seen_at` renewed
    every few seconds. Rows claimed by a worker that has not beaten for a while are taken over."""

    __tablename__ = "workers"

    boot_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PaceBucket(Base):
    """A token bucket shared by every replica (one row per platform's app-wide limit), so that
    together they keep the pace one would. Times are Unix seconds: replicas share no monotonic
    clock, and a float keeps the arithmetic exact enough at a few messages a second."""

    __tablename__ = "pace_buckets"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    rate: Mapped[float] = mapped_column(Float)  # adapts to the platform's 429s, as Pacer does
    limited_at: Mapped[float | None] = mapped_column(Float)  # the rate that drew the last 429
    updated_at: Mapped[float] = mapped_column(Float)
    paused_until: Mapped[float] = mapped_column(Float, default=0.0)
