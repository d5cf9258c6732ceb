"""Migration 0007 gives inputs written before references one: a named input keeps the number
facilitators knew it by (its row id, which `/samskab mark` took), an anonymous one gets letters
that carry no order, unique in its process. The rows are written at revision 0006 as they were
then (no use case of today can write them), and the database brought up to date."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, text

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Input

T = datetime(2026, 1, 5, 9, 0)  # UTC, stored naive
# (id, process, anonymous): two processes, named and anonymous in between.
INPUTS = [(1, 1, False), (2, 1, True), (3, 2, False), (4, 1, True), (5, 1, False), (6, 2, True)]


def test_inputs_from_before_references_get_one_each(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0006")
    db = Database(empty_database_url)
    with db.engine.begin() as connection:
        for process_id in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO processes (id, name, platform, workspace, channel_id, language,"
                    " timezone, current_step, step_changed_at, digest_weekday, digest_time,"
                    " status, created_at, reminder_days_before, remind_on_deadline,"
                    " holiday_country, anonymity_threshold) VALUES (:id, :name, 'console',"
                    " 'local', :name, 'da', 'Europe/Copenhagen', 1, :t, 0, '09:00:00', 'active',"
                    " :t, 2, true, 'DK', 3)"
                ),
                {"id": process_id, "name": f"p{process_id}", "t": T},
            )
        for input_id, process_id, anonymous in INPUTS:
            connection.execute(
                text(
                    "INSERT INTO inputs (id, process_id, anonymous, text, status, created_at)"
                    " VALUES (:id, :process, :anonymous, :text, 'received', :t)"
                ),
                {
                    "id": input_id,
                    "process": process_id,
                    "anonymous": anonymous,
                    "text": f"input {input_id}",
                    "t": T,
                },
            )

    upgrade(empty_database_url)

    with db.transaction() as session:
        rows = session.execute(
            select(Input.id, Input.process_id, Input.anonymous, Input.reference).order_by(Input.id)
        ).all()
    db.dispose()
    assert [(i, p, a) for i, p, a, _ in rows] == INPUTS, "every input is kept"
    for input_id, _, anonymous, reference in rows:
        if anonymous:
            assert reference is not None and re.fullmatch(r"A-[A-Z]{3}", reference), reference
        else:
            assert reference == str(input_id), "the number it was known by"
    assert len({(p, r) for _, p, _, r in rows}) == len(INPUTS), "unique in each process"
