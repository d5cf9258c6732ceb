"""Storage on a real database: migrations, pragmas, unique keys and whole transactions."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from handlers.context import Deps
from handlers.interactions import submit_form
from handlers.messages import Message
from handlers.outbox import enqueue
from handlers.status.digest import post_digest
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base, DigestRun, OutboxMessage, Process
from tests.builders import channel, disk_on_fire, person, plan, row_counts, set_up, summary_values

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_migrations_upgrade_an_empty_database_to_the_models(empty_database_url: str) -> None:
    database_url = empty_database_url
    upgrade(database_url)
    db = Database(database_url)
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == [], "the migrations and the models disagree"
    upgrade(database_url)  # a second start changes nothing
    db.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def _process(db: Database) -> int:
    with db.transaction() as session:
        process = Process(
            name="P",
            platform="console",
            workspace="local",
            channel_id="c",
            language="da",
            timezone="Europe/Copenhagen",
            current_step=1,
            step_changed_at=NOW,
            digest_weekday=0,
            digest_time=time(9),
            status="active",
            created_at=NOW,
        )
        session.add(process)
        session.flush()
        return process.id


def test_one_digest_run_per_process_and_period(db: Database) -> None:
    process_id = _process(db)
    with db.transaction() as session:
        session.add(DigestRun(process_id=process_id, period="2026-W48", created_at=NOW))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(DigestRun(process_id=process_id, period="2026-W48", created_at=NOW))
    with db.transaction() as session:
        session.add(DigestRun(process_id=process_id, period="2026-W49", created_at=NOW))


def test_a_period_digest_is_posted_once_however_often_it_is_asked_for(deps: Deps) -> None:
    process_id = _process(deps.db)
    assert post_digest(deps, process_id, "2026-W48") is True
    assert post_digest(deps, process_id, "2026-W48") is False
    counts = row_counts(deps)
    assert counts["digest_runs"] == 1 and counts["outbox"] == 1


def test_one_outbox_row_per_idempotency_key(db: Database) -> None:
    process_id = _process(db)
    with db.transaction() as session:
        process = session.get(Process, process_id)
        for _ in range(2):
            enqueue(
                session, Message("hej"), key="summary:1", now=NOW, process=process, channel_id="c"
            )
    with db.transaction() as session:
        assert session.query(OutboxMessage).count() == 1
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(
            OutboxMessage(
                key="summary:1",
                platform="console",
                process_id=process_id,
                target_kind="channel",
                channel_id="c",
                payload={},
                status="pending",
                attempts=0,
                next_attempt_at=NOW,
                created_at=NOW,
            )
        )


def test_a_use_case_that_fails_half_way_leaves_nothing_behind(deps: Deps) -> None:
    mette, anna, bo = person("Mette"), person("Anna"), person("Bo")
    where = channel("odder", [mette, anna, bo])
    set_up(deps, where, mette)
    workshop = plan(deps, where, mette, [mette, anna, bo])
    before = row_counts(deps)
    # A real database error in the middle of the use case, after the summary, its items and
    # the attendance have been written: the database refuses the input requests.
    disk_on_fire(deps, "INSERT ON input_requests")

    with pytest.raises(Exception, match="disk on fire"):
        submit_form(
            deps, mette, where, "summary", {"workshop": workshop}, summary_values([mette, anna])
        )

    assert row_counts(deps) == before
    with deps.db.transaction() as session:
        status = session.execute(text("SELECT status FROM workshops")).scalar()
        attended = session.execute(text("SELECT attended FROM invitations")).scalars().all()
    assert status == "planned" and attended == [None, None, None]
