"""Planning workshops."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import N_
from handlers.messages import (
    Context,
    Fields,
    Form,
    FormOutcome,
    FormValues,
    Heading,
    Message,
    Reply,
)
from handlers.outbox import enqueue
from handlers.people import acting, require_open, translator_for
from handlers.status.changed import status_changed
from handlers.workshops.change_forms import change_or_cancel
from handlers.workshops.changing import CHANGE_BUTTONS, CHANGE_FORMS
from handlers.workshops.workshop_form import read_workshop, workshop_fields
from storage.models import Invitation, Process, Workshop


def workshop_form(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        return Reply(
            form=Form(
                callback_id="workshop",
                title=tr._("Plan a workshop"),
                submit_label=tr._("Plan"),
                fields=workshop_fields(tr, process),
                language=tr.language,
            )
        )


def workshop_command(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """`/samskab workshop` plans one; `workshop ret 3` / `workshop aflys 3` change or cancel #3."""
    if not arg.strip():
        return workshop_form(deps, actor, channel)
    return change_or_cancel(deps, actor, channel, arg)


def plan_workshop(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    assert channel is not None  # the form belongs to its channel
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, person, tr = who.process, who.person, who.tr
        require_open(process)
        read = read_workshop(session, process, tr, values, now)
        track, title, starts_at, invitees = read.track, read.title, read.starts_at, read.invitees
        workshop = Workshop(
            process=process,
            track=track,
            title=title,
            starts_at=starts_at,
            status="planned",
            created_at=now,
        )
        session.add(workshop)
        session.flush()
        # Rows, not objects: a thousand Invitation objects and their unit of work left Python's
        # allocator 5 MB larger for good (docs/benchmarks.md, memory at 1000 members).
        if invitees:
            rows = [{"workshop_id": workshop.id, "member_id": m.id} for m in invitees]
            session.execute(insert(Invitation), rows)
        status_changed(session, process.id)
        audit.record(
            session,
            "workshop.planned",
            at=now,
            process=process,
            actor=person,
            workshop=workshop.id,
            invitees=len(invitees),
        )
        ptr = translator_for(None, process, deps)
        text = ptr._("Workshop planned: {title} ({track}), {when}.").format(
            title=title, track=track.name, when=ptr.datetime(starts_at)
        )
        enqueue(
            session,
            Message(
                text,
                (
                    Heading(ptr._("New workshop: {title}").format(title=title)),
                    Fields(
                        (
                            (ptr._("Track"), track.name),
                            (ptr._("When"), ptr.datetime(starts_at)),
                            (ptr._("Invitees"), str(len(invitees))),
                        )
                    ),
                    Context(ptr._("Planned by {name}.").format(name=person.name)),
                ),
                language=ptr.language,
            ),
            key=f"workshop:{workshop.id}",
            now=now,
            process=process,
            channel_id=process.channel_id,
        )
        return FormOutcome(
            reply=Reply(
                message=Message(
                    tr._("Planned: {title}, {when}, {n} invited.").format(
                        title=title, when=tr.datetime(starts_at), n=len(invitees)
                    ),
                    language=tr.language,
                )
            )
        )


def planned_workshops(session: Session, process: Process) -> list[Workshop]:
    return list(
        session.scalars(
            select(Workshop)
            .where(Workshop.process_id == process.id, Workshop.status == "planned")
            .order_by(Workshop.starts_at)
        )
    )


WORKSHOP = CommandSpec(
    "workshop",
    N_(
        "/samskab workshop: plan a workshop; /samskab workshop change 3 or "
        "/samskab workshop cancel 3 changes or cancels workshop 3"
    ),
    Role.FACILITATOR,
    run_with=workshop_command,
    forms=(FormSpec("workshop", plan_workshop), *CHANGE_FORMS),
    buttons=CHANGE_BUTTONS,
)
