"""The "Hvor er vi?" canvas in Slack's canvas Markdown, from the same `StatusPage` the status
page shows: one `##` section per part, each found again by its heading when the bot updates it
(bot.slack.canvas), so the headings are fixed words of the process's language and never hold a
name or a count. Numbers are text (a canvas draws no charts); the pulse's small groups are
hidden as the page and the digest hide them (handlers.pulse.results.shown_split, applied when
the page was gathered); no input is named by its author, only by its reference.

Text people wrote (titles, decisions, notes) is put on one line and its Markdown escaped: a
decision must not become a heading, a link or a mention in the canvas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from handlers.facilitators import facilitators_line
from handlers.hassle.results import supports_text
from handlers.hassle.rounds import deadline_day
from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.pulse.results import result_lines
from handlers.six_steps import STEP_COUNT, step_label
from handlers.status.overview import ITEM_LISTS
from handlers.status.page_content import (
    HassleSummary,
    StatusPage,
    TrackItemList,
    TrackWorkshops,
    WorkshopLine,
)
from handlers.status.reach import reach_lines
from handlers.workshops.item_words import item_line

TITLE = N_("Where are we?")
# The headings the bot finds its sections by: fixed words, distinct from one another.
STEPS = N_("The six steps")
WORKSHOPS = N_("Workshops per track")
ITEMS = N_("Decisions and open questions")
YOU_SAID = N_("You said – we did")
HASSLE = N_("The hassle round")
REACH = N_("Input and reach")
PULSE = N_("The pulse over time")
ABOUT = N_("About this canvas")
HEADINGS = (STEPS, WORKSHOPS, ITEMS, YOU_SAID, HASSLE, REACH, PULSE, ABOUT)

PULSES_SHOWN = 12  # the latest pulses; the rest are counted
# Slack takes up to 1 MiB of Markdown in a canvas; a section stays far below, whatever people
# wrote, and says what it left out.
SECTION_LIMIT = 60_000
_SPECIAL = re.compile(r"([\\`*_~\[\]<>|])")


@dataclass(frozen=True)
class CanvasSection:
    heading: str  # as the canvas shows it, translated
    markdown: str  # "## heading" and what follows it

    def __post_init__(self) -> None:
        assert self.markdown.startswith(f"## {self.heading}\n")


@dataclass(frozen=True)
class CanvasDocument:
    title: str
    sections: tuple[CanvasSection, ...]

    @property
    def markdown(self) -> str:
        return "\n\n".join(section.markdown for section in self.sections)


def render_canvas(page: StatusPage) -> CanvasDocument:
    tr = Translator(page.language, page.timezone, now=page.now)
    parts = (
        (STEPS, _steps(tr, page)),
        (WORKSHOPS, _workshops(tr, page)),
        (ITEMS, _items(tr, page)),
        (YOU_SAID, _you_said(tr, page)),
        (HASSLE, _hassle(tr, page.hassle)),
        (REACH, _reach(tr, page)),
        (PULSE, _pulse(tr, page)),
        (ABOUT, _about(tr, page)),
    )
    return CanvasDocument(
        tr._(TITLE), tuple(_section(tr, tr._(heading), lines) for heading, lines in parts)
    )


def plain(text: str) -> str:
    """People's words on one line, with every character Markdown gives a meaning escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


# --- the sections ----------------------------------------------------------------------------


def _steps(tr: Translator, page: StatusPage) -> list[str]:
    lines = [f"**{plain(step_label(tr, page.current_step))}**", ""]
    if page.status != "active" and page.closed_at is not None:
        closed = tr._("The process was closed on {date}. Nothing more is planned.")
        lines += [closed.format(date=_date(tr, page.closed_at)), ""]
    for step in page.steps:
        line = f"{step.number}. {plain(tr._(step.name))}"
        if step.began_at is not None:
            line += " · " + tr._("began {date}").format(date=_date(tr, step.began_at))
        elif step.number < page.current_step:
            line += " · " + tr._("passed")  # before the process came to Samskab
        if step.current:
            line += " · **" + tr._("Now") + "**"
        lines.append(line)
    assert len(page.steps) == STEP_COUNT
    return lines


