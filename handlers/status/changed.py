"""Where the process stands has changed in a way people should see soon: its step, a summary,
an item marked, a workshop planned, a bøvl round's result. Called in the same transaction as the
change, so the mark and the change commit together; an adapter that keeps a live status document
in the channel (Slack's canvas, bot.slack.canvas) updates it after a mark, at most once a
minute."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.db import run_bulk
from storage.models import StatusCanvas


def status_changed(session: Session, process_id: int) -> None:
    """Marks the process's status document as due for an update."""
    marked = run_bulk(
        session,
        update(StatusCanvas)
        .where(StatusCanvas.process_id == process_id)
        .values(changes=StatusCanvas.changes + 1),
    )
    if not marked:
        # The first mark is made with the process (setup) or by the migration, in a transaction
        # no other one can race for this new id.
        session.add(StatusCanvas(process_id=process_id, changes=1, synced_changes=0))
        session.flush()
