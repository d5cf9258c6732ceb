"""The files the console writes for a person (`/samskab eksport`, `/samskab minedata`) never
overwrite another's: each gets a name of its own (the readable name, whose it is, a number if
that is taken), is created new (never an existing file or link followed) and is the owner's
alone. Where they land by default, and the database beside them, the repository's .gitignore
keeps out of git."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.console.session import ConsoleSession
from bot.demo import load_demo
from bot.demo_data import CHANNEL
from bot.settings import Settings
from handlers.context import Deps
from handlers.i18n import Translator
from storage.db import sqlite_file
from tests.console_driver import ConsoleDriver

ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def chat(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    load_demo(deps, Translator("da"))
    files = tmp_path / "files"
    files.mkdir()
    return ConsoleDriver(deps, channel=CHANNEL, as_name="Mette Lund", export_dir=files)


def saved(chat: ConsoleDriver, command: str) -> Path:
    """The file the console says it saved for `command`."""
    chat.type(command)
    (line,) = [line for line in chat.last_text.splitlines() if line.startswith("Filen er gemt: ")]
    return Path(line.removeprefix("Filen er gemt: "))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_two_colleagues_data_and_two_exports_are_four_private_files(chat: ConsoleDriver) -> None:
    files: dict[str, Path] = {}
    for name, command in [
        ("Mette Lund", "/samskab eksport"),
        ("Jesper Krogh", "/samskab eksport"),
        ("Anna Holm", "/samskab minedata"),
        ("Bo Sørensen", "/samskab minedata"),
    ]:
        chat.type("/as " + name)
        files[name] = saved(chat, command)

    assert sorted(chat.session.export_dir.iterdir()) == sorted(files.values())
    for path in files.values():
        assert mode(path) == 0o600, path.name
        assert path.name.startswith(("samskab-export-1-", "samskab-mydata-")), path.name
    assert files["Mette Lund"].name == "samskab-export-1-2026-11-23-mette-lund.md"
    assert files["Anna Holm"].name == "samskab-mydata-2026-11-23-anna-holm.json"
    for name in ("Anna Holm", "Bo Sørensen"):
        data = json.loads(files[name].read_text(encoding="utf-8"))
        assert data["person"]["name"] == name, "each has their own data, not the other's"


def test_the_same_file_again_gets_the_next_number(chat: ConsoleDriver) -> None:
    first = saved(chat, "/samskab eksport")
    first.write_text("Mettes noter i den første fil\n", encoding="utf-8")
    second = saved(chat, "/samskab eksport")
    third = saved(chat, "/samskab eksport")
    assert [second.name, third.name] == [
        "samskab-export-1-2026-11-23-mette-lund-2.md",
        "samskab-export-1-2026-11-23-mette-lund-3.md",
    ]
    assert first.read_text(encoding="utf-8") == "Mettes noter i den første fil\n"
    assert second.read_bytes() == third.read_bytes() and mode(third) == 0o600


def test_a_link_where_the_file_would_go_is_not_followed(
    chat: ConsoleDriver, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("not the bot's\n", encoding="utf-8")
    link = chat.session.export_dir / "samskab-export-1-2026-11-23-mette-lund.md"
    link.symlink_to(elsewhere)
    written = saved(chat, "/samskab eksport")
    assert written.name == "samskab-export-1-2026-11-23-mette-lund-2.md"
    assert elsewhere.read_text(encoding="utf-8") == "not the bot's\n"
    assert link.is_symlink()


def test_a_directory_that_cannot_be_written_is_said_plainly(chat: ConsoleDriver) -> None:
    chat.session.export_dir = chat.session.export_dir / "findes-ikke"
    chat.type("/samskab eksport")  # raised out of the command before: the console's apology
    assert "Kan ikke skrive " in chat.last_text and "Filen er gemt" not in chat.last_text


def test_the_default_export_location_and_the_database_are_ignored_by_git(
    deps: Deps, chat: ConsoleDriver
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: .gitignore cannot be checked")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout: .gitignore cannot be checked")
    # The console writes where it is started (`samskab console` passes no directory), and the
    # default database is a file there too: as a person trying the demo in a checkout does.
    default = ConsoleSession(deps, lambda: None, io.StringIO()).export_dir
    assert default == Path(".")
    database = sqlite_file(str(Settings.model_fields["database_url"].default))
    assert database is not None and database.parent == Path(".")

    names = [saved(chat, "/samskab eksport").name, saved(chat, "/samskab eksport csv").name]
    chat.type("/as Anna Holm")
    names += [saved(chat, "/samskab minedata").name, saved(chat, "/samskab minedata").name]
    names += [database.name + suffix for suffix in ("", "-wal", "-shm", "-journal")]
    paths = [str(default / name) for name in names]

    ignored = _check_ignore([*paths, "bot/demo.py"])
    assert ignored == set(paths), "every one ignored, and a source file not"


def _check_ignore(paths: list[str]) -> set[str]:
    """The paths the repository's ignore rules cover, whether or not the files exist."""
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        input="\n".join(paths) + "\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: none of them is ignored
    return set(result.stdout.splitlines())
