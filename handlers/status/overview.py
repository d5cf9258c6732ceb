"""Where are we in the process: the status digest, on demand and on schedule.

The digest is built from a fixed number of aggregate queries, whatever the size of the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from handlers.command_spec import CommandSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.facilitators import facilitator_names, facilitators_line
from handlers.i18n import N_, Translator
from handlers.messages import Block, BulletList, Context, Fields, Heading, Message, Paragraph, Reply
from handlers.people import acting
from handlers.pulse.results import pulse_blocks
from handlers.six_steps import progress_block
from handlers.status.hassle_round import hassle_blocks
from handlers.status.page_link import PAGE_BUTTON, with_page_link
from handlers.status.reach import REACHED, Reach, reach_lines
from handlers.status.you_said import you_said_we_did
from handlers.workshops.item_words import ItemState, item_line
from storage.models import (
    DigestRun,
    Input,
    InputRequest,
    Member,
    Process,
    Summary,
    SummaryItem,
    Workshop,
)

LIST_LIMIT = 5  # items per kind and track; the rest are counted ("… and 3 more")
ITEM_LISTS = (
    ("decision", N_("Decisions so far · {track}")),
    ("open_question", N_("Open questions so far · {track}")),
)


@dataclass(frozen=True)
class TrackCount:
    name: str
    held: int
    planned: int
    next_at: datetime | None
    latest: str | None  # the title of the last workshop held


@dataclass(frozen=True)
class TrackItems:
    """A track's newest items of one kind, and how many it has in all."""

    track: str
    items: tuple[ItemState, ...]  # with what is new since the last digest
    total: int


def last_digest_at(session: Session, process: Process) -> datetime | None:
    return session.scalar(
        select(func.max(DigestRun.created_at)).where(DigestRun.process_id == process.id)
    )


def track_counts(session: Session, process: Process, now: datetime) -> list[TrackCount]:
    rows = session.execute(
        select(
            Workshop.track_id,
            func.count().filter(Workshop.status == "held"),
            func.count().filter(Workshop.status == "planned"),
        )
        .where(Workshop.process_id == process.id)
        .group_by(Workshop.track_id)
    ).all()
    counts = {track_id: (held, planned) for track_id, held, planned in rows}
    upcoming = dict(
        session.execute(
            select(Workshop.track_id, func.min(Workshop.starts_at))
            .where(
                Workshop.process_id == process.id,
                Workshop.status == "planned",
                Workshop.starts_at >= now,
            )
            .group_by(Workshop.track_id)
        ).all()
    )
    last_held = (
        select(Workshop.track_id, func.max(Workshop.starts_at).label("at"))
        .where(Workshop.process_id == process.id, Workshop.status == "held")
        .group_by(Workshop.track_id)
        .subquery()
    )
    latest = dict(
        session.execute(
            select(Workshop.track_id, Workshop.title)
            .join(
                last_held,
                (Workshop.track_id == last_held.c.track_id)
                & (Workshop.starts_at == last_held.c.at),
            )
            # Not one cancelled at the same hour as the one held.
            .where(Workshop.status == "held")
        ).all()
    )
    return [
        TrackCount(
            t.name,
            counts.get(t.id, (0, 0))[0],
            counts.get(t.id, (0, 0))[1],
            _aware(upcoming.get(t.id)),
            latest.get(t.id),
        )
        for t in process.tracks
    ]


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so the UTC marker is put back here.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def items_by_track(
    session: Session, process: Process, kind: str, since: datetime | None
) -> list[TrackItems]:
    """Every item of a kind so far, per track in the process's order of tracks, newest first
    (a summary's items in their written order), at most LIST_LIMIT per track; one query. An
    item answered or changed since the last digest comes first, so that the digest shows it."""
    order: list[ColumnElement[Any]] = [
        Summary.posted_at.desc(),
        Summary.id.desc(),
        SummaryItem.position.asc(),
    ]
    if since is not None:
        order.insert(0, case((SummaryItem.resolved_at > since, 0), else_=1))
    rank = func.row_number().over(partition_by=Workshop.track_id, order_by=order)
    ranked = (
        select(
            Workshop.track_id.label("track_id"),
            SummaryItem.text.label("text"),
            Summary.posted_at.label("posted_at"),
            SummaryItem.status.label("status"),
            SummaryItem.resolution.label("resolution"),
            SummaryItem.resolved_at.label("resolved_at"),
            rank.label("rank"),
            func.count().over(partition_by=Workshop.track_id).label("total"),
        )
        .join(Summary, SummaryItem.summary_id == Summary.id)
        .join(Workshop, Summary.workshop_id == Workshop.id)
        .where(Workshop.process_id == process.id, SummaryItem.kind == kind)
        .subquery()
    )
    rows = session.execute(
        select(
            ranked.c.track_id,
            ranked.c.text,
            ranked.c.posted_at,
            ranked.c.status,
            ranked.c.resolution,
            ranked.c.resolved_at,
            ranked.c.total,
        )
        .where(ranked.c.rank <= LIST_LIMIT)
        .order_by(ranked.c.track_id, ranked.c.rank)
    ).all()
    per_track: dict[int, list[ItemState]] = {}
    totals: dict[int, int] = {}
    for track_id, text, posted_at, status, resolution, resolved_at, total in rows:
        posted, resolved = _aware(posted_at), _aware(resolved_at)
        new = since is not None and posted is not None and posted > since
        resolved_new = since is not None and resolved is not None and resolved > since
        item = ItemState(text, new, status, resolution, resolved_new)
        per_track.setdefault(track_id, []).append(item)
        totals[track_id] = total
    return [
        TrackItems(t.name, tuple(per_track[t.id]), totals[t.id])
        for t in process.tracks
        if t.id in per_track
    ]


