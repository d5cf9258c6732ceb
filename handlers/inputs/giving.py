"""Input from colleagues: on a request, or unprompted; named or anonymous; or "no input from me"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import ButtonSpec, CommandSpec, FormSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.inputs.anonymity import release_if_due
from handlers.inputs.posts import post_input
from handlers.inputs.references import give_reference
from handlers.messages import (
    Form,
    FormField,
    FormOutcome,
    FormValues,
    Message,
    Option,
    Reply,
)
from handlers.outbox import enqueue
from handlers.people import (
    acting,
    ensure_person,
    require_member,
    require_open,
    translator_for,
)
from handlers.workshops.summaries import ask_key
from handlers.workshops.summary_messages import answered_request_message
from storage.models import Input, InputRequest, Member, Person, Process, Summary, Workshop

MAX_INPUT = 3000
GENERAL = "general"


def _input_fields(tr: Translator, *, about: tuple[Option, ...] = ()) -> tuple[FormField, ...]:
    fields = (
        FormField(
            "text",
            tr._("Your input"),
            "long_text",
            max_length=MAX_INPUT,
            hint=tr._("At most {limit} characters.").format(limit=MAX_INPUT),
        ),
        FormField(
            "anonymous",
            tr._("Show my name?"),
            "choice",
            initial="named",
            options=(
                Option("named", tr._("Yes, with my name")),
                Option("anonymous", tr._("No, anonymously")),
            ),
        ),
    )
    if about:
        about_field = FormField(
            "about", tr._("About"), "choice", initial=about[0].value, options=about
        )
        return (about_field, *fields)
    return fields


def request_input_form(deps: Deps, actor: PersonRef, request_id: str) -> Reply:
    """The "give input" button in the DM."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        request = _own_request(session, person, request_id)
        tr = translator_for(person, request.summary.workshop.process, deps)
        require_open(request.summary.workshop.process)
        if not request.is_open:
            return Reply(message=Message(_already_answered(tr, request), language=tr.language))
        return Reply(
            form=Form(
                callback_id="input",
                title=tr._("Your input"),
                submit_label=tr._("Send"),
                intro=request.summary.question,
                metadata={"request": str(request.id)},
                fields=_input_fields(tr),
                language=tr.language,
            )
        )


def summary_input_form(deps: Deps, actor: PersonRef, summary_id: str) -> Reply:
    """The "add input" button under a summary in the channel: anyone in the process may use it."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        summary = _summary(session, summary_id)
        process = summary.workshop.process
        require_member(session, process, person)
        require_open(process)
        tr = translator_for(person, process, deps)
        return Reply(
            form=Form(
                callback_id="input",
                title=tr._("Your input"),
                submit_label=tr._("Send"),
                intro=summary.question,
                metadata={"summary": str(summary.id)},
                fields=_input_fields(tr),
                language=tr.language,
            )
        )


def open_input_form(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    """`/samskab input`: input at any time, about a workshop or the process in general."""
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="present")
        process, tr = who.process, who.tr
        require_open(process)
        summaries = session.scalars(
            select(Summary)
            .join(Workshop)
            .where(Workshop.process_id == process.id)
            .order_by(Summary.posted_at.desc())
            .limit(20)
        ).all()
        about = (
            Option(GENERAL, tr._("The process in general")),
            *(Option(str(s.id), s.workshop.title) for s in summaries),
        )
        return Reply(
            form=Form(
                callback_id="input",
                title=tr._("Your input"),
                submit_label=tr._("Send"),
                metadata={"process": str(process.id)},
                fields=_input_fields(tr, about=about),
                language=tr.language,
            )
        )


def give_input(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Store the input, thank the person, show it in the summary's thread (or the channel), and
    mark the DM that asked for it as answered."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        request = (
            _own_request(session, person, metadata["request"]) if "request" in metadata else None
        )
        if request is not None:
            summary: Summary | None = request.summary
        elif "summary" in metadata:
            summary = _summary(session, metadata["summary"])
        else:
            summary = None
        process = summary.workshop.process if summary else _process(session, metadata)
        member = require_member(session, process, person)
        require_open(process)
        tr = translator_for(person, process, deps)
        form = FormReader(values)
        text = form.text("text", max_length=MAX_INPUT)
        anonymous = form.choice("anonymous", {"named", "anonymous"}) == "anonymous"
        if summary is None and "about" in values:
            about = form.text("about", max_length=20)
            if about != GENERAL:
                # One of the process's summaries, as the form offered; anything else is a
                # mistake beside the field.
                summary = session.get(Summary, parse_id(about))
                if summary is None or summary.workshop.process_id != process.id:
                    summary = None
                    form.fail("about", N_("Choose one of the options."))
        form.check()
        if request is not None and not request.is_open:
            return FormOutcome(
                reply=Reply(message=Message(_already_answered(tr, request), language=tr.language))
            )
        if request is None and summary is not None:
            request = _open_request_of(session, summary, member)

        contribution = Input(
            process_id=process.id,
            summary_id=summary.id if summary else None,
            request_id=request.id if request else None,
            author_member_id=member.id,
            anonymous=anonymous,
            text=text,
            status="received",
            created_at=now,
        )
        give_reference(session, contribution)  # "#3", or letters for an anonymous one
        session.add(contribution)
        session.flush()
        if request is not None:
            request.status, request.responded_at = "answered", now
            _mark_dm_answered(session, deps, process, request, declined=False, anonymous=anonymous)
        if not anonymous:
            post_input(session, process, contribution, now)
        release_if_due(session, process, summary, now)
        audit.record(
            session,
            "input.given",
            at=now,
            process=process,
            actor=None if anonymous else person,
            input=contribution.id,
            anonymous=anonymous,
        )
        if not anonymous:
            shared = tr._("It is shared in the channel with your name.")
        elif contribution.posted_at is not None:
            shared = tr._("It is shared in the channel without your name.")
        else:
            shared = tr._(
                "It will be shared in the channel without your name when at least {n} colleagues "
                "have responded, so that nobody can tell who wrote it."
            ).format(n=process.anonymity_threshold)
            if summary is not None:
                shared += " " + tr._("At the latest after the deadline, {date}.").format(
                    date=tr.date(summary.input_deadline)
                )
        thanks = tr._("Thank you for your input!") + " " + shared
        return FormOutcome(reply=Reply(message=Message(thanks, language=tr.language)))


def decline_input(deps: Deps, actor: PersonRef, request_id: str) -> Reply:
    """ "No input from me": a valid answer that stops the reminders."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        request = _own_request(session, person, request_id)
        process = request.summary.workshop.process
        tr = translator_for(person, process, deps)
        require_open(process)
        if not request.is_open:
            return Reply(message=Message(_already_answered(tr, request), language=tr.language))
        request.status, request.responded_at = "declined", now
        _mark_dm_answered(session, deps, process, request, declined=True)
        release_if_due(session, process, request.summary, now)
        audit.record(
            session, "input.declined", at=now, process=process, actor=person, request=request.id
        )
        return Reply(
            message=Message(
                tr._(
                    "Noted: no input from you this time. You will not be reminded about this workshop."
                ),
                language=tr.language,
            )
        )


