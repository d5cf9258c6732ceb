"""The scheduled status digest: once per process and period, to the channel, to a second
channel (such as the MED committee's), and as a DM to those who subscribed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from handlers import audit
from handlers.command_spec import CommandSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import N_, Translator
from handlers.messages import Message, Reply
from handlers.outbox import enqueue
from handlers.people import acting, translator_for
from handlers.status.overview import compose_status, last_digest_at
from handlers.status.page_link import with_page_button
from storage.models import DigestRun, Person, Process, Subscription


def post_digest(deps: Deps, process_id: int, period: str) -> bool:
    """Post the digest for `period`, once. Returns False if this period's digest was already
    posted (by us before a restart, or by another replica): the unique (process, period) row
    decides, inside the same transaction as the messages."""
    now = deps.clock()
    try:
        with deps.db.transaction() as session:
            process = session.get(Process, process_id)
            if process is None or process.status != "active":
                return False
            since = last_digest_at(session, process)
            session.add(DigestRun(process_id=process.id, period=period, created_at=now))
            session.flush()
            tr = Translator(process.language, process.timezone, now=now)
            status = compose_status(session, process, tr, now=now, since=since)
            message = with_page_button(status, tr, process)
            key = f"digest:{process.id}:{period}"
            enqueue(
                session, message, key=key, now=now, process=process, channel_id=process.channel_id
            )
            if process.digest_channel_id and process.digest_channel_id != process.channel_id:
                enqueue(
                    session,
                    message,
                    key=f"{key}:copy",
                    now=now,
                    process=process,
                    channel_id=process.digest_channel_id,
                )
            subscribers = session.scalars(
                select(Person).join(Subscription).where(Subscription.process_id == process.id)
            ).all()
            for person in subscribers:
                ptr = translator_for(person, process, deps)
                personal = (
                    message
                    if ptr.language == tr.language
                    else with_page_button(
                        compose_status(session, process, ptr, now=now, since=since), ptr, process
                    )
                )
                enqueue(
                    session,
                    personal,
                    key=f"{key}:dm:{person.id}",
                    now=now,
                    process=process,
                    person=person,
                )
            return True
    except IntegrityError:
        return False


def set_subscription(deps: Deps, actor: PersonRef, channel: ChannelRef, *, on: bool) -> Reply:
    """`/samskab subscribe` / `unsubscribe`: the digest as a DM too, or not."""
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        process, person, tr = who.process, who.person, who.tr
        existing = session.scalar(
            select(Subscription).where(
                Subscription.process_id == process.id, Subscription.person_id == person.id
            )
        )
        if on and existing is None:
            session.add(Subscription(process_id=process.id, person_id=person.id, created_at=now))
            audit.record(session, "digest.subscribed", at=now, process=process, actor=person)
        elif not on and existing is not None:
            session.delete(existing)
            audit.record(session, "digest.unsubscribed", at=now, process=process, actor=person)
        when = tr._("every {weekday} at {time}").format(
            weekday=tr.weekday(process.digest_weekday),
            time=process.digest_time.strftime("%H:%M"),
        )
        text = (
            tr._("You will get the status update as a direct message too, {when}.")
            if on
            else tr._("You will no longer get the status update as a direct message.")
        ).format(when=when)
        return Reply(message=Message(text, language=tr.language))


def subscribe(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    return set_subscription(deps, actor, channel, on=True)


def unsubscribe(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    return set_subscription(deps, actor, channel, on=False)


SUBSCRIBE = CommandSpec(
    "subscribe",
    N_("/samskab subscribe: get the status update as a direct message too (unsubscribe: stop)"),
    aliases=("abonnér", "abonner"),
    run=subscribe,
)
UNSUBSCRIBE = CommandSpec("unsubscribe", None, aliases=("afmeld",), run=unsubscribe)
