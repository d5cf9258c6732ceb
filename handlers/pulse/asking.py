"""The pulse: "Føler du dig opdateret om, hvor forløbet er?" (1–5, optional comment).

Every active member gets it as a DM when the process moves to a new step and when a facilitator
types `/samskab pulse`, at most once every 7 days (handlers.pulse.limits); a new pulse closes the
one before. One click answers; another click changes the answer. Scores are shown only together
(handlers.pulse.results), so nothing here ever logs or says a person's score.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import ButtonSpec, CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.i18n import N_
from handlers.ids import parse_id
from handlers.messages import FormOutcome, FormValues, Message, Reply
from handlers.outbox import enqueue
from handlers.people import (
    acting,
    active_members,
    ensure_person,
    require_member,
    require_open,
    translator_for,
)
from handlers.pulse.limits import (
    PulseStart,
    close_pulse,
    held_back_dates,
    is_closed,
    is_recent,
    last_pulse,
    pulse_note,
)
from handlers.pulse.questions import MAX_COMMENT, SCORES, dm_key, pulse_form, pulse_message
from handlers.pulse.results import MIN_ANSWERS
from storage.models import (
    Invitation,
    Member,
    OutboxMessage,
    Person,
    Process,
    Pulse,
    PulseAnswer,
    Workshop,
)


def start_pulse(
    session: Session,
    deps: Deps,
    process: Process,
    *,
    reason: str,
    key: str,
    now: datetime,
    actor: Person | None = None,
) -> PulseStart:
    """Ask every active member, once per `key`, unless a pulse went out less than 7 days ago;
    the one before is closed. Called in the step change's transaction; `actor`: the facilitator
    who asked for it, for the audit log."""
    if process.status != "active":
        return PulseStart()
    last = last_pulse(session, process)
    if is_recent(last, now):
        return PulseStart(held_back_by=last)
    if session.scalar(select(Pulse.id).where(Pulse.key == key)) is not None:
        return PulseStart()
    members = active_members(process)
    pulse = Pulse(
        key=key,
        process_id=process.id,
        step=process.current_step,
        reason=reason,
        workshop_id=_last_held_workshop(session, process),
        asked=len(members),
        created_at=now,
    )
    session.add(pulse)
    session.flush()
    if last is not None:
        close_pulse(session, deps, process, last, now)
    for member in members:
        tr = translator_for(member.person, process, deps)
        enqueue(
            session,
            pulse_message(tr, process, pulse, None),
            key=dm_key(pulse, member.person),
            now=now,
            process=process,
            person=member.person,
        )
    audit.record(
        session,
        "pulse.sent",
        at=now,
        process=process,
        actor=actor,
        pulse=pulse.id,
        reason=reason,
        asked=len(members),
    )
    return PulseStart(sent=pulse)


def pulse_command(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """`/samskab pulse`: facilitators ask every member now, at most once every 7 days."""
    no_arguments("pulse", arg)
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        key = f"pulse:{process.id}:command:{now.isoformat()}"
        started = start_pulse(
            session, deps, process, reason="command", key=key, now=now, actor=who.person
        )
        if started.held_back_by is not None and started.next_at is not None:
            raise Refused(
                N_(
                    "The last pulse went out {date}, and at most one goes out every 7 days. The "
                    "next can be sent from {next}."
                ),
                **held_back_dates(tr, started.held_back_by, started.next_at),
            )
        results = tr._("Results appear in the status update when at least {min} have answered.")
        text = f"{pulse_note(tr, started)} {results.format(min=MIN_ANSWERS)}".strip()
        return Reply(message=Message(text, language=tr.language))


def answer_pulse(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """A score button: store the answer (or change it) and update the DM."""
    pulse_id, _, score_text = value.partition(":")
    if not parse_id(pulse_id) or score_text not in {str(s) for s in SCORES}:
        raise Refused(N_("That is not an answer to the pulse: choose a number from 1 to 5."))
    score = int(score_text)
    try:
        return _answer(deps, actor, pulse_id, score)
    except IntegrityError:
        # Two clicks at once both found no answer; the first one stored it, so this one changes it.
        return _answer(deps, actor, pulse_id, score)


def _answer(deps: Deps, actor: PersonRef, pulse_id: str, score: int) -> Reply:
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        pulse, process, member = _asked(session, person, pulse_id)
        tr = translator_for(person, process, deps)
        answer = _answer_of(session, pulse, member)
        if answer is not None and answer.score == score:
            text = tr._("Your answer is already {score} of 5.").format(score=score)
            return Reply(message=Message(text, language=tr.language))
        changed = answer is not None
        if answer is None:
            answer = _new_answer(session, pulse, member, score, now)
        answer.score, answer.answered_at = score, now
        session.flush()
        _update_dm(session, deps, process, pulse, person, answer, now)
        audit.record(
            session,
            "pulse.answered",
            at=now,
            process=process,
            actor=person,
            pulse=pulse.id,
            changed=changed,
        )
        text = tr._(
            "Thank you! Your answer is received: {score} of 5. You can change it by clicking "
            "another number."
        ).format(score=score)
        return Reply(message=Message(text, language=tr.language))


def comment_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """ "Add a comment": a form with the score (kept if given) and room for a comment."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        pulse, process, member = _asked(session, person, value)
        tr = translator_for(person, process, deps)
        answer = _answer_of(session, pulse, member)
        return Reply(form=pulse_form(tr, pulse, answer))


