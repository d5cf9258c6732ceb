"""`/samskab missing [workshop]`: for the facilitator's eyes only, per summary, the colleagues who
were asked for input and have not answered yet, with a button to remind them now
(handlers.inputs.nudging).

Whoever answered, with input or "no input", named or anonymous, is simply no longer listed: the
list tells nothing about how anyone answered."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.command_spec import ButtonSpec, CommandSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import N_, Translator
from handlers.inputs.nudging import OPEN, nudge_absent
from handlers.messages import (
    Block,
    BulletList,
    Button,
    Buttons,
    Context,
    Heading,
    Message,
    Paragraph,
    Reply,
)
from handlers.people import acting
from handlers.workshops.summaries import workshop_of_process
from storage.models import InputRequest, Member, Process, Summary, Workshop

ACTION = "input.nudge"
LIST_LIMIT = 10  # summaries; the oldest beyond it are counted


def list_missing(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        only = None
        if arg.strip():
            workshop = workshop_of_process(session, process, arg.strip().lstrip("#"))
            if workshop.summary is None:
                raise Refused(
                    N_("“{title}” has no summary yet, so nobody has been asked for input."),
                    title=workshop.title,
                )
            only = workshop.summary
        return Reply(message=missing_message(session, process, tr, now, only))


def missing_message(
    session: Session, process: Process, tr: Translator, now: datetime, only: Summary | None
) -> Message:
    heading = tr._("Who has not answered yet · {process}").format(process=process.name)
    query = (
        select(Summary)
        .join(Workshop, Summary.workshop_id == Workshop.id)
        .where(Workshop.process_id == process.id)
        .order_by(Summary.posted_at.desc(), Summary.id.desc())
    )
    if only is not None:
        query = query.where(Summary.id == only.id)
    blocks: list[Block] = [Heading(heading)]
    shown = 0
    for summary in session.scalars(query):
        counts = _requests(session, summary)
        if only is None and not counts[2]:
            continue
        shown += 1
        if shown <= LIST_LIMIT:
            blocks += _summary_blocks(tr, process, summary, counts, now)
    if shown > LIST_LIMIT:
        more = tr._("… and {n} more").format(n=shown - LIST_LIMIT)
        blocks.append(Context(more))
    if shown == 0:
        blocks.append(Paragraph(tr._("Everyone who was asked for input has answered.")))
    blocks.append(
        Context(
            tr._(
                "Only you see this. Each colleague gets at most one reminder a day from the "
                "facilitators, within working hours."
            )
        )
    )
    text = heading + "\n" + "\n".join(b.title for b in blocks if isinstance(b, BulletList))
    return Message(text, tuple(blocks), language=tr.language)


def _requests(session: Session, summary: Summary) -> tuple[int, int, list[InputRequest]]:
    """How many were asked, how many have answered (either way), and the open requests of
    those still in the process."""
    asked, answered = session.execute(
        select(
            func.count(InputRequest.id),
            func.count(InputRequest.id).filter(InputRequest.status.in_(("answered", "declined"))),
        ).where(InputRequest.summary_id == summary.id)
    ).one()
    waiting = session.scalars(
        select(InputRequest)
        .join(Member, InputRequest.member_id == Member.id)
        .where(
            InputRequest.summary_id == summary.id,
            InputRequest.status.in_(OPEN),
            Member.active.is_(True),
        )
    ).all()
    return asked, answered, sorted(waiting, key=lambda r: r.member.person.name.casefold())


def _summary_blocks(
    tr: Translator,
    process: Process,
    summary: Summary,
    counts: tuple[int, int, list[InputRequest]],
    now: datetime,
) -> list[Block]:
    asked, answered, waiting = counts
    workshop = summary.workshop
    title = tr._("#{id} {title} · answer by {deadline}").format(
        id=workshop.id, title=workshop.title, deadline=tr.date(summary.input_deadline)
    )
    if not asked:
        return [BulletList(title, (tr._("Nobody was asked for input."),))]
    if not waiting:
        return [BulletList(title, (tr._("Everyone who was asked has answered."),))]
    names = tuple(_name(tr, process, r, now) for r in waiting)
    told = tr._("{answered} of {asked} asked have answered.")
    return [
        BulletList(title, names),
        Context(told.format(answered=answered, asked=asked)),
        Buttons((Button(tr._("Send a reminder now"), ACTION, str(summary.id), "primary"),)),
    ]


def _name(tr: Translator, process: Process, request: InputRequest, now: datetime) -> str:
    name = request.member.person.name
    if request.nudged_at is None:
        return name
    tz = ZoneInfo(process.timezone)
    if request.nudged_at > now:
        return tr._("{name} (a reminder goes {when})").format(
            name=name, when=tr.datetime(request.nudged_at)
        )
    if request.nudged_at.astimezone(tz).date() == now.astimezone(tz).date():
        return tr._("{name} (reminded today)").format(name=name)
    return name


MISSING = CommandSpec(
    "missing",
    N_("/samskab missing [workshop number]: who has not answered yet, and a reminder to them"),
    Role.FACILITATOR,
    aliases=("mangler",),
    run_with=list_missing,
    buttons=(ButtonSpec(ACTION, nudge_absent),),
)
