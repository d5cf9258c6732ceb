"""The bøvl rounds in the record: each round's question and dates, its bøvl with their supports
and fate, and who took part; gathered once, written as Markdown and as CSV rows.

Secrecy as on the board and in the results: supports and participation only once the round is
closed (before, only how many were asked); a bøvl still waiting for anonymity is not in the
record; an anonymous bøvl has neither author nor time, and its place in the list is that of its
letters, never of when it came."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.hassle.board import item_label, shown_items
from handlers.hassle.participation import Participation, participation, participation_lines
from handlers.hassle.results import supports_text
from handlers.hassle.rounds import deadline_day
from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.pulse.results import MIN_ANSWERS
from storage.models import HassleItem, HassleParticipant, HassleRound, Member, Person, Process

PHASE_NAMES = {
    "collecting": N_("collecting hassles"),
    "voting": N_("voting"),
    "closed": N_("closed"),
}


@dataclass(frozen=True)
class HassleEntry:
    reference: str  # "#12", or an anonymous bøvl's letters
    title: str
    description: str
    author: str | None  # None: anonymous (or its author's data erased)
    added_at: datetime | None  # None whenever author is None: a time can point at a person
    supports: int | None  # None before the close, and for a bøvl that was not up for voting
    status: str  # received, considered, used or not_used
    note: str | None
    chosen: bool
    new_track: bool
    merged_into: str | None  # the reference of the bøvl it joined
    outside_frame: str | None  # the reason it is outside the frame


@dataclass(frozen=True)
class HassleRoundEntry:
    question: str
    phase: str
    started_at: datetime
    collect_until: date
    voting_opened_at: datetime | None
    vote_until: date | None
    closed_at: datetime | None
    dots: int
    asked: int
    participation: Participation | None  # None until the close
    items: tuple[HassleEntry, ...]


def gather_hassle_rounds(session: Session, process: Process) -> tuple[HassleRoundEntry, ...]:
    rounds = session.scalars(
        select(HassleRound).where(HassleRound.process_id == process.id).order_by(HassleRound.id)
    ).all()
    return tuple(_round(session, process, r) for r in rounds)


def _round(session: Session, process: Process, hassle_round: HassleRound) -> HassleRoundEntry:
    # Counted only once a vote has closed: a round that ended with its process before voting
    # has no supports to give.
    closed = hassle_round.phase == "closed" and hassle_round.voting_opened_at is not None
    items = shown_items(session, hassle_round)  # named by number, then anonymous by letters
    # Named bøvl's authors only: an anonymous one's is not even read.
    named = {i.author_member_id for i in items if i.author_member_id and not i.anonymous}
    authors: dict[int, str] = {
        member_id: name
        for member_id, name in session.execute(
            select(Member.id, Person.name)
            .join(Person, Person.id == Member.person_id)
            .where(Member.id.in_(named))
        )
    }
    by_id = {i.id: i for i in items}
    entries = [_item(i, by_id, authors, closed) for i in items]
    if closed:  # most supported first, as the results; ties and the rest in the board's order
        entries.sort(key=lambda e: (e.supports is None, -(e.supports or 0)))
    asked = session.scalar(
        select(func.count()).where(
            HassleParticipant.round_id == hassle_round.id, HassleParticipant.asked.is_(True)
        )
    )
    tz = process.timezone
    return HassleRoundEntry(
        question=hassle_round.question,
        phase=hassle_round.phase,
        started_at=hassle_round.started_at,
        collect_until=deadline_day(hassle_round.collect_until, tz),
        voting_opened_at=hassle_round.voting_opened_at,
        vote_until=(deadline_day(hassle_round.vote_until, tz) if hassle_round.vote_until else None),
        closed_at=hassle_round.closed_at,
        dots=hassle_round.dots,
        asked=asked or 0,
        participation=participation(session, process, hassle_round) if closed else None,
        items=tuple(entries),
    )


def _item(
    item: HassleItem,
    by_id: dict[int, HassleItem],
    authors: dict[int, str],
    closed: bool,
) -> HassleEntry:
    author = None
    if not item.anonymous and item.author_member_id is not None:
        author = authors.get(item.author_member_id)
    into = by_id.get(item.merged_into_id) if item.merged_into_id is not None else None
    voted_on = item.merged_into_id is None and item.out_of_scope_reason is None
    return HassleEntry(
        reference=item_label(item),
        title=item.title,
        description=item.description,
        author=author,
        added_at=item.created_at if author is not None else None,
        supports=item.supports if closed and voted_on else None,
        status=item.status,
        note=item.status_note,
        chosen=item.chosen,
        new_track=item.track_id is not None,
        merged_into=item_label(into) if into is not None else None,
        outside_frame=item.out_of_scope_reason,
    )


# --- words shared by the formats ----------------------------------------------------------------


def phase_name(tr: Translator, phase: str) -> str:
    name = PHASE_NAMES.get(phase)
    return tr._(name) if name else phase


def fate(tr: Translator, entry: HassleEntry) -> str:
    """What became of a bøvl beyond its status: merged, outside the frame, chosen."""
    if entry.merged_into is not None:
        return tr._("merged into {target}").format(target=entry.merged_into)
    if entry.outside_frame is not None:
        return tr._("outside the frame: {reason}").format(reason=entry.outside_frame)
    if entry.chosen:
        becomes = tr._("a new track") if entry.new_track else tr._("a topic for a workshop")
        return tr._("chosen: {becomes}").format(becomes=becomes)
    return ""


# --- Markdown -----------------------------------------------------------------------------------


def hassle_markdown(rounds: tuple[HassleRoundEntry, ...], tr: Translator) -> list[str]:
    out: list[str] = []
    for r in rounds:
        out += [f"## {tr._('The hassle round')}: {r.question}", ""]
        out += [f"- {label}: {value}" for label, value in _dates(tr, r, long=True)]
        out.append("")
        out += ["**" + tr._("Hassles") + "**", ""]
        if not r.items:
            out += [tr._("No hassles."), ""]
        out += [_item_markdown(tr, e) for e in r.items]
        if r.items:
            if r.phase != "closed":
                out.append("")
                out.append(tr._("The supports are shown when voting has closed."))
            out.append("")
        out += ["**" + tr._("Who took part") + "**", ""]
        if r.participation is None:
            out.append("- " + tr._("Asked: {n}").format(n=r.asked))
            out.append("- " + tr._("The rest is shown when voting has closed."))
        else:
            # The results' lines, with their small groups hidden (handlers.hassle.participation).
            out += [f"- {line}" for line in participation_lines(tr, r.participation)]
        out.append("")
    return out


def _item_markdown(tr: Translator, e: HassleEntry) -> str:
    line = f"- {e.reference} **{_one_line(e.title)}**"
    if e.supports is not None:
        line += f" – {supports_text(tr, e.supports)}"
    if e.author is None:
        line += " · " + tr._("An anonymous colleague")
    else:
        added = f" ({_day(tr, e.added_at)})" if e.added_at else ""
        line += f" · {e.author}{added}"
    if e.description.strip():
        line += "\n  " + _indented(e.description)
    status = tr._("Status: {status}").format(status=tr._(STATUS_NAMES[e.status]))
    if what := fate(tr, e):
        status += f" · {_indented(what)}"
    if e.note:
        status += f" · {_indented(e.note)}"
    return f"{line}\n  {status}"


# --- CSV ----------------------------------------------------------------------------------------


def hassle_rows(rounds: tuple[HassleRoundEntry, ...], tr: Translator) -> list[dict[str, str]]:
    """Rows for the record's CSV (handlers.record.csv_file's columns): the round's dates, its
    bøvl, its participation; the question in the workshop column names the round on each row."""
    rows: list[dict[str, str]] = []
    for r in rounds:
        where = {"workshop": r.question}
        rows.append(
            where
            | {
                "kind": tr._("Hassle round"),
                "date": _iso(tr, r.started_at),
                "text": r.question,
                "status": phase_name(tr, r.phase),
                "value": str(r.dots),
                "note": tr._("Dots per person"),
            }
        )
        dates = tr._("Hassle round, dates")
        rows += [
            where | {"kind": dates, "text": label, "date": value}
            for label, value in _dates(tr, r, long=False)
        ]
        for e in r.items:
            text = e.title + (f"\n{e.description.strip()}" if e.description.strip() else "")
            rows.append(
                where
                | {
                    "kind": tr._("Hassle"),
                    "date": _iso(tr, e.added_at) if e.added_at else "",
                    "text": text,
                    "status": tr._(STATUS_NAMES[e.status]),
                    "note": " · ".join(x for x in (fate(tr, e), e.note or "") if x),
                    "author": e.author or tr._("An anonymous colleague"),
                    "reference": e.reference,
                    "value": str(e.supports) if e.supports is not None else "",
                }
            )
        kind = tr._("Hassle round, who took part")
        if r.participation is None:
            rows.append(where | {"kind": kind, "text": tr._("Asked"), "value": str(r.asked)})
            continue
        hidden = tr._("shown from {n}").format(n=MIN_ANSWERS)
        groups = (
            (N_("Everyone"), (r.participation.total.asked, r.participation.total.added,
                              r.participation.total.supported)),
            (N_("Have been to a workshop"), r.participation.attended),
            (N_("Have not been to a workshop yet"), r.participation.not_attended),
        )  # fmt: skip
        for group, figures in groups:
            for label, n in zip(
                (N_("Asked"), N_("Added hassles"), N_("Gave dots")), figures, strict=True
            ):
                rows.append(
                    where
                    | {
                        "kind": kind,
                        "text": tr._(label),
                        "note": tr._(group) if n is not None else f"{tr._(group)} · {hidden}",
                        "value": str(n) if n is not None else "",
                    }
                )
    return rows


# --- dates --------------------------------------------------------------------------------------


def _dates(tr: Translator, r: HassleRoundEntry, *, long: bool) -> list[tuple[str, str]]:
    """The round's dates in order, as words (Markdown) or ISO dates (CSV)."""

    def moment(value: datetime) -> str:
        return _day(tr, value) if long else _iso(tr, value)

    def day(value: date) -> str:
        return tr.date(value, with_year=True) if long else value.isoformat()

    dates = [
        (tr._("Started"), moment(r.started_at)),
        (tr._("Collect hassles until"), day(r.collect_until)),
    ]
    if r.voting_opened_at is not None:
        dates.append((tr._("Voting opened"), moment(r.voting_opened_at)))
    if r.vote_until is not None:
        dates.append((tr._("Voting until"), day(r.vote_until)))
    if r.closed_at is not None:
        dates.append((tr._("Voting closed"), moment(r.closed_at)))
    return dates


def _day(tr: Translator, value: datetime) -> str:
    return tr.date(tr.local(value).date(), with_year=True)


def _iso(tr: Translator, value: datetime) -> str:
    return tr.local(value).date().isoformat()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _indented(text: str, indent: int = 2) -> str:
    return ("\n" + " " * indent).join(line.rstrip() for line in text.strip().splitlines())
