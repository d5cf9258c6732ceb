"""The status page ("Hvor er vi?") as one HTML document, rendered on the server with Jinja2:
no JavaScript, nothing fetched from another host (the stylesheet is ours, at /static/status.css).

The content is handlers.status.page_content's `StatusPage`; here it becomes words in the page's
language and the geometry of two SVG charts (bot.web.charts), each with its numbers in a table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.web.charts import PULSE_HEIGHT, REACH_WIDTH, pulse_groups, pulse_width, reach_bars
from handlers.context import Deps
from handlers.facilitators import facilitators_line
from handlers.i18n import N_, Translator, normalise_language
from handlers.pulse.results import decimal
from handlers.status.page_content import StatusPage, TrackItemList, gather_page
from handlers.status.page_words import (
    attendance,
    closed_line,
    day,
    fate_status,
    hassle_words,
    item_status_name,
    more,
    pulse_average,
    pulse_group,
    step_label,
)
from handlers.status.reach import reach_lines
from handlers.workshops.item_words import resolution_text
from storage.models import Process

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STYLESHEET = "/static/status.css"  # served by bot.web.routes from STATIC

# The page's fixed words; the msgids are English, the catalogs hold the Danish.
WORDS = {
    "where": N_("Where are we?"),
    "skip": N_("Skip to the content"),
    "steps": N_("The six steps"),
    "now": N_("Now"),
    "not_begun": N_("Not begun yet"),
    "passed": N_("Passed"),
    "workshops": N_("Workshops per track"),
    "held": N_("Held"),
    "planned": N_("Planned"),
    "nothing_planned": N_("Nothing planned"),
    "no_workshops": N_("No workshops yet."),
    "decisions_questions": N_("Decisions and open questions"),
    "decisions": N_("Decisions"),
    "open_questions": N_("Open questions"),
    "nothing_yet": N_("Nothing yet."),
    "you_said": N_("You said – we did"),
    "reach": N_("Reach: colleagues who did not attend"),
    "reach_nobody": N_("Nobody has been asked for input yet."),
    "input_received": N_("Input received"),
    "what": N_("What"),
    "colleagues": N_("Colleagues"),
    "pulse": N_("Pulse: do you feel up to date on where the process stands?"),
    "pulse_none": N_("No pulse has been sent yet."),
    "sent": N_("Sent"),
    "step": N_("Step"),
    "answers": N_("Answers"),
    "everyone": N_("Everyone"),
    "attended": N_("Attended the workshop"),
    "absent": N_("Did not attend"),
    "pulse_scale": N_("Average answer from 1 (not at all) to 5 (fully)."),
    "legend": N_("Legend"),
}


@cache
def environment() -> Environment:
    # Autoescape everywhere: every text on the page may come from a person.
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def status_page_html(deps: Deps, process_id: int, *, language: str | None = None) -> str:
    """The whole page of a process, in `language` or else the process's. LookupError for a
    process that does not exist."""
    now = deps.clock()
    with deps.db.transaction() as session:
        process = session.get(Process, process_id)
        if process is None:
            raise LookupError(f"no process with id {process_id}")
        page = gather_page(session, process, now)
    tr = Translator(normalise_language(language, page.language), page.timezone, now=now)
    return render_page(page, tr)


def render_page(page: StatusPage, tr: Translator) -> str:
    return environment().get_template("status.html.j2").render(**page_view(page, tr))


def page_view(page: StatusPage, tr: Translator) -> dict[str, Any]:
    """Everything the template shows, as words and numbers."""
    return {
        "lang": tr.language,
        "t": {key: tr._(msgid) for key, msgid in WORDS.items()},
        "stylesheet": STYLESHEET,
        "name": page.name,
        "step_label": step_label(tr, page),
        "as_of": tr._("Status as of {when}.").format(when=tr.datetime(page.now)),
        "closed": closed_line(tr, page),
        "steps": [
            {
                "number": s.number,
                "name": tr._(s.name),
                "current": s.current,
                "began": day(tr, s.began_at) if s.began_at is not None else None,
                # A step before the current one without a date was passed before the process
                # came to Samskab: not "not begun".
                "ahead": s.number > page.current_step,
                "passed": s.number < page.current_step,
            }
            for s in page.steps
        ],
        "tracks": [
            {
                "name": t.name,
                "held": [
                    {
                        "title": w.title,
                        "when": day(tr, w.starts_at),
                        "attendance": attendance(tr, w.attended, w.invited),
                    }
                    for w in t.held
                ],
                "earlier": more(tr, t.held_total, len(t.held)),
                "planned": [
                    {"title": w.title, "when": tr.datetime(w.starts_at)} for w in t.planned
                ],
            }
            for t in page.tracks
        ],
        "item_lists": [
            (tr._(WORDS[key]), _item_groups(tr, groups))
            for key, groups in (
                ("decisions", page.decisions),
                ("open_questions", page.open_questions),
            )
        ],
        "you_said": [
            {
                "label": f.label,
                "said": f.excerpt,
                "status": fate_status(tr, f),
                "note": f.note,
            }
            for f in page.you_said
        ],
        "you_said_more": more(tr, page.you_said_total, len(page.you_said)),
        "hassle": hassle_words(tr, page.hassle, page.timezone) if page.hassle else None,
        "inputs": tr.ngettext("{n} input", "{n} inputs", page.inputs).format(n=page.inputs)
        if page.inputs
        else tr._("none yet"),
        "reach": _reach(tr, page),
        "pulse": _pulse(tr, page),
        "facilitators": facilitators_line(tr, list(page.facilitators)),
    }


def _item_groups(tr: Translator, groups: tuple[TrackItemList, ...]) -> list[dict[str, Any]]:
    return [
        {
            "track": g.track,
            "entries": [
                {
                    "text": i.text,
                    "status": i.status,
                    "status_name": item_status_name(tr, i.status),
                    "resolution": resolution_text(tr, i.status, i.resolution),
                }
                for i in g.items
            ],
            "more": more(tr, g.total, len(g.items)),
        }
        for g in groups
    ]


def _reach(tr: Translator, page: StatusPage) -> dict[str, Any] | None:
    lines = reach_lines(tr, page.reach)
    if not lines:
        return None
    r = page.reach
    bars = reach_bars([(x.label, x.n, x.text) for x in lines], r.asked)
    return {
        "bars": bars,
        "width": REACH_WIDTH,
        "height": 8 + 30 * len(bars),
        "label": tr._(
            "Bar chart: of {asked} colleagues asked for input, {reached} were reached, "
            "{answered} have answered and {not_answered} have not."
        ).format(
            asked=r.asked, reached=r.reached, answered=r.answered, not_answered=r.not_answered
        ),
    }


def _pulse(tr: Translator, page: StatusPage) -> dict[str, Any] | None:
    if not page.pulses:
        return None
    rows = []
    columns: list[tuple[str, tuple[tuple[float | None, str | None], ...]]] = []
    for p in page.pulses:
        rows.append(
            {
                "sent": day(tr, p.sent_at),
                "step": p.step,
                "answers": tr._("{answered} of {asked} ({rate})").format(
                    answered=p.answered,
                    asked=p.asked,
                    rate=format_percent(p.response_rate, locale=tr.locale),
                ),
                "everyone": pulse_average(tr, p),
                "attended": pulse_group(tr, p, p.attended),
                "absent": pulse_group(tr, p, p.absent),
            }
        )
        columns.append(
            (
                format_date(tr.local(p.sent_at).date(), "d/M", locale=tr.locale),
                (
                    (p.average, decimal(tr, p.average) if p.average is not None else None),
                    *(
                        (g.average, decimal(tr, g.average)) if g else (None, None)
                        for g in (p.attended, p.absent)
                    ),
                ),
            )
        )
    groups = pulse_groups(columns)
    return {
        "rows": rows,
        "groups": groups,
        "width": pulse_width(groups),
        "bar_height": PULSE_HEIGHT,
        "label": tr._(
            "Bar chart of the pulse over time: the average answer from 1 to 5 for everyone, for "
            "those who attended and for those who did not, a group of bars per pulse. A group "
            "with fewer than {n} answers is not shown."
        ).format(n=page.min_answers),
    }
