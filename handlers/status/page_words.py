"""The status page's content (handlers.status.page_content) in words of a language: the lines
the HTML page and the Slack canvas share, so that both say the same thing the same way, and as
the digest says it where the digest says it too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.hassle.results import supports_text
from handlers.hassle.rounds import deadline_day
from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.pulse.results import MIN_ANSWERS, Group, PulseResult, decimal
from handlers.record.contents import ITEM_STATUS_NAMES
from handlers.six_steps import STEP_COUNT
from handlers.status.page_content import HassleSummary, InputFate, StatusPage

HASSLE_TITLE = N_("The hassle round")


def step_label(tr: Translator, page: StatusPage) -> str:
    """ "Trin 3 af 6: Udvikle løsninger"."""
    current = page.steps[page.current_step - 1]
    return tr._("Step {step} of {total}: {name}").format(
        step=current.number, total=STEP_COUNT, name=tr._(current.name)
    )


def closed_line(tr: Translator, page: StatusPage) -> str | None:
    if page.status == "active" or page.closed_at is None:
        return None
    return tr._("The process was closed on {date}. Nothing more is planned.").format(
        date=day(tr, page.closed_at)
    )


def day(tr: Translator, moment: datetime) -> str:
    return tr.date(tr.local(moment).date())


def attendance(tr: Translator, attended: int | None, invited: int) -> str:
    """ "8 af 11 deltog", or "11 inviterede" until a summary records who came."""
    if attended is None:
        return tr.ngettext("{n} invited", "{n} invited", invited).format(n=invited)
    return tr._("{attended} of {invited} attended").format(attended=attended, invited=invited)


def more(tr: Translator, total: int, shown: int) -> str | None:
    """ "… og 3 mere", or None when all are shown."""
    return tr._("… and {n} more").format(n=total - shown) if total > shown else None


def item_status_name(tr: Translator, status: str) -> str:
    # bench/process_data.py writes "done", which no use case does: shown as it is.
    return tr._(ITEM_STATUS_NAMES.get(status, status))


def fate_status(tr: Translator, fate: InputFate) -> str:
    return tr._(STATUS_NAMES[fate.status])


def fate_line(tr: Translator, fate: InputFate) -> str:
    """ "A-KXR “Husk nattevagterne” → brugt: note", as the digest's "Du sagde – vi gjorde"."""
    line = f"{fate.label} “{fate.excerpt}” → {fate_status(tr, fate)}"
    return f"{line}: {fate.note}" if fate.note else line


@dataclass(frozen=True)
class HassleWords:
    title: str
    line: str | None  # the phase while it runs, or that nothing was up for voting
    top: tuple[str, ...] = ()  # "1. #3 Title – 7 prikker"-style lines, without the rank
    chosen_title: str = ""
    chosen: tuple[str, ...] = ()
    none_chosen: str = ""  # said where the top is shown but nothing is chosen yet


def hassle_words(tr: Translator, hassle: HassleSummary, timezone: str) -> HassleWords:
    """The round's lines, as handlers.status.hassle_round says them in the digest."""
    if hassle.phase != "closed":
        date = tr.date(deadline_day(hassle.deadline, timezone)) if hassle.deadline else None
        if hassle.phase == "collecting" and not hassle.collection_over:
            line = tr._("We are collecting hassles until {date} · {n} so far").format(
                date=date, n=hassle.shown
            )
        elif hassle.phase == "collecting":
            line = tr._(
                "The collection ended {date} with {n} hassles · the facilitators sort the list "
                "and then open voting"
            ).format(date=date, n=hassle.shown)
        elif date is None:
            line = tr._("Voting is open · give your dots with /samskab hassle dots")
        else:
            line = tr._("Voting until {date} · give your dots with /samskab hassle dots").format(
                date=date
            )
        return HassleWords(tr._(HASSLE_TITLE), line)
    if not hassle.top:
        line = tr._("The round is closed.") + " " + tr._("No hassle was up for voting.")
        return HassleWords(tr._(HASSLE_TITLE), line)
    top = []
    for item in hassle.top:
        text = f"{item.label} {item.title} – {supports_text(tr, item.supports)}"
        if item.merged:
            text += " " + tr._("(with {refs})").format(refs=", ".join(item.merged))
        top.append(text)
    chosen = []
    for c in hassle.chosen:
        becomes = tr._("a new track") if c.new_track else tr._("a topic for a workshop")
        line = f"{c.label} {c.title} – {becomes} · {tr._(STATUS_NAMES[c.status])}"
        chosen.append(f"{line} · {c.note}" if c.note else line)
    if rest := more(tr, hassle.chosen_total, len(hassle.chosen)):
        chosen.append(rest)
    return HassleWords(
        title=tr._("The hassle round · most supported first"),
        line=None,
        top=tuple(top),
        chosen_title=tr._("The challenges we work on"),
        chosen=tuple(chosen),
        none_chosen=tr._("The facilitators have not chosen the challenges yet."),
    )


def pulse_average(tr: Translator, pulse: PulseResult) -> str:
    if pulse.average is None:
        return tr._("Results are shown when at least {n} have answered.").format(n=MIN_ANSWERS)
    return decimal(tr, pulse.average)


def pulse_group(tr: Translator, pulse: PulseResult, group: Group | None) -> str:
    """One side of the split, as the digest says it: hidden groups say from how many answers
    they are shown (handlers.pulse.results.shown_split decided which)."""
    if pulse.average is None:
        return "–"
    if group is None:
        return tr._("shown from {n} answers").format(n=MIN_ANSWERS)
    return tr._("{average} ({n} answers)").format(
        average=decimal(tr, group.average), n=group.answered
    )
