from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class StatusCanvas(Base):
    """The "Hvor er vi?" document kept in a process's channel (Slack's channel canvas), and
    whether it is due for an update.

    A change that matters adds one to `changes` in its own transaction; the job that edits the
    canvas remembers in `synced_changes` how many it has shown. Counting, not a timestamp: a
    change made while an edit is under way is still due afterwards. A job claims a row (token and
    lease, as the outbox does) before it calls the platform, so replicas edit it once."""

    __tablename__ = "status_canvases"

    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True
    )
    canvas_id: Mapped[str | None] = mapped_column(String(100))  # the platform's id, once made
    changes: Mapped[int] = mapped_column(Integer, default=0)
    synced_changes: Mapped[int] = mapped_column(Integer, default=0)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # at most once a minute
    # A short digest of each of the bot's sections as last written, so an edit sends only the
    # sections that changed (Slack takes one change per canvases.edit call).
    section_digests: Mapped[str | None] = mapped_column(String(400))
    # After a rate limit or an outage: not tried again before this.
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # Why the workspace cannot have the canvas (the platform's error code): set once, the
    # facilitators are told, and the row is never tried again.
    unavailable: Mapped[str | None] = mapped_column(String(100))
    unavailable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
