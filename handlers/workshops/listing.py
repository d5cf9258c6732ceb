"""`/samskab workshops`: the process's workshops per track, planned and held, with the date, who
was invited, who came and whether the summary is out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from handlers.command_spec import CommandSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import N_, Translator
from handlers.messages import BulletList, Button, Buttons, Heading, Message, Paragraph, Reply
from handlers.people import acting
from handlers.workshops.change_forms import change_buttons
from storage.models import Invitation, Process, Workshop

# handlers.workshops.correcting's button, by its id: importing that module here would pull the
# summaries and the planning of workshops into the listing, and risk an import cycle.
CORRECT = "summary.correct"


def list_workshops(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    """Members only; answered privately."""
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        facilitator = who.member.is_facilitator
        message = workshops_message(
            session, who.process, who.tr, deps.clock(), facilitator=facilitator
        )
        return Reply(message=message)


def workshops_message(
    session: Session, process: Process, tr: Translator, now: datetime, *, facilitator: bool = False
) -> Message:
    """`facilitator`: with the buttons only a facilitator may use (change or cancel a planned
    workshop, correct a summary)."""
    workshops = session.scalars(
        select(Workshop)
        # A cancelled workshop is shown nowhere (the audit log keeps that it was).
        .where(Workshop.process_id == process.id, Workshop.status != "cancelled")
        .options(selectinload(Workshop.summary))
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    counts = _invited_and_attended(session, process)
    heading = tr._("Workshops in “{process}”").format(process=process.name)
    if not workshops:
        empty = tr._(
            "No workshops are planned yet. A facilitator plans one with /samskab workshop."
        )
        blocks = (Heading(heading), Paragraph(empty))
        return Message(f"{heading}\n{empty}", blocks, language=tr.language)
    tracks: list[BulletList] = []
    for track in process.tracks:
        lines = tuple(
            _line(tr, w, counts.get(w.id, (0, 0)), now) for w in workshops if w.track_id == track.id
        )
        if lines:
            tracks.append(BulletList(track.name, lines))
    text = "\n".join([heading, *(f"{b.title}\n" + "\n".join(b.items) for b in tracks)])
    open_to_work = facilitator and process.status == "active"
    buttons = _correction_buttons(tr, workshops) if open_to_work else ()
    if open_to_work:
        changes = change_buttons(tr, workshops)
        buttons = (Buttons(changes), *buttons) if changes else buttons
    return Message(text, (Heading(heading), *tracks, *buttons), language=tr.language)


def _correction_buttons(tr: Translator, workshops: Sequence[Workshop]) -> tuple[Buttons, ...]:
    """ "Ret opsamlingen: #3 Ny visitation", for each workshop whose summary is posted."""
    correct = tr._("Correct the summary")
    buttons = tuple(
        Button(f"{correct}: #{w.id} {w.title}", CORRECT, str(w.summary.id))
        for w in workshops
        if w.summary is not None
    )
    return (Buttons(buttons),) if buttons else ()


def _invited_and_attended(session: Session, process: Process) -> dict[int, tuple[int, int]]:
    """Per workshop id: (invited, attended), counted by the database: a process of hundreds
    of people has tens of thousands of invitations, too many to load for a count."""
    rows = session.execute(
        select(
            Invitation.workshop_id,
            func.count(),
            func.count().filter(Invitation.attended.is_(True)),
        )
        .join(Workshop, Workshop.id == Invitation.workshop_id)
        .where(Workshop.process_id == process.id)
        .group_by(Invitation.workshop_id)
    )
    return {workshop_id: (invited, came) for workshop_id, invited, came in rows}


def _line(tr: Translator, workshop: Workshop, counts: tuple[int, int], now: datetime) -> str:
    """ "#3 Ny visitationsmodel · torsdag den 3. december kl. 13:00 · holdt · 5 inviterede,
    3 deltog · opsamlingen er delt"."""
    count, came = counts
    invited = tr.ngettext("{n} invited", "{n} invited", count).format(n=count)
    parts = [f"#{workshop.id} {workshop.title}", tr.datetime(workshop.starts_at)]
    if workshop.summary is not None:
        attended = tr.ngettext("{n} attended", "{n} attended", came).format(n=came)
        parts += [tr._("held"), invited + ", " + attended, tr._("summary posted")]
    elif workshop.starts_at <= now:
        parts += [invited, tr._("no summary yet")]
    else:
        parts += [tr._("planned"), invited]
    return " · ".join(parts)


WORKSHOPS = CommandSpec(
    "workshops",
    N_("/samskab workshops: the workshops per track, planned and held"),
    aliases=("workshopper",),
    run=list_workshops,
)
