"""What became of an input: facilitators mark it considered, used or not used, with a note, and
the contributor is told, anonymous contributors too, without anyone learning who they are.

An input is named by its reference (handlers.inputs.references): "#2" for a named one, letters
such as "A-KXR" for an anonymous one, and listed so that nothing tells when an anonymous one was
given."""

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
from handlers.inputs.posts import (
    MARK_LABELS,
    MARKS,
    STATUS_NAMES,
    author_label,
    mark_buttons,
    status_line,
    update_input_post,
)
from handlers.inputs.references import find_input, input_label, label_of, parse_reference
from handlers.messages import (
    Block,
    Context,
    FollowUp,
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
    translator_for,
    translator_for_member,
)
from handlers.status.changed import status_changed
from storage.models import Input, Person, Process
from storage.models.kinds import InputStatus

MAX_NOTE = 1000
LIST_LIMIT = 15
MARK_WORDS: dict[str, InputStatus] = {
    "considered": "considered",
    "overvejet": "considered",
    "used": "used",
    "brugt": "used",
    "not-used": "not_used",
    "not_used": "not_used",
    "notused": "not_used",
    "ikke-brugt": "not_used",
    "ikkebrugt": "not_used",
}


def list_inputs(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """`/samskab inputs`: the inputs still to follow up, each with the buttons to mark it."""
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        return Reply(message=follow_up_message(session, who.process, who.tr))


def follow_up_message(session: Session, process: Process, tr: Translator) -> Message:
    """Shown inputs not yet marked used or not used; a person's own list (the command, App
    Home). Named ones by their number, then anonymous ones by their letters: an order by when
    they were given would place each anonymous one among the named."""
    shown = session.scalars(
        select(Input).where(
            Input.process_id == process.id,
            Input.posted_at.is_not(None),
            Input.status.in_(("received", "considered")),
        )
    ).all()
    named = [i for i in shown if not (i.anonymous or i.author is None)]
    unnamed = [i for i in shown if i.anonymous or i.author is None]
    open_inputs = sorted(named, key=lambda i: (i.created_at, i.id)) + sorted(
        unnamed, key=lambda i: i.reference or ""
    )
    heading = tr._("Input to follow up in “{process}”").format(process=process.name)
    blocks: list[Block] = [Heading(heading)]
    if not open_inputs:
        any_shown = session.scalar(
            select(Input.id)
            .where(Input.process_id == process.id, Input.posted_at.is_not(None))
            .limit(1)
        )
        done = (
            tr._("Every input has been marked used or not used.")
            if any_shown is not None
            else tr._("No input has been shared in the process yet.")
        )
        blocks.append(Paragraph(done))
    for contribution in open_inputs[:LIST_LIMIT]:
        about = contribution.summary.workshop.title if contribution.summary else None
        where = about or tr._("The process in general")
        blocks += [
            Context(f"{input_label(contribution)} · {where} · {author_label(tr, contribution)}"),
            Paragraph(contribution.text),
            Context(status_line(tr, contribution)),
            mark_buttons(tr, contribution),
        ]
    if len(open_inputs) > LIST_LIMIT:
        blocks.append(Context(tr._("… and {n} more").format(n=len(open_inputs) - LIST_LIMIT)))
    example = open_inputs[0].reference if open_inputs else None
    blocks.append(
        Context(tr._("Or type: /samskab mark {ref} used Your note").format(ref=example or 12))
    )
    text = f"{heading} ({len(open_inputs)})"
    return Message(text, tuple(blocks), language=tr.language)


def mark_command(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """`/samskab mark 12 used We built it into the new model`; `/samskab mark A-KXR used` for an
    anonymous input. The number or letters name an input of this channel's process."""
    words = arg.split(maxsplit=2)
    reference = parse_reference(words[0]) if words else None
    if len(words) < 2 or reference is None:
        raise Refused(
            N_("Write it as: /samskab mark 12 used Your note (considered, used, not-used).")
        )
    status = MARK_WORDS.get(words[1].casefold())
    if status is None:
        raise Refused(N_("Mark an input as considered, used or not-used."))
    note = words[2].strip() if len(words) > 2 else ""
    if len(note) > MAX_NOTE:
        raise Refused(N_("The note can be at most {limit} characters."), limit=MAX_NOTE)
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        contribution = find_input(session, who.process, reference)
        if contribution is None:
            raise Refused(N_("There is no input {ref} in this process."), ref=label_of(reference))
        _mark(session, deps, who.person, contribution, status, note, now)
        return Reply(message=Message(_done(who.tr, contribution), language=who.tr.language))


def mark_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """A mark button: the form with the chosen status and room for a note."""
    which, _, status = value.rpartition(":") if value.count(":") == 2 else value.partition(":")
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        contribution = _shown_input(session, which)
        process = _process_of(session, contribution)
        require_facilitator(session, process, person)
        tr = translator_for(person, process, deps)
        initial = status if status in MARKS else contribution.status
        return Reply(
            form=Form(
                callback_id="input.mark",
                title=tr._("What became of the input?"),
                submit_label=tr._("Save"),
                intro=contribution.text,
                metadata={"input": f"{contribution.process_id}:{contribution.reference}"},
                fields=(
                    FormField(
                        "status",
                        tr._("Status"),
                        "choice",
                        initial=initial if initial in MARKS else "considered",
                        options=tuple(Option(m, tr._(MARK_LABELS[m])) for m in MARKS),
                    ),
                    FormField(
                        "note",
                        tr._("Note to the contributor"),
                        "long_text",
                        required=False,
                        initial=contribution.status_note or None,
                        max_length=MAX_NOTE,
                        hint=tr._("At most {limit} characters.").format(limit=MAX_NOTE),
                    ),
                ),
                language=tr.language,
            )
        )


def submit_mark(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    now = deps.clock()
    form = FormReader(values)
    choice = form.choice("status", set(MARKS))
    note = form.text("note", max_length=MAX_NOTE, required=False)
    form.check()
    status = MARK_WORDS[choice]
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        contribution = _shown_input(session, metadata.get("input", ""))
        process = _process_of(session, contribution)
        require_facilitator(session, process, person)
        tr = translator_for(person, process, deps)
        _mark(session, deps, person, contribution, status, note, now)
        return FormOutcome(
            reply=Reply(message=Message(_done(tr, contribution), language=tr.language)),
            follow_ups=(FollowUp.REFRESH_HOME,),
        )


# --- helpers ---------------------------------------------------------------------------------


def _mark(
    session: Session,
    deps: Deps,
    facilitator: Person,
    contribution: Input,
    status: InputStatus,
    note: str,
    now: datetime,
) -> None:
    process = _process_of(session, contribution)
    changed = (status, note or None) != (contribution.status, contribution.status_note)
    contribution.status, contribution.status_note = status, note or None
    if not changed:
        return
    contribution.status_changed_at = now
    update_input_post(session, process, contribution, now, version=now.isoformat())
    _tell_contributor(session, process, contribution, now)
    status_changed(session, process.id)
    audit.record(
        session,
        "input.marked",
        at=now,
        process=process,
        actor=facilitator,
        input=contribution.id,
        status=status,
    )


def _tell_contributor(
    session: Session, process: Process, contribution: Input, now: datetime
) -> None:
    """A DM to whoever gave the input, named or anonymous: the facilitator never sees to whom."""
    member = contribution.author
    if member is None or not member.active:
        return
    tr = translator_for_member(member)
    about = contribution.summary.workshop.title if contribution.summary else process.name
    heading = tr._("What became of your input {ref} to “{about}”").format(
        ref=input_label(contribution), about=about
    )
    status = tr._(STATUS_NAMES[contribution.status])
    verdict = tr._("The facilitators have marked it: {status}.").format(status=status)
    blocks: list[Block] = [
        Heading(heading),
        Context(tr._("You wrote:")),
        Paragraph(contribution.text),
    ]
    blocks.append(Paragraph(verdict))
    if contribution.status_note:
        blocks.append(Paragraph(tr._("Their note: {note}").format(note=contribution.status_note)))
    if contribution.anonymous:
        blocks.append(Context(tr._("Your input is still anonymous: only you get this message.")))
    enqueue(
        session,
        Message(f"{heading}: {verdict}", tuple(blocks), language=tr.language),
        key=f"input-fate:{contribution.id}:{contribution.status}:{now.isoformat()}",
        now=now,
        process=process,
        person=member.person,
    )


def _shown_input(session: Session, which: str) -> Input:
    """The input a button or form names, "<process>:<reference>", if it has been shown: one still
    waiting for anonymity cannot be seen, so neither can it be marked. A bare row id is what
    buttons and forms made before references carried."""
    process_id, _, reference = which.rpartition(":")
    if process_id:
        process = session.get(Process, parse_id(process_id))
        contribution = find_input(session, process, reference) if process is not None else None
    else:
        contribution = session.get(Input, parse_id(reference))
    if contribution is None or contribution.posted_at is None:
        raise Refused(N_("That input is no longer there."))
    return contribution


def _process_of(session: Session, contribution: Input) -> Process:
    process = session.get(Process, contribution.process_id)
    assert process is not None  # a foreign key
    return process


def _done(tr: Translator, contribution: Input) -> str:
    return tr._("Input {ref} is marked {status}. The contributor is told.").format(
        ref=input_label(contribution), status=tr._(STATUS_NAMES[contribution.status])
    )


INPUTS = CommandSpec(
    "inputs",
    N_("/samskab inputs: the input still to follow up"),
    Role.FACILITATOR,
    aliases=("bidragene",),
    run_with=list_inputs,
    forms=(FormSpec("input.mark", submit_mark, needs_channel=False),),
    buttons=(ButtonSpec("input.mark", mark_form),),
)
MARK = CommandSpec(
    "mark",
    N_(
        "/samskab mark 12 used Note: say what became of input #12 (an anonymous input by its "
        "letters, e.g. A-KXR)"
    ),
    Role.FACILITATOR,
    aliases=("marker", "markér"),
    run_with=mark_command,
)
