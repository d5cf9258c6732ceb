"""Files holding personal data are the owner's alone (0600) under the usual umask 022: the SQLite
database with its -wal and -shm, `samskab export --output`, and the files the console writes for
an export and for `mydata` (each a new file). A file already there, left open to others, is closed
to them when written again (the database; `samskab export --output FILE`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo import load_demo
from bot.demo_data import CHANNEL
from handlers.context import Deps
from handlers.i18n import Translator
from storage.db import Database, sqlite_file
from tests.console_driver import ConsoleDriver


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI in-process, run in `tmp_path` with its database there."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "TEAMS_", "SAMSKAB_")):
            monkeypatch.delenv(name)
    path = tmp_path / "samskab.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def test_the_database_and_its_wal_and_shm_are_the_owners_alone(database: Path) -> None:
    assert main(["migrate"]) == 0
    assert mode(database) == 0o600
    assert_private_while_written(database)


def test_a_database_left_open_to_others_is_closed_to_them_at_start(database: Path) -> None:
    assert main(["migrate"]) == 0
    for path in (database, *companions(database)):  # as a crash under an older version left them
        path.touch()
        path.chmod(0o644)
    assert_private_while_written(database)


def assert_private_while_written(database: Path) -> None:
    """Opened as the bot opens it, and written to: the open connection keeps -wal and -shm."""
    db = Database(f"sqlite:///{database}")
    try:
        load_demo(Deps(db=db), Translator("da"))
        for path in (database, *companions(database)):
            assert path.exists(), path.name
            assert mode(path) == 0o600, path.name
    finally:
        db.dispose()


def test_samskab_export_output_is_the_owners_alone(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    fresh = database.parent / "record.md"
    assert main(["export", "--process", "1", "--output", str(fresh)]) == 0
    assert mode(fresh) == 0o600
    record = fresh.read_bytes()
    assert record.startswith(b"# Samskabt styring i socialpsykiatrien\n")

    existing = database.parent / "old.md"
    existing.write_bytes(b"an older, longer file " * 1000)
    existing.chmod(0o644)
    assert main(["export", "--process", "1", "--output", str(existing)]) == 0
    assert mode(existing) == 0o600
    assert existing.read_bytes() == record, "overwritten, not appended to"
    assert "Traceback" not in capsys.readouterr().err


def test_the_consoles_export_and_mydata_files_are_the_owners_alone(
    deps: Deps, tmp_path: Path
) -> None:
    load_demo(deps, Translator("da"))
    files = tmp_path / "files"
    files.mkdir()
    chat = ConsoleDriver(deps, channel=CHANNEL, as_name="Mette Lund", export_dir=files)
    chat.type("/samskab eksport")
    chat.type("/samskab eksport csv")
    chat.type("/as Anna Holm")
    chat.type("/samskab minedata")
    written = sorted(files.iterdir())
    assert sorted(p.suffix for p in written) == [".csv", ".json", ".md"]
    for path in written:
        assert mode(path) == 0o600, path.name

    (record,) = files.glob("*.md")
    record.chmod(0o644)
    chat.type("/as Mette Lund")
    chat.type("/samskab eksport")  # the same name again, the same day: a file of its own
    (again,) = set(files.glob("*.md")) - {record}
    assert mode(again) == 0o600
    assert mode(record) == 0o644, "the first file is left as it was, not opened again"


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "sqlite:///file:x.db?uri=true", "postgresql://u@h/samskab"],
)
def test_memory_uri_and_postgresql_databases_are_left_alone(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_file(url) is None
    if url.startswith("sqlite"):
        Database(url).dispose()
    assert list(tmp_path.iterdir()) == []