def _workshops(tr: Translator, page: StatusPage) -> list[str]:
    if not any(t.held or t.planned for t in page.tracks):
        if page.status != "active":
            return [tr._("No workshops were held.")]
        return [tr._("No workshops yet. Facilitators plan one with /samskab workshop.")]
    lines: list[str] = []
    for track in page.tracks:
        lines += _track(tr, track)
    return lines


def _track(tr: Translator, track: TrackWorkshops) -> list[str]:
    lines = [f"**{plain(track.name)}**"]
    if not track.held and not track.planned:
        return [*lines, "- " + tr._("No workshops yet"), ""]
    earlier = track.held_total - len(track.held)
    if earlier:
        lines.append("- " + tr._("… and {n} held before").format(n=earlier))
    lines += ["- " + _workshop(tr, w) for w in (*track.held, *track.planned)]
    return [*lines, ""]


def _workshop(tr: Translator, workshop: WorkshopLine) -> str:
    when = _date(tr, workshop.starts_at)
    if not workshop.held:
        return tr._("{title} · {date} · planned").format(title=plain(workshop.title), date=when)
    if workshop.attended is None:
        return tr._("{title} · {date} · held").format(title=plain(workshop.title), date=when)
    return tr._("{title} · {date} · {attended} of {invited} invited attended").format(
        title=plain(workshop.title),
        date=when,
        attended=workshop.attended,
        invited=workshop.invited,
    )


def _items(tr: Translator, page: StatusPage) -> list[str]:
    groups: dict[str, tuple[TrackItemList, ...]] = {
        "decision": page.decisions,
        "open_question": page.open_questions,
    }
    lines: list[str] = []
    for kind, title in ITEM_LISTS:
        for group in groups[kind]:
            lines.append(f"**{plain(tr._(title).format(track=group.track))}**")
            lines += ["- " + plain(item_line(tr, item)) for item in group.items]
            if group.total > len(group.items):
                lines.append("- " + tr._("… and {n} more").format(n=group.total - len(group.items)))
            lines.append("")
    return lines or [tr._("No decisions or open questions yet.")]


def _you_said(tr: Translator, page: StatusPage) -> list[str]:
    if not page.you_said:
        return [
            tr._(
                "Nothing marked yet. When the facilitators mark what became of input, it shows here."
            )
        ]
    lines = []
    for fate in page.you_said:
        # Named by its reference ("#2", or an anonymous one's letters), never by its author.
        line = f"{plain(fate.label)} “{plain(fate.excerpt)}” → {tr._(STATUS_NAMES[fate.status])}"
        lines.append("- " + (f"{line}: {plain(fate.note)}" if fate.note else line))
    if page.you_said_total > len(page.you_said):
        lines.append(
            "- " + tr._("… and {n} more").format(n=page.you_said_total - len(page.you_said))
        )
    return lines


