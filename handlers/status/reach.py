"""How many colleagues who did not attend were asked for input, reached, and have answered: the
same lines in the status, the digest, the welcome DM, App Home and the record.

Every line counts colleagues, each once, and says so. The answered line splits the same
colleagues, so its parts add up to it: a colleague who gave input on one summary and said "no
input from me" on another counts as one who gave input. Answered and not answered add up to asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.i18n import Translator

REACHED = ("delivered", "answered", "declined", "expired")


@dataclass(frozen=True)
class Reach:
    """Colleagues asked for input (on one summary, or on any in the process), each counted once."""

    asked: int
    reached: int  # at least one request came through to them
    gave_input: int  # answered at least one request with input
    no_input: int  # answered, but never with input: "no input from me" only

    @property
    def answered(self) -> int:
        return self.gave_input + self.no_input

    @property
    def not_answered(self) -> int:
        return self.asked - self.answered


@dataclass(frozen=True)
class ReachLine:
    label: str  # what is counted: "Asked for input"
    n: int
    text: str  # the count in words: "13 colleagues who did not attend"


def reach_lines(tr: Translator, reach: Reach) -> tuple[ReachLine, ...]:
    """The lines, or none when nobody was asked (the caller says so in words)."""
    if reach.asked == 0:
        return ()
    asked = tr.ngettext(
        "{n} colleague who did not attend", "{n} colleagues who did not attend", reach.asked
    )
    answered = tr.ngettext("{n} colleague", "{n} colleagues", reach.answered).format(
        n=reach.answered
    )
    if reach.answered:
        answered += " " + tr._("({with_input} with input, {without} without)").format(
            with_input=reach.gave_input, without=reach.no_input
        )
    not_answered = tr.ngettext("{n} colleague", "{n} colleagues", reach.not_answered)
    return (
        ReachLine(tr._("Asked for input"), reach.asked, asked.format(n=reach.asked)),
        ReachLine(
            tr._("Reached"),
            reach.reached,
            tr._("{n} of {asked}").format(n=reach.reached, asked=reach.asked),
        ),
        ReachLine(tr._("Have answered"), reach.answered, answered),
        ReachLine(
            tr._("Have not answered"),
            reach.not_answered,
            not_answered.format(n=reach.not_answered),
        ),
    )
