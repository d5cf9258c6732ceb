"""Whether a command comes from someone a channel's process does not count as a member: then
their join may have been missed, and the adapter reads the channel's roster again."""

from __future__ import annotations

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.people import find_person, member_of, process_for_channel


def is_stranger(deps: Deps, actor: PersonRef, channel: ChannelRef) -> bool:
    """Whether a command comes from someone the channel's process does not count as a
    member: their join may have been missed. Only reads."""
    if channel.direct:
        return False
    with deps.db.transaction() as session:
        process = process_for_channel(session, channel)
        if process is None or process.status != "active":
            return False
        person = find_person(session, actor)
        member = member_of(session, process, person) if person is not None else None
        return member is None or not member.active
