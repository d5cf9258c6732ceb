"""Asking for bøvl: a DM to everyone asked when the round starts, and one reminder, a number of
working days before the collection deadline (the process's `reminder_days_before`), inside
working hours, to those who have added nothing yet. `remind_hassle` is the scheduled sweep; it
also sends voting's one reminder (same rules, before the voting deadline, to those who have
given no dots; set when voting opens, handlers.hassle.voting) and shows the anonymous bøvl that
waited for the collection deadline."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Deps
from handlers.hassle.board import ADD_BUTTON, update_board
from handlers.hassle.collecting import release_waiting
from handlers.hassle.rounds import deadline_day, process_of
from handlers.hassle.voting import first_vote_reminder, vote_dm
from handlers.i18n import Translator
from handlers.inputs.working_time import (
    WorkingHours,
    next_reminder_at,
    next_working_moment,
    within_working_hours,
)
from handlers.messages import Block, Button, Buttons, Context, Heading, Message, Paragraph
from handlers.outbox import Outgoing, enqueue, enqueue_many
from handlers.people import active_members, translator_for, translator_for_member
from storage.models import HassleParticipant, HassleRound, Invitation, Member, Process
from storage.models.kinds import HassleAudience


def audience_members(session: Session, process: Process, audience: HassleAudience) -> list[Member]:
    """Everyone in the process, or those who have attended no workshop yet."""
    members = active_members(process)
    if audience == "members":
        return members
    attended = set(
        session.scalars(
            select(Invitation.member_id).where(
                Invitation.member_id.in_([m.id for m in members]),
                Invitation.attended.is_(True),
            )
        )
    )
    return [m for m in members if m.id not in attended]


def first_reminder(process: Process, hassle_round: HassleRound, now: datetime) -> datetime | None:
    """The one reminder: `reminder_days_before` working days before the collection day (none
    when the process reminds on no day before), in working hours."""
    return next_reminder_at(
        deadline_day(hassle_round.collect_until, process.timezone),
        ZoneInfo(process.timezone),
        now,
        days_before=process.reminder_days_before,
        on_deadline=False,
        hours=WorkingHours(country=process.holiday_country),
    )


def ask_everyone(
    session: Session, deps: Deps, process: Process, hassle_round: HassleRound, now: datetime
) -> int:
    """The round's DMs and its participants, in the start's transaction. Returns how many."""
    members = audience_members(session, process, hassle_round.audience)
    remind_at = first_reminder(process, hassle_round, now)
    session.add_all(
        HassleParticipant(
            round_id=hassle_round.id,
            member_id=m.id,
            asked=True,
            added=False,
            supported=False,
            asked_at=now,
            next_reminder_at=remind_at,
        )
        for m in members
    )
    outgoing = [
        Outgoing(
            ask_message(translator_for(m.person, process, deps), process, hassle_round),
            key=f"hassle-ask:{hassle_round.id}:{m.id}",
            person=m.person,
        )
        for m in members
    ]
    enqueue_many(session, outgoing, now=now, process=process)
    return len(members)


def ask_message(
    tr: Translator, process: Process, hassle_round: HassleRound, *, reminder: bool = False
) -> Message:
    day = tr.date(deadline_day(hassle_round.collect_until, process.timezone))
    heading = (
        tr._("Reminder: what gets in your way? ({process})")
        if reminder
        else tr._("What gets in your way? ({process})")
    ).format(process=process.name)
    intro = tr._(
        "The process “{process}” is collecting what gets in the way of the core task, from "
        "everyone, until {date}. Afterwards everyone supports the hassles that matter most, and "
        "the facilitators choose the challenges to work on."
    ).format(process=process.name, date=day)
    blocks: list[Block] = [
        Heading(heading),
        Paragraph(hassle_round.question),
        Paragraph(intro),
        Buttons((Button(tr._(ADD_BUTTON), "hassle.add", str(hassle_round.id), "primary"),)),
        Context(
            tr._(
                "A short title and, if you like, a few lines. You can add it anonymously, and "
                "add more than one."
            )
        ),
    ]
    return Message(f"{heading}\n{hassle_round.question}", tuple(blocks), tr.language)


# --- the sweep --------------------------------------------------------------------------------


def remind_hassle(deps: Deps, now: datetime) -> int:
    """One sweep: the anonymous bøvl that waited for a collection deadline now passed are shown
    (and the board says the collection ended); then the reminders that are due, collecting's
    and voting's. Returns how many messages were queued. Safe on several replicas: a
    reminder's key is its phase, round and member, and the board's versions are locked per
    round."""
    with deps.db.transaction() as session:
        sent = _after_deadlines(session, now)
        due = session.scalars(
            select(HassleParticipant)
            .join(HassleRound, HassleRound.id == HassleParticipant.round_id)
            .where(
                HassleRound.phase.in_(("collecting", "voting")),
                HassleParticipant.next_reminder_at <= now,
            )
            .order_by(HassleParticipant.round_id, HassleParticipant.member_id)
            .with_for_update(skip_locked=True, of=HassleParticipant)
        ).all()
        reminded_today: set[int] = set()
        for participant in due:
            sent += _remind(session, participant, now, reminded_today)
    return sent


def _remind(
    session: Session, participant: HassleParticipant, now: datetime, reminded_today: set[int]
) -> int:
    hassle_round = session.get(HassleRound, participant.round_id)
    member = session.get(Member, participant.member_id)
    assert hassle_round is not None and member is not None  # foreign keys
    process = process_of(session, hassle_round)
    voting = hassle_round.phase == "voting"
    # Each phase reminds those who have not yet done what it asks, until its deadline.
    done = participant.supported if voting else participant.added
    until = hassle_round.vote_until if voting else hassle_round.collect_until
    if done or not member.active or process.status != "active" or until is None or now >= until:
        participant.next_reminder_at = None
        return 0
    tz = ZoneInfo(process.timezone)
    hours = WorkingHours(country=process.holiday_country)
    if not within_working_hours(now, tz, hours):
        # The sweep ran late (the bot was down): the next window still on a reminder day.
        first = first_vote_reminder if voting else first_reminder
        participant.next_reminder_at = first(process, hassle_round, now)
        return 0
    if member.person_id in reminded_today or _reminded_today(session, member, now, tz):
        # At most one a day to a person, whichever of their processes or phases asks:
        # tomorrow, if the phase still runs then.
        tomorrow = datetime.combine(
            now.astimezone(tz).date() + timedelta(days=1), hours.start, tzinfo=tz
        )
        later = next_working_moment(tomorrow, tz, hours)
        participant.next_reminder_at = None if later >= until else later
        return 0
    tr = translator_for_member(member)
    message, kind = (
        (vote_dm(tr, process, hassle_round, reminder=True), "hassle-vote-remind")
        if voting
        else (ask_message(tr, process, hassle_round, reminder=True), "hassle-remind")
    )
    queued = enqueue(
        session,
        message,
        key=f"{kind}:{hassle_round.id}:{member.id}",
        now=now,
        process=process,
        person=member.person,
    )
    participant.reminded_at, participant.next_reminder_at = now, None
    reminded_today.add(member.person_id)
    return int(queued)


def _reminded_today(session: Session, member: Member, now: datetime, tz: ZoneInfo) -> bool:
    start = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tzinfo=tz)
    return (
        session.scalar(
            select(HassleParticipant.round_id)
            .join(Member, Member.id == HassleParticipant.member_id)
            .where(Member.person_id == member.person_id, HassleParticipant.reminded_at >= start)
            .limit(1)
        )
        is not None
    )


def _after_deadlines(session: Session, now: datetime) -> int:
    """Rounds still collecting whose collection deadline has passed: what waited for it is
    shown, and the board says the collection ended (once: an unchanged board is not sent)."""
    rounds = session.scalars(
        select(HassleRound)
        .where(HassleRound.phase == "collecting", HassleRound.collect_until <= now)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for hassle_round in rounds:
        process = process_of(session, hassle_round)
        if process.status != "active":
            continue
        release_waiting(session, process, hassle_round, now)
        sent += update_board(session, process, hassle_round, now)
    return sent
