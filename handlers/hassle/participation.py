"""Who took part in a bøvl round: how many were asked, added a bøvl and gave dots, for everyone
and split by whether people have been to a workshop, with small groups hidden as the pulse hides
them (handlers.pulse.results). Shown with the results, and in the record, once voting has closed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.i18n import Translator
from handlers.pulse.results import MIN_ANSWERS, shown_split
from storage.models import HassleParticipant, HassleRound, Invitation, Process, Workshop


@dataclass(frozen=True)
class Counts:
    asked: int
    added: int
    supported: int


@dataclass(frozen=True)
class Participation:
    """Everyone's figures, and those of who has been to a workshop and who has not; a split
    figure is None where the pulse's rule hides it (shown_split)."""

    total: Counts
    attended: tuple[int | None, int | None, int | None]
    not_attended: tuple[int | None, int | None, int | None]


def participation(session: Session, process: Process, hassle_round: HassleRound) -> Participation:
    attended = set(
        session.scalars(
            select(Invitation.member_id)
            .join(Workshop, Workshop.id == Invitation.workshop_id)
            .where(Workshop.process_id == process.id, Invitation.attended.is_(True))
        )
    )
    rows = session.execute(
        select(
            HassleParticipant.member_id,
            HassleParticipant.asked,
            HassleParticipant.added,
            HassleParticipant.supported,
        ).where(HassleParticipant.round_id == hassle_round.id)
    ).all()

    def count(flag: int, been: bool | None) -> int:
        return sum(
            1 for row in rows if row[flag] and (been is None or (row[0] in attended) == been)
        )

    total = Counts(count(1, None), count(2, None), count(3, None))
    split_in: list[int | None] = []
    split_out: list[int | None] = []
    for flag in (1, 2, 3):
        # The pulse's rule for a split: both groups shown, or neither, where either is below its
        # minimum (one hidden group would be the total less the other). It splits averages; a
        # count has none, so each group is given a stand-in average that is never shown.
        inside, outside = count(flag, True), count(flag, False)
        shown_in, shown_out = shown_split((inside, 0), (outside, 0))
        split_in.append(inside if shown_in is not None else None)
        split_out.append(outside if shown_out is not None else None)
    return Participation(
        total,
        (split_in[0], split_in[1], split_in[2]),
        (split_out[0], split_out[1], split_out[2]),
    )


def participation_lines(tr: Translator, figures: Participation) -> list[str]:
    total = figures.total
    return [
        tr._("Everyone: {asked} asked · {added} added hassles · {supported} gave dots").format(
            asked=total.asked, added=total.added, supported=total.supported
        ),
        tr._("Have been to a workshop: {figures}").format(figures=_split(tr, figures.attended)),
        tr._("Have not been to a workshop yet: {figures}").format(
            figures=_split(tr, figures.not_attended)
        ),
    ]


def _split(tr: Translator, group: Sequence[int | None]) -> str:
    hidden = tr._("shown from {n}").format(n=MIN_ANSWERS)
    asked, added, supported = (str(n) if n is not None else hidden for n in group)
    return tr._("asked: {asked} · added hassles: {added} · gave dots: {supported}").format(
        asked=asked, added=added, supported=supported
    )
