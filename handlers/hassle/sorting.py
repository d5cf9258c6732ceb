"""Sorting the list while the round collects (facilitators): the list with a button beside each
bøvl to merge it, place it outside the frame of the process, or undo either; the undoing; and what
every sorting action checks first (facilitating). Merging is in handlers.hassle.merging, placing
outside the frame in handlers.hassle.out_of_frame, telling the authors in handlers.hassle.telling.
Nothing but an item's place moves: no support exists before voting, and once voting opens the list
is fixed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.hassle.board import item_label, merged_under, shown_items, tops, update_board
from handlers.hassle.rounds import process_of, require_round, round_by_id
from handlers.hassle.telling import tell_author
from handlers.i18n import N_, Translator
from handlers.messages import Block, Button, Buttons, Context, Heading, Message, Paragraph, Reply
from handlers.people import (
    acting,
    ensure_person,
    require_facilitator,
    require_open,
    translator_for,
)
from storage.models import HassleItem, HassleRound, Person, Process

SORT_PAGE = 20  # bøvl per message: two blocks each, within Slack's 50
EXCERPT = 120
_PAGE_DIGITS = 4


# --- the list ---------------------------------------------------------------------------------


def sorting_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl sorter [side]`: the bøvl with buttons to merge, undo and place outside."""
    page = int(argument) if argument.isdecimal() and len(argument) <= _PAGE_DIGITS else 1
    if argument and not (argument.isdecimal() and len(argument) <= _PAGE_DIGITS):
        raise Refused(N_("Write the page as a number, for example /samskab hassle sort 2."))
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        require_open(who.process)
        hassle_round = require_round(session, who.process)
        _require_sorting(hassle_round)
        return Reply(message=sorting_message(session, who.tr, hassle_round, max(page, 1)))


def sorting_message(
    session: Session, tr: Translator, hassle_round: HassleRound, page: int = 1
) -> Message:
    items = shown_items(session, hassle_round)
    under = merged_under(items)
    ordered = [i for top in tops(items) for i in (top, *under.get(top.id, []))]
    by_id = {i.id: i for i in items}
    pages = max(1, -(-len(ordered) // SORT_PAGE))
    page = min(page, pages)
    heading = tr._("Sort the hassles ({n})").format(n=len(ordered))
    blocks: list[Block] = [
        Heading(heading),
        Context(
            tr._(
                "Merge duplicates and place what is outside the frame of the process. No support "
                "is moved: voting has not started. The authors are told."
            )
        ),
    ]
    if not ordered:
        blocks.append(Paragraph(tr._("No hassles yet: add the first one.")))
    for item in ordered[(page - 1) * SORT_PAGE : page * SORT_PAGE]:
        value = f"{hassle_round.id}:{item.reference}"
        line = f"{item_label(item)} {item.title}"
        if item.description:
            short = item.description[:EXCERPT].rstrip()
            line += f" – {short}{'…' if len(item.description) > EXCERPT else ''}"
        if item.merged_into_id is not None:
            target = by_id[item.merged_into_id]
            note = tr._("merged into {target}").format(target=item_label(target))
            blocks.append(Context(f"↳ {line} ({note})"))
            blocks.append(Buttons((Button(tr._("Undo"), "hassle.undo", value),)))
        elif item.out_of_scope_reason is not None:
            note = tr._("outside the frame: {reason}").format(reason=item.out_of_scope_reason)
            blocks.append(Context(f"{line} ({note})"))
            blocks.append(Buttons((Button(tr._("Undo"), "hassle.undo", value),)))
        else:
            blocks.append(Context(line))
            blocks.append(
                Buttons(
                    (
                        Button(tr._("Merge"), "hassle.merge", value),
                        Button(tr._("Outside the frame"), "hassle.scope", value),
                    )
                )
            )
    if pages > 1:
        blocks.append(
            Context(
                tr._("Page {page} of {pages}: another with /samskab hassle sort {next}").format(
                    page=page, pages=pages, next=page % pages + 1
                )
            )
        )
    return Message(heading, tuple(blocks), tr.language)


# --- undoing ----------------------------------------------------------------------------------


def undo(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """ "Fortryd": a merged bøvl is on its own again, or one outside the frame back in it."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person, process, hassle_round, item = facilitating(session, deps, actor, value, lock=True)
        tr = translator_for(person, process, deps)
        if item.merged_into_id is not None:
            item.merged_into_id = None
            action = "hassle.unmerged"
            done = tr._("{item} is on its own on the list again. Its author is told.")
        elif item.out_of_scope_reason is not None:
            item.out_of_scope_reason = None
            action = "hassle.back_in_scope"
            done = tr._("{item} is back on the list. Its author is told.")
        else:
            raise Refused(
                N_("{item} is neither merged nor outside the frame."), item=item_label(item)
            )
        session.flush()
        tell_author(
            session,
            process,
            item,
            now,
            heading=N_("Your hassle {item} is on the list again"),
            text=N_("The facilitators have undone what they did: it is on the list on its own."),
        )
        update_board(session, process, hassle_round, now)
        audit.record(
            session,
            "hassle.unmerged" if action == "hassle.unmerged" else "hassle.back_in_scope",
            at=now,
            process=process,
            actor=person,
            round=hassle_round.id,
            item=item.id,
        )
        return Reply(message=Message(done.format(item=item_label(item)), language=tr.language))


# --- what every sorting action checks ---------------------------------------------------------


def _require_sorting(hassle_round: HassleRound) -> None:
    if hassle_round.phase != "collecting":
        raise Refused(
            N_("Voting has opened: the list can no longer be sorted, and merges stay as they are.")
        )


def facilitating(
    session: Session, deps: Deps, actor: PersonRef, value: str, *, lock: bool = False
) -> tuple[Person, Process, HassleRound, HassleItem]:
    """The bøvl a button or form names ("<round>:<reference>"), for one of its process's
    facilitators, while the round collects. A bøvl still waiting for anonymity is nobody's to
    see, so neither can it be sorted."""
    round_id, _, reference = value.partition(":")
    hassle_round = round_by_id(session, round_id, lock=lock)
    process = process_of(session, hassle_round)
    person = ensure_person(session, actor)
    require_facilitator(session, process, person)
    require_open(process)
    _require_sorting(hassle_round)
    item = session.scalar(
        select(HassleItem).where(
            HassleItem.round_id == hassle_round.id,
            HassleItem.reference == reference,
            HassleItem.shown_at.is_not(None),
        )
    )
    if item is None:
        raise Refused(N_("That hassle is no longer on the list."))
    return person, process, hassle_round, item


def require_top(item: HassleItem) -> None:
    if item.merged_into_id is not None:
        raise Refused(
            N_("{item} is merged into another hassle: undo that first."), item=item_label(item)
        )
    if item.out_of_scope_reason is not None:
        raise Refused(N_("{item} is outside the frame: undo that first."), item=item_label(item))
