"""Short ways to reach a state through the real use cases (never by writing rows directly)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select, text

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.interactions import submit_form
from handlers.messages import FormValues
from storage.models import Base, HassleRound, OutboxMessage, Workshop
from storage.models.kinds import Platform

PLATFORM: Platform = "console"
WORKSPACE = "local"
# The ballot key of the tests' bøvl rounds (bot.ballot_key makes a real one): fixed, so that a
# failing test can be read again.
BALLOT_KEY = bytes(range(32))


def with_ballot_key(deps: Deps) -> Deps:
    """`deps` as the bot has them where a ballot key is configured."""
    return replace(deps, ballot_key=lambda: BALLOT_KEY)


def start_hassle_round(
    deps: Deps,
    where: ChannelRef,
    facilitator: PersonRef,
    *,
    question: str = "Hvad bøvler?",
    collect_until: str = "2026-11-27",
) -> str:
    """A bøvl round asking the whole process, started by its form; the round's id."""
    values: FormValues = {
        "question": question,
        "collect_until": collect_until,
        "audience": "members",
    }
    started = submit_form(deps, facilitator, where, "hassle.start", {}, values)
    assert started.ok, started.errors
    with deps.db.transaction() as session:
        return str(session.scalar(select(func.max(HassleRound.id))))


def add_hassle(deps: Deps, who: PersonRef, round_id: str, title: str, **extra: str) -> None:
    """A bøvl added through its form, past the look-alikes (`anonymous` named unless given)."""
    values: FormValues = {"title": title, "anonymous": "named", **extra}
    added = submit_form(deps, who, None, "hassle.add", {"round": round_id, "checked": "1"}, values)
    assert added.ok, added.errors


def person(name: str) -> PersonRef:
    return PersonRef(PLATFORM, WORKSPACE, name.casefold().replace(" ", "-"), name)


def channel(channel_id: str, roster: list[PersonRef] | None = None) -> ChannelRef:
    return ChannelRef(
        PLATFORM, WORKSPACE, channel_id, channel_id, roster=tuple(roster) if roster else None
    )


def set_up(
    deps: Deps,
    where: ChannelRef,
    facilitator: PersonRef,
    *,
    language: str = "da",
    step: str = "1",
    name: str | None = None,
    tracks: str = "Visitation\nDokumentation\nBudget",
    facilitators: list[str] | None = None,
    anonymity: str = "3",
) -> None:
    """The process as a facilitator sets it up; `where.roster` becomes its members."""
    outcome = submit_form(
        deps,
        facilitator,
        where,
        "setup",
        {},
        {
            "name": name or f"Forløb i {where.channel_id}",
            "tracks": tracks,
            "step": step,
            "digest_weekday": "0",
            "digest_time": "09:00",
            "language": language,
            "timezone": "Europe/Copenhagen",
            "facilitators": facilitators or [],
            "anonymity": anonymity,
        },
    )
    assert outcome.ok, outcome.errors


def plan(
    deps: Deps,
    where: ChannelRef,
    facilitator: PersonRef,
    invitees: list[PersonRef],
    *,
    title: str = "Workshop",
    when: str = "2026-11-23 08:00",
) -> str:
    outcome = submit_form(
        deps,
        facilitator,
        where,
        "workshop",
        {},
        {
            "track": first_track(deps, where),
            "title": title,
            "starts_at": when,
            "invitees": [p.user_id for p in invitees],
        },
    )
    assert outcome.ok, outcome.errors
    with deps.db.transaction() as session:
        return str(session.scalar(select(func.max(Workshop.id))))


def first_track(deps: Deps, where: ChannelRef) -> str:
    from handlers.people import process_for_channel

    with deps.db.transaction() as session:
        process = process_for_channel(session, where)
        assert process is not None
        return str(process.tracks[0].id)


def summary_values(attendees: list[PersonRef], **overrides: str) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "attendees": [p.user_id for p in attendees],
        "text": "Vi nåede langt.",
        "decisions": "En beslutning",
        "open_questions": "Et spørgsmål",
        "next_steps": "",
        "question": "Hvad mener du?",
        "deadline": "2026-12-02",
    }
    values.update(overrides)
    return values


MACHINERY = frozenset({"inbox", "workers", "pace_buckets"})


def outbox_drained(deps: Deps) -> bool:
    """Whether every message written so far has been sent (or given up on)."""
    with deps.db.transaction() as session:
        waiting = select(func.count()).select_from(OutboxMessage)
        return not session.scalar(waiting.where(OutboxMessage.status.in_(("pending", "sending"))))


def row_counts(deps: Deps) -> dict[str, int]:
    """How many rows each table holds: to show that a refused request wrote nothing. The
    delivery's and the inbox's own bookkeeping is left out: it changes with the machinery's
    timing (a heartbeat, a pace bucket made at the first send, an acked request until its work
    is done), not with what a person asked."""
    with deps.db.transaction() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table.name not in MACHINERY
        }


def summarise(
    deps: Deps,
    where: ChannelRef,
    facilitator: PersonRef,
    workshop: str,
    attendees: list[PersonRef],
    **overrides: str,
) -> None:
    """The workshop's summary, posted: invitees who did not attend are asked for input."""
    outcome = submit_form(
        deps,
        facilitator,
        where,
        "summary",
        {"workshop": workshop},
        summary_values(attendees, **overrides),
    )
    assert outcome.ok, outcome.errors


def disk_on_fire(deps: Deps, event: str, when: str | None = None) -> None:
    """From now on the database refuses `event` ("INSERT ON inputs"), where `when` holds, with
    the error "disk on fire": a real database failure, as a trigger in SQLite's dialect or
    PostgreSQL's."""
    with deps.db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text(
                    "CREATE FUNCTION disk_on_fire() RETURNS trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$"
                )
            )
            condition = f" WHEN ({when})" if when else ""
            action = "FOR EACH ROW" + condition + " EXECUTE FUNCTION disk_on_fire()"
        else:
            condition = f" WHEN {when}" if when else ""
            action = condition + " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        session.execute(text(f"CREATE TRIGGER disk_on_fire BEFORE {event} {action}"))
