"""A migration keeps every row: on SQLite, altering a table copies it and drops the old one, and
a drop with foreign keys on cascades (migration 0007 once took every workshop's invitations and
summary with it). Rows are written at 0006 as they were then, and the database brought up to
date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade

T = datetime(2026, 1, 5, 9, 0)  # UTC, stored naive
TABLES = ("processes", "tracks", "people", "members", "workshops", "invitations", "summaries")


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
        }


def test_upgrading_keeps_the_workshops_invitations_and_summaries(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0006")
    db = Database(empty_database_url)
    with db.engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO processes (id, name, platform, workspace, channel_id, language,"
                " timezone, current_step, step_changed_at, digest_weekday, digest_time, status,"
                " created_at, reminder_days_before, remind_on_deadline, holiday_country,"
                " anonymity_threshold) VALUES (1, 'p', 'console', 'local', 'c', 'da',"
                " 'Europe/Copenhagen', 1, :t, 0, '09:00:00', 'active', :t, 2, true, 'DK', 3)"
            ),
            {"t": T},
        )
        run(text("INSERT INTO tracks (id, process_id, name, position) VALUES (1, 1, 'Budget', 0)"))
        run(
            text(
                "INSERT INTO people (id, platform, workspace, user_id, name)"
                " VALUES (1, 'console', 'local', 'anna', 'Anna Holm')"
            )
        )
        run(
            text(
                "INSERT INTO members (id, process_id, person_id, role, active, joined_at)"
                " VALUES (1, 1, 1, 'participant', true, :t)"
            ),
            {"t": T},
        )
        run(
            text(
                "INSERT INTO workshops (id, process_id, track_id, title, starts_at, status,"
                " created_at) VALUES (1, 1, 1, 'Budget 2027', :t, 'held', :t)"
            ),
            {"t": T},
        )
        run(text("INSERT INTO invitations (workshop_id, member_id, attended) VALUES (1, 1, false)"))
        run(
            text(
                "INSERT INTO summaries (id, workshop_id, text, question, input_deadline,"
                " posted_at) VALUES (1, 1, 'Vi aftalte', 'Hvad mener du?', '2026-01-12', :t)"
            ),
            {"t": T},
        )
    before = _counts(db)
    assert all(before.values()), before

    upgrade(empty_database_url)

    assert _counts(db) == before
    db.dispose()
