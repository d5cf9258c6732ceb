"""Closing the vote and its results: at the deadline (a scheduler job) or when a facilitator
closes it, the ranked list goes to the channel with the supports of each bøvl and who took part,
split by whether people have been to a workshop, with small groups hidden as the pulse hides them.

Nothing here is shown before the close: the counts exist only as totals until then."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.hassle.ballots import delete_ballots
from handlers.hassle.board import item_label, merged_under, shown_items, update_board
from handlers.hassle.rounds import deadline_day, latest_round, require_round, round_by_id
from handlers.i18n import N_, Translator
from handlers.messages import (
    Block,
    BulletList,
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
from handlers.outbox import enqueue
from handlers.people import acting, require_open
from handlers.pulse.results import MIN_ANSWERS, shown_split
from storage.models import (
    HassleItem,
    HassleParticipant,
    HassleRound,
    Invitation,
    Person,
    Process,
    Workshop,
)

RANKED_SHOWN = 40  # lines of the ranked list in one message; the rest are counted
TOP_ON_BOARD = 5


# --- closing ----------------------------------------------------------------------------------


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


# --- the results ------------------------------------------------------------------------------


def results_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl resultat`: the results, privately, once voting has closed."""
    no_arguments("hassle results", argument)
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        hassle_round = latest_round(session, who.process)
        if hassle_round is None:
            hassle_round = require_round(session, who.process)  # says how to start one
        if hassle_round.phase != "closed":
            raise Refused(N_("The results are shown when voting has closed."))
        return Reply(message=results_message(session, who.tr, who.process, hassle_round))


def ranked(session: Session, hassle_round: HassleRound) -> list[HassleItem]:
    """The bøvl that could be supported, most supported first; ties by reference (named by
    number, then anonymous by letters), never by when they came."""
    items = [
        item
        for item in shown_items(session, hassle_round)
        if item.merged_into_id is None and item.out_of_scope_reason is None
    ]
    return sorted(items, key=lambda item: (-item.supports, *_ref_order(item.reference)))


def _ref_order(reference: str) -> tuple[int, str]:
    return (0, reference.zfill(9)) if reference.isdecimal() else (1, reference)


def supports_text(tr: Translator, n: int) -> str:
    return tr._("1 dot") if n == 1 else tr._("{n} dots").format(n=n)


def ranked_lines(
    session: Session, tr: Translator, hassle_round: HassleRound, limit: int | None = None
) -> list[str]:
    """ "1. #3 Title – 7 prikker (også #9)": the ranked list as the results and the digest show
    it. Only after the close: before it, the totals are secret."""
    assert hassle_round.phase == "closed"
    under = merged_under(shown_items(session, hassle_round))
    lines = []
    for rank, item in enumerate(ranked(session, hassle_round)[:limit], 1):
        line = f"{rank}. {item_label(item)} {item.title} – {supports_text(tr, item.supports)}"
        merged = under.get(item.id, [])
        if merged:
            also = ", ".join(item_label(m) for m in merged)
            line += " " + tr._("(with {refs})").format(refs=also)
        lines.append(line)
    return lines


def top_blocks(session: Session, tr: Translator, hassle_round: HassleRound) -> list[Block]:
    """The board's part once voting has closed: the most supported bøvl, with their totals."""
    lines = ranked_lines(session, tr, hassle_round, limit=TOP_ON_BOARD)
    if not lines:
        return []
    return [
        BulletList(tr._("Most supported first"), tuple(lines)),
        Context(tr._("The whole result: /samskab hassle results")),
    ]


