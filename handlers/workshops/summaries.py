"""After a workshop: the summary to the channel, and an input request to each absent invitee."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.inputs.request_rows import NewRequest, insert_requests
from handlers.inputs.working_time import default_deadline
from handlers.messages import Form, FormField, FormOutcome, FormValues, Message, Option, Reply
from handlers.outbox import Outgoing, enqueue, enqueue_many
from handlers.people import (
    acting,
    active_members,
    require_open,
    resolve_members,
    translator_for,
)
from handlers.status.changed import status_changed
from handlers.workshops.planning import planned_workshops
from handlers.workshops.summary_fields import ITEM_KINDS, content_fields, read_content
from handlers.workshops.summary_messages import input_request_message, summary_message
from storage.models import (
    InputRequest,
    Invitation,
    Person,
    Process,
    Summary,
    SummaryItem,
    Workshop,
)

DEFAULT_DEADLINE_DAYS = 7
NAMES_SHOWN = 10  # names in the facilitator's confirmation of who was asked
ASKS_AT_ONCE = 200  # DMs built and written at a time (see post_workshop_summary)


def summary_form(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str = "") -> Reply:
    """The summary form for a planned workshop; first a choice of workshop when there are several."""
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        if argument.strip():
            workshop = workshop_of_process(session, process, argument.strip())
            require_started(tr, workshop, now)
            return Reply(form=_summary_form(tr, process, workshop, tr.today(now)))
        planned = planned_workshops(session, process)
        if not planned:
            raise Refused(
                N_("There is no planned workshop to summarise. Plan one with /samskab workshop.")
            )
        held = [w for w in planned if w.starts_at <= now]
        if not held:
            require_started(tr, planned[0], now)
        if len(held) == 1:
            return Reply(form=_summary_form(tr, process, held[0], tr.today(now)))
        planned, default = held, held[-1]
        return Reply(
            form=Form(
                callback_id="summary.pick",
                title=tr._("Write a summary"),
                submit_label=tr._("Next"),
                fields=(
                    FormField(
                        "workshop",
                        tr._("Which workshop?"),
                        "choice",
                        initial=str(default.id),
                        options=tuple(Option(str(w.id), _workshop_label(tr, w)) for w in planned),
                    ),
                ),
                language=tr.language,
            )
        )


def pick_workshop(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """The second step of `summary_form`: the workshop is chosen, show its summary form."""
    assert channel is not None  # the form belongs to its channel
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        now = deps.clock()
        offered = {str(w.id) for w in planned_workshops(session, who.process) if w.starts_at <= now}
    form = FormReader(values)
    workshop_id = form.choice("workshop", offered)
    form.check()
    reply = summary_form(deps, actor, channel, workshop_id)
    return FormOutcome(reply=reply)


def _workshop_label(tr: Translator, workshop: Workshop) -> str:
    return (
        f"{workshop.title} ({workshop.track.name}, {tr.date(tr.local(workshop.starts_at).date())})"
    )


def _summary_form(tr: Translator, process: Process, workshop: Workshop, today: date) -> Form:
    invitees = [inv.member for inv in workshop.invitations]
    others = [m for m in active_members(process) if m not in invitees]
    return Form(
        callback_id="summary",
        title=tr._("Workshop summary"),
        submit_label=tr._("Post summary"),
        intro=_workshop_label(tr, workshop),
        metadata={"workshop": str(workshop.id)},
        fields=(
            FormField(
                "attendees",
                tr._("Who attended?"),
                "people",
                initial=tuple(m.person.user_id for m in invitees),
                options=tuple(Option(m.person.user_id, m.person.name) for m in invitees + others),
                hint=tr._("Everyone in the channel who did not attend is asked for their input.")
                if process.input_audience == "channel"
                else tr._("Invitees who did not attend are asked for their input."),
            ),
            *content_fields(tr, default_deadline(today, days=DEFAULT_DEADLINE_DAYS)),
        ),
        language=tr.language,
    )


def require_started(tr: Translator, workshop: Workshop, now: datetime) -> None:
    """A summary is of what happened: not of a workshop still to come."""
    if workshop.starts_at > now:
        raise Refused(
            N_("“{title}” has not been held yet ({when}). Write its summary afterwards."),
            title=workshop.title,
            when=tr.datetime(workshop.starts_at),
        )


def workshop_of_process(session: Session, process: Process, workshop_id: str) -> Workshop:
    workshop = session.get(Workshop, parse_id(workshop_id))
    if workshop is None:
        raise Refused(N_("There is no workshop number {id}."), id=workshop_id)
    if workshop.process_id != process.id:
        raise Refused(N_("That workshop belongs to another process."))
    if workshop.status == "cancelled":
        # Shown nowhere, and never summarised: a summary would make it held again.
        raise Refused(N_("Workshop #{id} is cancelled."), id=workshop.id)
    return workshop


def post_workshop_summary(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Record the summary and attendance; ask every absent invitee for input, in one transaction."""
    assert channel is not None  # the form belongs to its channel
    workshop_id = metadata.get("workshop", "")
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, person, author = who.process, who.person, who.member
        require_open(process)
        workshop = workshop_of_process(session, process, workshop_id)
        if workshop.summary is not None:
            raise Refused(N_("This workshop already has a summary."))
        tr = translator_for(person, process, deps)
        require_started(tr, workshop, now)
        form = FormReader(values)
        attendees = resolve_members(session, process, form.people("attendees"), form, "attendees")
        if "attendees" not in form.errors and not attendees:
            form.fail("attendees", N_("Choose at least one attendee."))
        text, items, question, deadline = read_content(form, tr, now)
        form.check()
        assert deadline is not None

        summary = Summary(
            workshop=workshop,
            author_member_id=author.id,
            text=text,
            question=question,
            input_deadline=deadline,
            posted_at=now,
        )
        summary.items = [
            SummaryItem(kind=kind, position=i, text=item, status="open")
            for kind in ITEM_KINDS
            for i, item in enumerate(items[kind])
        ]
        session.add(summary)
        present = {m.id for m in attendees}
        invited = {inv.member_id for inv in workshop.invitations}
        for inv in workshop.invitations:
            inv.attended = inv.member_id in present
        workshop.invitations.extend(
            Invitation(member=m, attended=True) for m in attendees if m.id not in invited
        )
        workshop.status = "held"
        session.flush()
        absentees = [
            inv.member for inv in workshop.invitations if not inv.attended and inv.member.active
        ]
        if process.input_audience == "channel":  # everyone here who was not there, but the writer
            absentees = [
                m for m in active_members(process) if m.id not in present and m.id != author.id
            ]

        ptr = Translator(process.language, process.timezone, now=now)
        summary_key = f"summary:{summary.id}"
        enqueue(
            session,
            summary_message(ptr, process, workshop, summary),
            key=summary_key,
            now=now,
            process=process,
            channel_id=process.channel_id,
        )
        requests = insert_requests(session, process, summary, absentees, now)
        # A thousand DMs built at once were the server's memory peak; a few hundred at a time.
        for start in range(0, len(absentees), ASKS_AT_ONCE):
            asks = [
                _ask(deps, process, workshop, summary, requests[m.id], m.person)
                for m in absentees[start : start + ASKS_AT_ONCE]
            ]
            enqueue_many(session, asks, now=now, process=process)
        status_changed(session, process.id)
        audit.record(
            session,
            "summary.posted",
            at=now,
            process=process,
            actor=person,
            workshop=workshop.id,
            attendees=len(attendees),
            absent=len(absentees),
        )
        names = ", ".join(m.person.name for m in absentees[:NAMES_SHOWN])
        if len(absentees) > NAMES_SHOWN:  # a whole channel: the count says it, not 300 names
            names += " " + tr._("… and {n} more").format(n=len(absentees) - NAMES_SHOWN)
        text_back = tr._("The summary is posted in the channel.")
        if absentees:
            text_back += " " + tr.ngettext(
                "{n} colleague who did not attend has been asked for input: {names}.",
                "{n} colleagues who did not attend have been asked for input: {names}.",
                len(absentees),
            ).format(n=len(absentees), names=names)
        return FormOutcome(reply=Reply(message=Message(text_back, language=tr.language)))


def _ask(
    deps: Deps,
    process: Process,
    workshop: Workshop,
    summary: Summary,
    request: NewRequest,
    person: Person,
) -> Outgoing:
    tr = translator_for(person, process, deps)
    return Outgoing(
        input_request_message(tr, process, workshop, summary, request),
        key=ask_key(request),
        person=person,
        link_key=f"summary:{summary.id}",
        request_id=request.id,
    )


def ask_key(request: InputRequest | NewRequest) -> str:
    return f"ask:{request.summary_id}:{request.member_id}"


SUMMARY = CommandSpec(
    "summary",
    N_("/samskab summary: post a workshop summary and ask those who were absent"),
    Role.FACILITATOR,
    aliases=("referat", "opsamling"),
    run_with=summary_form,
    forms=(FormSpec("summary.pick", pick_workshop), FormSpec("summary", post_workshop_summary)),
)
