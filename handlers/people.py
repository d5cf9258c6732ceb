"""People, members and whose language a message is written in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.facilitators import facilitator_names, joined
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator, normalise_language
from storage.models import Member, Person, Process
from storage.models.kinds import Role
from storage.request_in_hand import bookkeeping


def find_person(session: Session, ref: PersonRef) -> Person | None:
    """The person, if the bot knows them; never writes (a stranger leaves no trace)."""
    return session.scalar(
        select(Person).where(
            Person.platform == ref.platform,
            Person.workspace == ref.workspace,
            Person.user_id == ref.user_id,
        )
    )


def ensure_person(session: Session, ref: PersonRef) -> Person:
    """The person, created or brought up to date with what the platform says of them now, in
    `session` (for use cases that write anyway; a read records through `noted_person`)."""
    person = find_person(session, ref)
    if person is None:
        person = Person(
            platform=ref.platform,
            workspace=ref.workspace,
            user_id=ref.user_id,
            name=ref.name or ref.user_id,
            locale=ref.locale,
        )
        session.add(person)
        session.flush()
    else:
        if _better_name(person, ref):
            person.name = ref.name
        # "" is a locale the platform told us that we do not prefer (the process's language
        # then applies); None is "not told", which keeps what we knew.
        if ref.locale is not None and ref.locale != person.locale:
            person.locale = ref.locale
    return person


def _better_name(person: Person, ref: PersonRef) -> bool:
    """A new name from the platform; its bare user id (what an adapter falls back on when it
    could not ask) never replaces a name we know."""
    return bool(ref.name) and ref.name != person.name and ref.name != ref.user_id


def _has_news(person: Person, ref: PersonRef) -> bool:
    """Whether the platform says something of the person that we have not stored."""
    return _better_name(person, ref) or (ref.locale is not None and ref.locale != person.locale)


def noted_person(session: Session, deps: Deps, ref: PersonRef) -> Person | None:
    """The person as `session` reads them, after recording what changed (a new name or
    locale) in a short transaction of its own; None for a stranger, who leaves no trace. A
    read that changes nothing writes nothing, so it never waits for SQLite's one write lock."""
    person = find_person(session, ref)
    if person is None or not _has_news(person, ref):
        return person
    _record_contact(deps, ref, None)
    return _reread_person(session, ref)


def _record_contact(deps: Deps, ref: PersonRef, process_id: int | None) -> None:
    """Stores the person (and makes them a member of `process_id`) in one short transaction,
    before the read that needs it. Two first contacts at once insert the same row: the loser
    finds the winner's row on its second try. Done again if the request is, it leaves the
    request's inbox row to the use case's own write (storage.request_in_hand)."""
    for attempt in (1, 2):
        try:
            with bookkeeping(), deps.db.transaction() as session:
                person = ensure_person(session, ref)
                process = session.get(Process, process_id) if process_id is not None else None
                if process is not None:
                    enrol(session, process, person, deps.clock())
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _reread_person(session: Session, ref: PersonRef) -> Person | None:
    """The person as just committed, over what `session` had loaded of them."""
    return session.scalar(
        select(Person)
        .where(
            Person.platform == ref.platform,
            Person.workspace == ref.workspace,
            Person.user_id == ref.user_id,
        )
        .execution_options(populate_existing=True)
    )


def process_for_channel(session: Session, channel: ChannelRef) -> Process | None:
    return session.scalar(
        select(Process).where(
            Process.platform == channel.platform,
            Process.workspace == channel.workspace,
            Process.channel_id == channel.channel_id,
        )
    )


def require_process(session: Session, channel: ChannelRef) -> Process:
    process = process_for_channel(session, channel)
    if process is None and channel.direct:
        raise Refused(
            N_(
                "Here in our chat I cannot tell which process you mean: write the command in "
                "the process's channel."
            )
        )
    if process is None:
        raise Refused(
            N_("No process is set up in this channel yet. Start one with /samskab setup.")
        )
    return process


def require_open(process: Process) -> None:
    """A closed process keeps its record (status, export) but takes no new work."""
    if process.status != "active":
        raise Refused(N_("The process “{process}” is closed."), process=process.name)


def member_of(session: Session, process: Process, person: Person | None) -> Member | None:
    if person is None:
        return None
    return session.scalar(
        select(Member)
        .where(Member.process_id == process.id, Member.person_id == person.id)
        .execution_options(populate_existing=True)
    )


def enrol(
    session: Session, process: Process, person: Person, now: datetime, role: Role = "participant"
) -> Member:
    """Make the person an active member; an existing member keeps a facilitator role."""
    member = member_of(session, process, person)
    if member is None:
        member = Member(process=process, person=person, role=role, active=True, joined_at=now)
        session.add(member)
        session.flush()
    else:
        if not member.active:
            member.active, member.joined_at = True, now
        if role == "facilitator":
            member.role = role
    return member


def require_member(session: Session, process: Process, person: Person | None) -> Member:
    member = member_of(session, process, person)
    if member is None or not member.active:
        raise Refused(N_("You are not a member of the process “{process}”."), process=process.name)
    return member


def require_facilitator(session: Session, process: Process, person: Person | None) -> Member:
    member = member_of(session, process, person)
    if member is None or not member.active or not member.is_facilitator:
        # Named, so that they know whom to ask (in their language: "Mette Lund og Jens Berg").
        names = facilitator_names(session, process)
        if not names:
            raise Refused(N_("Only the process's facilitators can do that."))
        tr = Translator(person_language(person, process.language))
        raise Refused(
            N_("Only the process's facilitators can do that. The facilitator is {names}.")
            if len(names) == 1
            else N_("Only the process's facilitators can do that. The facilitators are {names}."),
            names=joined(tr, names),
        )
    return member