def results_message(
    session: Session, tr: Translator, process: Process, hassle_round: HassleRound
) -> Message:
    heading = tr._("Results of the hassle round in “{process}”").format(process=process.name)
    lines = ranked_lines(session, tr, hassle_round)
    blocks: list[Block] = [Heading(heading), Paragraph(hassle_round.question)]
    if lines:
        blocks.append(BulletList(tr._("Most supported first"), tuple(lines[:RANKED_SHOWN])))
        if len(lines) > RANKED_SHOWN:
            more = tr._("… and {n} more").format(n=len(lines) - RANKED_SHOWN)
            blocks.append(Context(more))
    else:
        blocks.append(Paragraph(tr._("No hassle was up for voting.")))
    outside = [
        f"{item_label(item)} {item.title}"
        for item in shown_items(session, hassle_round)
        if item.merged_into_id is None and item.out_of_scope_reason is not None
    ]
    if outside:
        blocks.append(BulletList(tr._("Outside the frame"), tuple(outside[:RANKED_SHOWN])))
    figures = participation(session, process, hassle_round)
    blocks.append(BulletList(tr._("Who took part"), tuple(participation_lines(tr, figures))))
    blocks.append(
        Context(
            tr._(
                "The facilitators now choose the challenges to work on (/samskab hassle choose); "
                "everyone who wrote a hassle hears what became of it."
            )
        )
    )
    top = "\n".join(lines[:5])
    return Message(f"{heading}\n{top}".strip(), tuple(blocks), language=tr.language)


# --- who took part ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    asked: int
    added: int
    supported: int


@dataclass(frozen=True)
class Participation:
    """Everyone's figures, and those of who has been to a workshop and who has not; a split
    figure is None where the pulse's rule hides it (shown_split)."""

    total: Counts
    attended: tuple[int | None, int | None, int | None]
    not_attended: tuple[int | None, int | None, int | None]


def participation(session: Session, process: Process, hassle_round: HassleRound) -> Participation:
    attended = set(
        session.scalars(
            select(Invitation.member_id)
            .join(Workshop, Workshop.id == Invitation.workshop_id)
            .where(Workshop.process_id == process.id, Invitation.attended.is_(True))
        )
    )
    rows = session.execute(
        select(
            HassleParticipant.member_id,
            HassleParticipant.asked,
            HassleParticipant.added,
            HassleParticipant.supported,
        ).where(HassleParticipant.round_id == hassle_round.id)
    ).all()

    def count(flag: int, been: bool | None) -> int:
        return sum(
            1 for row in rows if row[flag] and (been is None or (row[0] in attended) == been)
        )

    total = Counts(count(1, None), count(2, None), count(3, None))
    split_in: list[int | None] = []
    split_out: list[int | None] = []
    for flag in (1, 2, 3):
        # The pulse's rule for a split: both groups shown, or neither, where either is below its
        # minimum (one hidden group would be the total less the other). It splits averages; a
        # count has none, so each group is given a stand-in average that is never shown.
        inside, outside = count(flag, True), count(flag, False)
        shown_in, shown_out = shown_split((inside, 0), (outside, 0))
        split_in.append(inside if shown_in is not None else None)
        split_out.append(outside if shown_out is not None else None)
    return Participation(
        total,
        (split_in[0], split_in[1], split_in[2]),
        (split_out[0], split_out[1], split_out[2]),
    )


def participation_lines(tr: Translator, figures: Participation) -> list[str]:
    total = figures.total
    return [
        tr._("Everyone: {asked} asked · {added} added hassles · {supported} gave dots").format(
            asked=total.asked, added=total.added, supported=total.supported
        ),
        tr._("Have been to a workshop: {figures}").format(figures=_split(tr, figures.attended)),
        tr._("Have not been to a workshop yet: {figures}").format(
            figures=_split(tr, figures.not_attended)
        ),
    ]


def _split(tr: Translator, group: Sequence[int | None]) -> str:
    hidden = tr._("shown from {n}").format(n=MIN_ANSWERS)
    asked, added, supported = (str(n) if n is not None else hidden for n in group)
    return tr._("asked: {asked} · added hassles: {added} · gave dots: {supported}").format(
        asked=asked, added=added, supported=supported
    )
