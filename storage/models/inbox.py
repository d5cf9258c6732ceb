"""Requests a platform sent us and we acknowledged, kept until their work is done."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import JSON, Boolean, CheckConstraint, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime

InboxKind = Literal["command", "action", "submission", "event"]


class InboxEntry(Base):
    """An acknowledged request whose work is still to do. Written in one short transaction
    before the answer goes back, deleted when the work is done: a process killed in between
    leaves the row, and a process running later does the work. `applied` is set in the
    transaction of the work's effect (storage.request_in_hand): a process doing the work again
    then cannot apply it twice, yet still answers the person.

    `owner` is the boot id of the process that holds the row and `claimed_until` how long its
    hold lasts; the holder renews it while it lives, so a dead holder's rows lapse quickly."""

    __tablename__ = "inbox"
    __table_args__ = (
        CheckConstraint("kind IN ('command', 'action', 'submission', 'event')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    kind: Mapped[InboxKind] = mapped_column(String(20))
    body: Mapped[dict[str, object]] = mapped_column(JSON)
    owner: Mapped[str] = mapped_column(String(32))
    claimed_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
