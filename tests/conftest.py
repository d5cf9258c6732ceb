"""Shared fixtures: a real database (SQLite file; PostgreSQL too where TEST_POSTGRES_URL is set),
migrated with Alembic once per session and copied for each test, and a clock the test controls."""

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

POSTGRES = os.environ.get("TEST_POSTGRES_URL")


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
    """The schema, migrated once per session; each test gets a copy of the file."""
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


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of the test's own: a copy of the session's template."""
    if request.param == "sqlite":
        path = tmp_path / "samskab.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        path.chmod(0o600)
        yield f"sqlite:///{path}"
    else:
        yield from _postgres_database(request.getfixturevalue("postgres_template"))


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
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # a Monday, 10:00 in Copenhagen


@pytest.fixture
def deps(db: Database, clock: Clock) -> Deps:
    return Deps(db=db, clock=clock)
