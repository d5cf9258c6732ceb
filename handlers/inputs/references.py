"""How people name an input (Input.reference), given once when it is written.

A named input gets the next number among the process's named inputs: #1, #2, #3, with no gap
where an anonymous one was given in between, as a gap would tell when it was. An anonymous input
gets random letters, "A-KXR", which carry no order. Numbers and letters are per process, so
`/samskab mark 2 used` means this process's #2. (Inputs written before references got their old
number, their row id, in migration 0007, so that a number once seen still names the same input.)
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Input, Process

ANONYMOUS = "A-"
# No vowels, so that no word is spelled; none read as a digit or as each other (B, G, I, O, Q,
# S, Z).
LETTERS = "CDFHJKLMNPRTVWX"
LENGTH = 3  # 15³ = 3375 a process; a crowded one gets longer references rather than none
_NUMBER = re.compile(r"[0-9]{1,9}")
# Any letters: a mistyped one is then "no such input", not a lesson in how to write the command.
_LETTERS = re.compile(r"A-?([A-Z]{3,8})")


def give_reference(session: Session, contribution: Input) -> None:
    """Before the input is stored. The process's row is locked first (PostgreSQL; SQLite writes
    one at a time anyway), so that two inputs given at once cannot take the same number."""
    process_id = contribution.process_id
    session.execute(select(Process.id).where(Process.id == process_id).with_for_update())
    taken = set(
        session.scalars(
            select(Input.reference).where(
                Input.process_id == process_id, Input.reference.is_not(None)
            )
        )
    )
    contribution.reference = (
        anonymous_reference(taken) if contribution.anonymous else next_number(taken)
    )


def next_number(taken: set[str | None]) -> str:
    return str(max((int(r) for r in taken if r and _NUMBER.fullmatch(r)), default=0) + 1)


def anonymous_reference(taken: set[str | None]) -> str:
    """Random letters not yet taken in the process; drawn again on the unlikely clash."""
    attempt = 0
    while True:
        size = LENGTH + attempt // 20
        candidate = ANONYMOUS + "".join(secrets.choice(LETTERS) for _ in range(size))
        if candidate not in taken:
            return candidate
        attempt += 1


def input_label(contribution: Input) -> str:
    """How the input is named wherever it is shown: "#2", or "A-KXR"."""
    return label_of(contribution.reference)


def label_of(reference: str | None) -> str:
    if reference is None:  # not stored yet; every stored input has one (see the migration)
        return "–"
    return f"#{reference}" if _NUMBER.fullmatch(reference) else reference


def parse_reference(word: str) -> str | None:
    """The reference a person typed: "2", "#2", "A-KXR", "a-kxr" or "AKXR"; None if it is none."""
    word = word.strip().removeprefix("#").upper()
    if _NUMBER.fullmatch(word):
        return str(int(word))
    match = _LETTERS.fullmatch(word)
    return ANONYMOUS + match.group(1) if match else None


def find_input(session: Session, process: Process, reference: str) -> Input | None:
    """The process's input with this reference, if it has been shown (one still held back for
    anonymity is nobody's to see, nor to mark)."""
    return session.scalar(
        select(Input).where(
            Input.process_id == process.id,
            Input.reference == reference,
            Input.posted_at.is_not(None),
        )
    )
