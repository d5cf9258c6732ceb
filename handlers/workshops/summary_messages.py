"""The messages around a summary: the channel post, the DM to an absent colleague, and the DM as
it reads once they have answered."""

from __future__ import annotations

from typing import Protocol

from handlers.i18n import N_, Translator
from handlers.messages import (
    Block,
    BulletList,
    Button,
    Buttons,
    Context,
    Divider,
    Fields,
    Heading,
    Link,
    Message,
    Paragraph,
)
from handlers.six_steps import progress_block
from storage.models import Process, Summary, Workshop

ITEM_TITLES = {
    "decision": N_("Decisions"),
    "open_question": N_("Open questions"),
    "next_step": N_("Next steps"),
}


def item_lists(tr: Translator, summary: Summary) -> list[Block]:
    blocks: list[Block] = []
    for kind, title in ITEM_TITLES.items():
        items = summary.items_of(kind)
        if items:
            blocks.append(BulletList(tr._(title), tuple(items)))
    return blocks


def corrected_mark(tr: Translator, summary: Summary) -> list[Block]:
    """ "Rettet mandag den 7. december kl. 14:05": a corrected summary says so, and when."""
    if summary.corrected_at is None:
        return []
    return [Context(tr._("Corrected {when}").format(when=tr.datetime(summary.corrected_at)))]


def summary_message(
    tr: Translator, process: Process, workshop: Workshop, summary: Summary
) -> Message:
    attended = sum(1 for inv in workshop.invitations if inv.attended)
    heading = tr._("Summary of the workshop: {title}").format(title=workshop.title)
    blocks: list[Block] = [
        Heading(heading),
        *corrected_mark(tr, summary),
        progress_block(tr, process.current_step),
        Fields(
            (
                (tr._("Track"), workshop.track.name),
                (tr._("When"), tr.datetime(workshop.starts_at)),
                (
                    tr._("Attended"),
                    tr._("{n} of {total} invited").format(
                        n=attended, total=len(workshop.invitations)
                    ),
                ),
            )
        ),
        Paragraph(summary.text),
        *item_lists(tr, summary),
        Divider(),
        Paragraph(
            tr._("Question for colleagues who did not attend: {question}").format(
                question=summary.question
            )
        ),
        Context(
            tr._("Input by {deadline}. Anyone can add input, also anonymously.").format(
                deadline=tr.date(summary.input_deadline)
            )
        ),
        Buttons((Button(tr._("Add input"), "input.open", str(summary.id), "primary"),)),
    ]
    return Message(f"{heading}\n{summary.text}", tuple(blocks), language=tr.language)


class AskedRequest(Protocol):
    """What the DM needs of its input request: an `InputRequest`, or a row just inserted."""

    @property
    def id(self) -> int: ...


def input_request_message(
    tr: Translator,
    process: Process,
    workshop: Workshop,
    summary: Summary,
    request: AskedRequest,
    *,
    reminder: bool = False,
) -> Message:
    heading = tr._("You were not at “{title}”: we would like your input").format(
        title=workshop.title
    )
    if reminder:
        heading = tr._("Reminder: {heading}").format(heading=heading)
    blocks: list[Block] = [
        Heading(heading),
        Context(f"{process.name} · {workshop.track.name} · {tr.datetime(workshop.starts_at)}"),
        *corrected_mark(tr, summary),
        Paragraph(summary.text),
        Link(tr._("See the summary in the channel")),
        *item_lists(tr, summary),
        Paragraph(tr._("Our question to you: {question}").format(question=summary.question)),
        Context(
            tr._(
                "Answer by {deadline}. You can answer anonymously, and “no input from me” is a fine "
                "answer too."
            ).format(deadline=tr.date(summary.input_deadline))
        ),
        Buttons(
            (
                Button(tr._("Give input"), "input.request", str(request.id), "primary"),
                Button(tr._("No input from me"), "input.decline", str(request.id)),
            )
        ),
    ]
    return Message(f"{heading}\n{summary.question}", tuple(blocks), language=tr.language)


def answered_request_message(
    tr: Translator, workshop: Workshop, *, declined: bool, anonymous: bool = False
) -> Message:
    """The DM after an answer: the buttons are gone and it says what was done."""
    heading = tr._("Summary of the workshop: {title}").format(title=workshop.title)
    if declined:
        done = tr._("You answered “no input from me”. Thank you; you will not be reminded.")
    elif anonymous:
        done = tr._("Thank you, your input is received and will be shared anonymously.")
    else:
        done = tr._("Thank you, your input is received and shared with your name.")
    return Message(
        f"{heading}\n{done}", (Heading(heading), Paragraph("✅ " + done)), language=tr.language
    )
