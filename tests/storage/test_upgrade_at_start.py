"""Every start brings the database to the newest schema, but one already there is recognised
without Alembic, which the server then never imports (about 11 MB it would keep)."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from storage.migrate import HEAD, alembic_config, current_revision, upgrade, upgrade_if_behind

STARTS = """
import sys
from storage.migrate import upgrade_if_behind
upgrade_if_behind(sys.argv[1])
print("alembic" in sys.modules, "mako" in sys.modules)
"""


def test_the_newest_revision_is_the_one_alembic_names() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_current_head() == HEAD


def test_a_new_or_older_database_is_upgraded(empty_database_url: str) -> None:
    assert current_revision(empty_database_url) is None
    upgrade(empty_database_url, "0009")
    assert current_revision(empty_database_url) == "0009"
    upgrade_if_behind(empty_database_url)
    assert current_revision(empty_database_url) == HEAD


def test_a_database_at_the_newest_revision_starts_without_alembic(empty_database_url: str) -> None:
    def start() -> str:
        argv = [sys.executable, "-c", STARTS, empty_database_url]
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()

    assert start() == "True True"  # a new database: Alembic makes the schema
    assert current_revision(empty_database_url) == HEAD
    assert start() == "False False"
