"""Following up open questions and decisions: a facilitator marks an open question answered (with
the answer) or a decision changed (with what it became). Each marking is a row of the item's
history (ItemChange) and an entry in the audit log; the status, the digest and the record show
it. `/samskab questions` lists them with a button each; `/samskab questions 12 The answer` does
it in one line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import ButtonSpec, CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.messages import (
    Block,
    Button,
    Buttons,
    Context,
    Form,
    FormField,
    FormOutcome,
    FormValues,
    Heading,
    Message,
    Option,
    Paragraph,
    Reply,
)
from handlers.outbox import enqueue
from handlers.people import (
    acting,
    ensure_person,
    require_facilitator,
    require_open,
    translator_for,
)
from handlers.status.changed import status_changed
from handlers.workshops.item_words import (
    MARKED_STATUS,
    MAX_RESOLUTION,
    SHARE_OPTIONS,
    resolution_text,
    shared_message,
)
from storage.models import ItemChange, Member, Person, Process, Summary, SummaryItem, Workshop

LIST_LIMIT = 7  # per kind: three blocks an item keeps a Slack message within its 50 blocks
ACTION = "item.resolve"
KINDS = (
    ("open_question", N_("Open questions"), N_("Answer")),
    ("decision", N_("Decisions"), N_("Mark as changed")),
)


def questions_command(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """`/samskab questions` lists; `questions 12` opens the form; `questions 12 The answer`
    marks item 12 at once."""
    number, _, text = arg.strip().partition(" ")
    if not number:
        with deps.db.transaction() as session:
            who = acting(session, deps, actor, channel, role="facilitator")
            return Reply(message=items_message(session, who.process, who.tr))
    if not parse_id(number.lstrip("#")):
        raise Refused(N_("Write it as: /samskab questions 12 The answer (or what it became)."))
    text = text.strip()
    if len(text) > MAX_RESOLUTION:
        raise Refused(N_("The text can be at most {limit} characters."), limit=MAX_RESOLUTION)
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        item = _markable_item(session, number.lstrip("#"))
        if _process_of(item).id != who.process.id:
            raise Refused(N_("Item #{id} belongs to another process."), id=item.id)
        require_open(who.process)
        if not text:
            return Reply(form=_form(who.tr, item))
        done = _mark(session, who.process, who.person, who.member, item, text, now, share=True)
        return Reply(message=Message(_done(who.tr, item, done), language=who.tr.language))


def items_message(session: Session, process: Process, tr: Translator) -> Message:
    """Open questions and decisions, newest first; the questions still unanswered first."""
    items = session.scalars(
        select(SummaryItem)
        .join(Summary, SummaryItem.summary_id == Summary.id)
        .join(Workshop, Summary.workshop_id == Workshop.id)
        .where(Workshop.process_id == process.id, SummaryItem.kind.in_(tuple(MARKED_STATUS)))
        .order_by(Summary.posted_at.desc(), Summary.id.desc(), SummaryItem.position)
    ).all()
    heading = tr._("Open questions and decisions in “{process}”").format(process=process.name)
    blocks: list[Block] = [Heading(heading)]
    for kind, title, press in KINDS:
        of_kind = sorted(
            (i for i in items if i.kind == kind),
            key=lambda i: kind == "open_question" and i.status != "open",
        )
        blocks.append(Heading(f"{tr._(title)} ({len(of_kind)})"))
        if not of_kind:
            blocks.append(Paragraph(tr._("None yet.")))
        for item in of_kind[:LIST_LIMIT]:
            blocks += _item_blocks(tr, item, tr._(press))
        if len(of_kind) > LIST_LIMIT:
            blocks.append(Context(tr._("… and {n} more").format(n=len(of_kind) - LIST_LIMIT)))
    blocks.append(Context(tr._("Or type: /samskab questions 12 The answer")))
    return Message(heading, tuple(blocks), language=tr.language)


def _item_blocks(tr: Translator, item: SummaryItem, press: str) -> list[Block]:
    workshop = item.summary.workshop
    about = f"#{item.id} · {workshop.track.name} · {workshop.title}"
    text = item.text
    if (resolved := resolution_text(tr, item.status, item.resolution)) is not None:
        text += "\n→ " + resolved
    return [Context(about), Paragraph(text), Buttons((Button(press, ACTION, str(item.id)),))]


def resolve_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """The Answer / Change button: a form with the item and room for the answer."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        item = _markable_item(session, value)
        process = _process_of(item)
        require_facilitator(session, process, person)
        require_open(process)
        return Reply(form=_form(translator_for(person, process, deps), item))


