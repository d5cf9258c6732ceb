"""The CLI as a newcomer runs it: real subprocesses, a real SQLite file, no chat service."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

SCRIPT = Path(sysconfig.get_path("scripts")) / "samskab"


def run(
    tmp_path: Path,
    *args: str,
    stdin: str = "",
    script: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "bot"]
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "TEAMS_", "SAMSKAB_", "DATABASE_URL"))
    }
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path / 'samskab.db'}"
    clean.update(env or {})
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=120,
    )


def test_demo_then_a_scripted_console_shows_the_status(tmp_path: Path) -> None:
    assert SCRIPT.exists(), "the samskab console script is installed"
    demo = run(tmp_path, "demo", script=True)
    assert demo.returncode == 0, demo.stderr
    assert "Demoforløbet »Samskabt styring i socialpsykiatrien« er indlæst" in demo.stdout

    console = run(tmp_path, "console", stdin="/samskab status\n", script=True)
    assert console.returncode == 0, console.stderr
    assert "Du er Mette Lund i #odder-samskabelse" in console.stdout
    assert "Trin 3 af 6: Udvikle løsninger" in console.stdout
    assert "Visitation: 2 holdt, 1 planlagt" in console.stdout
    assert "Input modtaget: 8 input" in console.stdout
    assert "Traceback" not in console.stderr

    again = run(tmp_path, "demo")
    assert again.returncode == 0 and "allerede indlæst" in again.stdout


def test_digest_now_posts_the_status_of_every_process(tmp_path: Path) -> None:
    run(tmp_path, "demo")
    digest = run(tmp_path, "digest", "--now")
    assert digest.returncode == 0, digest.stderr
    assert "#odder-samskabelse" in digest.stdout
    assert "Status på forløbet — hvor er vi?" in digest.stdout
    missing = run(tmp_path, "digest", "--now", "--channel", "findes-ikke")
    assert (
        missing.returncode == 1 and "Intet aktivt forløb i kanalen findes-ikke." in missing.stderr
    )


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    result = run(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "samskab.db").exists()


@pytest.mark.parametrize("command", ["serve", "socket"])
def test_serve_without_settings_names_them_and_exits_non_zero(tmp_path: Path, command: str) -> None:
    result = run(tmp_path, command)
    assert result.returncode != 0
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    if command == "serve":
        assert "TEAMS_APP_ID" in result.stderr and "TEAMS_APP_PASSWORD" in result.stderr
    else:
        assert "SLACK_APP_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_setting_is_explained_in_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "migrate", env={"SAMSKAB_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert "SAMSKAB_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_the_console_speaks_english_when_asked(tmp_path: Path) -> None:
    result = run(tmp_path, "console", stdin="/samskab status\n", env={"SAMSKAB_LANGUAGE": "en"})
    assert result.returncode == 0, result.stderr
    assert "No process is set up in this channel yet." in result.stdout


def test_serve_with_slack_settings_answers_the_health_check(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port for the real CLI, which takes a fixed --port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'samskab.db'}",
        "SLACK_BOT_TOKEN": "xoxb-x",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        for _ in range(200):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert health is not None and health.status_code == 200
        assert health.json() == {"status": "ok", "adapters": ["slack"]}
        unsigned = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"command=/samskab")
        assert unsigned.status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells the signal.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete." in output and "Traceback" not in output
