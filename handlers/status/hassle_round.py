"""The bøvl round in the status, the digest and App Home: its phase and deadline while it runs,
its most supported bøvl and what became of the chosen ones after the close.

No count of support is read before the close (the totals are secret until then), and the number
of bøvl counts only those shown, so a waiting anonymous bøvl does not show when it came. A fixed
number of queries whatever the size of the round: one while it runs, four once it is closed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from handlers.hassle.board import item_label
from handlers.hassle.results import TOP_ON_BOARD, ranked, ranked_lines
from handlers.hassle.rounds import collection_over, deadline_day
from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.messages import Block, BulletList, Paragraph
from storage.models import HassleItem, HassleRound, Process

TITLE = N_("The hassle round")
CHOSEN_SHOWN = 5  # the chosen challenges in the digest; the rest are counted


def hassle_blocks(session: Session, process: Process, tr: Translator, now: datetime) -> list[Block]:
    """The section "Bøvl-runden", or nothing when the process never had a round."""
    # The latest round and its bøvl shown so far, counted as the board counts them (in the
    # frame, not merged away), in one query.
    shown = (
        select(func.count(HassleItem.id))
        .where(
            and_(
                HassleItem.round_id == HassleRound.id,
                HassleItem.shown_at.is_not(None),
                HassleItem.merged_into_id.is_(None),
                HassleItem.out_of_scope_reason.is_(None),
            )
        )
        .scalar_subquery()
    )
    row = session.execute(
        select(HassleRound, shown)
        .where(HassleRound.process_id == process.id)
        .order_by(HassleRound.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return []
    hassle_round, n_shown = row[0], row[1]
    if hassle_round.phase == "closed":
        return closed_blocks(session, tr, hassle_round)
    return [BulletList(tr._(TITLE), (running_line(tr, hassle_round, n_shown, now),))]


def running_line(tr: Translator, hassle_round: HassleRound, n_shown: int, now: datetime) -> str:
    """The round's one line while it collects or votes: never a count of support."""
    tz = tr.tz.key
    if hassle_round.phase == "collecting":
        day = tr.date(deadline_day(hassle_round.collect_until, tz))
        if not collection_over(hassle_round, now):
            return tr._("We are collecting hassles until {date} · {n} so far").format(
                date=day, n=n_shown
            )
        return tr._(
            "The collection ended {date} with {n} hassles · the facilitators sort the list and "
            "then open voting"
        ).format(date=day, n=n_shown)
    if hassle_round.vote_until is None:
        return tr._("Voting is open · give your dots with /samskab hassle dots")
    day = tr.date(deadline_day(hassle_round.vote_until, tz))
    return tr._("Voting until {date} · give your dots with /samskab hassle dots").format(date=day)


def closed_blocks(session: Session, tr: Translator, hassle_round: HassleRound) -> list[Block]:
    """After the close: the most supported bøvl with their totals, and the chosen challenges
    with what became of them."""
    voted = hassle_round.voting_opened_at is not None  # not a round ended with its process
    lines = ranked_lines(session, tr, hassle_round, limit=TOP_ON_BOARD) if voted else []
    if not lines:
        return [
            BulletList(
                tr._(TITLE),
                (tr._("The round is closed.") + " " + tr._("No hassle was up for voting."),),
            )
        ]
    blocks: list[Block] = [
        BulletList(tr._("The hassle round · most supported first"), tuple(lines))
    ]
    chosen = [item for item in ranked(session, hassle_round) if item.chosen]
    if chosen:
        shown = [fate_line(tr, item) for item in chosen[:CHOSEN_SHOWN]]
        if len(chosen) > CHOSEN_SHOWN:
            shown.append(tr._("… and {n} more").format(n=len(chosen) - CHOSEN_SHOWN))
        blocks.append(BulletList(tr._("The challenges we work on"), tuple(shown)))
    else:
        blocks.append(Paragraph(tr._("The facilitators have not chosen the challenges yet.")))
    return blocks


def fate_line(tr: Translator, item: HassleItem) -> str:
    """ "#1 Title – et nyt spor · brugt · the facilitator's note"."""
    becomes = tr._("a new track") if item.track_id is not None else tr._("a topic for a workshop")
    line = f"{item_label(item)} {item.title} – {becomes} · {tr._(STATUS_NAMES[item.status])}"
    return f"{line} · {item.status_note}" if item.status_note else line
