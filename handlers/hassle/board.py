"""The board: one message in the process's channel, kept up to date (each later version replaces
the first, as Slack's chat.update does), with the question, the phase in words and the bøvl shown
so far. It never shows a count of support, an author, or when anything was written: named bøvl by
number, then anonymous ones by their random letters; merged ones under the one they joined."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from handlers.i18n import N_, Translator
from handlers.messages import (
    Block,
    BulletList,
    Button,
    Buttons,
    Context,
    Heading,
    Message,
    Paragraph,
)
from handlers.outbox import enqueue
from storage.models import HassleItem, HassleRound, OutboxMessage, Process

BOARD_SHOWN = 30  # lines on the board; the rest are counted, and `bøvl liste` shows them all
LIST_CHUNK = 20  # lines per list in the full list: one section each within Slack's limits
_NUMBER_WIDTH = 9
ADD_BUTTON = N_("Add a hassle")
LIST_BUTTON = N_("See the whole list")


# --- the items as shown -----------------------------------------------------------------------


def item_label(item: HassleItem) -> str:
    """ "#12" for a named bøvl, its letters ("B-KXR") for an anonymous one."""
    return f"#{item.reference}" if item.reference.isdecimal() else item.reference


def item_title(tr: Translator, item: HassleItem) -> str:
    """ "#12 »Title«" in Danish, "#12 “Title”" in English."""
    return tr._("{ref} “{title}”").format(ref=item_label(item), title=item.title)


def _order(item: HassleItem) -> tuple[int, str]:
    """Named by number, then anonymous by letters: never by when they were written."""
    if item.reference.isdecimal():
        return 0, item.reference.zfill(_NUMBER_WIDTH)
    return 1, item.reference


def shown_items(session: Session, hassle_round: HassleRound) -> list[HassleItem]:
    """Every bøvl anyone may see (not those waiting for anonymity), in the board's order."""
    items = session.scalars(
        select(HassleItem).where(
            HassleItem.round_id == hassle_round.id, HassleItem.shown_at.is_not(None)
        )
    ).all()
    return sorted(items, key=_order)


def tops(items: Sequence[HassleItem]) -> list[HassleItem]:
    """The bøvl not merged into another."""
    return [i for i in items if i.merged_into_id is None]


def _in_frame(items: Sequence[HassleItem]) -> int:
    return sum(1 for i in tops(items) if i.out_of_scope_reason is None)


def merged_under(items: Sequence[HassleItem]) -> dict[int, list[HassleItem]]:
    under: dict[int, list[HassleItem]] = {}
    for item in items:
        if item.merged_into_id is not None:
            under.setdefault(item.merged_into_id, []).append(item)
    return under


def item_lines(tr: Translator, items: Sequence[HassleItem]) -> tuple[list[str], list[str]]:
    """The lines of the list (each bøvl, those merged into it below it) and of the bøvl outside
    the frame."""
    under = merged_under(items)
    lines: list[str] = []
    outside: list[str] = []
    for item in tops(items):
        into = outside if item.out_of_scope_reason is not None else lines
        into.append(f"{item_label(item)} {item.title}")
        into += [
            "↳ "
            + tr._("{ref} {title} (merged into {target})").format(
                ref=item_label(m), title=m.title, target=item_label(item)
            )
            for m in under.get(item.id, [])
        ]
    return lines, outside


# --- the message ------------------------------------------------------------------------------