def _form(tr: Translator, item: SummaryItem) -> Form:
    question = item.kind == "open_question"
    return Form(
        callback_id=ACTION,
        title=tr._("Answer the question") if question else tr._("Change the decision"),
        submit_label=tr._("Save"),
        intro=item.text,
        metadata={"item": str(item.id)},
        fields=(
            FormField(
                "text",
                tr._("The answer") if question else tr._("What the decision became"),
                "long_text",
                initial=item.resolution or None,
                max_length=MAX_RESOLUTION,
                hint=tr._("Everyone sees it in the status and the next status update."),
            ),
            FormField(
                "share",
                tr._("Tell the channel now?"),
                "choice",
                initial="thread",
                options=tuple(Option(value, tr._(label)) for value, label in SHARE_OPTIONS),
            ),
        ),
        language=tr.language,
    )


def submit_resolution(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    now = deps.clock()
    form = FormReader(values)
    text = form.text("text", max_length=MAX_RESOLUTION)
    share = form.choice("share", {value for value, _ in SHARE_OPTIONS}) == "thread"
    form.check()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        item = _markable_item(session, metadata.get("item", ""))
        process = _process_of(item)
        member = require_facilitator(session, process, person)
        require_open(process)
        tr = translator_for(person, process, deps)
        done = _mark(session, process, person, member, item, text, now, share=share)
        return FormOutcome(
            reply=Reply(message=Message(_done(tr, item, done), language=tr.language))
        )


# --- helpers ---------------------------------------------------------------------------------


def _mark(
    session: Session,
    process: Process,
    person: Person,
    member: Member,
    item: SummaryItem,
    text: str,
    now: datetime,
    *,
    share: bool,
) -> bool:
    """Marks the item and adds a row to its history, and with `share` tells the channel in the
    summary's thread; False when it already says exactly this (a form sent twice), which adds
    nothing."""
    status = MARKED_STATUS[item.kind]
    if (item.status, item.resolution) == (status, text):
        return False
    item.status, item.resolution, item.resolved_at = status, text, now
    change = ItemChange(item=item, status=status, text=text, by_member_id=member.id, at=now)
    session.add(change)
    session.flush()
    if share:
        tr = Translator(process.language, process.timezone, now=now)
        enqueue(
            session,
            shared_message(tr, status, item.text, text, person.name),
            key=f"item:{item.id}:{change.id}",
            now=now,
            process=process,
            channel_id=process.channel_id,
            reply_to_key=f"summary:{item.summary_id}",
        )
    status_changed(session, process.id)
    audit.record(
        session,
        "item.answered" if status == "answered" else "item.changed",
        at=now,
        process=process,
        actor=person,
        item=item.id,
    )
    return True


def _markable_item(session: Session, item_id: str) -> SummaryItem:
    item = session.get(SummaryItem, parse_id(item_id))
    if item is None:
        raise Refused(N_("There is no open question or decision #{id}."), id=item_id)
    if item.kind not in MARKED_STATUS:
        raise Refused(
            N_("#{id} is a next step: only open questions and decisions can be marked."),
            id=item.id,
        )
    return item


def _process_of(item: SummaryItem) -> Process:
    return item.summary.workshop.process


def _done(tr: Translator, item: SummaryItem, changed: bool) -> str:
    if not changed:
        return tr._("#{id} already says exactly that; nothing changed.").format(id=item.id)
    if item.status == "answered":
        done = tr._("Open question #{id} is marked answered.")
    else:
        done = tr._("Decision #{id} is marked changed.")
    shown = tr._("The status and the next status update show it.")
    return done.format(id=item.id) + " " + shown


QUESTIONS = CommandSpec(
    "questions",
    N_("/samskab questions: open questions and decisions; mark one answered or changed"),
    Role.FACILITATOR,
    aliases=("spørgsmål", "spoergsmaal", "decisions", "beslutninger"),
    run_with=questions_command,
    forms=(FormSpec(ACTION, submit_resolution, needs_channel=False),),
    buttons=(ButtonSpec(ACTION, resolve_form),),
)
