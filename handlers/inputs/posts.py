"""An input as the channel sees it: in the summary's thread (or the channel), its reference (#2,
or an anonymous one's letters), who gave it (or "an anonymous colleague"), what became of it, and
the facilitators' buttons to say so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers.i18n import N_, Translator
from handlers.inputs.references import input_label
from handlers.messages import Block, Button, Buttons, Context, Message, Paragraph
from handlers.outbox import enqueue
from storage.models import Input, Process
from storage.models.kinds import InputStatus

STATUS_NAMES = {
    "received": N_("received"),
    "considered": N_("considered"),
    "used": N_("used"),
    "not_used": N_("not used"),
}
MARKS: tuple[InputStatus, ...] = ("considered", "used", "not_used")
MARK_LABELS = {
    "considered": N_("Considered"),
    "used": N_("Used"),
    "not_used": N_("Not used"),
}


def author_label(tr: Translator, contribution: Input) -> str:
    """The name, or for anonymous input (and input whose author is gone) no name at all."""
    if contribution.anonymous or contribution.author is None:
        return tr._("An anonymous colleague")
    return contribution.author.person.name


def status_line(tr: Translator, contribution: Input) -> str:
    line = tr._("Status: {status}").format(status=tr._(STATUS_NAMES[contribution.status]))
    if contribution.status_note:
        line += f" · {contribution.status_note}"
    return line


def mark_buttons(tr: Translator, contribution: Input) -> Buttons:
    """Each button names the input by process and reference: a row id in a button's value, which
    anyone in the channel can read, would tell when an anonymous input was given."""
    return Buttons(
        tuple(
            Button(
                tr._(MARK_LABELS[mark]),
                "input.mark",
                f"{contribution.process_id}:{contribution.reference}:{mark}",
                style="primary" if mark == "used" else "",
            )
            for mark in MARKS
        )
    )


def input_post_message(tr: Translator, contribution: Input) -> Message:
    who = author_label(tr, contribution)
    # Texts of their own without a name: "fra en anonym kollega", lower case mid-sentence.
    if contribution.anonymous or contribution.author is None:
        heading = (
            tr._("Input from an anonymous colleague")
            if contribution.summary_id is not None
            else tr._("Input to the process from an anonymous colleague")
        )
    elif contribution.summary_id is not None:
        heading = tr._("Input from {who}").format(who=who)
    else:
        heading = tr._("Input to the process from {who}").format(who=who)
    blocks: list[Block] = [
        Context(f"{input_label(contribution)} · {heading}"),
        Paragraph(contribution.text),
    ]
    if contribution.status != "received":
        blocks.append(Context(status_line(tr, contribution)))
    blocks += [
        mark_buttons(tr, contribution),
        Context(tr._("Facilitators: mark what became of the input; the contributor is told.")),
    ]
    return Message(f"{heading}: {contribution.text}", tuple(blocks), language=tr.language)


def post_input(session: Session, process: Process, contribution: Input, now: datetime) -> None:
    """Show the input in the summary's thread, or in the channel for input in general."""
    contribution.posted_at = now
    tr = Translator(process.language, process.timezone, now=now)
    enqueue(
        session,
        input_post_message(tr, contribution),
        key=post_key(contribution),
        now=now,
        process=process,
        channel_id=process.channel_id,
        reply_to_key=f"summary:{contribution.summary_id}" if contribution.summary_id else None,
    )


def update_input_post(
    session: Session, process: Process, contribution: Input, now: datetime, *, version: str
) -> None:
    """The post again, as it now stands (a new status, a note)."""
    tr = Translator(process.language, process.timezone, now=now)
    enqueue(
        session,
        input_post_message(tr, contribution),
        key=f"{post_key(contribution)}:{version}",
        now=now,
        process=process,
        channel_id=process.channel_id,
        replaces_key=post_key(contribution),
    )


def post_key(contribution: Input) -> str:
    return f"input:{contribution.id}"
