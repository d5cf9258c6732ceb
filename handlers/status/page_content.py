"""What the status page shows ("Hvor er vi?"), gathered once as neutral values: the HTML page
(bot.web.page) and the Slack canvas render the same `StatusPage`.

Words are left to the renderers: step names and statuses are the English msgids (translate with
`tr._`), dates are datetimes. Nothing here names the author of an input, and the bøvl round's
support is read only once the round is closed.

A fixed number of queries, whatever the size of the process: the workshops with their
attendance, the items, the input and the reach are counted and grouped in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from handlers.facilitators import facilitator_names
from handlers.hassle.board import item_label, merged_under, shown_items
from handlers.hassle.results import TOP_ON_BOARD, ranked
from handlers.hassle.rounds import collection_over
from handlers.inputs.references import label_of
from handlers.pulse.results import MIN_ANSWERS, PulseResult, pulse_results
from handlers.six_steps import STEP_COUNT, STEP_NAMES
from handlers.status.hassle_round import CHOSEN_SHOWN
from handlers.status.overview import _aware, input_counts, items_by_track, reach
from handlers.status.reach import Reach
from handlers.status.you_said import EXCERPT
from handlers.workshops.item_words import ItemState
from storage.models import (
    HassleItem,
    HassleRound,
    Input,
    Invitation,
    Process,
    StepChange,
    Summary,
    Workshop,
)

HELD_SHOWN = 6  # the latest workshops held per track; the rest are counted
YOU_SAID_SHOWN = 8  # the latest fates of input; the rest are counted


@dataclass(frozen=True)
class Step:
    number: int
    name: str  # the msgid from handlers.six_steps: translate with tr._
    began_at: datetime | None  # when the process last entered it; None if it never has
    current: bool


@dataclass(frozen=True)
class WorkshopLine:
    title: str
    starts_at: datetime
    held: bool
    invited: int
    attended: int | None  # None until a summary records who came (and always for planned)


@dataclass(frozen=True)
class TrackWorkshops:
    name: str
    held: tuple[WorkshopLine, ...]  # the latest HELD_SHOWN, oldest first
    held_total: int
    planned: tuple[WorkshopLine, ...]  # soonest first


@dataclass(frozen=True)
class TrackItemList:
    """A track's newest items of one kind (at most overview.LIST_LIMIT), and how many in all.
    `status` of each item is as the record has it: open, closed, answered or changed."""

    track: str
    items: tuple[ItemState, ...]
    total: int


@dataclass(frozen=True)
class InputFate:
    """ "#2 “…” → used: note". The label is the input's reference, an anonymous one's letters:
    never its author."""

    label: str
    excerpt: str
    status: str  # received, considered, used, not_used (handlers.inputs.posts.STATUS_NAMES)
    note: str | None


@dataclass(frozen=True)
class HassleTop:
    rank: int
    label: str
    title: str
    supports: int
    merged: tuple[str, ...]  # the labels of bøvl merged into it


@dataclass(frozen=True)
class HassleChosen:
    label: str
    title: str
    new_track: bool  # becomes a track of its own, or else a topic for a workshop
    status: str
    note: str | None


@dataclass(frozen=True)
class HassleSummary:
    """The latest bøvl round. While it runs: its phase, deadline and how many bøvl are shown,
    never a count of support. Once closed: the most supported and the chosen."""

    phase: str  # collecting, voting, closed
    deadline: datetime | None  # collection's or voting's end while running
    collection_over: bool
    shown: int
    voted: bool = False  # closed after voting (not ended with its process)
    top: tuple[HassleTop, ...] = ()
    chosen: tuple[HassleChosen, ...] = ()
    chosen_total: int = 0


@dataclass(frozen=True)
class StatusPage:
    process_id: int
    name: str
    language: str
    timezone: str
    status: str  # active, closed, erased
    closed_at: datetime | None
    now: datetime
    current_step: int
    steps: tuple[Step, ...]
    tracks: tuple[TrackWorkshops, ...]
    decisions: tuple[TrackItemList, ...]
    open_questions: tuple[TrackItemList, ...]
    you_said: tuple[InputFate, ...]
    you_said_total: int
    inputs: int  # input shown so far
    reach: Reach
    hassle: HassleSummary | None
    pulses: tuple[PulseResult, ...]  # oldest first; small groups already hidden (shown_split)
    facilitators: tuple[str, ...]
    min_answers: int = MIN_ANSWERS


def gather_page(session: Session, process: Process, now: datetime) -> StatusPage:
    return StatusPage(
        process_id=process.id,
        name=process.name,
        language=process.language,
        timezone=process.timezone,
        status=process.status,
        closed_at=process.closed_at,
        now=now,
        current_step=process.current_step,
        steps=steps(session, process),
        tracks=workshops_by_track(session, process),
        decisions=_items(session, process, "decision"),
        open_questions=_items(session, process, "open_question"),
        you_said=(fates := input_fates(session, process))[0],
        you_said_total=fates[1],
        inputs=input_counts(session, process, None)[0],
        reach=reach(session, process),
        hassle=hassle_summary(session, process, now),
        pulses=tuple(pulse_results(session, process)),
        facilitators=tuple(facilitator_names(session, process)),
    )


def steps(session: Session, process: Process) -> tuple[Step, ...]:
    """The six steps, each with when the process last entered it."""
    began = {
        step: _aware(at)
        for step, at in session.execute(
            select(StepChange.step, func.max(StepChange.entered_at))
            .where(StepChange.process_id == process.id)
            .group_by(StepChange.step)
        ).all()
    }
    # A process set up before step changes were kept still knows when its step began.
    began.setdefault(process.current_step, process.step_changed_at)
    return tuple(
        Step(n, STEP_NAMES[n - 1], began.get(n), n == process.current_step)
        for n in range(1, STEP_COUNT + 1)
    )


def workshops_by_track(session: Session, process: Process) -> tuple[TrackWorkshops, ...]:
    """Every workshop not cancelled, with its invitees and attendance counted, in one query."""
    rows = session.execute(
        select(
            Workshop.track_id,
            Workshop.title,
            Workshop.starts_at,
            Workshop.status,
            func.count(Invitation.member_id),
            func.count(Invitation.member_id).filter(Invitation.attended.is_(True)),
            Summary.id,
        )
        .outerjoin(Invitation, Invitation.workshop_id == Workshop.id)
        .outerjoin(Summary, Summary.workshop_id == Workshop.id)
        .where(Workshop.process_id == process.id, Workshop.status != "cancelled")
        .group_by(Workshop.id, Summary.id)
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    held: dict[int, list[WorkshopLine]] = {}
    planned: dict[int, list[WorkshopLine]] = {}
    for track_id, title, starts_at, status, invited, attended, summary_id in rows:
        is_held = status == "held"
        line = WorkshopLine(
            title,
            starts_at,
            is_held,
            invited,
            attended if is_held and summary_id is not None else None,
        )
        (held if is_held else planned).setdefault(track_id, []).append(line)
    return tuple(
        TrackWorkshops(
            track.name,
            tuple(held.get(track.id, [])[-HELD_SHOWN:]),
            len(held.get(track.id, [])),
            tuple(planned.get(track.id, [])),
        )
        for track in process.tracks
    )


def _items(session: Session, process: Process, kind: str) -> tuple[TrackItemList, ...]:
    return tuple(
        TrackItemList(group.track, group.items, group.total)
        for group in items_by_track(session, process, kind, None)
    )


def input_fates(session: Session, process: Process) -> tuple[tuple[InputFate, ...], int]:
    """What became of input, newest first, as "Du sagde – vi gjorde" in the digest chooses it
    (handlers.status.you_said): used, or marked with a note; and how many in all. One query."""
    rows = session.execute(
        select(Input.reference, Input.text, Input.status, Input.status_note, func.count().over())
        .where(
            Input.process_id == process.id,
            Input.posted_at.is_not(None),  # input still waiting for anonymity is nobody's to see
            Input.status_changed_at.is_not(None),
            or_(Input.status == "used", Input.status_note.is_not(None)),
        )
        .order_by(Input.status_changed_at.desc(), Input.id.desc())
        .limit(YOU_SAID_SHOWN)
    ).all()
    fates = tuple(
        InputFate(label_of(reference), _excerpt(text), status, note)
        for reference, text, status, note, _ in rows
    )
    return fates, rows[0][4] if rows else 0


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def hassle_summary(session: Session, process: Process, now: datetime) -> HassleSummary | None:
    """The latest round, as handlers.status.hassle_round tells it in the digest."""
    hassle_round = session.scalar(
        select(HassleRound)
        .where(HassleRound.process_id == process.id)
        .order_by(HassleRound.id.desc())
        .limit(1)
    )
    if hassle_round is None:
        return None
    if hassle_round.phase != "closed":
        n_shown = session.scalar(
            select(func.count(HassleItem.id)).where(
                HassleItem.round_id == hassle_round.id,
                HassleItem.shown_at.is_not(None),
                HassleItem.merged_into_id.is_(None),
                HassleItem.out_of_scope_reason.is_(None),
            )
        )
        collecting = hassle_round.phase == "collecting"
        return HassleSummary(
            phase=hassle_round.phase,
            deadline=hassle_round.collect_until if collecting else hassle_round.vote_until,
            collection_over=collection_over(hassle_round, now),
            shown=n_shown or 0,
        )
    # Closed: the totals may be read now.
    voted = hassle_round.voting_opened_at is not None
    items = shown_items(session, hassle_round)
    in_order = ranked(session, hassle_round) if voted else []
    under = merged_under(items)
    top = tuple(
        HassleTop(
            rank,
            item_label(item),
            item.title,
            item.supports,
            tuple(item_label(m) for m in under.get(item.id, [])),
        )
        for rank, item in enumerate(in_order[:TOP_ON_BOARD], 1)
    )
    chosen = [item for item in in_order if item.chosen]
    return HassleSummary(
        phase="closed",
        deadline=None,
        collection_over=True,
        shown=len(in_order),
        voted=voted,
        top=top,
        chosen=tuple(
            HassleChosen(
                item_label(item),
                item.title,
                item.track_id is not None,
                item.status,
                item.status_note,
            )
            for item in chosen[:CHOSEN_SHOWN]
        ),
        chosen_total=len(chosen),
    )
