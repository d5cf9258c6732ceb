"""Support with dots, opened: a facilitator opens voting (dots per person, stacking, the
deadline), the anonymous bøvl still waiting are shown, and everyone asked gets a DM with a button
to their dots form (handlers.hassle.dots)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.hassle.board import update_board
from handlers.hassle.dots import (
    GIVE_DOTS,
    ballot_key_of,
    dots_form,
    newest_round,
    votable_items,
)
from handlers.hassle.rounds import (
    deadline_day,
    end_of_day,
    round_by_id,
)
from handlers.i18n import N_, Translator
from handlers.inputs.working_time import WorkingHours, next_reminder_at
from handlers.messages import (
    Button,
    Buttons,
    Context,
    Form,
    FormField,
    FormOutcome,
    FormValues,
    Heading,
    Message,
    Option,
    Paragraph,
    Reply,
)
from handlers.outbox import Outgoing, enqueue_many
from handlers.people import (
    acting,
    require_open,
    translator_for,
)
from storage.models import HassleItem, HassleParticipant, HassleRound, Member, Process

DEFAULT_DOTS = 3
MAX_DOTS = 10
VOTE_DAYS = 7


# --- opening voting ---------------------------------------------------------------------------


def vote_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl afstemning`: a facilitator opens voting while the round collects; during
    voting, anyone gets their dots form."""
    no_arguments("hassle vote", argument)
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        require_open(who.process)
        hassle_round = newest_round(session, who.process)
        if hassle_round.phase == "collecting" and who.member.is_facilitator:
            return Reply(form=_open_form(deps, who.tr, hassle_round))
        return Reply(form=dots_form(session, deps, who.tr, hassle_round, who.member))


def _open_form(deps: Deps, tr: Translator, hassle_round: HassleRound) -> Form:
    ballot_key_of(deps)  # refused before the form, without a key to seal ballots
    until = tr.today(deps.clock()) + timedelta(days=VOTE_DAYS)
    return Form(
        callback_id="hassle.open_voting",
        title=tr._("Open voting"),
        submit_label=tr._("Open voting"),
        intro=tr._(
            "Everyone asked gets a direct message with a button to give their dots. Merging is "
            "no longer possible once voting is open. Nobody sees any counts until voting closes."
        ),
        metadata={"round": str(hassle_round.id)},
        fields=(
            FormField(
                "dots",
                tr._("Dots per person"),
                "choice",
                initial=str(DEFAULT_DOTS),
                options=tuple(Option(str(n), str(n)) for n in range(1, MAX_DOTS + 1)),
            ),
            FormField(
                "stacking",
                tr._("More than one dot on the same hassle?"),
                "choice",
                initial="no",
                options=(
                    Option("no", tr._("No, at most one dot per hassle")),
                    Option("yes", tr._("Yes, dots may be stacked")),
                ),
            ),
            FormField("vote_until", tr._("Voting closes after"), "date", initial=until.isoformat()),
        ),
        language=tr.language,
    )