def active_members(process: Process) -> list[Member]:
    return sorted((m for m in process.members if m.active), key=lambda m: m.person.name.casefold())


def language_of(person: Person | None, process: Process | None, deps: Deps) -> str:
    """The language the person chose; else theirs when the platform told us it; else the
    process's; else ours."""
    fallback = process.language if process is not None else deps.language
    return person_language(person, fallback)


def person_language(person: Person | None, fallback: str) -> str:
    """`/samskab sprog en` wins over what the platform says of the person, which wins over
    `fallback` (the process's language, or ours)."""
    if person is not None and person.language:
        return normalise_language(person.language, fallback)
    return normalise_language(person.locale if person is not None else None, fallback)


def translator_for(person: Person | None, process: Process | None, deps: Deps) -> Translator:
    timezone = process.timezone if process is not None else deps.timezone
    return Translator(language_of(person, process, deps), timezone, now=deps.clock())


def resolve_members(
    session: Session, process: Process, user_ids: list[str], form: FormReader, field: str
) -> list[Member]:
    """Members for the chosen user ids; anyone outside the process is reported on the field."""
    by_user = {m.person.user_id: m for m in process.members if m.active}
    unknown = [user_id for user_id in user_ids if user_id not in by_user]
    if unknown:
        form.fail(field, N_("Not members of the process: {people}."), people=", ".join(unknown))
    return [by_user[user_id] for user_id in dict.fromkeys(user_ids) if user_id in by_user]


def actor_translator(deps: Deps, actor: PersonRef, channel: ChannelRef | None) -> Translator:
    """The language to answer the person who acted in, in a transaction of its own. Only looks
    up: a refusal (such as "I have no data about you") must not create the person it refuses."""
    with deps.db.transaction() as session:
        person = find_person(session, actor)
        process = process_for_channel(session, channel) if channel is not None else None
        if process is None and person is not None:
            # A button or form in a DM: the process they were last asked in speaks for them.
            process = latest_process_of(session, person)
        # What the platform says now wins, as ensure_person would have stored it; what the
        # person chose wins over both.
        locale = actor.locale if actor.locale is not None or person is None else person.locale
        timezone = process.timezone if process is not None else deps.timezone
        fallback = process.language if process is not None else deps.language
        language = normalise_language(locale, fallback)
        if person is not None and person.language:
            language = normalise_language(person.language, fallback)
        return Translator(language, timezone, now=deps.clock())


def latest_process_of(session: Session, person: Person) -> Process | None:
    """The process the person joined last, for their language where the platform says none."""
    return session.scalars(
        select(Process)
        .join(Member)
        .where(Member.person_id == person.id)
        .order_by(Member.joined_at.desc(), Member.id.desc())
        .limit(1)
    ).first()


def translator_for_member(member: Member) -> Translator:
    """For messages written outside a request (the delivery worker): the member's language."""
    process = member.process
    return Translator(person_language(member.person, process.language), process.timezone)


def resolve_channel(deps: Deps, actor: PersonRef, channel: ChannelRef) -> ChannelRef:
    """The process channel a command or form from `channel` is about. In the person's own chat
    with the bot (Slack's DM, Teams' 1:1 chat), the one active process they are in on that
    platform; with none or several, the chat itself, which has no process, so the use case says
    so. Anywhere else, the channel itself."""
    if not channel.direct:
        return channel
    with deps.db.transaction() as session:
        person = find_person(session, actor)
        if person is None:
            return channel
        rows = session.execute(
            select(Process.platform, Process.workspace, Process.channel_id, Process.name)
            .join(Member)
            .where(Member.person_id == person.id, Member.active.is_(True))
            .where(Process.status == "active", Process.platform == channel.platform)
            .where(Process.workspace == channel.workspace)
        ).all()
    return ChannelRef(*rows[0]) if len(rows) == 1 else channel


@dataclass(frozen=True)
class Acting:
    """Who acts in which process, with the words to answer them in."""

    process: Process
    person: Person
    member: Member
    tr: Translator


# Who may: "facilitator" (only they), "member" (members), "present" (whoever types in the
# channel is a member).
Needed = Literal["facilitator", "member", "present"]


def acting(
    session: Session, deps: Deps, actor: PersonRef, channel: ChannelRef, *, role: Needed
) -> Acting:
    """The common start of a use case in a process's channel. `role`: "facilitator" (only they
    may), "member" (members may), or "present" (whoever types in the channel is a member).
    A status, a list or a form that only shows reads and writes nothing: what the platform
    says of the person is recorded only when it differs from what is stored, and a newcomer in
    the channel becomes a member on their first command ("present"), each in a short
    transaction of its own before the read. A stranger refused as not a member leaves no row."""
    process = require_process(session, channel)
    person = find_person(session, actor)
    joining = role == "present" and not _active(member_of(session, process, person))
    if joining or (person is not None and _has_news(person, actor)):
        _record_contact(deps, actor, process.id if joining else None)
        person = _reread_person(session, actor)
    if role == "facilitator":
        member = require_facilitator(session, process, person)
    else:
        member = require_member(session, process, person)
    assert person is not None  # a member is a person
    return Acting(process, person, member, translator_for(person, process, deps))


def _active(member: Member | None) -> bool:
    return member is not None and member.active