def _hassle(tr: Translator, hassle: HassleSummary | None) -> list[str]:
    if hassle is None:
        return [tr._("No hassle round yet.")]
    tz = tr.tz.key
    if hassle.phase == "collecting":
        assert hassle.deadline is not None
        day = tr.date(deadline_day(hassle.deadline, tz))
        if not hassle.collection_over:
            return [
                tr._("We are collecting hassles until {date} · {n} so far").format(
                    date=day, n=hassle.shown
                )
            ]
        return [
            tr._(
                "The collection ended {date} with {n} hassles · the facilitators sort the list "
                "and then open voting"
            ).format(date=day, n=hassle.shown)
        ]
    if hassle.phase == "voting":  # never a count of support before the close
        if hassle.deadline is None:
            return [tr._("Voting is open · give your dots with /samskab hassle dots")]
        day = tr.date(deadline_day(hassle.deadline, tz))
        return [
            tr._("Voting until {date} · give your dots with /samskab hassle dots").format(date=day)
        ]
    if not hassle.top:
        return [tr._("The round is closed.") + " " + tr._("No hassle was up for voting.")]
    lines = [f"**{tr._('Most supported first')}**"]
    for top in hassle.top:
        line = (
            f"{top.rank}. {plain(top.label)} {plain(top.title)} – {supports_text(tr, top.supports)}"
        )
        if top.merged:
            line += " " + tr._("(with {refs})").format(refs=", ".join(plain(m) for m in top.merged))
        lines.append(line)
    lines.append("")
    if not hassle.chosen:
        return [*lines, tr._("The facilitators have not chosen the challenges yet.")]
    lines.append(f"**{tr._('The challenges we work on')}**")
    for chosen in hassle.chosen:
        becomes = tr._("a new track") if chosen.new_track else tr._("a topic for a workshop")
        line = f"{plain(chosen.label)} {plain(chosen.title)} – {becomes} · {tr._(STATUS_NAMES[chosen.status])}"
        lines.append("- " + (f"{line} · {plain(chosen.note)}" if chosen.note else line))
    if hassle.chosen_total > len(hassle.chosen):
        lines.append(
            "- " + tr._("… and {n} more").format(n=hassle.chosen_total - len(hassle.chosen))
        )
    return lines


def _reach(tr: Translator, page: StatusPage) -> list[str]:
    inputs = (
        tr.ngettext("{n} input", "{n} inputs", page.inputs).format(n=page.inputs)
        if page.inputs
        else tr._("none yet")
    )
    lines = [f"- **{tr._('Input received')}**: {inputs}"]
    reach = reach_lines(tr, page.reach)
    lines += [f"- **{line.label}**: {line.text}" for line in reach]
    if not reach:
        lines += ["", tr._("Nobody has been asked for input yet.")]
    return lines


def _pulse(tr: Translator, page: StatusPage) -> list[str]:
    if not page.pulses:
        return [tr._("No pulse has been sent yet.")]
    lines = [tr._("Pulse: do you feel up to date on where the process stands?"), ""]
    shown = page.pulses[-PULSES_SHOWN:]
    earlier = len(page.pulses) - len(shown)
    if earlier:
        lines.append("- " + tr._("… and {n} earlier").format(n=earlier))
    for pulse in shown:
        parts = [
            tr._("Sent {date}").format(date=_date(tr, pulse.sent_at)),
            step_label(tr, pulse.step),
        ]
        parts += result_lines(tr, pulse, min_answers=page.min_answers, show=plain)
        lines.append("- " + " · ".join(parts))
    return lines


def _about(tr: Translator, page: StatusPage) -> list[str]:
    lines = [
        tr._(
            "Samskab keeps this canvas up to date. You are welcome to add your own notes under a "
            "heading of your own: Samskab only changes its own sections."
        )
    ]
    if who := facilitators_line(tr, list(page.facilitators)):
        lines += ["", plain(who)]  # whom to ask
    lines += ["", tr._("Status as of {when}.").format(when=tr.datetime(page.now))]
    return lines


# --- helpers ---------------------------------------------------------------------------------


def _section(tr: Translator, heading: str, lines: list[str]) -> CanvasSection:
    """The section, cut visibly where it would pass SECTION_LIMIT."""
    while lines and not lines[-1]:
        lines = lines[:-1]
    head = f"## {heading}\n"
    kept: list[str] = []
    size = len(head)
    for index, line in enumerate(lines):
        if size + len(line) + 1 > SECTION_LIMIT - 100:
            kept.append("- " + tr._("… and {n} more").format(n=len(lines) - index))
            break
        kept.append(line)
        size += len(line) + 1
    return CanvasSection(heading, head + "\n".join(kept))


def _date(tr: Translator, moment: datetime) -> str:
    return tr.date(tr.local(moment).date())
