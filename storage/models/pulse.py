from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime


class Pulse(Base):
    """One round of "Føler du dig opdateret om, hvor forløbet er?" to every member.

    `key` makes a round once-only (a step change, or one `/samskab pulse`); `workshop_id` is the
    last workshop held when it was sent, so answers can be split by who attended it."""

    __tablename__ = "pulses"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # "step" or "command"
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"))
    asked: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    answers: Mapped[list[PulseAnswer]] = relationship(
        back_populates="pulse", cascade="all, delete-orphan"
    )


class PulseAnswer(Base):
    """One person's answer, 1–5. `attended`: whether they attended the pulse's workshop (None
    when they were not invited), kept here so the split survives their membership ending."""

    __tablename__ = "pulse_answers"
    __table_args__ = (
        UniqueConstraint("pulse_id", "person_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    pulse: Mapped[Pulse] = relationship(back_populates="answers")
