"""A process's bøvl round: starting one, finding the current one, and what its phase allows.

A round collects until the end of its collection day (in the process's timezone), then waits for
a facilitator to open voting (handlers.hassle.voting); one round at a time per process."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.inputs.working_time import default_deadline
from handlers.messages import Form, FormField, FormOutcome, FormValues, Message, Option, Reply
from handlers.people import acting, require_open
from storage.models import HassleRound, Process
from storage.models.kinds import HassleAudience

DEFAULT_QUESTION = N_(
    "What gets in your way day to day – what stands between you and the core task?"
)
COLLECT_DAYS = 14
MAX_QUESTION = 300
AUDIENCES: dict[str, HassleAudience] = {"members": "members", "not_attended": "not_attended"}


# --- finding rounds ---------------------------------------------------------------------------


def latest_round(session: Session, process: Process) -> HassleRound | None:
    return session.scalars(
        select(HassleRound)
        .where(HassleRound.process_id == process.id)
        .order_by(HassleRound.id.desc())
        .limit(1)
    ).first()


def open_round(session: Session, process: Process) -> HassleRound | None:
    """The round collecting or voting, if any (there is at most one)."""
    latest = latest_round(session, process)
    return latest if latest is not None and latest.phase != "closed" else None


def round_by_id(session: Session, round_id: str, *, lock: bool = False) -> HassleRound:
    """The round a button or form names. `lock`: its row is locked (PostgreSQL; SQLite writes
    one at a time anyway), so that two changes to one round go one after the other."""
    query = select(HassleRound).where(HassleRound.id == parse_id(round_id))
    hassle_round = session.scalar(query.with_for_update() if lock else query)
    if hassle_round is None:
        raise Refused(N_("That hassle round no longer exists."))
    return hassle_round


def process_of(session: Session, hassle_round: HassleRound) -> Process:
    process = session.get(Process, hassle_round.process_id)
    assert process is not None  # a foreign key
    return process


# --- deadlines --------------------------------------------------------------------------------


def end_of_day(day: date, timezone: str) -> datetime:
    """The moment a deadline day ends: the next local midnight (what `collect_until` and
    `vote_until` store)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))


def deadline_day(moment: datetime, timezone: str) -> date:
    """The day a deadline stored by `end_of_day` ends, as people read it."""
    return (moment.astimezone(ZoneInfo(timezone)) - timedelta(seconds=1)).date()


def collection_over(hassle_round: HassleRound, now: datetime) -> bool:
    return now >= hassle_round.collect_until


# --- the phase in words -----------------------------------------------------------------------


def phase_line(tr: Translator, hassle_round: HassleRound, now: datetime) -> str:
    """ "Vi samler bøvl indtil torsdag den 3. december." and the like."""
    tz = tr.tz.key
    if hassle_round.phase == "collecting":
        day = tr.date(deadline_day(hassle_round.collect_until, tz))
        if not collection_over(hassle_round, now):
            return tr._("We are collecting hassles until {date}.").format(date=day)
        return tr._(
            "The collection ended {date}. The facilitators sort the list and then open voting."
        ).format(date=day)
    if hassle_round.phase == "voting":
        if hassle_round.vote_until is None:
            return tr._("Voting is open.")
        day = tr.date(deadline_day(hassle_round.vote_until, tz))
        return tr._("Voting is open until {date}.").format(date=day)
    return tr._("The round is closed.")


def require_collecting(tr: Translator, hassle_round: HassleRound, now: datetime) -> None:
    """New bøvl only while the round collects: after its deadline an anonymous one would be
    shown at once, and so when it was written. `tr`: in the process's timezone."""
    if hassle_round.phase == "collecting" and not collection_over(hassle_round, now):
        return
    if hassle_round.phase == "collecting":
        raise Refused(
            N_(
                "The collection of hassles ended {date}: nothing more can be added. The "
                "facilitators open voting next."
            ),
            date=tr.date(deadline_day(hassle_round.collect_until, tr.tz.key)),
        )
    if hassle_round.phase == "voting":
        raise Refused(
            N_(
                "We are no longer collecting hassles: voting is open. Give your dots with "
                "/samskab hassle dots."
            )
        )
    raise Refused(N_("The hassle round is closed: see its results with /samskab hassle results."))