def submit_comment(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        pulse, process, member = _asked(session, person, metadata.get("pulse", ""))
        tr = translator_for(person, process, deps)
        form = FormReader(values)
        score = form.choice("score", {str(s) for s in SCORES})
        comment = form.text("comment", max_length=MAX_COMMENT, required=False)
        if form.errors:
            # Here, not in the router: a DM's modal has no channel to tell the process's language.
            return FormOutcome(
                errors={f: tr._(m).format(**params) for f, (m, params) in form.errors.items()}
            )
        answer = _answer_of(session, pulse, member)
        if answer is None:
            answer = _new_answer(session, pulse, member, int(score), now)
        answer.score, answer.comment, answer.answered_at = int(score), comment or None, now
        session.flush()
        _update_dm(session, deps, process, pulse, person, answer, now)
        audit.record(
            session,
            "pulse.commented",
            at=now,
            process=process,
            actor=person,
            pulse=pulse.id,
            comment=bool(comment),
        )
        text = tr._("Thank you! Your answer and comment are received.")
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))


# --- the DM ----------------------------------------------------------------------------------


def _update_dm(
    session: Session,
    deps: Deps,
    process: Process,
    pulse: Pulse,
    person: Person,
    answer: PulseAnswer,
    now: datetime,
) -> None:
    """Each answer or change is a new update of the original DM, so every one gets a key."""
    prefix = f"pulse-answered:{pulse.id}:{person.id}:"
    earlier = session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.key.startswith(prefix))
    )
    tr = translator_for(person, process, deps)
    enqueue(
        session,
        pulse_message(tr, process, pulse, answer),
        key=f"{prefix}{(earlier or 0) + 1}",
        now=now,
        process=process,
        person=person,
        replaces_key=dm_key(pulse, person),
    )


# --- helpers ---------------------------------------------------------------------------------


def _last_held_workshop(session: Session, process: Process) -> int | None:
    return session.scalar(
        select(Workshop.id)
        .where(Workshop.process_id == process.id, Workshop.status == "held")
        .order_by(Workshop.starts_at.desc(), Workshop.id.desc())
        .limit(1)
    )


def _asked(session: Session, person: Person, pulse_id: str) -> tuple[Pulse, Process, Member]:
    """The pulse, if it was sent to this person (their DM was written) and is still the newest,
    in an open process where they are still a member."""
    pulse = session.get(Pulse, parse_id(pulse_id))
    if pulse is None or (
        session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == dm_key(pulse, person)))
        is None
    ):
        raise Refused(N_("This pulse was not sent to you."))
    if is_closed(session, pulse):
        # A button on an older DM: its answer would count for a question no longer asked.
        raise Refused(
            N_("This pulse is closed: a newer one has been sent, which you can answer instead.")
        )
    process = session.get(Process, pulse.process_id)
    assert process is not None  # a foreign key
    require_open(process)
    return pulse, process, require_member(session, process, person)


def _answer_of(session: Session, pulse: Pulse, member: Member) -> PulseAnswer | None:
    return session.scalar(
        select(PulseAnswer).where(
            PulseAnswer.pulse_id == pulse.id, PulseAnswer.person_id == member.person_id
        )
    )


def _new_answer(
    session: Session, pulse: Pulse, member: Member, score: int, now: datetime
) -> PulseAnswer:
    """`attended`: per the invitation to the pulse's workshop; None when not invited."""
    attended = (
        session.scalar(
            select(Invitation.attended).where(
                Invitation.workshop_id == pulse.workshop_id, Invitation.member_id == member.id
            )
        )
        if pulse.workshop_id is not None
        else None
    )
    answer = PulseAnswer(
        pulse_id=pulse.id,
        person_id=member.person_id,
        score=score,
        attended=attended,
        answered_at=now,
    )
    session.add(answer)
    return answer


PULSE = CommandSpec(
    "pulse",
    N_("/samskab pulse: ask every member whether they feel up to date"),
    Role.FACILITATOR,
    aliases=("puls",),
    run_with=pulse_command,
    forms=(FormSpec("pulse.comment", submit_comment, needs_channel=False),),
    buttons=(ButtonSpec("pulse.answer", answer_pulse), ButtonSpec("pulse.comment", comment_form)),
)
