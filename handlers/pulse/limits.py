"""How often the pulse goes: at most once every 7 days per process, however often the step
changes; and a new pulse closes the one before it, so that nobody answers a question that is no
longer asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Deps
from handlers.i18n import Translator
from handlers.outbox import enqueue
from handlers.people import translator_for
from handlers.pulse.questions import closed_pulse_message, dm_key
from storage.models import OutboxMessage, Person, Process, Pulse, PulseAnswer

PULSE_INTERVAL = timedelta(days=7)


@dataclass(frozen=True)
class PulseStart:
    """What became of a pulse asked for: `sent`, or held back by the recent pulse `held_back_by`
    (neither where the process is not active)."""

    sent: Pulse | None = None
    held_back_by: Pulse | None = None

    @property
    def next_at(self) -> datetime | None:
        """When the next pulse may go, where this one was held back."""
        return self.held_back_by.created_at + PULSE_INTERVAL if self.held_back_by else None


def last_pulse(session: Session, process: Process) -> Pulse | None:
    """The process's newest pulse. The process's row is locked first (on PostgreSQL), so that
    two step changes at once cannot both find none and send two."""
    session.execute(select(Process.id).where(Process.id == process.id).with_for_update())
    return session.scalar(
        select(Pulse)
        .where(Pulse.process_id == process.id)
        .order_by(Pulse.created_at.desc(), Pulse.id.desc())
        .limit(1)
    )


def is_recent(pulse: Pulse | None, now: datetime) -> bool:
    return pulse is not None and now < pulse.created_at + PULSE_INTERVAL


def is_closed(session: Session, pulse: Pulse) -> bool:
    """A newer pulse of the same process has been sent."""
    newer = select(Pulse.id).where(Pulse.process_id == pulse.process_id, Pulse.id > pulse.id)
    return session.scalar(newer.limit(1)) is not None


def close_pulse(session: Session, deps: Deps, process: Process, pulse: Pulse, now: datetime) -> int:
    """Each DM of `pulse` still unanswered is updated in place to say it is closed, without its
    buttons. An answered one keeps its answer; a press on its buttons is refused as closed.
    Returns how many were closed."""
    answered = select(PulseAnswer.person_id).where(PulseAnswer.pulse_id == pulse.id)
    unanswered = session.execute(
        select(OutboxMessage.key, Person)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(
            OutboxMessage.key.startswith(f"pulse:{pulse.id}:"),
            OutboxMessage.status != "failed",  # never reached them: nothing there to close
            Person.id.not_in(answered),
        )
        .order_by(OutboxMessage.id)
    ).all()
    closed = 0
    for key, person in unanswered:
        if key != dm_key(pulse, person):
            continue
        tr = translator_for(person, process, deps)
        closed += enqueue(
            session,
            closed_pulse_message(tr, process, pulse),
            key=f"pulse-closed:{pulse.id}:{person.id}",
            now=now,
            process=process,
            person=person,
            replaces_key=key,
        )
    return closed


def pulse_note(tr: Translator, start: PulseStart) -> str:
    """What the facilitator is told of the pulse a step change brought, in words."""
    if start.sent is not None:
        return tr.ngettext(
            "The pulse is sent to {n} member.",
            "The pulse is sent to {n} members.",
            start.sent.asked,
        ).format(n=start.sent.asked)
    if start.held_back_by is not None and start.next_at is not None:
        return tr._(
            "No pulse is sent: the last one went out {date}, and at most one goes out every 7 "
            "days. The next can be sent from {next}."
        ).format(**held_back_dates(tr, start.held_back_by, start.next_at))
    return ""


def held_back_dates(tr: Translator, last: Pulse, next_at: datetime) -> dict[str, str]:
    return {"date": tr.date(tr.local(last.created_at).date()), "next": tr.datetime(next_at)}
