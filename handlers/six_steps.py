"""The six steps of samskabt styring: their names, and how far along a process is."""

from __future__ import annotations

from handlers.i18n import N_, Translator
from handlers.messages import Progress

STEP_COUNT = 6
STEP_NAMES = (
    N_("Introduction and shared language"),
    N_("Identify, investigate and prioritise the challenges"),
    N_("Develop solutions"),
    N_("Test and implement solutions"),
    N_("Evaluate whether the solutions work"),
    N_("Learn from the process and decide next steps"),
)


def step_name(tr: Translator, step: int) -> str:
    return tr._(STEP_NAMES[step - 1])


def step_label(tr: Translator, step: int) -> str:
    """ "Trin 3 af 6: Udvikle løsninger"."""
    return tr._("Step {step} of {total}: {name}").format(
        step=step, total=STEP_COUNT, name=step_name(tr, step)
    )


def progress_block(tr: Translator, step: int) -> Progress:
    return Progress(step=step, total=STEP_COUNT, label=step_label(tr, step))
