"""The Teams channel tab in headless Chromium: our shell page asks Teams for the person's token,
fetches the status page with it and shows it in place. Teams itself (the host that answers
@microsoft/teams-js inside its client) is not here, so the library's file is answered by a
stand-in that gives the token the fake identity provider signed; everything after that is ours
and real: the shell's script, the token checked over HTTP against the provider's keys, the
membership, the page, and the refusal a colleague outside the process reads."""

from __future__ import annotations

import json
from typing import Any

from handlers.context import Deps
from tests.browser.conftest import run_axe
from tests.fakes import teams_activities as teams
from tests.fakes.identity import FakeIdentity
from tests.scenarios.test_status_page_access import MEMBER, OUTSIDER, our_api, tab_base
from tests.scenarios.test_status_page_access import identity as identity  # a fixture
from tests.scenarios.test_status_page_access import tab as tab  # a fixture
from tests.teams_harness import TeamsHarness


def teams_host(token: str) -> str:
    """What Teams' client would answer the tab through @microsoft/teams-js."""
    return (
        "window.microsoftTeams = {"
        " app: { initialize: () => Promise.resolve(),"
        f" getContext: () => Promise.resolve({{ channel: {{ id: {json.dumps(teams.CHANNEL_ID)} }} }}) }},"
        f" authentication: {{ getAuthToken: () => Promise.resolve({json.dumps(token)}) }} }};"
    )


def open_tab(browser: Any, tab: TeamsHarness, token: str) -> Any:
    context = browser.new_context(bypass_csp=True)  # axe-core is injected as a script
    page = context.new_page()
    page.route(
        "**/static/teams-js.min.js",
        lambda route: route.fulfill(content_type="text/javascript", body=teams_host(token)),
    )
    page.goto(f"{tab_base(tab)}/teams/tab?channel={teams.CHANNEL_ID}")
    return page


def test_the_tab_shows_a_members_status_page(
    deps: Deps, identity: FakeIdentity, tab: TeamsHarness, browser: Any
) -> None:
    token = identity.token(
        tenant_id=teams.TENANT_ID, object_id=MEMBER.aad_object_id, audience=our_api(tab)
    )
    page = open_tab(browser, tab, token)
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Odder"
    assert page.locator("ol.timeline > li[aria-current='step']").count() == 1
    assert page.locator("html").get_attribute("lang") == "da"
    violations = run_axe(page)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]


def test_the_tab_tells_a_colleague_outside_the_process_why_and_shows_nothing_of_it(
    deps: Deps, identity: FakeIdentity, tab: TeamsHarness, browser: Any
) -> None:
    token = identity.token(
        tenant_id=teams.TENANT_ID, object_id=OUTSIDER.aad_object_id, audience=our_api(tab)
    )
    page = open_tab(browser, tab, token)
    page.wait_for_selector("h1")
    shown = page.locator("body").inner_text()
    assert "Kun forløbets deltagere kan se denne side" in shown  # and in English below it
    assert "Odder" not in shown and "Trin" not in shown
    assert page.locator("ol.timeline").count() == 0
