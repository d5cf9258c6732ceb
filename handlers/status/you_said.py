"""The digest's "Du sagde – vi gjorde": input used, or answered with a note, since the last
digest, so that colleagues see what became of what they said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from handlers.i18n import Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.inputs.references import label_of
from handlers.messages import BulletList
from storage.models import Input, Process

LIMIT = 10
EXCERPT = 80


def you_said_we_did(
    session: Session, process: Process, tr: Translator, since: datetime | None
) -> BulletList | None:
    where = [
        Input.process_id == process.id,
        Input.posted_at.is_not(None),  # input still waiting for anonymity is nobody's to see
        Input.status_changed_at.is_not(None),
        or_(Input.status == "used", Input.status_note.is_not(None)),
    ]
    if since is not None:
        where.append(Input.status_changed_at > since)
    # The first few and how many in all, from one pass over the process's input.
    rows = session.execute(
        select(Input.reference, Input.text, Input.status, Input.status_note, func.count().over())
        .where(*where)
        .order_by(Input.status_changed_at, Input.id)
        .limit(LIMIT)
    ).all()
    if not rows:
        return None
    total = rows[0][4]
    lines = []
    for reference, text, status, note, _ in rows:
        said = text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"
        # Named by its reference ("#2", or an anonymous one's letters), as its post in the channel.
        line = f"{label_of(reference)} “{said}” → {tr._(STATUS_NAMES[status])}"
        lines.append(f"{line}: {note}" if note else line)
    if total > len(rows):
        lines.append(tr._("… and {n} more").format(n=total - len(rows)))
    return BulletList(tr._("You said – we did"), tuple(lines))
