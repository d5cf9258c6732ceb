from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import true

from storage.models.base import Base, UTCDateTime
from storage.models.kinds import InputAudience, Platform, ProcessStatus, Role


class Person(Base):
    """Someone on a chat platform: the (platform, workspace, user id) triple, plus what we cache."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(String(20))
    workspace: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(20))
    # The language the person chose (`/samskab sprog en`); wins over locale and process.
    language: Mapped[str | None] = mapped_column(String(10))
    # Where a DM to this person goes (Slack's D… channel id, a Teams 1:1 conversation id).
    dm_channel: Mapped[str | None] = mapped_column(String(200))


class Process(Base):
    """A co-creation process (forløb), bound to one channel."""

    __tablename__ = "processes"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "channel_id"),
        CheckConstraint("current_step BETWEEN 1 AND 6", name="step_range"),
        CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="weekday_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[Platform] = mapped_column(String(20))
    workspace: Mapped[str] = mapped_column(String(100))
    channel_id: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64))
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    step_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    digest_weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    digest_time: Mapped[time] = mapped_column(Time)
    # A second place for the digest, such as the MED committee's channel.
    digest_channel_id: Mapped[str | None] = mapped_column(String(200))
    # Reminders: this many working days before the input deadline (0: none), and on the day.
    reminder_days_before: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    remind_on_deadline: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    holiday_country: Mapped[str] = mapped_column(String(2), default="DK", server_default="DK")
    # An anonymous input waits until this many colleagues have responded to its summary.
    anonymity_threshold: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    input_audience: Mapped[InputAudience] = mapped_column(
        String(20), default="invited", server_default="invited"
    )
    # "active", "closed" (by /samskab close) or "erased" (its personal data, after retention).
    status: Mapped[ProcessStatus] = mapped_column(String(20), default="active")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    tracks: Mapped[list[Track]] = relationship(
        back_populates="process", order_by="Track.position", cascade="all, delete-orphan"
    )
    members: Mapped[list[Member]] = relationship(
        back_populates="process", cascade="all, delete-orphan"
    )


class Track(Base):
    """A track (spor) of the process, such as Visitation or Budget."""

    __tablename__ = "tracks"
    __table_args__ = (UniqueConstraint("process_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)

    process: Mapped[Process] = relationship(back_populates="tracks")


class Member(Base):
    """A person's place in a process: facilitator or participant; inactive once they leave."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("process_id", "person_id"),
        CheckConstraint("role IN ('facilitator', 'participant')", name="role_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(String(20), default="participant")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    process: Mapped[Process] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(lazy="joined")

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator"


class StepChange(Base):
    """When the process entered a step: the record's "steps with dates"."""

    __tablename__ = "step_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int] = mapped_column(Integer)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Subscription(Base):
    """A person who wants the digest as a DM too (`/samskab subscribe`)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("process_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestRun(Base):
    """One digest per process and period: the unique key is what makes digests once-only."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("process_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who changed what. Details hold ids and counts, never the text of anonymous input."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id", ondelete="SET NULL"))
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text, default="")
