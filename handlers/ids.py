"""Row ids as they come back from buttons, forms and links: text a client sent, so anything."""

from __future__ import annotations

import re

# A database integer (SQLite and PostgreSQL BIGINT) holds at most 2**63 - 1.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int:
    """The id `value` names, or 0 (which no row has) when it names none: not ASCII digits, or
    too large for the database, so a lookup finds nothing instead of failing."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return 0
    number = int(value)
    return number if number <= MAX_ID else 0
