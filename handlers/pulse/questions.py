"""What the pulse says: the DM with its five buttons (as it reads once answered, and once a newer
pulse has closed it), and the form for a comment."""

from __future__ import annotations

from handlers.i18n import N_, Translator
from handlers.messages import (
    Block,
    Button,
    Buttons,
    Context,
    Form,
    FormField,
    Heading,
    Message,
    Option,
    Paragraph,
)
from handlers.pulse.results import MIN_ANSWERS
from handlers.six_steps import step_label
from storage.models import Person, Process, Pulse, PulseAnswer

SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 1000
QUESTION = N_("Do you feel up to date on where the process stands?")
SCORE_LABELS = {1: N_("1 – not at all"), 5: N_("5 – fully")}


def dm_key(pulse: Pulse, person: Person) -> str:
    return f"pulse:{pulse.id}:{person.id}"


def pulse_message(
    tr: Translator, process: Process, pulse: Pulse, answer: PulseAnswer | None
) -> Message:
    """The DM: the question and five buttons; once answered, the answer, and the buttons still
    there to change it."""
    heading = tr._(QUESTION)
    if pulse.reason == "step":
        why = tr._("The process has moved to {step}.").format(step=step_label(tr, pulse.step))
    else:
        why = tr._("The facilitators would like to know whether the information reaches everyone.")
    blocks: list[Block] = [
        Heading(heading),
        Context(f"{process.name} · {step_label(tr, pulse.step)}"),
        Paragraph(why),
    ]
    text = f"{heading}\n{why}"
    if answer is not None:
        done = tr._(
            "Thank you, your answer is received: {score} of 5. You can change it by clicking "
            "another number."
        ).format(score=answer.score)
        if answer.comment:
            done += " " + tr._("Your comment is received too.")
        blocks.append(Paragraph("✅ " + done))
        text = f"{heading}\n{done}"
    else:
        blocks.append(Paragraph(tr._("Answer with one click: 1 = not at all, 5 = fully.")))
    chosen = answer.score if answer is not None else None
    blocks += [
        Buttons(
            tuple(
                Button(str(s), "pulse.answer", f"{pulse.id}:{s}", "primary" if s == chosen else "")
                for s in SCORES
            )
        ),
        Buttons(
            (
                Button(
                    tr._("Change your comment")
                    if answer is not None and answer.comment
                    else tr._("Add a comment"),
                    "pulse.comment",
                    str(pulse.id),
                ),
            )
        ),
        Context(
            tr._(
                "The facilitators see the answers only together, and only when at least {n} have "
                "answered."
            ).format(n=MIN_ANSWERS)
        ),
    ]
    return Message(text, tuple(blocks), language=tr.language)


def closed_pulse_message(tr: Translator, process: Process, pulse: Pulse) -> Message:
    """The DM once a newer pulse has been sent: the question, without buttons."""
    heading = tr._(QUESTION)
    closed = tr._("This pulse is closed: a newer one has been sent.")
    blocks: tuple[Block, ...] = (
        Heading(heading),
        Context(f"{process.name} · {step_label(tr, pulse.step)}"),
        Paragraph(closed),
    )
    return Message(f"{heading}\n{closed}", blocks, language=tr.language)


def pulse_form(tr: Translator, pulse: Pulse, answer: PulseAnswer | None) -> Form:
    """ "Add a comment": the score (kept if given) and room for a comment."""
    return Form(
        callback_id="pulse.comment",
        title=tr._("Your answer to the pulse"),
        submit_label=tr._("Send"),
        intro=tr._(QUESTION),
        metadata={"pulse": str(pulse.id)},
        fields=(
            FormField(
                "score",
                tr._("Your answer"),
                "choice",
                initial=str(answer.score) if answer is not None else None,
                options=tuple(
                    Option(str(s), tr._(SCORE_LABELS[s]) if s in SCORE_LABELS else str(s))
                    for s in SCORES
                ),
            ),
            FormField(
                "comment",
                tr._("Comment"),
                "long_text",
                required=False,
                initial=answer.comment if answer is not None and answer.comment else None,
                max_length=MAX_COMMENT,
                hint=tr._("At most {limit} characters.").format(limit=MAX_COMMENT),
            ),
        ),
        language=tr.language,
    )
