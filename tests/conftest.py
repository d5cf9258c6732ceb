"""Shared fixtures: a real database (SQLite file; PostgreSQL too where TEST_POSTGRES_URL is set),
migrated with Alembic once per session and copied for each test (or each module of table-driven
cases), a clock the test controls, and the `samskab` command line run in-process."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from handlers.context import Deps
from storage.db import Database
from storage.migrate import upgrade
from tests.command_line import CommandLine

POSTGRES = os.environ.get("TEST_POSTGRES_URL")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen: where the clock starts


class Clock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self.now = now


def _postgres_database(template: str | None = None) -> Iterator[str]:
    """A database on the PostgreSQL server for one test (a copy of `template`, or empty),
    dropped afterwards."""
    assert POSTGRES is not None
    name = f"samskab_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema, migrated once per session (per worker, under pytest-xdist); each test gets a
    copy of the file."""
    path = tmp_path_factory.mktemp("template") / "samskab.db"
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:  # everything in the main file, none in the WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The schema, migrated once per session, as a template database on the server."""
    if POSTGRES is None:
        pytest.skip("TEST_POSTGRES_URL is not set: the PostgreSQL variants are skipped")
    for url in _postgres_database():
        upgrade(url)
        yield str(make_url(url).database)


def _template_copy(request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    """A copy of the session's migrated template, of the kind `request.param` names."""
    if request.param == "sqlite":
        path = directory / "samskab.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        path.chmod(0o600)
        yield f"sqlite:///{path}"
    else:
        yield from _postgres_database(request.getfixturevalue("postgres_template"))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of the test's own: a copy of the session's template."""
    yield from _template_copy(request, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database shared by the tests of one module: for table-driven cases that each
    prove they changed nothing, and so can share one database and one served app."""
    yield from _template_copy(request, tmp_path_factory.mktemp("module"))


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, for the tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'samskab.db'}"
    elif POSTGRES is None:
        pytest.skip("TEST_POSTGRES_URL is not set: the PostgreSQL variants are skipped")
    else:
        yield from _postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'samskab.db'}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def deps(db: Database, clock: Clock) -> Deps:
    return Deps(db=db, clock=clock)


@pytest.fixture(scope="module")
def module_deps(module_database_url: str) -> Iterator[Deps]:
    """As `deps`, on the module's shared database, with a clock of its own that starts at the
    same Monday morning."""
    database = Database(module_database_url)
    yield Deps(db=database, clock=Clock(MONDAY))
    database.dispose()


@pytest.fixture
def samskab(
    sqlite_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> CommandLine:
    """`samskab ARGS` in-process: run in `tmp_path`, with no chat settings and its SQLite
    database there (a copy of the session's template: the CLI migrates it at start as ever)."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "TEAMS_", "SAMSKAB_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    path = tmp_path / "samskab.db"
    shutil.copyfile(sqlite_template, path)
    path.chmod(0o600)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    return CommandLine(monkeypatch, capsys)
