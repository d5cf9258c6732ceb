"""A facilitator asks again: one extra reminder DM to each colleague who has not answered a
summary's request, within working hours (outside them, it waits for the next working morning),
and never more than once a day to anyone.

The nudge is kept on the request (`InputRequest.nudged_at`: when it goes, or went). One sent at
once is queued at once; one that waits is queued by the reminder sweep when its morning comes,
and only if the colleague still has not answered by then."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.inputs.working_time import WorkingHours, next_working_moment, within_working_hours
from handlers.messages import Context, Message, Reply
from handlers.outbox import enqueue
from handlers.people import (
    ensure_person,
    require_facilitator,
    require_open,
    translator_for,
    translator_for_member,
)
from handlers.workshops.summary_messages import input_request_message
from storage.models import InputRequest, Process, Summary

OPEN = ("pending", "delivered")


@dataclass
class Nudged:
    """What a nudge did: when it goes, to whom, and who was skipped (reminded that day)."""

    send_at: datetime
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def nudge_absent(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """The "Send a reminder now" button under a summary in `/samskab missing`."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        summary = session.get(Summary, parse_id(value))
        if summary is None:
            raise Refused(N_("There is no such summary."))
        process = summary.workshop.process
        require_facilitator(session, process, person)
        require_open(process)
        tr = translator_for(person, process, deps)
        done = nudge(session, process, summary, now)
        if done is None:
            raise Refused(
                N_("The deadline for input ({deadline}) has passed: no reminder was sent."),
                deadline=tr.date(summary.input_deadline),
            )
        audit.record(
            session,
            "input.nudged",
            at=now,
            process=process,
            actor=person,
            summary=summary.id,
            sent=len(done.sent),
            skipped=len(done.skipped),
        )
        return Reply(message=Message(_told(tr, done, now), language=tr.language))


def nudge(session: Session, process: Process, summary: Summary, now: datetime) -> Nudged | None:
    """Marks each open request of the summary for a nudge at `send_at` and queues the ones that
    go now. None when the deadline has passed before the nudge could go."""
    send_at = nudge_time(process, now)
    day = _local_day(process, send_at)
    if day > summary.input_deadline:
        return None
    done = Nudged(send_at)
    requests = session.scalars(
        select(InputRequest)
        .where(InputRequest.summary_id == summary.id, InputRequest.status.in_(OPEN))
        .order_by(InputRequest.id)
    ).all()
    for request in sorted(requests, key=lambda r: r.member.person.name.casefold()):
        if not request.member.active:
            continue
        name = request.member.person.name
        if _nudged_on(session, process, request.member_id, day):
            done.skipped.append(name)
            continue
        request.nudged_at = send_at
        if send_at <= now:
            _send(session, process, request, now)
        done.sent.append(name)
    return done


def send_due_nudges(session: Session, now: datetime) -> int:
    """Part of the reminder sweep: the nudges whose working morning has come, to colleagues who
    still have not answered. A nudge whose day has passed unsent (the bot was down) is dropped:
    its day was its promise. The key makes a second sweep harmless."""
    due = session.scalars(
        select(InputRequest)
        .where(
            InputRequest.status.in_(OPEN),
            InputRequest.nudged_at <= now,
            InputRequest.nudged_at > now - timedelta(days=1),
        )
        .order_by(InputRequest.id)
    ).all()
    sent = 0
    for request in due:
        process = request.summary.workshop.process
        assert request.nudged_at is not None  # the query says so
        hours = WorkingHours(country=process.holiday_country)
        on_its_day = _local_day(process, request.nudged_at) == _local_day(process, now)
        if not request.member.active or not on_its_day:
            continue
        if within_working_hours(now, ZoneInfo(process.timezone), hours):
            sent += _send(session, process, request, now)
    return sent


def nudge_time(process: Process, now: datetime) -> datetime:
    """Now, inside working hours; else the start of the next working day's hours."""
    hours = WorkingHours(country=process.holiday_country)
    return next_working_moment(now, ZoneInfo(process.timezone), hours)


def _send(session: Session, process: Process, request: InputRequest, now: datetime) -> bool:
    """The reminder as the sweep sends it, saying that the facilitators ask again."""
    assert request.nudged_at is not None
    tr = translator_for_member(request.member)
    workshop = request.summary.workshop
    reminder = input_request_message(tr, process, workshop, request.summary, request, reminder=True)
    again = Context(tr._("The facilitators ask you again: your input still counts."))
    message = Message(
        reminder.text, (reminder.blocks[0], again, *reminder.blocks[1:]), language=tr.language
    )
    return enqueue(
        session,
        message,
        key=f"nudge:{request.id}:{_local_day(process, request.nudged_at).isoformat()}",
        now=now,
        process=process,
        person=request.member.person,
        link_key=f"summary:{request.summary_id}",
    )


def _nudged_on(session: Session, process: Process, member_id: int, day: date) -> bool:
    """Whether the colleague has a nudge that day, about any summary: at most one a day."""
    moments = session.scalars(
        select(InputRequest.nudged_at).where(
            InputRequest.member_id == member_id, InputRequest.nudged_at.is_not(None)
        )
    ).all()
    return any(m is not None and _local_day(process, m) == day for m in moments)


def _local_day(process: Process, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(process.timezone)).date()


def _told(tr: Translator, done: Nudged, now: datetime) -> str:
    lines = []
    names = ", ".join(done.sent)
    if done.sent and done.send_at <= now:
        lines.append(tr._("A reminder is on its way to: {names}.").format(names=names))
    elif done.sent:
        lines.append(
            tr._("It is outside working hours: the reminder goes {when} to: {names}.").format(
                when=tr.datetime(done.send_at), names=names
            )
        )
    if done.skipped:
        skipped = ", ".join(done.skipped)
        same_day = (
            tr._("Not reminded again, as they already have a reminder today: {names}.")
            if done.send_at <= now
            else tr._("Not reminded again, as they already have a reminder that day: {names}.")
        )
        lines.append(same_day.format(names=skipped))
    if not lines:
        lines.append(tr._("Everyone who was asked has answered: nobody to remind."))
    return "\n".join(lines)
