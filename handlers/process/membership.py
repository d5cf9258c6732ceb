"""Membership follows the channel: newcomers are welcomed, leavers are asked no more."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.inputs.giving import close_open_requests
from handlers.messages import Message, Paragraph
from handlers.outbox import enqueue
from handlers.people import (
    enrol,
    ensure_person,
    find_person,
    member_of,
    process_for_channel,
    translator_for,
)
from handlers.status.overview import compose_status
from storage.models import AuditEntry, Member, Process


def member_joined(deps: Deps, channel: ChannelRef, who: PersonRef) -> bool:
    """A colleague joined the channel: enrol them and send a welcome with the latest status.
    Returns False when the channel has no process."""
    now = deps.clock()
    with deps.db.transaction() as session:
        process = process_for_channel(session, channel)
        if process is None:
            return False
        person = ensure_person(session, who)
        existing = member_of(session, process, person)
        was_active = existing is not None and existing.active
        member = enrol(session, process, person, now)
        if was_active:
            return True
        audit.record(session, "member.joined", at=now, process=process, actor=person)
        _welcome(session, deps, process, member, now)
        return True


def _welcome(session: Session, deps: Deps, process: Process, member: Member, now: datetime) -> None:
    """The welcome DM with where the process stands, once per membership."""
    person = member.person
    tr = translator_for(person, process, deps)
    status = compose_status(session, process, tr, now=now, since=None)
    welcome = tr._("Welcome to the process “{name}”. Here is where we are.").format(
        name=process.name
    )
    enqueue(
        session,
        Message(
            welcome + "\n" + status.text,
            (Paragraph(welcome), *status.blocks),
            language=tr.language,
        ),
        key=f"welcome:{process.id}:{member.id}:{member.joined_at.isoformat()}",
        now=now,
        process=process,
        person=person,
    )


def member_left(deps: Deps, channel: ChannelRef, who: PersonRef) -> bool:
    """A colleague left the channel: they stop being asked and reminded. Someone who was never
    a member (a bot, a guest passing through) leaves no trace: the bot only looks them up."""
    now = deps.clock()
    with deps.db.transaction() as session:
        process = process_for_channel(session, channel)
        if process is None:
            return False
        known = find_person(session, who)
        member = member_of(session, process, known) if known is not None else None
        if member is None or not member.active:
            return False
        person = ensure_person(session, who)  # what the platform says of them now
        member.active = False
        close_open_requests(session, member, now)
        audit.record(session, "member.left", at=now, process=process, actor=person)
        return True


def sync_members(
    deps: Deps, channel: ChannelRef, roster: list[PersonRef], *, keep: Collection[str] = ()
) -> int:
    """Make the process's members the channel's members (after setup, or to repair drift):
    newcomers are enrolled quietly, those no longer in the channel stop being asked. `keep`:
    user ids in the channel whose names the platform could not tell yet; they are left as
    they are (enrolled by name at the next sync), never taken for leavers.
    Returns how many members the process has afterwards."""
    now = deps.clock()
    with deps.db.transaction() as session:
        process = process_for_channel(session, channel)
        if process is None:
            return 0
        before = {m.id for m in process.members if m.active}
        # The first read after setup enrols the channel quietly; a later one finds people whose
        # join was missed, and they are welcomed as a join would have welcomed them.
        read_before = session.scalar(
            select(AuditEntry.id)
            .where(AuditEntry.process_id == process.id, AuditEntry.action == "members.synced")
            .limit(1)
        )
        present = set()
        for ref in roster:
            member = enrol(session, process, ensure_person(session, ref), now)
            present.add(member.id)
        for member in process.members:
            if member.person.user_id in keep:
                continue
            if member.active and member.id not in present and not member.is_facilitator:
                member.active = False
                close_open_requests(session, member, now)
        after = {m.id for m in process.members if m.active}
        if read_before is not None:
            for member in process.members:
                if member.id in after - before:
                    _welcome(session, deps, process, member, now)
        if after != before:  # a regular reconcile that finds nothing new leaves no trace
            audit.record(
                session,
                "members.synced",
                at=now,
                process=process,
                actor=None,
                members=len(after),
                joined=len(after - before),
                left=len(before - after),
            )
        return len(after)
