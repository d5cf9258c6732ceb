"""The CLI as a newcomer runs it, on a real SQLite file with no chat service: `main(argv)`
in-process, and two real processes where the process is the point (the installed `samskab` script
with a console on its standard input, and `samskab serve` answering over HTTP)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from tests.command_line import CommandLine
from tests.servers import answers
from tests.waiting import eventually

SCRIPT = Path(sysconfig.get_path("scripts")) / "samskab"


def test_demo_then_the_installed_script_runs_a_scripted_console(
    samskab: CommandLine, tmp_path: Path
) -> None:
    demo = samskab("demo")
    assert demo.returncode == 0, demo.stderr
    assert "Demoforløbet »Samskabt styring i socialpsykiatrien« er indlæst" in demo.stdout

    assert SCRIPT.exists(), "the samskab console script is installed"
    console = subprocess.run(  # the environment samskab set: this database, no chat settings
        [str(SCRIPT), "console"],
        input="/samskab status\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert console.returncode == 0, console.stderr
    assert "Du er Mette Lund i #odder-samskabelse" in console.stdout
    assert "Trin 3 af 6: Udvikle løsninger" in console.stdout
    assert "Visitation: 2 holdt, 1 planlagt" in console.stdout
    assert "Input modtaget: 8 input" in console.stdout
    assert "Traceback" not in console.stderr

    again = samskab("demo")
    assert again.returncode == 0 and "allerede indlæst" in again.stdout


def test_digest_now_posts_the_status_of_every_process(samskab: CommandLine) -> None:
    samskab("demo")
    digest = samskab("digest", "--now")
    assert digest.returncode == 0, digest.stderr
    assert "#odder-samskabelse" in digest.stdout
    assert "Status på forløbet — hvor er vi?" in digest.stdout
    missing = samskab("digest", "--now", "--channel", "findes-ikke")
    assert (
        missing.returncode == 1 and "Intet aktivt forløb i kanalen findes-ikke." in missing.stderr
    )


def test_migrate_creates_the_database(samskab: CommandLine, tmp_path: Path) -> None:
    (tmp_path / "samskab.db").unlink()  # a newcomer's first command: no database yet
    result = samskab("migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "samskab.db").exists()


@pytest.mark.parametrize("command", ["serve", "socket"])
def test_serve_without_settings_names_them_and_exits_non_zero(
    samskab: CommandLine, command: str
) -> None:
    result = samskab(command)
    assert result.returncode != 0
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    if command == "serve":
        assert "TEAMS_APP_ID" in result.stderr and "TEAMS_APP_PASSWORD" in result.stderr
    else:
        assert "SLACK_APP_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_setting_is_explained_in_one_line(samskab: CommandLine) -> None:
    result = samskab("migrate", env={"SAMSKAB_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert "SAMSKAB_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_the_console_speaks_english_when_asked(samskab: CommandLine) -> None:
    result = samskab("console", stdin="/samskab status\n", env={"SAMSKAB_LANGUAGE": "en"})
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
        eventually(lambda: answers(f"http://127.0.0.1:{port}/healthz"), timeout=30)
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.json() == {"status": "ok", "adapters": ["slack"]}
        unsigned = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"command=/samskab")
        assert unsigned.status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells the signal.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete." in output and "Traceback" not in output
