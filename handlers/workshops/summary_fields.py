"""What a summary says, as form fields and as read back from them: the text, the decisions, open
questions and next steps, the question for absent colleagues and the input deadline. The summary
form asks for them empty; the correction form holds the summary as posted."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.messages import FormField
from storage.models import Summary

ITEM_KINDS = ("decision", "open_question", "next_step")
MAX_TEXT = 3000
MAX_QUESTION = 500


class SummaryContent(NamedTuple):
    text: str
    items: dict[str, list[str]]  # kind → the items, in order
    question: str
    deadline: date | None  # None only when the form was refused (check() raises)


def content_fields(
    tr: Translator, deadline: date, summary: Summary | None = None
) -> tuple[FormField, ...]:
    """The fields, empty (a proposed question and `deadline`) or holding `summary` as posted."""

    def items(kind: str) -> str | None:
        if summary is None:
            return None
        return "\n".join(summary.items_of(kind)) or None

    return (
        FormField(
            "text",
            tr._("Summary"),
            "long_text",
            max_length=MAX_TEXT,
            initial=summary.text if summary is not None else None,
        ),
        FormField(
            "decisions",
            tr._("Decisions (one per line)"),
            "long_text",
            required=False,
            max_length=MAX_TEXT,
            initial=items("decision"),
        ),
        FormField(
            "open_questions",
            tr._("Open questions (one per line)"),
            "long_text",
            required=False,
            max_length=MAX_TEXT,
            initial=items("open_question"),
        ),
        FormField(
            "next_steps",
            tr._("Next steps (one per line)"),
            "long_text",
            required=False,
            max_length=MAX_TEXT,
            initial=items("next_step"),
        ),
        FormField(
            "question",
            tr._("Question for colleagues who did not attend"),
            "text",
            max_length=MAX_QUESTION,
            initial=summary.question
            if summary is not None
            else tr._("What do you think of what we arrived at? Have we missed anything?"),
        ),
        FormField("deadline", tr._("Input deadline"), "date", initial=deadline.isoformat()),
    )


def read_content(
    form: FormReader, tr: Translator, now: datetime, *, kept_deadline: date | None = None
) -> SummaryContent:
    """The fields as submitted; errors are collected on `form`. A deadline before today is
    refused, unless it is `kept_deadline`, the one the summary has: correcting an old summary's
    words does not ask for a new deadline."""
    text = form.text("text", max_length=MAX_TEXT)
    items = {kind: form.lines(kind + "s", max_length=MAX_TEXT) for kind in ITEM_KINDS}
    question = form.text("question", max_length=MAX_QUESTION)
    deadline = form.date("deadline")
    if deadline is not None and deadline != kept_deadline and deadline < tr.today(now):
        form.fail("deadline", N_("The deadline has passed. Choose today or a later date."))
    return SummaryContent(text, items, question, deadline)
