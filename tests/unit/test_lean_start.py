"""`samskab --help` and `samskab console` start without loading what they do not use: help loads
neither SQLAlchemy, Alembic, pydantic's settings nor a platform's SDK; the console loads no
platform's SDK. Each in a fresh interpreter, whose sys.modules shows what was imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLATFORMS = ["slack_bolt", "slack_sdk", "aiohttp", "botbuilder", "httpx", "uvicorn", "starlette"]
STORAGE = ["sqlalchemy", "alembic", "pydantic_settings"]

PROGRAM = """
import json, sys
from bot.cli import main
sys.stdin = open(sys.argv[1])
try:
    code = main(sys.argv[2:])
except SystemExit as exit_:
    code = exit_.code
print("\\n@loaded " + json.dumps({"code": code, "loaded": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def run_samskab(tmp_path: Path, *args: str, stdin: str = "") -> tuple[str, dict[str, object]]:
    typed = tmp_path / "stdin.txt"
    typed.write_text(stdin)
    ours = ("SAMSKAB_", "SLACK_", "TEAMS_", "DATABASE_URL")  # no chat service configured
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(ours)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'samskab.db'}"
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(typed), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    shown, _, outcome = done.stdout.rpartition("\n@loaded ")
    return shown, json.loads(outcome)


def test_help_loads_no_database_and_no_platform(tmp_path: Path) -> None:
    shown, outcome = run_samskab(tmp_path, "--help")
    assert outcome["code"] == 0
    assert "console" in shown and "serve" in shown
    loaded = set(outcome["loaded"])  # type: ignore[call-overload]
    assert loaded.isdisjoint(STORAGE + PLATFORMS), sorted(loaded & set(STORAGE + PLATFORMS))
    assert not (tmp_path / "samskab.db").exists(), "help opens no database"


def test_the_console_loads_no_platform(tmp_path: Path) -> None:
    shown, outcome = run_samskab(tmp_path, "console", stdin="/samskab hjælp\n")
    assert outcome["code"] == 0
    assert "/samskab status" in shown
    loaded = set(outcome["loaded"])  # type: ignore[call-overload]
    assert "sqlalchemy" in loaded  # the console does use the database
    assert loaded.isdisjoint(PLATFORMS), sorted(loaded & set(PLATFORMS))
