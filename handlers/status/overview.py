"""Where are we in the process: the status digest, on demand and on schedule.

The digest is built from a fixed number of aggregate queries, whatever the size of the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.command_spec import CommandSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import N_, Translator
from handlers.messages import Block, BulletList, Context, Fields, Heading, Message, Paragraph, Reply
from handlers.people import acting
from handlers.pulse.results import pulse_blocks
from handlers.six_steps import progress_block
from handlers.status.you_said import you_said_we_did
from storage.models import DigestRun, Input, InputRequest, Process, Summary, SummaryItem, Workshop

LIST_LIMIT = 10
REACHED = ("delivered", "answered", "declined", "expired")


@dataclass(frozen=True)
class TrackCount:
    name: str
    held: int
    planned: int
    next_at: datetime | None
    latest: str | None  # the title of the last workshop held


@dataclass(frozen=True)
class Reach:
    """Colleagues asked for input, each counted once however many requests they had."""

    asked: int
    reached: int
    heard: int  # answered or declined at least one request
    answered: int  # requests answered with input (a colleague may have several)
    declined: int  # requests answered with "no input from me"


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
            select(Workshop.track_id, Workshop.title).join(
                last_held,
                (Workshop.track_id == last_held.c.track_id)
                & (Workshop.starts_at == last_held.c.at),
            )
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


def items_since(
    session: Session, process: Process, kind: str, since: datetime | None
) -> tuple[list[str], int]:
    """The newest items of a kind since the last digest (at most LIST_LIMIT) and how many in all."""
    where = [Workshop.process_id == process.id, SummaryItem.kind == kind]
    if since is not None:
        where.append(Summary.posted_at > since)
    base = select(SummaryItem.text).join(Summary).join(Workshop).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    texts = session.scalars(
        base.order_by(Summary.posted_at, SummaryItem.position).limit(LIST_LIMIT)
    ).all()
    return list(texts), total


def input_counts(session: Session, process: Process, since: datetime | None) -> tuple[int, int]:
    # Shown input only: anonymous input still waiting is not counted, nor is it anywhere else.
    total = func.count(Input.id)
    recent = func.count(Input.id).filter(Input.posted_at > since) if since else total
    row = session.execute(
        select(total, recent).where(Input.process_id == process.id, Input.posted_at.is_not(None))
    ).one()
    return row[0], row[1]


def reach(session: Session, process: Process) -> Reach:
    member = InputRequest.member_id
    row = session.execute(
        select(
            func.count(func.distinct(member)),
            func.count(func.distinct(member)).filter(InputRequest.status.in_(REACHED)),
            func.count(func.distinct(member)).filter(
                InputRequest.status.in_(("answered", "declined"))
            ),
            func.count().filter(InputRequest.status == "answered"),
            func.count().filter(InputRequest.status == "declined"),
        )
        .join(Summary)
        .join(Workshop)
        .where(Workshop.process_id == process.id)
    ).one()
    return Reach(*row)


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
    for track in track_counts(session, process, now):
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
    period = tr._("since the last status update") if since else tr._("so far")
    for kind, title in (("decision", tr._("Decisions")), ("open_question", tr._("Open questions"))):
        items, total = items_since(session, process, kind, since)
        if items:
            shown = list(items)
            if total > len(items):
                shown.append(tr._("… and {n} more").format(n=total - len(items)))
            blocks.append(BulletList(f"{title} ({period})", tuple(shown)))
    if (answered := you_said_we_did(session, process, tr, since)) is not None:
        blocks.append(answered)
    all_inputs, new_inputs = input_counts(session, process, since)
    r = reach(session, process)
    inputs_text = tr.ngettext("{n} input", "{n} inputs", all_inputs).format(n=all_inputs)
    if since is not None:
        inputs_text += " " + tr._("({n} new)").format(n=new_inputs)
    blocks.append(
        Fields(
            (
                (tr._("Input received"), inputs_text),
                (
                    tr._("Colleagues who did not attend"),
                    tr._(
                        "{reached} of {asked} reached, {heard} heard from ({answered} answers "
                        "with input, {declined} without)"
                    ).format(
                        reached=r.reached,
                        asked=r.asked,
                        heard=r.heard,
                        answered=r.answered,
                        declined=r.declined,
                    ),
                ),
            )
        )
    )
    blocks += pulse_blocks(session, process, tr)
    if r.asked == 0 and not lines:
        blocks.append(
            Paragraph(tr._("No workshops yet. Facilitators plan one with /samskab workshop."))
        )
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
        return Reply(message=compose_status(session, process, tr, now=now, since=since))


STATUS = CommandSpec("status", N_("/samskab status: where are we in the process?"), run=show_status)
