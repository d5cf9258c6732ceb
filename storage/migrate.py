"""Alembic, driven from code so that `samskab migrate` and start-up need no alembic.ini.

Every start upgrades the database to the newest schema, but a database already there (every
start but the first after an upgrade) is told apart with one query, without importing Alembic:
Alembic and Mako cost a server about 11 MB it would keep for nothing (docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Each migration is named for its revision ("0011_status_canvas.py" is revision "0011"), so the
# newest is the highest; tests/storage/test_upgrade_at_start.py checks that Alembic agrees.
HEAD = max(path.name.partition("_")[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def upgrade_if_behind(url: str) -> None:
    """`upgrade`, unless the database is at the newest revision already."""
    if current_revision(url) != HEAD:
        upgrade(url)


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for a new database (or one that cannot be read:
    Alembic then says why)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    finally:
        engine.dispose()
    return str(rows[0][0]) if len(rows) == 1 else None
