"""Correcting a posted summary: a facilitator's form holds it as posted; on submit the summary is
changed, its channel post and the DMs of colleagues still asked are updated in place (never sent
again), and a moved deadline moves their reminders.

Who attended is not corrected here: nobody new is asked for input and nobody asked is un-asked.
An item (decision, open question, next step) whose text is unchanged keeps its row, and so its
status and history; an item removed is deleted, a new one starts open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import ButtonSpec, CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.inputs.anonymity import deadline_passed
from handlers.inputs.reminders import next_reminder_after_move
from handlers.messages import FormOutcome, FormValues, Message, Reply
from handlers.outbox import enqueue
from handlers.people import ensure_person, require_facilitator, require_open, translator_for
from handlers.status.changed import status_changed
from handlers.workshops.correction_form import (
    BUTTON,
    FORM,
    PICK,
    correction_command,
    correction_form,
    find_summary,
    pick_summary,
)
from handlers.workshops.summaries import ask_key
from handlers.workshops.summary_fields import ITEM_KINDS, SummaryContent, read_content
from handlers.workshops.summary_messages import input_request_message, summary_message
from storage.models import (
    InputRequest,
    OutboxMessage,
    Person,
    Process,
    Summary,
    SummaryItem,
    Workshop,
)


def correct_summary(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Store the correction; update the channel post and the open requests' DMs in place; move
    the reminders (and reopen what the old deadline closed) when the deadline moved."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        # Locked (PostgreSQL): two corrections of one summary go one after the other.
        summary = find_summary(session, metadata.get("summary", ""), lock=True)
        workshop = summary.workshop
        process = workshop.process
        require_facilitator(session, process, person)
        require_open(process)
        tr = translator_for(person, process, deps)
        form = FormReader(values)
        content = read_content(form, tr, now, kept_deadline=summary.input_deadline)
        form.check()
        assert content.deadline is not None
        if _unchanged(summary, content):
            unchanged = tr._("Nothing was changed: the summary stays as it was posted.")
            return FormOutcome(reply=Reply(message=Message(unchanged, language=tr.language)))

        moved = content.deadline != summary.input_deadline
        summary.text, summary.question = content.text, content.question
        summary.input_deadline = content.deadline
        summary.items = _corrected_items(summary, content)
        summary.corrected_at = now
        session.flush()
        requests = _requests(session, summary)
        reopened = _follow_deadline(session, process, summary, requests, now) if moved else 0
        version = _corrections_before(session, summary) + 1
        enqueue(
            session,
            summary_message(
                Translator(process.language, process.timezone, now=now), process, workshop, summary
            ),
            key=f"summary:{summary.id}:corrected:{version}",
            now=now,
            process=process,
            channel_id=process.channel_id,
            replaces_key=f"summary:{summary.id}",
        )
        still_asked = [r for r in requests if r.is_open]
        for request in still_asked:
            _update_dm(session, deps, process, workshop, summary, request, version)
        status_changed(session, process.id)
        audit.record(
            session,
            "summary.corrected",
            at=now,
            process=process,
            actor=person,
            workshop=workshop.id,
            deadline_moved=moved,
            requests_updated=len(still_asked),
            reopened=reopened,
        )
        return FormOutcome(reply=Reply(message=_done(tr, summary, len(still_asked), reopened)))


# --- helpers ---------------------------------------------------------------------------------


def _corrected_items(summary: Summary, content: SummaryContent) -> list[SummaryItem]:
    """The items as corrected. One whose kind and text are unchanged is the same row, so its
    status, answer and history stay; the rest are new, open rows; rows left out are deleted."""
    unchanged: dict[tuple[str, str], list[SummaryItem]] = {}
    for item in summary.items:
        unchanged.setdefault((item.kind, item.text), []).append(item)
    items: list[SummaryItem] = []
    for kind in ITEM_KINDS:
        for position, text in enumerate(content.items[kind]):
            same = unchanged.get((kind, text))
            if same:
                item = same.pop(0)
                item.position = position
            else:
                item = SummaryItem(kind=kind, position=position, text=text, status="open")
            items.append(item)
    return items


def _unchanged(summary: Summary, content: SummaryContent) -> bool:
    return (
        content.text == summary.text
        and content.question == summary.question
        and content.deadline == summary.input_deadline
        and all(content.items[kind] == summary.items_of(kind) for kind in ITEM_KINDS)
    )


def _follow_deadline(
    session: Session,
    process: Process,
    summary: Summary,
    requests: list[InputRequest],
    now: datetime,
) -> int:
    """The deadline moved: reminders follow the new one. A request the old deadline closed
    ("expired") is open again while its colleague is still in the process: the deadline was all
    that closed it. One closed by leaving stays closed, as do answered, declined and failed ones.
    Returns how many were reopened."""
    reopened = 0
    for request in requests:
        if (
            request.status == "expired"
            and request.member.active
            and not deadline_passed(process, summary, now)
        ):
            # "delivered" only if the DM asking them reached them; the worker moves it otherwise.
            request.status = "delivered" if _ask_sent(session, request) else "pending"
            reopened += 1
        if request.is_open:
            last = _last_reminded(session, request)
            request.next_reminder_at = next_reminder_after_move(process, summary, now, last)
    return reopened


def _update_dm(
    session: Session,
    deps: Deps,
    process: Process,
    workshop: Workshop,
    summary: Summary,
    request: InputRequest,
    version: int,
) -> None:
    """The DM that asked them, as it now reads: updated, not sent again."""
    person: Person = request.member.person
    enqueue(
        session,
        input_request_message(
            translator_for(person, process, deps), process, workshop, summary, request
        ),
        key=f"{ask_key(request)}:corrected:{version}",
        now=deps.clock(),
        process=process,
        person=person,
        replaces_key=ask_key(request),
        link_key=f"summary:{summary.id}",
    )


def _done(tr: Translator, summary: Summary, updated: int, reopened: int) -> Message:
    parts = [tr._("The summary is corrected, and its post in the channel is updated.")]
    if updated:
        parts.append(
            tr.ngettext(
                "The request to {n} colleague who has not answered yet is updated too.",
                "The requests to {n} colleagues who have not answered yet are updated too.",
                updated,
            ).format(n=updated)
        )
    if reopened:
        parts.append(
            tr.ngettext(
                "{n} colleague whose request had closed at the old deadline can answer again "
                "until {date}.",
                "{n} colleagues whose requests had closed at the old deadline can answer again "
                "until {date}.",
                reopened,
            ).format(n=reopened, date=tr.date(summary.input_deadline))
        )
    return Message(" ".join(parts), language=tr.language)


def _requests(session: Session, summary: Summary) -> list[InputRequest]:
    """The summary's requests, locked (PostgreSQL): an answer being given meanwhile is either
    seen (its DM is not updated) or waits, and its "answered" update then comes last."""
    return list(
        session.scalars(
            select(InputRequest)
            .where(InputRequest.summary_id == summary.id)
            .order_by(InputRequest.id)
            .with_for_update(of=InputRequest)
            .execution_options(populate_existing=True)
        )
    )


def _corrections_before(session: Session, summary: Summary) -> int:
    """How many corrections went before: each one's updates carry a key of their own."""
    prefix = f"summary:{summary.id}:corrected:"
    return (
        session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.key.startswith(prefix))
        )
        or 0
    )


def _ask_sent(session: Session, request: InputRequest) -> bool:
    status = session.scalar(
        select(OutboxMessage.status).where(OutboxMessage.key == ask_key(request))
    )
    return status == "sent"


def _last_reminded(session: Session, request: InputRequest) -> datetime | None:
    """When the last reminder was written, so that the moved deadline's schedule sends no
    second one that day."""
    return session.scalar(
        select(func.max(OutboxMessage.created_at)).where(
            OutboxMessage.key.startswith(f"remind:{request.id}:")
        )
    )


CORRECT_SUMMARY = CommandSpec(
    "correct-summary",
    N_(
        "/samskab correct-summary 3: correct the summary of workshop 3 (its number in /samskab workshops)"
    ),
    Role.FACILITATOR,
    aliases=("ret-opsamling", "retopsamling", "ret-referat"),
    run_with=correction_command,
    forms=(
        FormSpec(PICK, pick_summary),
        # The form names its summary: it is answered wherever it was opened (a button too).
        FormSpec(FORM, correct_summary, needs_channel=False),
    ),
    buttons=(ButtonSpec(BUTTON, correction_form),),
)
