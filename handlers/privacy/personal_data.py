"""Everything stored about one person, for `/samskab mydata`: collected once from every table
the data map names, then given as a JSON file with every row in full and as a readable message
(handlers.privacy.personal_data_message)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.i18n import Translator
from handlers.messages import Attachment
from handlers.privacy.data_map import personal_tables
from handlers.privacy.personal_table import Whose
from handlers.privacy.shown import ProcessNames, Row
from storage.models import Person


@dataclass(frozen=True)
class PersonalData:
    """The rows about one person, as plain values: their own row, and the rows of each table
    under its name in the data map (the JSON file's keys), in the map's order."""

    person: Row
    tables: dict[str, list[Row]]


def collect_personal_data(session: Session, person: Person) -> PersonalData:
    whose = Whose.of(session, [person])
    names = ProcessNames(session)
    own: Row = {}
    tables: dict[str, list[Row]] = {}
    for table in personal_tables():
        query = select(table.model).where(table.rows_of(whose)).order_by(*table.order_by)
        for joined in table.join:
            query = query.join(joined)
        rows = session.scalars(query).all()
        shown = [table.shown(row, names) for row in rows]
        if table.via == "self":
            [own] = shown
        else:
            tables[table.name] = shown
    return PersonalData(own, tables)


def personal_data_file(
    data: PersonalData, tr: Translator, now: datetime, person_id: int
) -> Attachment:
    """The JSON file: every row in full, times in ISO 8601 (UTC)."""
    body = {
        "about": tr._("Everything Samskab stores about you, as of {date}.").format(
            date=tr.date(tr.today(now), with_year=True)
        ),
        "generated_at": now,
        "person": data.person,
        **data.tables,
    }
    content = json.dumps(body, ensure_ascii=False, indent=2, default=_json_value)
    return Attachment(
        f"samskab-mydata-{tr.today(now).isoformat()}.json",
        content + "\n",
        "application/json",
        private=True,
        ref=f"mydata:{person_id}",
    )


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
