"""The process's record, gathered once for every format (Markdown, CSV): steps with dates,
workshops per track with attendance, each summary's items, input with what became of it, reach,
the bøvl rounds (handlers.record.hassle_rounds) and the pulse.

Anonymity holds here as everywhere: an anonymous input carries neither its author nor any time
(not even when it was marked), anonymous inputs come after the named ones in an order of their
text, and an input still held back (`posted_at` is None) is not in the record at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.facilitators import facilitator_names
from handlers.i18n import N_, Translator
from handlers.inputs.references import input_label
from handlers.pulse.results import PulseResult, pulse_results
from handlers.record.hassle_rounds import HassleRoundEntry, gather_hassle_rounds
from handlers.status.reach import REACHED, Reach
from handlers.workshops.item_history import ItemChangeEntry, item_changes
from storage.models import Input, InputRequest, Process, StepChange, Summary, Workshop

ITEM_KINDS = ("decision", "open_question", "next_step")
ITEM_STATUS_NAMES = {
    "open": N_("open"),
    "closed": N_("closed"),
    "answered": N_("answered"),
    "changed": N_("changed"),
}
PROCESS_STATUS_NAMES = {
    "active": N_("active"),
    "closed": N_("closed"),
    "erased": N_("personal data erased"),
}


@dataclass(frozen=True)
class StepEntry:
    step: int
    entered_at: datetime


@dataclass(frozen=True)
class Item:
    kind: str  # one of ITEM_KINDS
    text: str
    status: str
    changes: tuple[ItemChangeEntry, ...] = ()  # answered or changed: when, by whom, to what


@dataclass(frozen=True)
class InputEntry:
    text: str
    status: str  # received, considered, used or not_used
    note: str | None
    author: str | None  # None: anonymous (or its author's data erased)
    received_at: datetime | None  # None whenever author is None: a time can point at a person
    status_changed_at: datetime | None
    reference: str = ""  # "#2", or an anonymous input's letters (handlers.inputs.references)


@dataclass(frozen=True)
class WorkshopEntry:
    title: str
    track: str
    starts_at: datetime
    held: bool
    invited: int
    attended: int | None  # None until a summary records who came
    summary: str | None = None
    question: str | None = None
    deadline: date | None = None
    items: tuple[Item, ...] = ()
    reach: Reach | None = None
    inputs: tuple[InputEntry, ...] = ()


@dataclass(frozen=True)
class TrackEntry:
    name: str
    workshops: tuple[WorkshopEntry, ...]


@dataclass(frozen=True)
class Record:
    process_id: int
    name: str
    status: str
    current_step: int
    created_at: datetime
    steps: tuple[StepEntry, ...]
    tracks: tuple[TrackEntry, ...]
    general_inputs: tuple[InputEntry, ...]
    pulses: tuple[PulseResult, ...]
    facilitators: tuple[str, ...] = ()  # the active ones, by name, whoever set it up first
    hassle_rounds: tuple[HassleRoundEntry, ...] = ()  # handlers.record.hassle_rounds


def gather_record(session: Session, process: Process) -> Record:
    steps = session.scalars(
        select(StepChange)
        .where(StepChange.process_id == process.id)
        .order_by(StepChange.entered_at, StepChange.id)
    ).all()
    workshops = session.scalars(
        select(Workshop)
        # A cancelled workshop is not part of the record (the audit log keeps that it was).
        .where(Workshop.process_id == process.id, Workshop.status != "cancelled")
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    reach = _reach(session, process)
    changes = item_changes(session, process)
    inputs = session.scalars(
        select(Input)
        # Held back for anonymity: nobody has seen it yet, so neither does the record.
        .where(Input.process_id == process.id, Input.posted_at.is_not(None))
        .order_by(Input.created_at, Input.id)
    ).all()
    by_summary: dict[int | None, list[Input]] = {}
    for contribution in inputs:
        by_summary.setdefault(contribution.summary_id, []).append(contribution)
    tracks = tuple(
        TrackEntry(
            track.name,
            tuple(
                _workshop(w, reach, by_summary, changes)
                for w in workshops
                if w.track_id == track.id
            ),
        )
        for track in process.tracks
    )
    return Record(
        process_id=process.id,
        name=process.name,
        status=process.status,
        current_step=process.current_step,
        created_at=process.created_at,
        steps=tuple(StepEntry(s.step, s.entered_at) for s in steps),
        tracks=tracks,
        general_inputs=_inputs(by_summary.get(None, [])),
        pulses=tuple(pulse_results(session, process)),
        facilitators=tuple(facilitator_names(session, process)),
        hassle_rounds=gather_hassle_rounds(session, process),
    )


def _workshop(
    workshop: Workshop,
    reach: dict[int, Reach],
    by_summary: dict[int | None, list[Input]],
    changes: dict[int, tuple[ItemChangeEntry, ...]],
) -> WorkshopEntry:
    summary: Summary | None = workshop.summary
    entry = WorkshopEntry(
        title=workshop.title,
        track=workshop.track.name,
        starts_at=workshop.starts_at,
        held=workshop.status == "held",
        invited=len(workshop.invitations),
        attended=None,
    )
    if summary is None:
        return entry
    return replace(
        entry,
        attended=sum(1 for invitation in workshop.invitations if invitation.attended),
        summary=summary.text,
        question=summary.question,
        deadline=summary.input_deadline,
        items=tuple(
            Item(i.kind, i.text, i.status, changes.get(i.id, ()))
            for kind in ITEM_KINDS
            for i in summary.items
            if i.kind == kind
        ),
        reach=reach.get(summary.id, Reach(0, 0, 0, 0)),
        inputs=_inputs(by_summary.get(summary.id, [])),
    )


def _reach(session: Session, process: Process) -> dict[int, Reach]:
    """Per summary, in one query: the colleagues asked (one request each), reached, answered
    with input, answered with "no input"."""
    rows = session.execute(
        select(
            InputRequest.summary_id,
            func.count(InputRequest.id),
            func.count(InputRequest.id).filter(InputRequest.status.in_(REACHED)),
            func.count(InputRequest.id).filter(InputRequest.status == "answered"),
            func.count(InputRequest.id).filter(InputRequest.status == "declined"),
        )
        .join(Summary, InputRequest.summary_id == Summary.id)
        .join(Workshop, Summary.workshop_id == Workshop.id)
        .where(Workshop.process_id == process.id)
        .group_by(InputRequest.summary_id)
    ).all()
    return {summary_id: Reach(*counts) for summary_id, *counts in rows}


def _inputs(contributions: list[Input]) -> tuple[InputEntry, ...]:
    named = [c for c in contributions if not c.anonymous and c.author is not None]
    anonymous = [c for c in contributions if c.anonymous or c.author is None]
    entries = [
        InputEntry(
            c.text,
            c.status,
            c.status_note,
            c.author.person.name if c.author is not None else None,
            c.created_at,
            c.status_changed_at,
            input_label(c),
        )
        for c in named
    ]
    # After the named ones and by their text: their place in a list must not tell their time.
    entries += [
        InputEntry(c.text, c.status, c.status_note, None, None, None, input_label(c))
        for c in sorted(anonymous, key=lambda c: (c.text.casefold(), c.text))
    ]
    return tuple(entries)


# --- words and numbers shared by the formats ----------------------------------------------------


def item_status(tr: Translator, status: str) -> str:
    name = ITEM_STATUS_NAMES.get(status)
    return tr._(name) if name else status


def process_status(tr: Translator, status: str) -> str:
    name = PROCESS_STATUS_NAMES.get(status)
    return tr._(name) if name else status
