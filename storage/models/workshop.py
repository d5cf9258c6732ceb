from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime
from storage.models.kinds import InputStatus, ItemKind, ItemStatus, RequestStatus, WorkshopStatus
from storage.models.process import Member, Process, Track


class Workshop(Base):
    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="status_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[WorkshopStatus] = mapped_column(String(20), default="planned")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A cancelled workshop is kept (the audit log names it) but shown nowhere.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    process: Mapped[Process] = relationship()
    track: Mapped[Track] = relationship(lazy="joined")
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    summary: Mapped[Summary | None] = relationship(back_populates="workshop", uselist=False)


class Invitation(Base):
    """An invitee of a workshop; `attended` is unknown (None) until the summary records it."""

    __tablename__ = "invitations"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    attended: Mapped[bool | None] = mapped_column(Boolean)

    workshop: Mapped[Workshop] = relationship(back_populates="invitations")
    member: Mapped[Member] = relationship(lazy="joined")


class Summary(Base):
    """The summary (opsamling) of a held workshop, with its items and the question for absentees."""

    __tablename__ = "summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), unique=True
    )
    author_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    input_deadline: Mapped[date] = mapped_column(Date)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when a facilitator corrects the summary; the channel post says "rettet <time>".
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workshop: Mapped[Workshop] = relationship(back_populates="summary")
    items: Mapped[list[SummaryItem]] = relationship(
        back_populates="summary", order_by="SummaryItem.position", cascade="all, delete-orphan"
    )

    def items_of(self, kind: str) -> list[str]:
        return [item.text for item in self.items if item.kind == kind]


class SummaryItem(Base):
    """A decision, open question or next step; rows so that their status can be followed."""

    __tablename__ = "summary_items"
    __table_args__ = (
        CheckConstraint("kind IN ('decision', 'open_question', 'next_step')", name="item_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ItemStatus] = mapped_column(String(20), default="open")
    # The answer to an open question, or what a decision became; the history is in ItemChange.
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    summary: Mapped[Summary] = relationship(back_populates="items")
    changes: Mapped[list[ItemChange]] = relationship(
        back_populates="item", order_by="ItemChange.at", cascade="all, delete-orphan"
    )


class ItemChange(Base):
    """One change of an item's status (an open question answered, a decision changed): the
    record's history of it."""

    __tablename__ = "item_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("summary_items.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ItemStatus] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    item: Mapped[SummaryItem] = relationship(back_populates="changes")


class InputRequest(Base):
    """One absent invitee asked for input on one summary."""

    __tablename__ = "input_requests"
    __table_args__ = (
        UniqueConstraint("summary_id", "member_id"),
        CheckConstraint(
            "status IN ('pending', 'delivered', 'answered', 'declined', 'expired', 'failed')",
            name="status_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[RequestStatus] = mapped_column(String(20), default="pending")
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time a facilitator nudged this person: at most one nudge a day.
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    summary: Mapped[Summary] = relationship()
    member: Mapped[Member] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status in ("pending", "delivered")


class Input(Base):
    """A contribution (bidrag). The author is kept for anonymous input only to tell them its fate."""

    __tablename__ = "inputs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('received', 'considered', 'used', 'not_used')", name="status_kind"
        ),
        UniqueConstraint("process_id", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    summary_id: Mapped[int | None] = mapped_column(ForeignKey("summaries.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("input_requests.id", ondelete="SET NULL")
    )
    author_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[InputStatus] = mapped_column(String(20), default="received")
    status_note: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When it was shown in the channel; None while an anonymous input is held back.
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How people name an input (handlers.inputs.references): a named one by its number among the
    # process's named inputs ("2"), an anonymous one by random letters ("A-KXR"), with no order.
    reference: Mapped[str | None] = mapped_column(String(16))

    author: Mapped[Member | None] = relationship(lazy="joined")
    summary: Mapped[Summary | None] = relationship()
