"""Who may open the status page, over real HTTP against our real server: from Slack with a
personal link (made for the person who asked, refused once they leave or are forgotten, altered
or expired), and from Teams as a channel tab with Azure AD's token for the person, checked
against a fake identity provider's published keys. A refusal says why and nothing of the
process; every page may be framed by Teams and by nobody else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import select

from bot.web.routes import TEAMS_FRAME_ANCESTORS
from handlers.commands import handle_command
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.status.digest import post_digest
from storage.models import Member, Process
from tests import builders
from tests.builders import row_counts
from tests.conftest import Clock
from tests.fakes import slack_payloads as payloads
from tests.fakes import teams_activities as teams
from tests.fakes.identity import FakeIdentity, v1_issuer, v2_issuer
from tests.fakes.teams_activities import TeamsUser
from tests.scenarios.test_slack_loop import EMIL, FRIDA, METTE, USERS, set_up_process
from tests.slack_harness import CHANNEL, TEAM, SlackHarness, slack_bot, text_of
from tests.teams_harness import APP_ID, TeamsHarness, teams_bot
from tests.teams_harness import text_of as teams_text_of
from tests.waiting import eventually

PROCESS = "Odder – samskabt styring"
STRANGER = "U0UKENDT"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


# --- Slack: the personal link -----------------------------------------------------------------


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, USERS, list(USERS)) as harness:
        harness.slack.add_user(STRANGER, "ukendt", real_name="Ukendt Kollega")
        set_up_process(harness, deps)
        yield harness


def base_of(bot: SlackHarness) -> str:
    return bot.url.removesuffix("/slack/events")


def page_links(message: dict[str, Any]) -> list[str]:
    """The addresses of the link buttons that open a status page."""
    return [
        element["url"]
        for block in message.get("blocks", [])
        if block.get("type") == "actions"
        for element in block["elements"]
        if element.get("action_id") == "status.page.open"
    ]


def personal_link(bot: SlackHarness, user: str) -> str:
    """What `/samskab status` shows the person: their own link, below the status."""
    answer = bot.response(bot.command(user, "status"))
    assert answer["response_type"] == "ephemeral"
    [link] = page_links(answer)
    return link


def claims_of(link: str) -> dict[str, Any]:
    """What a link's token says (read here without its key: the server checks the signature)."""
    token = link.partition("?t=")[2]
    return dict(jwt.decode(token, options={"verify_signature": False}))


def process_id(deps: Deps, name: str = PROCESS) -> int:
    with deps.db.transaction() as session:
        return session.scalars(select(Process.id).where(Process.name == name)).one()


