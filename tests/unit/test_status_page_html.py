"""The status page as HTML, in Danish and English: the six steps with the current one marked in
words, each chart with its numbers beside it in text, a document a screen reader can walk (one
h1, headings in order, every chart an image with a name), no script and nothing from another
host, and a title with markup in it shown as text.

The Danish test reads the page's new words from the catalogs (handlers/i18n/locales)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.web.page import STATIC, status_page_html
from handlers.context import Deps
from handlers.interactions import submit_form
from schedules.jobs import Runtime, run_hassle_closing
from storage.models import Process
from tests.builders import (
    add_hassle,
    channel,
    person,
    plan,
    set_up,
    start_hassle_round,
    summarise,
    with_ballot_key,
)
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver

METTE = person("Mette Lund")
ATTENDED = [person("Anna Holm"), person("Bo Sørensen"), person("Camilla Friis")]
ABSENT = [person("Emil Vestergaard"), person("Frida Juhl"), person("Gitte Møller")]
ODDER = channel("odder", [METTE, *ATTENDED, *ABSENT])
NAME = "Visitation <script>alert('x')</script> & co"


@pytest.fixture
def process_id(deps: Deps, clock: Clock, tmp_path: Path) -> int:
    """A process in step 3 after a workshop with three who came and three who did not; all six
    answered the pulse (4, 4, 5 and 3, 3, 2), and two of the absent gave input."""
    set_up(deps, ODDER, METTE, step="2", name=NAME)
    held = plan(deps, ODDER, METTE, [METTE, *ATTENDED, *ABSENT], title="Ny <b>visitationsmodel</b>")
    plan(deps, ODDER, METTE, [METTE, *ATTENDED], title="Afprøvning", when="2026-12-07 13:00")
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    summarise(deps, ODDER, METTE, held, [METTE, *ATTENDED])
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.deliver()
    for who in ABSENT[:2]:
        chat.type("/as " + who.name)
        dm = chat.received_by("DM til " + who.name)[0]
        chat.type(
            "/click " + chat.button(dm, "Giv input"),
            {"Dit input": "Husk nattevagterne.", "Vis mit navn?": "Ja, med mit navn"},
        )
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    chat.type("/as Mette Lund")
    posts = chat.type("/samskab trin 3")
    dms = {p.label.removeprefix("DM til "): p for p in posts if p.label.startswith("DM til ")}
    scores = zip([*ATTENDED, *ABSENT], (4, 4, 5, 3, 3, 2), strict=True)
    for who, score in scores:
        chat.type("/as " + who.name)
        chat.type("/click " + chat.button(dms[who.name], str(score)))
    with deps.db.transaction() as session:
        found: int | None = session.scalar(select(Process.id))
        assert found is not None
        return found


def test_the_page_in_english(deps: Deps, process_id: int) -> None:
    page = status_page_html(deps, process_id, language="en")
    doc = parse(page)
    assert doc.lang == "en"
    assert doc.h1 == [NAME], "the title is shown as text"
    current = doc.current_step
    assert "Develop solutions" in current and "Now" in current
    assert "Step 3 of 6: Develop solutions" in doc.text
    # Steps 4–6 lie ahead; step 1 was passed before the process was set up at step 2.
    assert doc.text.count("Not begun yet") == 3
    # The reach chart's numbers, in words beside it.
    assert "Asked for input | 3 colleagues who did not attend" in doc.table_rows
    assert "Have answered | 2 colleagues (2 with input, 0 without)" in doc.table_rows
    # The pulse: 3,5 over all; 4,3 for those who came, 2,7 for the others, each from 3 answers.
    [pulse] = [r for r in doc.table_rows if "6 of 7" in r]
    assert pulse.endswith("| 3 | 6 of 7 (86%) | 3.5 | 4.3 (3 answers) | 2.7 (3 answers)"), pulse
    assert "Ny <b>visitationsmodel</b> · Monday 23 November · 4 of 7 attended" in doc.text
    assert "Afprøvning · Monday 7 December at 13:00" in doc.text


def test_the_page_in_danish_by_the_processs_language(deps: Deps, process_id: int) -> None:
    doc = parse(status_page_html(deps, process_id))
    assert doc.lang == "da"
    assert "Udvikle løsninger" in doc.current_step and "Nu" in doc.current_step
    assert "Spurgt om input | 3 kolleger, der ikke deltog" in doc.table_rows
    [pulse] = [r for r in doc.table_rows if "6 af 7" in r]
    assert pulse.endswith("| 3 | 6 af 7 (86 %) | 3,5 | 4,3 (3 svar) | 2,7 (3 svar)"), pulse
    assert "Hvor er vi?" in doc.text


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_document_a_screen_reader_can_walk(deps: Deps, process_id: int, language: str) -> None:
    page = status_page_html(deps, process_id, language=language)
    doc = parse(page)
    assert doc.unclosed == [] and doc.mismatched == []
    assert len(doc.h1) == 1
    levels = [int(tag[1]) for tag in doc.headings]
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    assert {"header", "main", "footer"} <= doc.tags
    assert len(doc.svgs) == 2, "the reach and the pulse"
    for svg in doc.svgs:
        assert svg.get("role") == "img"
        names = [doc.text_of.get(i, "") for i in (svg.get("aria-labelledby") or "").split()]
        assert all(names) and names, svg
    assert "script" not in doc.tags
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "http://" not in page and "https://" not in page
    assert 'href="/static/status.css"' in page


def test_the_hassle_round_while_voting_and_after_the_close(
    deps: Deps, clock: Clock, process_id: int
) -> None:
    deps = with_ballot_key(deps)
    round_id = start_hassle_round(deps, ODDER, METTE, collect_until="2026-11-27")
    add_hassle(deps, ATTENDED[0], round_id, "Dobbeltregistrering i journalen")
    add_hassle(deps, ATTENDED[1], round_id, "Langsom IT om morgenen")
    clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    opened = submit_form(
        deps,
        METTE,
        ODDER,
        "hassle.open_voting",
        {"round": round_id},
        {"dots": "2", "stacking": "no", "vote_until": "2026-12-02"},
    )
    assert opened.ok, opened.errors
    for who in ATTENDED:
        dots = submit_form(deps, who, None, "hassle.dots", {"round": round_id}, {"items": ["1"]})
        assert dots.errors == {}
    voting = parse(status_page_html(deps, process_id, language="en")).text
    assert "Voting until Wednesday 2 December" in voting
    assert not re.search(r"\d dots?\b", voting), "no count of support before the close"

    clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert asyncio.run(run_hassle_closing(Runtime(deps))) == 1
    closed = parse(status_page_html(deps, process_id, language="en")).text
    assert "#1 Dobbeltregistrering i journalen – 3 dots" in closed
    assert "#2 Langsom IT om morgenen – 0 dots" in closed
    assert "The facilitators have not chosen the challenges yet." in closed


def test_an_unknown_process_is_a_lookup_error(deps: Deps) -> None:
    with pytest.raises(LookupError):
        status_page_html(deps, 4711)


def test_the_stylesheet_has_a_print_layout_for_a4() -> None:
    css = (STATIC / "status.css").read_text(encoding="utf-8")
    assert "@media print" in css and "size: A4" in css
    assert "http" not in css and "@import" not in css


# --- reading the page ------------------------------------------------------------------------

VOID = {"meta", "link", "br", "img", "input", "hr", "rect", "line"}


@dataclass
class Document(HTMLParser):
    lang: str | None = None
    tags: set[str] = field(default_factory=set)
    headings: list[str] = field(default_factory=list)
    h1: list[str] = field(default_factory=list)
    svgs: list[dict[str, str | None]] = field(default_factory=list)
    text_of: dict[str, str] = field(default_factory=dict)  # element id → its text
    table_rows: list[str] = field(default_factory=list)
    current_step: str = ""
    text: str = ""
    unclosed: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, str | None, bool]] = []  # tag, id, aria-current
        self._texts: dict[int, list[str]] = {}  # open element's depth → its text so far
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "svg" and a.get("aria-hidden") != "true":
            self.svgs.append(a)
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = []
        if tag in VOID:
            return
        self._stack.append((tag, a.get("id"), "aria-current" in a))
        self._texts[len(self._stack)] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self._stack or self._stack[-1][0] != tag:
            self.mismatched.append(tag)
            return
        depth = len(self._stack)
        text = " ".join("".join(self._texts.pop(depth)).split())
        name, element_id, current = self._stack.pop()
        if element_id:
            self.text_of[element_id] = text
        if current:
            self.current_step = text
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(name)
            if name == "h1":
                self.h1.append(text)
        if name in ("td", "th") and self._row is not None:
            self._row.append(text)
        if name == "tr" and self._row is not None:
            self.table_rows.append(" | ".join(self._row))
            self._row = None
        if depth > 1:
            self._texts[depth - 1].append(" " + "".join(text) + " ")

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._texts[len(self._stack)].append(data)
        self.text += data


def parse(page: str) -> Document:
    doc = Document()
    doc.feed(page)
    doc.close()
    doc.unclosed = [tag for tag, _, _ in doc._stack]
    doc.text = " ".join(doc.text.split())
    return doc
