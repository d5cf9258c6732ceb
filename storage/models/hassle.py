"""The bøvl round (step 2, "Udfordringer og muligheder"): what gets in the way of the core task,
collected from everyone, sorted, supported with dots, and the top challenges chosen.

Ballots are secret: the only readable form of who supported what is each item's total
(`HassleItem.supports`). A person's own choice is kept sealed (`HassleBallot`), under a key the
database does not hold, so that they can see and change their dots until the deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime
from storage.models.kinds import HassleAudience, HassleItemStatus, HasslePhase


class HassleRound(Base):
    """One round per process at a time: collecting → voting → closed."""

    __tablename__ = "hassle_rounds"
    __table_args__ = (
        CheckConstraint("phase IN ('collecting', 'voting', 'closed')", name="phase_kind"),
        CheckConstraint("dots BETWEEN 1 AND 10", name="dots_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    phase: Mapped[HasslePhase] = mapped_column(String(20), default="collecting")
    audience: Mapped[HassleAudience] = mapped_column(String(20), default="members")
    collect_until: Mapped[datetime] = mapped_column(UTCDateTime)
    vote_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dots: Mapped[int] = mapped_column(Integer, default=3)
    stacking: Mapped[bool] = mapped_column(Boolean, default=False)  # more than one dot per item
    started_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The outbox key of the board in the channel: later versions replace it (chat.update).
    board_key: Mapped[str | None] = mapped_column(String(200))

    items: Mapped[list[HassleItem]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="HassleItem.id"
    )


class HassleItem(Base):
    """One bøvl. The author is kept for an anonymous item only to tell them its fate; its
    `shown_at` is None while it waits for the process's anonymity threshold."""

    __tablename__ = "hassle_items"
    __table_args__ = (
        UniqueConstraint("round_id", "reference"),
        CheckConstraint(
            "status IN ('received', 'considered', 'used', 'not_used')", name="status_kind"
        ),
        CheckConstraint("supports >= 0", name="supports_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("hassle_rounds.id", ondelete="CASCADE"), index=True
    )
    # A named item by its number in the round ("12"), an anonymous one by random letters
    # ("B-KXR"), so that its place in time is not given away.
    reference: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    author_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("hassle_items.id", ondelete="SET NULL")
    )
    out_of_scope_reason: Mapped[str | None] = mapped_column(Text)  # "uden for rammen"
    supports: Mapped[int] = mapped_column(Integer, default=0)  # the total, never who
    status: Mapped[HassleItemStatus] = mapped_column(String(20), default="received")
    status_note: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)  # a challenge to work on
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))

    round: Mapped[HassleRound] = relationship(back_populates="items")


class HassleBallot(Base):
    """A person's dots, sealed: `voter` is a keyed hash of the round and the person, `sealed` the
    item ids encrypted with the same key. Neither says anything without the key."""

    __tablename__ = "hassle_ballots"
    __table_args__ = (UniqueConstraint("round_id", "voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("hassle_rounds.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HassleParticipant(Base):
    """Who was asked and who took part (added bøvl, supported), for the participation figures
    and the reminders; never what they supported."""

    __tablename__ = "hassle_participants"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("hassle_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    asked: Mapped[bool] = mapped_column(Boolean, default=False)
    added: Mapped[bool] = mapped_column(Boolean, default=False)
    supported: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
