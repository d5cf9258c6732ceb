"""A long read (a whole list) as several cards when one would be too big for Teams.

A message answered to one person is otherwise one card, cut visibly at Teams' size limit
(`activity_for`). Teams has no modal to show a long read in, so a whole list is split instead
of cut: between blocks, and a list between its items, each card within the limit and saying
which part of how many it is, so that nothing that was asked for is left out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.teams.card_blocks import (
    ACTIVITY_BYTES,
    activity_bytes,
    activity_for,
    card_activity,
    render_card,
)
from handlers.i18n import N_, Translator
from handlers.messages import Block, BulletList, Context, Message

PART = N_("Part {n} of {total}")
LIST_PIECE = 20  # items of a list kept together at most; a smaller piece fills a card better
# Room for the "Part 2 of 3" line each card gets once the parts are counted.
_PART_LINE = 200


def activities_for_long_read(message: Message) -> list[dict[str, Any]]:
    """One activity when the message fits, else as few as hold it all, in order."""
    if _size(message, list(message.blocks)) <= ACTIVITY_BYTES:
        return [activity_for(message)]
    parts: list[list[Block]] = [[]]
    for block in _pieces(message.blocks):
        candidate = [*parts[-1], block]
        if parts[-1] and _size(message, candidate) > ACTIVITY_BYTES - _PART_LINE:
            parts.append([block])
        else:
            parts[-1] = candidate
    tr = Translator(message.language)
    total = len(parts)
    return [
        # A piece too big on its own is still cut visibly, by activity_for.
        activity_for(
            replace(
                message,
                blocks=(Context(tr._(PART).format(n=n, total=total)), *blocks),
            )
        )
        for n, blocks in enumerate(parts, start=1)
    ]


def _pieces(blocks: tuple[Block, ...]) -> list[Block]:
    """The blocks, a long list as several lists (its title on the first)."""
    pieces: list[Block] = []
    for block in blocks:
        if isinstance(block, BulletList) and len(block.items) > LIST_PIECE:
            for start in range(0, len(block.items), LIST_PIECE):
                items = block.items[start : start + LIST_PIECE]
                pieces.append(BulletList(block.title if start == 0 else "", items))
        else:
            pieces.append(block)
    return pieces


def _size(message: Message, blocks: list[Block]) -> int:
    card = render_card(replace(message, blocks=tuple(blocks)))
    return activity_bytes(card_activity(card, summary=message.text[:500]))
