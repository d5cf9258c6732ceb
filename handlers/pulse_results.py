"""The pulse's results: an average, a response rate and the change since the last pulse, split by
whether people attended the last workshop; shown only where at least three have answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Process

MIN_ANSWERS = 3  # below this, an average could point at a person


@dataclass(frozen=True)
class Group:
    answered: int
    average: float | None  # None when fewer than MIN_ANSWERS answered


@dataclass(frozen=True)
class PulseResult:
    pulse_id: int
    sent_at: datetime
    step: int
    asked: int
    answered: int
    average: float | None  # None when fewer than MIN_ANSWERS answered
    change: float | None  # against the previous pulse with a shown average
    attended: Group  # answered by those who attended the pulse's workshop
    absent: Group  # by the others

    @property
    def response_rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


def pulse_results(session: Session, process: Process) -> list[PulseResult]:
    """Every pulse of the process, oldest first."""
    raise NotImplementedError  # built with the pulse
