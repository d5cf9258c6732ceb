"""The pulse's results: an average, a response rate and the change since the last pulse, split by
whether people attended the last workshop; shown only where at least three have answered, and the
split only where neither of its groups could be worked out from the total (shown_split)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal, format_percent
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from handlers.i18n import Translator
from handlers.messages import Block, BulletList
from storage.models import Process, Pulse, PulseAnswer, Workshop

MIN_ANSWERS = 3  # below this, an average could point at a person


@dataclass(frozen=True)
class Group:
    """One group of a split that may be shown (see shown_split)."""

    answered: int
    average: float


@dataclass(frozen=True)
class PulseResult:
    """Averages are rounded to one decimal (half up), so that every place shows the same number
    and the change is the difference of the numbers shown."""

    pulse_id: int
    sent_at: datetime
    step: int
    asked: int
    answered: int
    average: float | None  # None when fewer than MIN_ANSWERS answered
    change: float | None  # against the previous pulse with a shown average
    # The split, each None where hidden (shown_split): answered by those who attended the pulse's
    # workshop, and by the others.
    attended: Group | None
    absent: Group | None
    workshop: str | None = None  # the title of the pulse's workshop (the last one held)
    # The comments, where the average is shown; sorted by text, so their order tells nothing.
    comments: tuple[str, ...] = ()

    @property
    def response_rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


def pulse_results(session: Session, process: Process) -> list[PulseResult]:
    """Every pulse of the process, oldest first."""
    results = _results(session, process)
    shown = [r.pulse_id for r in results if r.average is not None]
    if not shown:
        return results
    comments: dict[int, list[str]] = {}
    for pulse_id, comment in session.execute(
        select(PulseAnswer.pulse_id, PulseAnswer.comment)
        .where(PulseAnswer.pulse_id.in_(shown), PulseAnswer.comment.is_not(None))
        .order_by(PulseAnswer.comment)
    ).all():
        if comment:
            comments.setdefault(pulse_id, []).append(comment)
    return [
        replace(r, comments=tuple(comments[r.pulse_id])) if r.pulse_id in comments else r
        for r in results
    ]


def pulse_blocks(session: Session, process: Process, tr: Translator) -> list[Block]:
    """The digest's section: the latest pulse. One query, whatever the number of answers."""
    results = _results(session, process)
    if not results:
        return []
    latest = results[-1]
    sent = tr._("Sent {date}").format(date=tr.date(tr.local(latest.sent_at).date()))
    lines = [sent, *result_lines(tr, latest)]
    title = tr._("Pulse: do you feel up to date on where the process stands?")
    return [BulletList(title, tuple(lines))]


def result_lines(
    tr: Translator,
    result: PulseResult,
    *,
    min_answers: int = MIN_ANSWERS,
    show: Callable[[str], str] = str,
) -> list[str]:
    """What a pulse's result says, after when it was sent: the average and its change, the
    response rate, and those who came to its workshop beside those who did not; or that too few
    have answered. `show` prepares the workshop's title for where it is written (the Slack
    canvas escapes its Markdown)."""
    if result.average is None:
        return [tr._("Results are shown when at least {n} have answered.").format(n=min_answers)]
    average = tr._("Average: {average} of 5").format(average=decimal(tr, result.average))
    if result.change is not None:
        average += " " + tr._("({change} since the last pulse)").format(
            change=signed_decimal(tr, result.change)
        )
    lines = [
        average,
        tr._("Response rate: {rate} ({answered} of {asked})").format(
            rate=format_percent(result.response_rate, locale=tr.locale),
            answered=result.answered,
            asked=result.asked,
        ),
    ]
    if result.workshop is not None:
        lines.append(
            tr._("Attended “{workshop}”: {result}").format(
                workshop=show(result.workshop), result=_group(tr, result.attended)
            )
        )
        lines.append(tr._("Did not attend: {result}").format(result=_group(tr, result.absent)))
    return lines


def shown_split(*groups: tuple[int, object]) -> tuple[Group | None, ...]:
    """The groups of a split of a pulse's answers, each as (answers, average), as every view may
    show them: all, or none (each None) where any group has fewer than MIN_ANSWERS answers.

    The groups add up to the total, and the total is shown: a hidden group is the total less the
    groups shown (3,0 from 4 less 2,7 from 3 is the one other answer, a 4). Two groups with one
    hidden therefore hide both; hiding them all is the rule that holds for any number of groups.
    A group with no answers is hidden like any other below MIN_ANSWERS: the other's count would
    tell that none of its people answered."""
    shown: list[Group] = []
    for answered, average in groups:
        value = _shown(answered, average)
        if value is None:
            return tuple(None for _ in groups)
        shown.append(Group(answered, float(value)))
    return tuple(shown)


# --- helpers ---------------------------------------------------------------------------------


def _results(session: Session, process: Process) -> list[PulseResult]:
    attended = PulseAnswer.attended.is_(True)
    absent = or_(PulseAnswer.attended.is_(False), PulseAnswer.attended.is_(None))
    rows = session.execute(
        select(
            Pulse.id,
            Pulse.created_at,
            Pulse.step,
            Pulse.asked,
            Workshop.title,
            func.count(PulseAnswer.id),
            func.avg(PulseAnswer.score),
            func.count(PulseAnswer.id).filter(attended),
            func.avg(PulseAnswer.score).filter(attended),
            func.count(PulseAnswer.id).filter(absent),
            func.avg(PulseAnswer.score).filter(absent),
        )
        .outerjoin(PulseAnswer, PulseAnswer.pulse_id == Pulse.id)
        .outerjoin(Workshop, Workshop.id == Pulse.workshop_id)
        .where(Pulse.process_id == process.id)
        .group_by(Pulse.id, Workshop.title)
        .order_by(Pulse.created_at, Pulse.id)
    ).all()
    results: list[PulseResult] = []
    previous: Decimal | None = None
    for pulse_id, sent_at, step, asked, title, n, avg, n_in, avg_in, n_out, avg_out in rows:
        average = _shown(n, avg)
        change = average - previous if average is not None and previous is not None else None
        attended_group, absent_group = shown_split((n_in, avg_in), (n_out, avg_out))
        results.append(
            PulseResult(
                pulse_id=pulse_id,
                sent_at=sent_at,
                step=step,
                asked=asked,
                answered=n,
                average=_float(average),
                change=_float(change),
                attended=attended_group,
                absent=absent_group,
                workshop=title,
            )
        )
        previous = average if average is not None else previous
    return results


def _shown(answered: int, average: object) -> Decimal | None:
    """The average to one decimal, or None below MIN_ANSWERS. SQLite gives a float, PostgreSQL
    a Decimal: both through str, so 3.25 rounds to 3.3 either way."""
    if answered < MIN_ANSWERS or average is None:
        return None
    return Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def decimal(tr: Translator, value: float) -> str:
    """One decimal in the language's way: "3,8" in Danish, "3.8" in English."""
    return format_decimal(Decimal(str(value)), format="0.0", locale=tr.locale)


def signed_decimal(tr: Translator, value: float) -> str:
    """A change as the digest shows it: "+0,5", "−0,5", "±0,0"."""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + decimal(tr, abs(value))


def _group(tr: Translator, group: Group | None) -> str:
    if group is None:
        return tr._("shown from {n} answers").format(n=MIN_ANSWERS)
    return tr._("{average} ({n} answers)").format(
        average=decimal(tr, group.average), n=group.answered
    )
