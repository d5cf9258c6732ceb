"""Closing the vote: at the deadline (the scheduler's job, close_due_rounds), when a facilitator
closes it after confirming, or when the process itself closes (end_with_process). The sealed
ballots go, the results go to the channel (handlers.hassle.results), and the board says so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.hassle.ballots import delete_ballots
from handlers.hassle.board import update_board
from handlers.hassle.results import results_message
from handlers.hassle.rounds import deadline_day, require_round, round_by_id
from handlers.i18n import N_, Translator
from handlers.messages import Form, FormField, FormOutcome, FormValues, Message, Option, Reply
from handlers.outbox import enqueue
from handlers.people import acting, require_open
from handlers.status.changed import status_changed
from storage.models import HassleRound, Person, Process


def close_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl luk`: facilitators close voting now, after confirming."""
    no_arguments("hassle close", argument)
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        tr = who.tr
        require_open(who.process)
        hassle_round = require_round(session, who.process)
        if hassle_round.phase != "voting":
            raise Refused(N_("Voting is not open, so there is nothing to close."))
        assert hassle_round.vote_until is not None
        day = tr.date(deadline_day(hassle_round.vote_until, who.process.timezone))
        return Reply(
            form=Form(
                callback_id="hassle.close",
                title=tr._("Close voting"),
                submit_label=tr._("Close voting"),
                intro=tr._(
                    "Voting would otherwise close at the end of {date}. Once closed, nobody can "
                    "change their dots, and the results go to the channel."
                ).format(date=day),
                metadata={"round": str(hassle_round.id)},
                fields=(
                    FormField(
                        "confirm",
                        tr._("Close voting now?"),
                        "choice",
                        options=(Option("close", tr._("Yes, close voting now")),),
                    ),
                ),
                language=tr.language,
            )
        )


def submit_close(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    assert channel is not None  # the form belongs to its channel
    now = deps.clock()
    form = FormReader(values)
    form.choice("confirm", {"close"})
    form.check()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        hassle_round = round_by_id(session, metadata.get("round", ""), lock=True)
        if hassle_round.process_id != who.process.id or hassle_round.phase != "voting":
            raise Refused(N_("Voting is not open, so there is nothing to close."))
        close_voting(session, who.process, hassle_round, now, actor=who.person)
        text = who.tr._("Voting is closed. The results are in the channel.")
        return FormOutcome(reply=Reply(message=Message(text, language=who.tr.language)))


def close_due_rounds(deps: Deps, now: datetime) -> int:
    """The scheduler's job: closes every round whose voting deadline has passed. Each in its own
    transaction, with the round's row locked and its phase read again, so a facilitator closing
    it at the same moment, or another replica, closes it once. Returns how many it closed."""
    with deps.db.transaction() as session:
        due = list(
            session.scalars(
                select(HassleRound.id)
                .join(Process, Process.id == HassleRound.process_id)
                .where(
                    HassleRound.phase == "voting",
                    HassleRound.vote_until <= now,
                    Process.status == "active",
                )
            )
        )
    closed = 0
    for round_id in due:
        with deps.db.transaction() as session:
            hassle_round = round_by_id(session, str(round_id), lock=True)
            if hassle_round.phase != "voting":
                continue
            process = session.get(Process, hassle_round.process_id)
            assert process is not None  # a foreign key
            close_voting(session, process, hassle_round, now, actor=None)
            closed += 1
    return closed


def close_voting(
    session: Session,
    process: Process,
    hassle_round: HassleRound,
    now: datetime,
    *,
    actor: Person | None,
) -> None:
    """Phase closed; the results to the channel; the board says so."""
    hassle_round.phase = "closed"
    hassle_round.closed_at = now
    # The sealed ballots only served to let each person see and change their own dots until
    # now; the totals are final, so they go, and with them any trace of who chose what.
    delete_ballots(session, hassle_round)
    session.flush()
    tr = Translator(process.language, process.timezone, now=now)
    enqueue(
        session,
        results_message(session, tr, process, hassle_round),
        key=f"hassle-results:{hassle_round.id}",
        now=now,
        process=process,
        channel_id=process.channel_id,
    )
    update_board(session, process, hassle_round, now)
    status_changed(session, process.id)
    audit.record(
        session,
        "hassle.voting_closed",
        at=now,
        process=process,
        actor=actor,
        round=hassle_round.id,
        by="facilitator" if actor is not None else "deadline",
    )


def end_with_process(
    session: Session, process: Process, now: datetime, *, actor: Person | None
) -> None:
    """The process is being closed: a round still running ends with it. Voting closes as at
    its deadline (the results to the channel, the sealed ballots gone); a round still
    collecting just ends, as there is nothing to count."""
    hassle_round = session.scalar(
        select(HassleRound)
        .where(HassleRound.process_id == process.id, HassleRound.phase != "closed")
        .with_for_update()
    )
    if hassle_round is None:
        return
    if hassle_round.phase == "voting":
        close_voting(session, process, hassle_round, now, actor=actor)
        return
    hassle_round.phase, hassle_round.closed_at = "closed", now
    session.flush()
    update_board(session, process, hassle_round, now)
