"""Whose rows a table holds, where no foreign key says it.

A link to `people` or `members` says by itself whose a row is. A platform's own table (the
references a proactive message needs, say) names a person by their platform user id instead, so
it says so in its table's `info`, next to the model: the privacy use cases
(handlers.privacy.data_map) find it there, whichever adapters a process has loaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Table

PERSON = "person"  # the key in a table's `info`


@dataclass(frozen=True)
class ByUserId:
    """Rows about the person whose platform user id is in column `user_id`, where the columns in
    `where` hold those values. `shown`: what the person is shown of a row (name → column), in
    that order; `line`: the names among them that a one-line summary gives.

    Such rows are the person's: `mydata` shows them, `forget-me` deletes them, and retention
    deletes them with the person once they are in no process any more."""

    user_id: str
    shown: Mapping[str, str]
    line: tuple[str, ...]
    where: Mapping[str, str] = field(default_factory=dict)


def by_user_id(table: Table) -> ByUserId | None:
    """The table's declaration, if it holds rows about people by their user id."""
    declared = table.info.get(PERSON)
    return declared if isinstance(declared, ByUserId) else None