def assert_refused(response: httpx.Response, status: int, *secrets: str) -> None:
    """A refusal: the status, the security headers, and nothing of the process."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert_security_headers(response)
    for secret in (PROCESS, "Odder", *secrets):
        assert secret not in response.text


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    directives = response.headers["content-security-policy"].split("; ")
    policy = {name: value for name, _, value in (d.partition(" ") for d in directives)}
    assert policy["default-src"] == "'self'", "no inline script, nothing from elsewhere"
    ancestors = policy["frame-ancestors"].split()
    assert ancestors == ["'self'", *TEAMS_FRAME_ANCESTORS]
    assert all("teams" in host for host in ancestors[1:]), "Teams' hosts and nobody else"


def test_a_members_link_opens_the_page_of_their_process(bot: SlackHarness, deps: Deps) -> None:
    link = personal_link(bot, EMIL)
    assert link.startswith(f"{base_of(bot)}/status/{process_id(deps)}?t=")

    page = httpx.get(link)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert PROCESS in page.text
    assert_security_headers(page)
    css = httpx.get(base_of(bot) + "/static/status.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    # Slack sends the click on a link button to the app too; it is acked like any other.
    bot.click(EMIL, "status.page.open", "")


def test_the_link_stops_working_when_the_person_leaves_the_channel(
    bot: SlackHarness, deps: Deps
) -> None:
    link = personal_link(bot, EMIL)
    assert httpx.get(link).status_code == 200
    bot.event(payloads.member_left_channel(EMIL, CHANNEL), "EvLeft1")
    eventually(lambda: not _active(deps, EMIL))
    assert_refused(httpx.get(link), 403)
    assert_refused(httpx.get(link.replace("/status/", "/status/0")), 403)


def test_the_link_stops_working_when_the_person_is_forgotten(bot: SlackHarness, deps: Deps) -> None:
    link = personal_link(bot, FRIDA)
    assert httpx.get(link).status_code == 200
    view = bot.open_form(FRIDA, "glem-mig")
    done = bot.submit(FRIDA, view, {"confirm": "erase"})  # she has given no named input
    assert done["response_action"] == "update"
    assert_refused(httpx.get(link), 403, "Frida")


def test_an_altered_expired_or_missing_token_is_refused(
    bot: SlackHarness, deps: Deps, clock: Clock
) -> None:
    link = personal_link(bot, EMIL)
    address, _, token = link.partition("?t=")
    header, claims, signature = token.split(".")
    altered = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    assert_refused(httpx.get(f"{address}?t={header}.{claims}.{altered}"), 401)
    assert_refused(httpx.get(f"{address}?t={token[:-10]}"), 401)
    assert_refused(httpx.get(address), 401)

    clock.advance(days=29)
    assert httpx.get(link).status_code == 200, "a link works for 30 days"
    clock.advance(days=2)
    assert_refused(httpx.get(link), 401)
    assert "30" in httpx.get(link).text, "the page says how long a link works"


def test_a_link_opens_only_the_process_it_was_made_for(bot: SlackHarness, deps: Deps) -> None:
    # Another process in the same workspace, which Emil is a member of too.
    people = [PersonRef("slack", TEAM, u, USERS[u][0]) for u in (METTE, EMIL)]
    other = ChannelRef("slack", TEAM, "C0ANDET", "andet", roster=tuple(people))
    builders.set_up(deps, other, people[0], name="Et andet forløb", tracks="Budget")
    link = personal_link(bot, EMIL)
    other_page = link.replace(
        f"/status/{process_id(deps)}?", f"/status/{process_id(deps, 'Et andet forløb')}?"
    )
    assert_refused(httpx.get(other_page), 403, "Et andet forløb")


def test_app_home_carries_the_persons_own_link(bot: SlackHarness, deps: Deps) -> None:
    bot.event(payloads.app_home_opened(EMIL), "EvHomeEmil")
    bot.slack.wait_for(lambda s: EMIL in s.home_views)
    [link] = page_links(bot.slack.home_views[EMIL])
    page = httpx.get(link)
    assert page.status_code == 200 and PROCESS in page.text


def test_the_digest_button_answers_the_presser_with_their_own_link(
    bot: SlackHarness, deps: Deps
) -> None:
    assert post_digest(deps, process_id(deps), "2026-W48")
    bot.slack.wait_for(lambda s: any(_page_button(m) for m in s.messages(CHANNEL)))
    digest = next(m for m in bot.posts(CHANNEL) if _page_button(m))
    assert page_links(digest) == [], "the channel's digest holds nobody's personal link"
    value = _page_button(digest)

    answer = bot.response(bot.click(EMIL, "status.page", value, channel=CHANNEL))
    assert answer["response_type"] == "ephemeral"
    [link] = page_links(answer)
    assert httpx.get(link).status_code == 200
    assert claims_of(link)["sub"] == EMIL, "the presser's own link"

    refused = bot.response(bot.click(STRANGER, "status.page", value, channel=CHANNEL))
    assert page_links(refused) == []
    assert PROCESS in text_of(refused), "a stranger is told they are not a member"


def _page_button(message: dict[str, Any]) -> str:
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == "status.page":
                return str(element["value"])
    return ""


def _active(deps: Deps, user_id: str) -> bool:
    with deps.db.transaction() as session:
        members = session.scalars(select(Member).where(Member.active.is_(True))).all()
        return any(m.person.user_id == user_id for m in members)


# --- Teams: the channel tab -------------------------------------------------------------------

MEMBER = TeamsUser.make("Mette Lund")
COLLEAGUE = TeamsUser.make("Anna Holm")
OUTSIDER = TeamsUser.make("Ole Udenfor")
OTHER_TENANT = "0b6a7c1d-2e3f-4a5b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def identity() -> Iterator[FakeIdentity]:
    with FakeIdentity() as fake:
        yield fake


@pytest.fixture
def tab(deps: Deps, identity: FakeIdentity) -> Iterator[TeamsHarness]:
    settings = {"teams_sso_metadata_url": identity.metadata_url}
    with teams_bot(deps, [MEMBER, COLLEAGUE], more_settings=settings) as harness:
        asked = harness.say(MEMBER, "opsætning")
        form = harness.replies_to(asked)[0]
        harness.submit(MEMBER, form, asked["conversation"]["id"], {"name": "Odder", "step": "3"})
        eventually(lambda: row_counts(deps)["members"] == 2)
        activities = harness.bf.activities(asked["conversation"]["id"])
        assert any("Odder" in teams_text_of(a) for a in activities)
        yield harness


def tab_base(tab: TeamsHarness) -> str:
    return tab.url.removesuffix("/api/messages")


def tab_page(tab: TeamsHarness, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    address = f"{tab_base(tab)}/teams/tab/page"
    return httpx.get(address, params={"channel": teams.CHANNEL_ID}, headers=headers)


def our_api(tab: TeamsHarness) -> str:
    """The app id URI the manifest's webApplicationInfo names: api://{our host}/{app id}."""
    return f"api://{tab_base(tab).removeprefix('http://')}/{APP_ID}"