def close_open_requests(session: Session, member: Member, now: datetime) -> int:
    """Expire a member's open requests (they left the process); no more reminders."""
    requests = session.scalars(
        select(InputRequest).where(
            InputRequest.member_id == member.id,
            InputRequest.status.in_(("pending", "delivered")),
        )
    ).all()
    for request in requests:
        request.status, request.next_reminder_at = "expired", None
    return len(requests)


# --- helpers ---------------------------------------------------------------------------------


def _own_request(session: Session, person: Person, request_id: str) -> InputRequest:
    request = session.get(InputRequest, parse_id(request_id))
    if request is None or request.member.person_id != person.id:
        raise Refused(N_("This request for input is not addressed to you."))
    return request


def _summary(session: Session, summary_id: str) -> Summary:
    summary = session.get(Summary, parse_id(summary_id))
    if summary is None:
        raise Refused(N_("That summary no longer exists."))
    return summary


def _process(session: Session, metadata: dict[str, str]) -> Process:
    process = session.get(Process, parse_id(metadata.get("process", "")))
    if process is None:
        raise Refused(N_("That process no longer exists."))
    return process


def _open_request_of(session: Session, summary: Summary, member: Member) -> InputRequest | None:
    """Input given through the channel's button still answers the person's own request."""
    request = session.scalar(
        select(InputRequest).where(
            InputRequest.summary_id == summary.id, InputRequest.member_id == member.id
        )
    )
    return request if request is not None and request.is_open else None


def _already_answered(tr: Translator, request: InputRequest) -> str:
    if request.status == "declined":
        return tr._("You have already answered “no input from me” to this request.")
    if request.status == "answered":
        return tr._("You have already answered this request. Thank you!")
    return tr._("This request is closed. You can still give input with /samskab input.")


def _mark_dm_answered(
    session: Session,
    deps: Deps,
    process: Process,
    request: InputRequest,
    *,
    declined: bool,
    anonymous: bool = False,
) -> None:
    person = request.member.person
    tr = translator_for(person, process, deps)
    enqueue(
        session,
        answered_request_message(
            tr, request.summary.workshop, declined=declined, anonymous=anonymous
        ),
        key=f"ask-closed:{request.id}",
        now=deps.clock(),
        process=process,
        person=person,
        replaces_key=ask_key(request),
    )


INPUT = CommandSpec(
    "input",
    N_("/samskab input: give input, named or anonymously"),
    aliases=("bidrag",),
    run=open_input_form,
    # The input form names its summary or process: it is answered wherever it was opened.
    forms=(FormSpec("input", give_input, needs_channel=False),),
    buttons=(
        ButtonSpec("input.open", summary_input_form),
        ButtonSpec("input.request", request_input_form),
        ButtonSpec("input.decline", decline_input),
    ),
)
