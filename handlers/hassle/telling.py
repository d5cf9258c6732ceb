"""Telling an author what the facilitators did with their bøvl while sorting (merged, placed
outside the frame, undone): a DM of its own each time, to named and anonymous authors alike,
without anyone learning who they are; the audit log holds ids only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.hassle.board import item_label, item_title
from handlers.messages import Block, Context, Heading, Message, Paragraph
from handlers.outbox import enqueue
from handlers.people import translator_for_member
from storage.models import HassleItem, Member, OutboxMessage, Process


def tell_author(
    session: Session,
    process: Process,
    item: HassleItem,
    now: datetime,
    *,
    heading: str,
    text: str,
    target: HassleItem | None = None,
    reason: str = "",
) -> None:
    """A DM to whoever wrote the bøvl, named or anonymous: nobody else learns to whom."""
    member = session.get(Member, item.author_member_id) if item.author_member_id else None
    if member is None or not member.active:
        return
    tr = translator_for_member(member)
    title = tr._(heading).format(item=item_title(tr, item))
    body = tr._(text).format(
        target=item_title(tr, target) if target is not None else "",
        ref=item_label(target) if target is not None else "",
        reason=reason,
    )
    blocks: list[Block] = [Heading(title), Paragraph(body)]
    if item.anonymous:
        blocks.append(Context(tr._("Your hassle is still anonymous: only you get this message.")))
    # Each thing told is a message of its own, however quickly a facilitator clicks.
    prefix = f"hassle-told:{item.id}:"
    earlier = session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.key.startswith(prefix))
    )
    enqueue(
        session,
        Message(f"{title}: {body}", tuple(blocks), language=tr.language),
        key=f"{prefix}{(earlier or 0) + 1}",
        now=now,
        process=process,
        person=member.person,
    )
