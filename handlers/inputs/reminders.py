"""Reminding colleagues who have not answered, inside working hours, and closing requests whose
deadline has passed. Reminders stop on an answer, "no input", the deadline, or leaving."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Deps
from handlers.inputs.anonymity import deadline_passed, release_after_deadlines
from handlers.inputs.nudging import send_due_nudges
from handlers.inputs.working_time import WorkingHours, next_reminder_at, within_working_hours
from handlers.outbox import enqueue
from handlers.people import translator_for_member
from handlers.workshops.summary_messages import input_request_message
from storage.models import InputRequest, Process, Summary

OPEN = ("pending", "delivered")


def first_reminder_at(process: Process, summary: Summary, now: datetime) -> datetime | None:
    return _next(process, summary, now, after=None)


def next_reminder_after_move(
    process: Process, summary: Summary, now: datetime, last_reminded: datetime | None
) -> datetime | None:
    """The next reminder once the deadline has moved: on the new deadline's reminder days,
    never a second one on the day a reminder last went."""
    return _next(process, summary, now, after=last_reminded)


def _next(
    process: Process, summary: Summary, now: datetime, after: datetime | None
) -> datetime | None:
    return next_reminder_at(
        summary.input_deadline,
        ZoneInfo(process.timezone),
        now,
        days_before=process.reminder_days_before,
        on_deadline=process.remind_on_deadline,
        hours=WorkingHours(country=process.holiday_country),
        after=after,
    )


def send_due_reminders(deps: Deps) -> int:
    """One sweep: remind whoever is due, expire what is past its deadline and post the anonymous
    input that waited for it. Returns how many messages were queued. Safe to run on several
    replicas: a reminder's key is its number, a waiting input's post its id."""
    now = deps.clock()
    with deps.db.transaction() as session:
        expire_past_deadlines(session, now)
        sent = release_after_deadlines(session, now)
        sent += send_due_nudges(session, now)  # a facilitator's "remind them now" that waited
        due = session.scalars(
            select(InputRequest)
            .where(InputRequest.status.in_(OPEN), InputRequest.next_reminder_at <= now)
            .order_by(InputRequest.id)
            .with_for_update(skip_locked=True, of=InputRequest)
        ).all()
        for request in due:
            process = request.summary.workshop.process
            hours = WorkingHours(country=process.holiday_country)
            if not within_working_hours(now, ZoneInfo(process.timezone), hours):
                # Outside working hours (the sweep ran late, or the bot was down): move it to the
                # next window that is still a reminder day, or drop it.
                request.next_reminder_at = _next(process, request.summary, now, after=None)
                continue
            number = request.reminders_sent + 1
            person = request.member.person
            tr = translator_for_member(request.member)
            workshop = request.summary.workshop
            enqueue(
                session,
                input_request_message(
                    tr, process, workshop, request.summary, request, reminder=True
                ),
                key=f"remind:{request.id}:{number}",
                now=now,
                process=process,
                person=person,
                link_key=f"summary:{request.summary_id}",
            )
            request.reminders_sent = number
            request.next_reminder_at = _next(process, request.summary, now, after=now)
            sent += 1
    return sent


def expire_past_deadlines(session: Session, now: datetime) -> int:
    """Requests whose deadline day has ended in their process's timezone are closed."""
    candidates = session.scalars(
        select(InputRequest)
        .join(Summary)
        .where(InputRequest.status.in_(OPEN), Summary.input_deadline <= now.date())
    ).all()
    expired = 0
    for request in candidates:
        if deadline_passed(request.summary.workshop.process, request.summary, now):
            request.status, request.next_reminder_at = "expired", None
            expired += 1
    return expired
