"""The geometry of the page's two charts, worked out on the server; the template draws it as
inline SVG. Numbers go into the SVG as text too, and the page puts them in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass

REACH_WIDTH = 200  # the length of a bar for everyone asked
PULSE_HEIGHT = 100  # the height of a bar for an average of 5
PULSE_MAX = 5
PULSE_SHOWN = 8  # the latest pulses in the chart; the table has them all


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the value as the table says it
    y: int
    length: float


@dataclass(frozen=True)
class PulseBar:
    series: str  # all, attended, absent: drawn differently, not only in colour
    x: int
    height: float
    value: str | None  # the average as text; None where hidden (shown_split) or none shown


@dataclass(frozen=True)
class PulseGroup:
    label: str  # the day it was sent, short
    x: int
    bars: tuple[PulseBar, ...]


def reach_bars(rows: list[tuple[str, int, str]], asked: int) -> tuple[Bar, ...]:
    """One horizontal bar a line of reach (label, count, words), each as long as its share of
    those asked."""
    return tuple(
        Bar(label, n, text, 8 + i * 30, REACH_WIDTH * n / asked if asked else 0)
        for i, (label, n, text) in enumerate(rows)
    )


SERIES = ("all", "attended", "absent")
BAR_WIDTH = 14
GROUP_WIDTH = 3 * BAR_WIDTH + 18


def pulse_groups(
    columns: list[tuple[str, tuple[tuple[float | None, str | None], ...]]],
) -> tuple[PulseGroup, ...]:
    """A group of three bars a pulse (everyone, attended, did not attend), each (average, text)."""
    groups = []
    for i, (label, values) in enumerate(columns[-PULSE_SHOWN:]):
        x = 30 + i * GROUP_WIDTH
        bars = tuple(
            PulseBar(
                series,
                x + j * BAR_WIDTH,
                PULSE_HEIGHT * average / PULSE_MAX if average is not None else 0,
                text if average is not None else None,
            )
            for j, (series, (average, text)) in enumerate(zip(SERIES, values, strict=True))
        )
        groups.append(PulseGroup(label, x, bars))
    return tuple(groups)


def pulse_width(groups: tuple[PulseGroup, ...]) -> int:
    return 30 + max(1, len(groups)) * GROUP_WIDTH + 4