def test_the_tab_shell_loads_teams_js_from_us_and_runs_no_inline_script(tab: TeamsHarness) -> None:
    for path in ("/teams/tab", "/teams/tab/config"):
        shell = httpx.get(tab_base(tab) + path, params={"channel": teams.CHANNEL_ID})
        assert shell.status_code == 200
        assert_security_headers(shell)
        scripts = re.findall(r"<script([^>]*)>", shell.text)
        assert scripts and all('src="/static/' in attributes for attributes in scripts)
        assert "Odder" not in shell.text, "the shell holds nothing of the process"
    library = httpx.get(tab_base(tab) + "/static/teams-js.min.js")
    assert library.status_code == 200
    assert library.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "getAuthToken" in library.text
    ours = httpx.get(tab_base(tab) + "/static/teams-tab.js").text
    assert "getAuthToken" in ours and "/teams/tab/page" in ours
    assert httpx.get(tab_base(tab) + "/static/..%2Fpage.py").status_code == 404


def test_a_members_token_opens_the_channels_page(tab: TeamsHarness, identity: FakeIdentity) -> None:
    for audience in (our_api(tab), APP_ID):
        token = identity.token(
            tenant_id=teams.TENANT_ID, object_id=MEMBER.aad_object_id, audience=audience
        )
        page = tab_page(tab, token)
        assert page.status_code == 200, page.text
        assert "Odder" in page.text
        assert_security_headers(page)
    v1 = identity.token(
        tenant_id=teams.TENANT_ID,
        object_id=COLLEAGUE.aad_object_id,
        audience=our_api(tab),
        issuer=v1_issuer(teams.TENANT_ID),
    )
    assert tab_page(tab, v1).status_code == 200, "Azure AD's v1 tokens are as good"
    assert identity.jwks_requests == 1, "the keys are fetched once and kept"


def test_tokens_that_are_not_azure_ads_for_this_person_and_app_are_refused(
    tab: TeamsHarness, identity: FakeIdentity
) -> None:
    def token(**changes: Any) -> str:
        claims: dict[str, Any] = {
            "tenant_id": teams.TENANT_ID,
            "object_id": MEMBER.aad_object_id,
            "audience": our_api(tab),
        }
        return identity.token(**(claims | changes))

    assert tab_page(tab, token()).status_code == 200
    assert_refused(tab_page(tab, None), 401)
    assert_refused(tab_page(tab, "not-a-token"), 401)
    assert_refused(tab_page(tab, token(audience="api://elsewhere.example/other-app")), 401)
    assert_refused(tab_page(tab, token(issuer=v2_issuer(OTHER_TENANT))), 401)
    assert_refused(tab_page(tab, token(issuer="https://login.example.org/v2.0")), 401)
    assert_refused(tab_page(tab, token(expires_in=-3600)), 401)
    assert_refused(tab_page(tab, token(signed_by_unknown_key=True)), 401)
    # Azure AD's own token, for another organisation: that tenant has no process here.
    assert_refused(tab_page(tab, token(tenant_id=OTHER_TENANT)), 403)
    # Signed in, but not a member of the channel's process.
    assert_refused(tab_page(tab, token(object_id=OUTSIDER.aad_object_id)), 403)
    assert identity.jwks_requests == 1


def test_a_member_who_leaves_the_team_channel_loses_the_tab(
    tab: TeamsHarness, identity: FakeIdentity, deps: Deps
) -> None:
    token = identity.token(
        tenant_id=teams.TENANT_ID, object_id=COLLEAGUE.aad_object_id, audience=our_api(tab)
    )
    assert tab_page(tab, token).status_code == 200
    left = teams.members_removed(
        [COLLEAGUE], by=MEMBER, service_url=tab.bf.service_url, bot_app_id=APP_ID
    )
    assert tab.post(left).status_code == 200
    eventually(lambda: not _teams_active(deps, COLLEAGUE))
    assert_refused(tab_page(tab, token), 403)


def _teams_active(deps: Deps, user: TeamsUser) -> bool:
    with deps.db.transaction() as session:
        members = session.scalars(select(Member).where(Member.active.is_(True))).all()
        return any(m.person.user_id == user.id for m in members)


def test_the_status_answer_in_teams_has_no_personal_link(deps: Deps) -> None:
    """Teams' people have the tab: their status answer carries no personal link."""
    people = [builders.person("Mette Lund")]
    where = replace(builders.channel("C1", people), platform="teams")
    builders.set_up(deps, where, replace(people[0], platform="teams"))
    reply = handle_command(deps, replace(people[0], platform="teams"), where, "status")
    assert reply.message is not None
    assert not any(block.kind == "link" for block in reply.message.blocks)