def submit_open_voting(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Voting opens: merges are locked, the anonymous bøvl still waiting are shown, everyone
    asked gets a DM with a button, and the board says until when."""
    assert channel is not None  # the form belongs to its channel
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        hassle_round = round_by_id(session, metadata.get("round", ""), lock=True)
        if hassle_round.process_id != process.id or hassle_round.phase != "collecting":
            raise Refused(N_("Voting can only be opened while the round collects hassles."))
        ballot_key_of(deps)  # refused without a key to seal ballots
        form = FormReader(values)
        dots = form.number("dots", range(1, MAX_DOTS + 1), default=DEFAULT_DOTS)
        stacking = form.choice("stacking", {"no", "yes"}) == "yes"
        day = form.date("vote_until")
        if day is not None and day < tr.today(now):
            form.fail("vote_until", N_("The deadline has passed. Choose today or a later date."))
        elif day is not None and day > tr.today(now) + timedelta(days=365):
            form.fail("vote_until", N_("Choose a day within a year."))
        form.check()
        assert day is not None
        _show_waiting(session, hassle_round, now)
        if not votable_items(session, hassle_round):
            raise Refused(N_("There is nothing to vote on yet: no hassle has been added."))
        hassle_round.phase = "voting"
        hassle_round.dots, hassle_round.stacking = dots, stacking
        hassle_round.vote_until = end_of_day(day, process.timezone)
        hassle_round.voting_opened_at = now
        session.flush()
        asked = _ask_to_vote(session, deps, process, hassle_round, now)
        update_board(session, process, hassle_round, now)
        audit.record(
            session,
            "hassle.voting_opened",
            at=now,
            process=process,
            actor=who.person,
            round=hassle_round.id,
            dots=dots,
            stacking=stacking,
            asked=asked,
        )
        text = tr._(
            "Voting is open until {date}, with {dots} dots per person. {n} colleagues have been "
            "asked."
        ).format(date=tr.date(day), dots=dots, n=asked)
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))


def _show_waiting(session: Session, hassle_round: HassleRound, now: datetime) -> None:
    """The anonymous bøvl still waiting for the anonymity threshold are shown now, all at once
    (collection is over: nobody can tell their order from when they appear)."""
    waiting = session.scalars(
        select(HassleItem).where(
            HassleItem.round_id == hassle_round.id, HassleItem.shown_at.is_(None)
        )
    ).all()
    for item in waiting:
        item.shown_at = now


def _ask_to_vote(
    session: Session, deps: Deps, process: Process, hassle_round: HassleRound, now: datetime
) -> int:
    """A DM to everyone asked who is still in the process, and their one reminder set (it
    replaces whatever the collection left due)."""
    rows = session.execute(
        select(HassleParticipant, Member)
        .join(Member, Member.id == HassleParticipant.member_id)
        .where(HassleParticipant.round_id == hassle_round.id)
        .order_by(HassleParticipant.member_id)
    ).all()
    remind_at = first_vote_reminder(process, hassle_round, now)
    members: list[Member] = []
    for participant, member in rows:
        asked = participant.asked and member.active
        participant.next_reminder_at = remind_at if asked else None
        if asked:
            members.append(member)
    outgoing = [
        Outgoing(
            vote_dm(translator_for(member.person, process, deps), process, hassle_round),
            key=f"hassle-vote:{hassle_round.id}:{member.person_id}",
            person=member.person,
        )
        for member in members
    ]
    enqueue_many(session, outgoing, now=now, process=process)
    return len(members)


def first_vote_reminder(
    process: Process, hassle_round: HassleRound, now: datetime
) -> datetime | None:
    """Voting's one reminder (handlers.hassle.asking sends it): `reminder_days_before` working
    days before the voting deadline, in working hours. Never on the day voting opened: the
    invitation came that day, and a reminder hours later would only be noise."""
    assert hassle_round.vote_until is not None
    return next_reminder_at(
        deadline_day(hassle_round.vote_until, process.timezone),
        ZoneInfo(process.timezone),
        now,
        days_before=process.reminder_days_before,
        on_deadline=False,
        hours=WorkingHours(country=process.holiday_country),
        after=hassle_round.voting_opened_at,
    )


def vote_dm(
    tr: Translator, process: Process, hassle_round: HassleRound, *, reminder: bool = False
) -> Message:
    """The DM asking for dots; as a `reminder`, it says so and until when voting is open."""
    assert hassle_round.vote_until is not None
    heading = (
        tr._("Reminder: vote on what gets in the way in “{process}”")
        if reminder
        else tr._("Vote on what gets in the way in “{process}”")
    ).format(process=process.name)
    until = tr.date(deadline_day(hassle_round.vote_until, process.timezone))
    how = (
        tr._("You have one dot to support the hassle you find most important.")
        if hassle_round.dots == 1
        else tr._("You have {dots} dots to support the hassles you find most important.").format(
            dots=hassle_round.dots
        )
    )
    if reminder:
        how = tr._("Voting is open until {date}.").format(date=until) + " " + how
    text = f"{heading}. {how}"
    return Message(
        text,
        (
            Heading(heading),
            Paragraph(hassle_round.question),
            Paragraph(how),
            Context(
                tr._(
                    "You can change your dots until {date}. Nobody sees who supported what, and "
                    "the counts are shown only when voting closes."
                ).format(date=until)
            ),
            Buttons((Button(tr._(GIVE_DOTS), "hassle.dots", str(hassle_round.id), "primary"),)),
        ),
        language=tr.language,
    )
