"""The adapter contract: every platform declares its name, the settings it needs and how to be
built, and `samskab serve`, `samskab digest --now` and the CLI's messages read the registry."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.adapters.contract import Adapter, Mounted
from bot.adapters.registry import ADAPTERS, configured, configured_messengers, runners
from bot.cli import main
from bot.server import NoAdapter, build_app
from bot.settings import Settings
from handlers.context import Deps
from schedules.envelopes import Delivered, Envelope

SLACK = {"slack_bot_token": "xoxb-test", "slack_signing_secret": "s"}
TEAMS = {"teams_app_id": "app-123", "teams_app_password": "secret"}
EVERY_SETTING = {
    name
    for a in ADAPTERS
    for name in a.required_settings + (a.runner.required_settings if a.runner else ())
}


@pytest.fixture(autouse=True)
def no_platform_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only the settings a test gives (and Danish, the default): none from the environment,
    and no `.env` to read."""
    for name in (*EVERY_SETTING, "SAMSKAB_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def settings(deps: Deps, **values: Any) -> Settings:
    return Settings(database_url=deps.db.url, scheduler=False, **values)


def paths(app: Any) -> set[str]:
    return {route.path for route in app.routes}


def get(app: Any, path: str) -> httpx.Response:
    """A request to the app in-process (its lifespan, the delivery worker, not started)."""

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://samskab") as client:
            return await client.get(path)

    return asyncio.run(fetch())


def test_every_adapter_declares_its_name_settings_and_build() -> None:
    names = [a.name for a in ADAPTERS]
    assert names == ["slack", "teams"] and len(set(names)) == len(names)
    for adapter in ADAPTERS:
        assert adapter.title and adapter.required_settings, adapter.name
        assert all(
            name.isupper() and Settings.env_name(name.lower()) == name
            for name in adapter.required_settings
        ), "each is a setting's environment name"
        assert callable(adapter.build) and callable(adapter.messenger)
    assert [r.command for r in runners()] == ["socket"], "Socket Mode is Slack's runner"


# The status page: personal links with Slack, the channel tab with Teams (bot.web.routes).
SLACK_PAGE = {"/status/{process_id:int}", "/static/{name}"}
TEAMS_TAB = {"/teams/tab", "/teams/tab/config", "/teams/tab/page", "/static/{name}"}


def test_with_only_slack_settings_only_slack_is_mounted(deps: Deps) -> None:
    app = build_app(settings(deps, **SLACK), deps)
    assert paths(app) == {"/slack/events", "/healthz", *SLACK_PAGE}
    assert get(app, "/healthz").json() == {"status": "ok", "adapters": ["slack"]}


def test_with_only_teams_settings_only_teams_is_mounted(deps: Deps) -> None:
    app = build_app(settings(deps, **TEAMS), deps)
    assert paths(app) == {"/api/messages", "/downloads/{token}", "/healthz", *TEAMS_TAB}
    assert get(app, "/healthz").json() == {"status": "ok", "adapters": ["teams"]}


def test_with_both_both_are_mounted(deps: Deps) -> None:
    app = build_app(settings(deps, **SLACK, **TEAMS), deps)
    both = {"/slack/events", "/api/messages", "/downloads/{token}", "/healthz"}
    assert paths(app) == both | SLACK_PAGE | TEAMS_TAB
    assert get(app, "/healthz").json() == {"status": "ok", "adapters": ["slack", "teams"]}


def test_digest_now_sends_through_the_messenger_of_each_configured_adapter(deps: Deps) -> None:
    only_teams = configured_messengers(settings(deps, **TEAMS), deps)
    assert {name: m.platform for name, m in only_teams.items()} == {"teams": "teams"}
    both = configured_messengers(settings(deps, **SLACK, **TEAMS), deps)
    assert {name: m.platform for name, m in both.items()} == {"slack": "slack", "teams": "teams"}


def test_with_neither_the_app_is_not_built_and_the_error_names_what_is_missing(
    deps: Deps,
) -> None:
    with pytest.raises(NoAdapter) as refused:
        build_app(settings(deps, slack_bot_token="xoxb-test"), deps)
    message = str(refused.value)
    assert "SLACK_SIGNING_SECRET" in message and "SLACK_BOT_TOKEN" not in message
    assert "TEAMS_APP_ID, TEAMS_APP_PASSWORD" in message


def test_serve_with_neither_names_every_adapters_missing_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "samskab serve kræver indstillingerne for mindst én platform:",
        "  Slack: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET",
        "  Teams: TEAMS_APP_ID, TEAMS_APP_PASSWORD",
    ]


def test_socket_without_its_settings_names_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    assert main(["socket"]) == 2
    assert capsys.readouterr().err == (
        "samskab socket kræver disse indstillinger: SLACK_SIGNING_SECRET, SLACK_APP_TOKEN\n"
    )


class Pigeon:
    platform = "pigeon"

    async def deliver(self, envelope: Envelope) -> Delivered:
        raise NotImplementedError


def pigeon(settings: Settings, deps: Deps) -> Mounted:
    async def coo(request: Request) -> Response:
        return PlainTextResponse("coo")

    return Mounted([Route("/pigeon", coo)], Pigeon(), background=set(), on_start=lambda n: None)


def test_a_new_platform_is_one_registration(deps: Deps) -> None:
    post = Adapter("pigeon", "Pigeon", ("DATABASE_URL",), pigeon, lambda s, d: Pigeon())
    app = build_app(settings(deps), deps, adapters=(*ADAPTERS, post))
    assert [a.name for a in configured(settings(deps), (*ADAPTERS, post))] == ["pigeon"]
    assert get(app, "/pigeon").text == "coo"
    assert get(app, "/healthz").json()["adapters"] == ["pigeon"]


def test_the_help_loads_no_platform_code() -> None:
    """`samskab --help` reads the registry; each platform's code is imported when built."""
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('slack_bolt', 'slack_sdk', 'httpx',"
        " 'jwt', 'uvicorn', 'starlette', 'apscheduler') or m in ('bot.slack.app', 'bot.teams.app')]\n"
        "print('loaded:', sorted(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "loaded: []" in result.stdout, result.stdout
