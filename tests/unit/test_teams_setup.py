"""Teams set-up: where the bot's token comes from, and the app package."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

from bot.settings import Settings
from bot.teams.app import token_url

ROOT = Path(__file__).parents[2]


def test_a_single_tenant_bot_gets_its_token_from_its_tenant() -> None:
    multi = Settings(teams_app_id="a", teams_app_password="p")
    single = Settings(teams_app_id="a", teams_app_password="p", teams_tenant_id="contoso-id")
    chosen = Settings(teams_tenant_id="contoso-id", teams_token_url="https://proxy.example/token")
    assert (
        token_url(multi) == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    )
    assert token_url(single) == "https://login.microsoftonline.com/contoso-id/oauth2/v2.0/token"
    assert token_url(chosen) == "https://proxy.example/token", "an explicit URL wins"


def test_the_teams_package_carries_the_app_id_and_the_icons(tmp_path: Path) -> None:
    app_id = "11111111-2222-3333-4444-555555555555"
    result = subprocess.run(
        [str(ROOT / "scripts" / "teams-package"), app_id, "bot.odder.dk"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    package = ROOT / "samskab-teams.zip"
    try:
        with zipfile.ZipFile(package) as archive:
            assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
            manifest = json.loads(archive.read("manifest.json"))
    finally:
        package.unlink()
    assert manifest["id"] == app_id and manifest["bots"][0]["botId"] == app_id
    assert manifest["validDomains"] == ["bot.odder.dk"]
    assert {"team", "personal"} <= set(manifest["bots"][0]["scopes"])
    # The status page as a channel tab, with single sign-on for the app on our domain.
    major, minor = (int(n) for n in manifest["manifestVersion"].split("."))
    assert (major, minor) >= (1, 17)
    assert manifest["$schema"].endswith(f"/v{major}.{minor}/MicrosoftTeams.schema.json")
    [tab] = manifest["configurableTabs"]
    assert tab["configurationUrl"] == "https://bot.odder.dk/teams/tab/config"
    assert tab["scopes"] == ["team"] and tab["context"] == ["channelTab"]
    assert manifest["webApplicationInfo"] == {
        "id": app_id,
        "resource": f"api://bot.odder.dk/{app_id}",
    }
