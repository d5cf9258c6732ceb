"""The six steps of samskabt styring, and moving a process from one to another."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import N_, Translator
from handlers.messages import Context, Heading, Message, Paragraph, Progress, Reply
from handlers.outbox import enqueue
from handlers.people import acting, require_open
from storage.models import Process, StepChange

STEP_COUNT = 6
STEP_NAMES = (
    N_("Introduction and shared language"),
    N_("Identify, investigate and prioritise the challenges"),
    N_("Develop solutions"),
    N_("Test and implement solutions"),
    N_("Evaluate whether the solutions work"),
    N_("Learn from the process and decide next steps"),
)


def step_name(tr: Translator, step: int) -> str:
    return tr._(STEP_NAMES[step - 1])


def step_label(tr: Translator, step: int) -> str:
    """ "Trin 3 af 6: Udvikle løsninger"."""
    return tr._("Step {step} of {total}: {name}").format(
        step=step, total=STEP_COUNT, name=step_name(tr, step)
    )


def progress_block(tr: Translator, step: int) -> Progress:
    return Progress(step=step, total=STEP_COUNT, label=step_label(tr, step))


def parse_step(text: str) -> int:
    try:
        step = int(text.strip())
    except ValueError:
        raise Refused(N_("The step must be a number from 1 to 6."), field="step") from None
    if not 1 <= step <= STEP_COUNT:
        raise Refused(N_("The step must be a number from 1 to 6."), field="step")
    return step


def enter_step(session: Session, deps: Deps, process: Process, step: int, now: datetime) -> None:
    """The process is now at `step`: remembered with its date, and every member gets the pulse."""
    from handlers.pulse import start_pulse  # the pulse's own texts name the step: import late

    process.current_step, process.step_changed_at = step, now
    session.add(StepChange(process_id=process.id, step=step, entered_at=now))
    start_pulse(
        session, deps, process, reason="step", key=f"pulse:{process.id}:{now.isoformat()}", now=now
    )


def move_to_step(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """Facilitators only. Tells the channel where the process now stands."""
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
        enter_step(session, deps, process, step, now)
        audit.record(
            session, "step.moved", at=now, process=process, actor=person, old=previous, new=step
        )
        ptr = Translator(process.language, process.timezone)
        text = ptr._("The process has moved to {step}.").format(step=step_label(ptr, step))
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
        return Reply(
            message=Message(
                tr._("Done: {step}.").format(step=step_label(tr, step)), language=tr.language
            )
        )
