"""Where a person's data lives is declared once (handlers.privacy.data_map): every table that can
hold a person's data is in the map, or said to hold nobody's, so `mydata`, `forget-me` and
retention cannot miss a new one; a platform's table is in it whichever adapter is loaded; and a
colleague who leaves a channel they never were a member of leaves no trace."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from handlers.context import Deps
from handlers.privacy.data_map import NOT_PERSONAL, personal_tables
from handlers.privacy.personal_table import Keep, MoveToStandIn, PersonalTable
from handlers.process.membership import member_left
from storage.models import Base, Person
from storage.models.personal import by_user_id
from tests.builders import channel, person, row_counts, set_up

ROOT = Path(__file__).parents[2]
PEOPLE_AND_MEMBERS = {"people", "members"}


def _declared_columns() -> set[tuple[str, str]]:
    return {(t.table.name, t.column.key) for t in personal_tables()}


# --- the map -----------------------------------------------------------------------------------


def test_every_column_that_links_a_row_to_a_person_is_in_the_data_map() -> None:
    declared = _declared_columns()
    links = [
        (table.name, key.parent.name)
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name in PEOPLE_AND_MEMBERS
    ]
    assert len(links) >= 9, "the schema links rows to people and members"
    missing = [link for link in links if link not in declared]
    assert not missing, (
        f"rows linked to a person but not in handlers.privacy.data_map: {missing}; "
        "add an entry saying what mydata shows, forget-me and retention do"
    )


def test_every_table_is_in_the_data_map_or_said_to_hold_nobodys_data() -> None:
    declared = {t.table.name for t in personal_tables()}
    tables = {table.name for table in Base.metadata.sorted_tables}
    assert not declared & NOT_PERSONAL
    assert tables - declared - NOT_PERSONAL == set(), (
        "a table neither in handlers.privacy.data_map nor in its NOT_PERSONAL"
    )
    assert (declared | NOT_PERSONAL) - tables == set(), "the map names a table that is gone"


def test_each_entry_says_how_a_row_belongs_to_a_person_and_where_its_process_is() -> None:
    names = [t.name for t in personal_tables()]
    assert len(names) == len(set(names)), "each table has one key in the mydata file"
    for entry in personal_tables():
        assert (
            _points_to(entry)
            == {
                "self": None,
                "person": "people",
                "member": "members",
                "user_id": None,
            }[entry.via]
        ), entry.name
        if entry.via == "self":
            assert entry.table.name == "people" and entry.column.key == "id"
        if entry.via == "user_id":
            assert by_user_id(entry.table) is not None, entry.name
        if isinstance(entry.retain, MoveToStandIn):
            assert entry.via == "person", f"{entry.name}: a stand-in replaces a person"
        if not isinstance(entry.retain, Keep) or entry.scrub is not None:
            entry.rows_in([1])  # retention and the scrub find the rows of a process
    assert [t.via for t in personal_tables()].count("self") == 1


def _points_to(entry: PersonalTable) -> str | None:
    column = entry.table.c[entry.column.key]
    tables = {key.column.table.name for key in column.foreign_keys}
    assert len(tables) <= 1
    return tables.pop() if tables else None


def test_a_platforms_table_is_in_the_map_without_its_adapter_loaded() -> None:
    """`samskab purge` and a server without that platform's settings load no adapter of it: the
    table declares itself next to its model, so its rows are still erased."""
    code = (
        "import sys\n"
        "from handlers.privacy.data_map import personal_tables\n"
        "assert not [m for m in sys.modules if m.startswith('bot')], 'an adapter was loaded'\n"
        "print(' '.join(t.name for t in personal_tables()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    platform_tables = [t.name for t in Base.metadata.sorted_tables if by_user_id(t) is not None]
    assert platform_tables, "a platform's table declares whose rows it holds"
    assert set(platform_tables) <= set(result.stdout.split())


def test_the_readme_tells_where_each_table_of_the_map_is_kept() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Hvad gemmes.*?(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert section is not None
    named = set(re.findall(r"`([a-z_]+)`", section.group(0)))
    assert {t.table.name for t in personal_tables()} <= named


# --- leaving -----------------------------------------------------------------------------------


def test_someone_who_was_never_a_member_leaving_the_channel_leaves_no_trace(deps: Deps) -> None:
    mette, anna = person("Mette Lund"), person("Anna Holm")
    odder = channel("odder", [mette, anna])
    set_up(deps, odder, mette)
    bot = replace(person("Some Bot"), user_id="B0SOMEBOT")
    before = row_counts(deps)

    assert member_left(deps, odder, bot) is False
    assert member_left(deps, odder, person("Ukendt Gæst")) is False
    assert member_left(deps, channel("no-process"), bot) is False

    assert row_counts(deps) == before, "nothing was written"
    with deps.db.transaction() as session:
        assert session.scalar(select(Person.id).where(Person.user_id == "B0SOMEBOT")) is None


def test_a_member_who_leaves_is_still_let_go(deps: Deps) -> None:
    mette, anna = person("Mette Lund"), person("Anna Holm")
    odder = channel("odder", [mette, anna])
    set_up(deps, odder, mette)
    assert member_left(deps, odder, anna) is True
    assert member_left(deps, odder, anna) is False, "once"