def input_counts(session: Session, process: Process, since: datetime | None) -> tuple[int, int]:
    # Shown input only: anonymous input still waiting is not counted, nor is it anywhere else.
    total = func.count(Input.id)
    recent = func.count(Input.id).filter(Input.posted_at > since) if since else total
    row = session.execute(
        select(total, recent).where(Input.process_id == process.id, Input.posted_at.is_not(None))
    ).one()
    return row[0], row[1]


def reach(session: Session, process: Process) -> Reach:
    """Colleagues asked in the whole process, each counted once however many requests they had."""
    # One row per colleague first (one grouping, instead of four DISTINCT counts), found through
    # the process's members rather than a join through summaries and workshops.
    status = InputRequest.status
    per_colleague = (
        select(
            func.max(case((status.in_(REACHED), 1), else_=0)).label("reached"),
            func.max(case((status.in_(("answered", "declined")), 1), else_=0)).label("answered"),
            func.max(case((status == "answered", 1), else_=0)).label("gave_input"),
        )
        .where(InputRequest.member_id.in_(select(Member.id).where(Member.process_id == process.id)))
        .group_by(InputRequest.member_id)
        .subquery()
    )
    asked, reached, answered, gave_input = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per_colleague.c.reached), 0),
            func.coalesce(func.sum(per_colleague.c.answered), 0),
            func.coalesce(func.sum(per_colleague.c.gave_input), 0),
        ).select_from(per_colleague)
    ).one()
    return Reach(asked, reached, gave_input, answered - gave_input)


def compose_status(
    session: Session, process: Process, tr: Translator, *, now: datetime, since: datetime | None
) -> Message:
    heading = tr._("Where are we in the process? {name}").format(name=process.name)
    blocks: list[Block] = [Heading(heading), progress_block(tr, process.current_step)]
    closed = process.status != "active"
    if closed and process.closed_at is not None:
        blocks.append(
            Paragraph(
                tr._("The process was closed on {date}. Nothing more is planned.").format(
                    date=tr.date(tr.local(process.closed_at).date())
                )
            )
        )
    lines = []
    tracks = track_counts(session, process, now)
    if not any(t.held or t.planned for t in tracks):
        tracks = []  # nothing planned on any track: one sentence below says so
    for track in tracks:
        if not track.held and not track.planned:
            lines.append(tr._("{track}: no workshops yet").format(track=track.name))
            continue
        if closed:  # what was held stays; what was planned will not happen
            line = tr.ngettext("{track}: {n} held", "{track}: {n} held", track.held).format(
                track=track.name, n=track.held
            )
        else:
            line = tr._("{track}: {held} held, {planned} planned").format(
                track=track.name, held=track.held, planned=track.planned
            )
        if track.latest is not None:
            line += " · " + tr._("latest: {title}").format(title=track.latest)
        if track.next_at is not None and not closed:
            line += " · " + tr._("next: {when}").format(when=tr.datetime(track.next_at))
        lines.append(line)
    if lines:
        blocks.append(BulletList(tr._("Workshops per track"), tuple(lines)))
    elif not closed:
        blocks.append(
            Paragraph(tr._("No workshops yet. Facilitators plan one with /samskab workshop."))
        )
    for kind, title in ITEM_LISTS:
        for group in items_by_track(session, process, kind, since):
            shown = [item_line(tr, item) for item in group.items]
            if group.total > len(shown):
                shown.append(tr._("… and {n} more").format(n=group.total - len(shown)))
            blocks.append(BulletList(tr._(title).format(track=group.track), tuple(shown)))
    if (answered := you_said_we_did(session, process, tr, since)) is not None:
        blocks.append(answered)
    all_inputs, new_inputs = input_counts(session, process, since)
    r = reach(session, process)
    if all_inputs:
        inputs_text = tr.ngettext("{n} input", "{n} inputs", all_inputs).format(n=all_inputs)
        if since is not None:
            inputs_text += " " + tr._("({n} new)").format(n=new_inputs)
    else:
        inputs_text = tr._("none yet")
    lines_of_reach = reach_lines(tr, r)
    blocks.append(
        Fields(
            ((tr._("Input received"), inputs_text), *((x.label, x.text) for x in lines_of_reach))
        )
    )
    if not lines_of_reach:
        blocks.append(Paragraph(tr._("Nobody has been asked for input yet.")))
    blocks += hassle_blocks(session, process, tr, now)
    blocks += pulse_blocks(session, process, tr)
    if who := facilitators_line(tr, facilitator_names(session, process)):
        blocks.append(Context(who))  # whom to ask
    blocks.append(Context(tr._("Status as of {when}.").format(when=tr.datetime(now))))
    text = "\n".join([heading, progress_label(blocks)])
    return Message(text, tuple(blocks), language=tr.language)


def progress_label(blocks: list[Block]) -> str:
    return next((getattr(b, "label", "") for b in blocks if b.kind == "progress"), "")


def show_status(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    """`/samskab status`: the digest, to the person who asked. Changes nothing but membership."""
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="present")
        process, tr = who.process, who.tr
        since = last_digest_at(session, process)
        status = compose_status(session, process, tr, now=now, since=since)
        return Reply(message=with_page_link(status, tr, process))


STATUS = CommandSpec(
    "status",
    N_("/samskab status: where are we in the process?"),
    run=show_status,
    buttons=(PAGE_BUTTON,),
)