def board_message(
    session: Session, process: Process, hassle_round: HassleRound, now: datetime
) -> Message:
    from handlers.hassle.dots import GIVE_DOTS
    from handlers.hassle.rounds import collection_over, phase_line

    tr = Translator(process.language, process.timezone, now=now)
    heading = tr._("The hassle round")
    phase = phase_line(tr, hassle_round, now)
    items = shown_items(session, hassle_round)
    lines, outside = item_lines(tr, items)
    blocks: list[Block] = [Heading(heading), Paragraph(hassle_round.question), Paragraph(phase)]
    # The totals are final now: the top of the results (none for a round that ended with its
    # process before voting).
    if hassle_round.phase == "closed" and hassle_round.voting_opened_at is not None:
        from handlers.hassle.results import top_blocks

        blocks += top_blocks(session, tr, hassle_round)
    if not lines and not outside:
        blocks.append(Paragraph(tr._("No hassles yet: add the first one.")))
    if lines:
        shown = lines[:BOARD_SHOWN]
        title = tr._("Hassles so far ({n})").format(n=_in_frame(items))
        blocks.append(BulletList(title, tuple(shown)))
        if len(lines) > BOARD_SHOWN:
            blocks.append(
                Context(
                    tr._("… and {n} more – see the whole list with /samskab hassle list").format(
                        n=len(lines) - BOARD_SHOWN
                    )
                )
            )
    if outside:
        blocks.append(BulletList(tr._("Outside the frame"), tuple(outside[:BOARD_SHOWN])))
    see_all = Button(tr._(LIST_BUTTON), "hassle.list", str(hassle_round.id), "")
    if hassle_round.phase == "collecting" and not collection_over(hassle_round, now):
        add = Button(tr._(ADD_BUTTON), "hassle.add", str(hassle_round.id), "primary")
        blocks.append(Buttons((add, see_all) if lines or outside else (add,)))
        blocks.append(Context(tr._("Or type /samskab hassle. You can add a hassle anonymously.")))
    elif hassle_round.phase == "voting" and (
        hassle_round.vote_until is None or now < hassle_round.vote_until
    ):
        dots = Button(tr._(GIVE_DOTS), "hassle.dots", str(hassle_round.id), "primary")
        blocks.append(Buttons((dots, see_all) if lines or outside else (dots,)))
        blocks.append(
            Context(tr._("Or type /samskab hassle dots. Nobody sees who supported what."))
        )
    elif lines or outside:
        blocks.append(Buttons((see_all,)))
    return Message(f"{heading}: {hassle_round.question}\n{phase}", tuple(blocks), tr.language)


def full_list_message(
    session: Session, tr: Translator, hassle_round: HassleRound, now: datetime
) -> Message:
    """`/samskab bøvl liste`: every bøvl shown, privately, in lists a platform can hold."""
    from handlers.hassle.rounds import phase_line

    items = shown_items(session, hassle_round)
    lines, outside = item_lines(tr, items)
    heading = tr._("The hassle round")
    blocks: list[Block] = [
        Heading(heading),
        Paragraph(hassle_round.question),
        Paragraph(phase_line(tr, hassle_round, now)),
    ]
    if not lines and not outside:
        blocks.append(Paragraph(tr._("No hassles yet: add the first one.")))
    for start in range(0, len(lines), LIST_CHUNK):
        title = tr._("Hassles so far ({n})").format(n=_in_frame(items))
        chunk = tuple(lines[start : start + LIST_CHUNK])
        blocks.append(BulletList(title if start == 0 else "", chunk))
    if outside:
        blocks.append(BulletList(tr._("Outside the frame"), tuple(outside)))
    return Message(f"{heading}: {hassle_round.question}", tuple(blocks), tr.language)


# --- in the channel ---------------------------------------------------------------------------


def _first_key(hassle_round: HassleRound) -> str:
    return f"hassle-board:{hassle_round.id}"


def post_board(
    session: Session, process: Process, hassle_round: HassleRound, now: datetime
) -> None:
    """The board's first version, when the round starts."""
    key = _first_key(hassle_round)
    enqueue(
        session,
        board_message(session, process, hassle_round, now),
        key=key,
        now=now,
        process=process,
        channel_id=process.channel_id,
    )
    hassle_round.board_key = key


def update_board(
    session: Session, process: Process, hassle_round: HassleRound, now: datetime
) -> bool:
    """A new version of the board replacing the first, if what it shows has changed (an
    anonymous bøvl still waiting changes nothing, so no update gives away that it came).
    Returns whether one was queued. Call it with the round's row locked (`round_by_id`)."""
    if hassle_round.board_key is None:
        return False
    message = board_message(session, process, hassle_round, now)
    prefix = f"{hassle_round.board_key}:"
    latest = session.execute(
        select(OutboxMessage.id, OutboxMessage.payload, OutboxMessage.status)
        .where((OutboxMessage.key == hassle_round.board_key) | OutboxMessage.key.startswith(prefix))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    # As the database gives it back: lists, never tuples.
    if latest is not None and latest.payload == json.loads(json.dumps(message.to_json())):
        return False
    if latest is not None and latest.status == "pending":
        # A version not yet taken for sending just carries the newest board: a busy hour's
        # versions would otherwise each wait their turn at the channel's pace (Slack: 1 a
        # second). Only while still pending: a claimed one is sent as it was read.
        replaced = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == latest.id, OutboxMessage.status == "pending")
            .values(payload=message.to_json())
        )
        if replaced.rowcount == 1:  # type: ignore[attr-defined]
            return True
    earlier = session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.key.startswith(prefix))
    )
    return enqueue(
        session,
        message,
        key=f"{prefix}{(earlier or 0) + 1}",
        now=now,
        process=process,
        channel_id=process.channel_id,
        replaces_key=hassle_round.board_key,
    )
