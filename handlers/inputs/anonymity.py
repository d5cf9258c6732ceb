"""Fair anonymity: an anonymous input is never shown in a way that singles its author out.

It waits, unposted, until at least the process's threshold of colleagues have responded to its
summary (with input, named or anonymous, or with "no input from me") or the input deadline has
passed; then every waiting input of that summary is posted at once, without a time of its own.
Anonymous input to the process in general waits until that many colleagues have given general
input. Until it is posted nobody sees it: not the channel, not the facilitators' lists.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from handlers.inputs.posts import post_input
from storage.models import Input, InputRequest, Process, Summary


def responders(session: Session, process: Process, summary: Summary | None) -> int:
    """Colleagues who have responded: to a summary (input or "no input"), or to the process in
    general (general input). Each counted once."""
    gave = select(Input.author_member_id.label("member")).where(
        Input.process_id == process.id,
        Input.summary_id == summary.id if summary else Input.summary_id.is_(None),
        Input.author_member_id.is_not(None),
    )
    if summary is None:
        who = gave.subquery()
    else:
        declined = select(InputRequest.member_id.label("member")).where(
            InputRequest.summary_id == summary.id, InputRequest.status == "declined"
        )
        who = union(gave, declined).subquery()
    return session.scalar(select(func.count(func.distinct(who.c.member)))) or 0


def deadline_passed(process: Process, summary: Summary, now: datetime) -> bool:
    return now.astimezone(ZoneInfo(process.timezone)).date() > summary.input_deadline


def release_if_due(
    session: Session, process: Process, summary: Summary | None, now: datetime
) -> int:
    """Post the waiting anonymous inputs of this summary (or of the process in general) if the
    threshold is met or the deadline has passed. Returns how many were posted."""
    waiting = _waiting(session, process, summary)
    if not waiting:
        return 0
    due = responders(session, process, summary) >= process.anonymity_threshold or (
        summary is not None and deadline_passed(process, summary, now)
    )
    if not due:
        return 0
    # In an order that says nothing about when each was written.
    for contribution in sorted(waiting, key=lambda i: i.text.casefold()):
        post_input(session, process, contribution, now)
    return len(waiting)


def release_after_deadlines(session: Session, now: datetime) -> int:
    """The sweep: summaries whose deadline has passed post what still waits."""
    summaries = session.scalars(
        select(Summary)
        .join(Input, Input.summary_id == Summary.id)
        .where(Input.posted_at.is_(None), Summary.input_deadline <= now.date())
        .distinct()
    ).all()
    return sum(
        release_if_due(session, summary.workshop.process, summary, now) for summary in summaries
    )


def _waiting(session: Session, process: Process, summary: Summary | None) -> list[Input]:
    return list(
        session.scalars(
            select(Input).where(
                Input.process_id == process.id,
                Input.summary_id == summary.id if summary else Input.summary_id.is_(None),
                Input.posted_at.is_(None),
            )
        )
    )
