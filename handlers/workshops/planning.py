"""Planning workshops."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.form_reading import FormReader
from handlers.i18n import N_
from handlers.messages import (
    Context,
    Fields,
    Form,
    FormField,
    FormOutcome,
    FormValues,
    Heading,
    Message,
    Option,
    Reply,
)
from handlers.outbox import enqueue
from handlers.people import (
    acting,
    active_members,
    require_open,
    resolve_members,
    translator_for,
)
from storage.models import Invitation, Process, Track, Workshop


def workshop_form(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        members = active_members(process)
        return Reply(
            form=Form(
                callback_id="workshop",
                title=tr._("Plan a workshop"),
                submit_label=tr._("Plan"),
                fields=(
                    FormField(
                        "track",
                        tr._("Track"),
                        "choice",
                        initial=str(process.tracks[0].id) if process.tracks else None,
                        options=tuple(Option(str(t.id), t.name) for t in process.tracks),
                    ),
                    FormField("title", tr._("Title"), "text", max_length=200),
                    FormField(
                        "starts_at",
                        tr._("Date and time"),
                        "datetime",
                        hint=tr._("In {timezone}").format(timezone=process.timezone),
                    ),
                    FormField(
                        "invitees",
                        tr._("Invitees"),
                        "people",
                        initial=tuple(m.person.user_id for m in members),
                        options=tuple(Option(m.person.user_id, m.person.name) for m in members),
                    ),
                ),
                language=tr.language,
            )
        )


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
        form = FormReader(values)
        track_id = form.choice("track", {str(t.id) for t in process.tracks})
        title = form.text("title", max_length=200)
        starts_at = form.datetime("starts_at", tr.tz)
        if starts_at is not None and starts_at < now - timedelta(days=MAX_DAYS_BACK):
            # One just held may be registered, to write its summary; an old one would appear
            # in status and digests as news.
            form.fail(
                "starts_at",
                N_("That is more than {days} days ago. Plan a workshop ahead, or one just held."),
                days=MAX_DAYS_BACK,
            )
        invitee_ids = form.people("invitees")
        invitees = resolve_members(session, process, invitee_ids, form, "invitees")
        form.check()
        assert starts_at is not None
        track = session.get(Track, int(track_id))
        assert track is not None and track.process_id == process.id
        workshop = Workshop(
            process=process,
            track=track,
            title=title,
            starts_at=starts_at,
            status="planned",
            created_at=now,
            invitations=[Invitation(member=m) for m in invitees],
        )
        session.add(workshop)
        session.flush()
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


MAX_DAYS_BACK = 30


WORKSHOP = CommandSpec(
    "workshop",
    N_("/samskab workshop: plan a workshop"),
    Role.FACILITATOR,
    run=workshop_form,
    forms=(FormSpec("workshop", plan_workshop),),
)
