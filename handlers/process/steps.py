"""Moving a process from one of the six steps to another."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import CommandSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import N_, Translator
from handlers.messages import Context, Heading, Message, Paragraph, Reply
from handlers.outbox import enqueue
from handlers.people import acting, require_open
from handlers.pulse.asking import start_pulse
from handlers.pulse.limits import PulseStart, pulse_note
from handlers.six_steps import STEP_COUNT, progress_block, step_label
from handlers.status.changed import status_changed
from storage.models import Process, StepChange


def parse_step(text: str) -> int:
    try:
        step = int(text.strip())
    except ValueError:
        raise Refused(N_("The step must be a number from 1 to 6."), field="step") from None
    if not 1 <= step <= STEP_COUNT:
        raise Refused(N_("The step must be a number from 1 to 6."), field="step")
    return step


def enter_step(
    session: Session, deps: Deps, process: Process, step: int, now: datetime
) -> PulseStart:
    """The process is now at `step`: remembered with its date, and every member gets the pulse
    (unless one went out less than 7 days ago)."""
    process.current_step, process.step_changed_at = step, now
    session.add(StepChange(process_id=process.id, step=step, entered_at=now))
    status_changed(session, process.id)
    return start_pulse(
        session, deps, process, reason="step", key=f"pulse:{process.id}:{now.isoformat()}", now=now
    )


def move_to_step(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """Facilitators only. Tells the channel where the process now stands."""
    if not argument:
        raise Refused(N_("Write the step as a number, for example /samskab step 3."))
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, person, tr = who.process, who.person, who.tr
        step = parse_step(argument)
        if step == process.current_step:
            return Reply(
                message=Message(
                    tr._("The process is already at {step}.").format(step=step_label(tr, step)),
                    language=tr.language,
                )
            )
        require_open(process)
        previous = process.current_step
        started = enter_step(session, deps, process, step, now)
        audit.record(
            session, "step.moved", at=now, process=process, actor=person, old=previous, new=step
        )
        ptr = Translator(process.language, process.timezone, now=now)
        moved = (
            ptr._("The process has moved to {step}.")
            if step > previous
            else ptr._("The process has gone back to {step}.")
        )
        text = moved.format(step=step_label(ptr, step))
        enqueue(
            session,
            Message(
                text,
                (
                    Heading(ptr._("New step in “{process}”").format(process=process.name)),
                    progress_block(ptr, step),
                    Paragraph(text),
                    Context(ptr._("Moved by {name}.").format(name=person.name)),
                ),
                language=ptr.language,
            ),
            key=f"step:{process.id}:{now.isoformat()}",
            now=now,
            process=process,
            channel_id=process.channel_id,
        )
        done = tr._("Done: {step}.").format(step=step_label(tr, step))
        # The facilitator hears whether the step change brought a pulse, or why not.
        note = pulse_note(tr, started)
        return Reply(message=Message(f"{done} {note}".strip(), language=tr.language))


STEP = CommandSpec(
    "step",
    N_("/samskab step 3: move the process to a step from 1 to 6"),
    Role.FACILITATOR,
    aliases=("trin",),
    run_with=move_to_step,
)
