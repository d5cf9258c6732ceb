"""The status page as a colleague sees it, in headless Chromium, served by our real app over real
HTTP from a personal link: the timeline and the charts laid out and drawn to their numbers (their
screenshots kept beside the test's files), no accessibility violation at WCAG 2.1 AA by axe-core,
in Danish and in English, the demo process printed on one A4 page, and the page refused, with
nothing of the process in it, without a valid link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.demo import load_demo
from bot.web.access import StatusLinks
from handlers.context import Deps, PersonRef
from handlers.i18n import Translator
from storage.models import Process
from tests.browser.conftest import run_axe
from tests.slack_harness import SECRET, slack_bot
from tests.unit.test_status_page_html import METTE, NAME
from tests.unit.test_status_page_html import process_id as process_id  # a fixture


@pytest.fixture
def served(deps: Deps) -> Iterator[str]:
    """Our app with the Slack adapter (which serves the personal links): its base URL."""
    with slack_bot(deps, {}, []) as harness:
        yield harness.url.removesuffix("/slack/events")


@pytest.fixture
def demo(deps: Deps) -> None:
    """`samskab demo`'s process (Odder's, in step 3 with nine workshops) in this database."""
    load_demo(deps, Translator("da"))


def link(deps: Deps, base: str, who: PersonRef, process: int) -> str:
    return f"{base}/status/{process}?t={StatusLinks(SECRET, deps.clock).token(who, process)}"


def set_language(deps: Deps, process: int, language: str) -> None:
    with deps.db.transaction() as session:
        session.execute(update(Process).where(Process.id == process).values(language=language))


def open_page(browser: Any, url: str, **context: Any) -> tuple[Any, Any]:
    # bypass_csp: axe-core is injected as a script, which the page's policy rightly forbids.
    page = browser.new_context(bypass_csp=True, **context).new_page()
    response = page.goto(url)
    return page, response


def bar_lengths(page: Any, chart: str) -> list[float]:
    return [
        float(width)
        for width in page.eval_on_selector_all(
            f"svg.{chart} rect.bar", "rects => rects.map(r => r.getAttribute('width'))"
        )
    ]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_page_as_a_colleague_sees_it(
    deps: Deps, served: str, process_id: int, language: str, tmp_path: Path, browser: Any
) -> None:
    set_language(deps, process_id, language)
    page, response = open_page(browser, link(deps, served, METTE, process_id))
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == NAME  # the markup in the name shown as text

    # The timeline: six steps side by side, step 3 marked in words as well as in colour.
    steps = page.locator("ol.timeline > li")
    assert steps.count() == 6
    current = page.locator("ol.timeline > li[aria-current='step']")
    assert current.count() == 1
    assert ("Nu" if language == "da" else "Now") in (current.text_content() or "")
    assert "3" in current.inner_text()
    # Step 1 was passed before the process came to Samskab: said so, not "not begun".
    assert ("Gennemført" if language == "da" else "Passed") in steps.first.inner_text()
    boxes = [steps.nth(n).bounding_box() for n in range(6)]
    assert all(box is not None and box["width"] > 60 for box in boxes)
    assert [box["x"] for box in boxes if box] == sorted(box["x"] for box in boxes if box)
    steps.first.locator("xpath=..").screenshot(path=tmp_path / f"timeline-{language}.png")

    # The charts: drawn, and drawn to the numbers written beside them.
    for chart in ("reach-chart", "pulse-chart"):
        svg = page.locator(f"svg.{chart}")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 40
        svg.screenshot(path=tmp_path / f"{chart}-{language}.png")
    asked, *others = bar_lengths(page, "reach-chart")
    reach_text = page.locator("section.reach").inner_text()
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\s*$", reach_text, flags=re.MULTILINE)]
    assert numbers and asked > 0
    # Each bar is as long, against the first (asked), as its number against the first number.
    for length, number in zip(others, numbers[1:], strict=False):
        assert abs(length / asked - number / numbers[0]) < 0.02, (length, number)
    page.screenshot(path=tmp_path / f"page-{language}.png", full_page=True)

    # No page width lost to sideways scrolling on a phone.
    phone, _ = open_page(
        browser, link(deps, served, METTE, process_id), viewport={"width": 375, "height": 700}
    )
    wider = phone.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + ' ' + (e.getAttribute('class') || ''))"""
    )
    assert wider == [], wider

    # axe-core: no violation of WCAG 2.1 A or AA.
    violations = run_axe(page)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]


def test_the_page_keeps_to_its_own_content_security_policy(
    deps: Deps, served: str, process_id: int, browser: Any
) -> None:
    """Under its policy (no bypass): nothing the page needs is refused, and its stylesheet,
    from our own /static, is applied."""
    page = browser.new_context().new_page()
    complaints: list[str] = []  # what the browser says it refused or could not load
    page.on("console", lambda message: complaints.append(message.text))
    failed: list[str] = []
    page.on(
        "response",
        lambda answer: failed.append(answer.url) if answer.status >= 400 else None,
    )
    response = page.goto(link(deps, served, METTE, process_id))
    assert "frame-ancestors" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    # The browser's own try at /favicon.ico is no part of the page.
    failed = [url for url in failed if not url.endswith("/favicon.ico")]
    assert failed == []
    assert [c for c in complaints if "Failed to load resource" not in c] == []
    # status.css draws the current step with a border the browser's default style has not.
    border = page.eval_on_selector(
        "li[aria-current='step']", "e => getComputedStyle(e).borderTopWidth"
    )
    assert border not in ("", "0px"), border


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_demo_process_prints_on_one_a4_page(
    deps: Deps, served: str, language: str, demo: None, browser: Any
) -> None:
    set_language(deps, 1, language)
    with deps.db.transaction() as session:
        facilitator = session.get(Process, 1).members[0].person  # type: ignore[union-attr]
        who = PersonRef(facilitator.platform, facilitator.workspace, facilitator.user_id)
    page, response = open_page(browser, link(deps, served, who, 1))
    assert response.status == 200
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1


def test_the_page_is_refused_without_a_valid_link(
    deps: Deps, served: str, process_id: int, browser: Any
) -> None:
    good = link(deps, served, METTE, process_id)
    for url in (
        f"{served}/status/{process_id}",  # no link at all
        good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),  # altered
        link(deps, served, PersonRef("console", "local", "stranger"), process_id),  # not a member
    ):
        page, response = open_page(browser, url)
        assert response.status in (401, 403), url
        body = page.content()
        assert NAME not in body and "Anna Holm" not in body and "timeline" not in body
