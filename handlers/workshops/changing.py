"""Changing or cancelling a planned workshop, once its form is submitted (the way in is
handlers.workshops.change_forms): the invitees concerned hear it in a DM, the channel in a short
post, and the audit log keeps who did it. A held workshop is not changed here: its summary is
what a facilitator corrects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import ButtonSpec, FormSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.form_reading import FormReader
from handlers.i18n import Translator
from handlers.messages import FollowUp, FormOutcome, FormValues, Message, Reply
from handlers.outbox import enqueue
from handlers.people import ensure_person, translator_for
from handlers.status.changed import status_changed
from handlers.workshops.change_forms import CANCEL, CHANGE, cancel_form, change_form, changeable
from handlers.workshops.change_messages import (
    Before,
    cancelled_message,
    changed_message,
    channel_cancelled,
    channel_changed,
    invitation_message,
    uninvited_message,
)
from handlers.workshops.workshop_form import read_workshop
from storage.models import Invitation, Member, Person


def change_workshop(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        workshop = changeable(session, person, metadata.get("workshop", ""))
        process = workshop.process
        tr = translator_for(person, process, deps)
        read = read_workshop(session, process, tr, values, now)
        before = Before.of(workshop)
        chosen = {m.id for m in read.invitees}
        invited = {inv.member_id for inv in workshop.invitations}
        added = [m for m in read.invitees if m.id not in invited]
        # Only active members can be taken off: the form offers no one else.
        removed = [
            inv for inv in workshop.invitations if inv.member_id not in chosen and inv.member.active
        ]
        moved = (read.starts_at, read.title) != (before.starts_at, before.title)
        seen = moved or read.track.name != before.track
        if not (added or removed or seen):
            nothing = tr._("Nothing was changed.")
            return FormOutcome(reply=Reply(message=Message(nothing, language=tr.language)))
        workshop.title, workshop.starts_at, workshop.track = read.title, read.starts_at, read.track
        for invitation in removed:
            workshop.invitations.remove(invitation)
        workshop.invitations.extend(Invitation(member=m) for m in added)
        session.flush()
        # The change's time in every key: a later change is told again, this one only once.
        stamp, by = now.isoformat(), person.name
        tell = Telling(session, deps, now, person)
        for member in added:
            key = f"workshop-invited:{workshop.id}:{member.id}:{stamp}"
            tell(member, key, lambda t: invitation_message(t, workshop, by))
        for invitation in removed:
            key = f"workshop-uninvited:{workshop.id}:{invitation.member_id}:{stamp}"
            tell(invitation.member, key, lambda t: uninvited_message(t, workshop, before, by))
        for invitation in workshop.invitations if moved else ():
            if invitation.member_id in invited:  # the newly invited have their invitation
                key = f"workshop-changed:{workshop.id}:{invitation.member_id}:{stamp}"
                tell(invitation.member, key, lambda t: changed_message(t, workshop, before, by))
        if seen:
            # The channel saw the workshop planned; who is invited is for those concerned.
            enqueue(
                session,
                channel_changed(translator_for(None, process, deps), workshop, before, by),
                key=f"workshop-changed:{workshop.id}:{stamp}",
                now=now,
                process=process,
                channel_id=process.channel_id,
            )
        status_changed(session, process.id)
        audit.record(
            session,
            "workshop.changed",
            at=now,
            process=process,
            actor=person,
            workshop=workshop.id,
            title=workshop.title,
            added=len(added),
            removed=len(removed),
            moved=read.starts_at != before.starts_at,
        )
        n = len(workshop.invitations)
        done = tr._("Workshop #{id} has been changed: {title}, {when}, {invited}.").format(
            id=workshop.id,
            title=workshop.title,
            when=tr.datetime(workshop.starts_at),
            invited=tr.ngettext("{n} invited", "{n} invited", n).format(n=n),
        )
        return _outcome(tr, done, tell.told)


def cancel_workshop(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        workshop = changeable(session, person, metadata.get("workshop", ""))
        process = workshop.process
        tr = translator_for(person, process, deps)
        form = FormReader(values)
        confirmed = form.choice("confirm", {"cancel", "keep"}) == "cancel"
        form.check()
        if not confirmed:
            kept = tr._("Workshop #{id} is not cancelled.").format(id=workshop.id)
            return FormOutcome(reply=Reply(message=Message(kept, language=tr.language)))
        workshop.status, workshop.cancelled_at = "cancelled", now
        tell = Telling(session, deps, now, person)
        for invitation in workshop.invitations:
            key = f"workshop-cancelled:{workshop.id}:{invitation.member_id}"
            tell(invitation.member, key, lambda t: cancelled_message(t, workshop, person.name))
        enqueue(
            session,
            channel_cancelled(translator_for(None, process, deps), workshop, person.name),
            key=f"workshop-cancelled:{workshop.id}",
            now=now,
            process=process,
            channel_id=process.channel_id,
        )
        status_changed(session, process.id)
        audit.record(
            session,
            "workshop.cancelled",
            at=now,
            process=process,
            actor=person,
            workshop=workshop.id,
            title=workshop.title,
            invitees=len(workshop.invitations),
        )
        # The invitations served a workshop that will not be: they go (the audit keeps how
        # many), so a colleague's own data lists no invitation to it.
        workshop.invitations.clear()
        done = tr._("Workshop #{id} “{title}” has been cancelled.").format(
            id=workshop.id, title=workshop.title
        )
        return _outcome(tr, done, tell.told)


@dataclass
class Telling:
    """DMs to the invitees concerned, each in their language; none to one who has left the
    process, nor to the facilitator who made the change. Counts those queued."""

    session: Session
    deps: Deps
    now: datetime
    actor: Person
    told: int = 0

    def __call__(self, member: Member, key: str, message: Callable[[Translator], Message]) -> None:
        if not member.active or member.person_id == self.actor.id:
            return
        tr = translator_for(member.person, member.process, self.deps)
        process, person = member.process, member.person
        if enqueue(
            self.session, message(tr), key=key, now=self.now, process=process, person=person
        ):
            self.told += 1


def _outcome(tr: Translator, done: str, told: int) -> FormOutcome:
    if told:
        done += " " + tr.ngettext(
            "{n} colleague is told in a direct message.",
            "{n} colleagues are told in a direct message.",
            told,
        ).format(n=told)
    return FormOutcome(
        reply=Reply(message=Message(done, language=tr.language)),
        follow_ups=(FollowUp.REFRESH_HOME,),
    )


CHANGE_FORMS = (
    FormSpec(CHANGE, change_workshop, needs_channel=False),
    FormSpec(CANCEL, cancel_workshop, needs_channel=False),
)
CHANGE_BUTTONS = (ButtonSpec(CHANGE, change_form), ButtonSpec(CANCEL, cancel_form))