def require_round(session: Session, process: Process) -> HassleRound:
    """The open round, or a refusal that says how to start one."""
    hassle_round = open_round(session, process)
    if hassle_round is None:
        raise Refused(
            N_(
                "No hassle round is running in this process. A facilitator can start one with "
                "/samskab hassle start."
            )
        )
    return hassle_round


# --- starting a round -------------------------------------------------------------------------


def start_form(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl start`: the question, the collection deadline and whom to ask."""
    no_arguments("hassle start", argument)
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        _refuse_if_open(session, process, tr, now)
        deadline = default_deadline(
            tr.today(now), days=COLLECT_DAYS, country=process.holiday_country
        )
        return Reply(
            form=Form(
                callback_id="hassle.start",
                title=tr._("Start the hassle round"),
                submit_label=tr._("Start"),
                intro=tr._(
                    "Everyone asked gets a direct message with the question and a button to add "
                    "what gets in their way. The list is shown in the channel."
                ),
                fields=(
                    FormField(
                        "question",
                        tr._("Question"),
                        "text",
                        initial=tr._(DEFAULT_QUESTION),
                        max_length=MAX_QUESTION,
                    ),
                    FormField(
                        "collect_until",
                        tr._("Collect hassles until"),
                        "date",
                        initial=deadline.isoformat(),
                    ),
                    FormField(
                        "audience",
                        tr._("Whom to ask"),
                        "choice",
                        initial="members",
                        options=(
                            Option("members", tr._("everyone in the process")),
                            Option(
                                "not_attended",
                                tr._("those who have not been to a workshop yet"),
                            ),
                        ),
                    ),
                ),
                language=tr.language,
            )
        )


def submit_start(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """The round starts: everyone asked gets a DM, the board goes to the channel."""
    # Here, not at the top: asking and the board read this module's deadlines and phases.
    from handlers.hassle.asking import ask_everyone, audience_members
    from handlers.hassle.board import post_board

    assert channel is not None  # the form belongs to its channel
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        # Locked (PostgreSQL): two starts at once make one round.
        session.execute(select(Process.id).where(Process.id == process.id).with_for_update())
        _refuse_if_open(session, process, tr, now)
        form = FormReader(values)
        question = form.text("question", max_length=MAX_QUESTION)
        day = form.date("collect_until")
        audience = AUDIENCES.get(form.choice("audience", set(AUDIENCES)), "members")
        if day is not None and day <= tr.today(now):
            form.fail("collect_until", N_("Choose a day after today."))
        elif day is not None and day > tr.today(now) + timedelta(days=365):
            form.fail("collect_until", N_("Choose a day within a year."))
        if not form.errors and not audience_members(session, process, audience):
            form.fail("audience", N_("Nobody in the process is in that group."))
        form.check()
        assert day is not None
        hassle_round = HassleRound(
            process_id=process.id,
            question=question,
            phase="collecting",
            audience=audience,
            collect_until=end_of_day(day, process.timezone),
            dots=3,
            stacking=False,
            started_by_member_id=who.member.id,
            started_at=now,
        )
        session.add(hassle_round)
        session.flush()
        asked = ask_everyone(session, deps, process, hassle_round, now)
        post_board(session, process, hassle_round, now)
        audit.record(
            session,
            "hassle.started",
            at=now,
            process=process,
            actor=who.person,
            round=hassle_round.id,
            audience=audience,
            asked=asked,
        )
        text = tr._(
            "The hassle round has started: {n} colleagues are asked until {date}. The list is "
            "in the channel."
        ).format(n=asked, date=tr.date(day))
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))


def _refuse_if_open(session: Session, process: Process, tr: Translator, now: datetime) -> None:
    current = open_round(session, process)
    if current is None:
        return
    raise Refused(
        N_("A hassle round is already running: “{question}”. {phase}"),
        question=current.question,
        phase=phase_line(tr, current, now),
    )
