"""The results of a closed vote: the ranked list with the supports of each bøvl (as the results
message, the board's top, the status and the digest show it), what was outside the frame, and
who took part (handlers.hassle.participation). Closing the vote is in handlers.hassle.closing.

Nothing here is shown before the close: the counts exist only as totals until then."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.hassle.board import item_label, merged_under, shown_items
from handlers.hassle.participation import participation, participation_lines
from handlers.hassle.rounds import latest_round, require_round
from handlers.i18n import N_, Translator
from handlers.messages import Block, BulletList, Context, Heading, Message, Paragraph, Reply
from handlers.people import acting
from storage.models import HassleItem, HassleRound, Process

RANKED_SHOWN = 40  # lines of the ranked list in one message; the rest are counted
TOP_ON_BOARD = 5


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
