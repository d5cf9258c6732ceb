"""Erasing one person (`/samskab forget-me`): every row about them, and their name and user id
wherever the bot wrote them into a message. What the record counts (attendance, reach, pulse
scores) moves with each membership to a blank stand-in, as retention does, so the numbers stay
and point to nobody. Runs inside the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from handlers.i18n import N_, Translator
from handlers.inputs.posts import input_post_message, post_key
from handlers.messages import Context, Message
from handlers.outbox import enqueue
from handlers.privacy.data_map import personal_tables
from handlers.privacy.personal_table import (
    AsAuthorChooses,
    Counted,
    Delete,
    Keep,
    MoveToStandIn,
    PersonalTable,
    Unlink,
    Whose,
    stand_in,
)
from handlers.status.changed import status_changed
from handlers.status.you_said import EXCERPT
from storage.db import run_bulk
from storage.models import Base, Input, Member, OutboxMessage, Person, Process

DELETED_NOTICE = N_("(The input was deleted at the contributor's request)")
FORMER_PARTICIPANT = N_("a former participant")


@dataclass(frozen=True)
class Erased:
    """What went, in counts, in the data map's order: the audit entry and the reply say this,
    never who."""

    counted: tuple[tuple[Counted, int], ...]

    def counts(self) -> dict[str, int]:
        return {c.key: n for c, n in self.counted}

    def told(self, tr: Translator) -> list[str]:
        """A line for each count the person is told of, where there was something."""
        return [c.told(tr, n).format(n=n) for c, n in self.counted if c.told is not None and n]


def erase_person(session: Session, person: Person, *, delete_named: bool, now: datetime) -> Erased:
    """Named inputs are deleted or kept anonymously (`delete_named`); anonymous ones lose the link
    to their author. The channel post of each is updated. Then each membership moves to a blank
    stand-in with what the record counts, everything else about the person goes, as the data map
    says, and their name and user id are replaced in the messages and the log that remain."""
    tables = personal_tables()
    whose = Whose.of(session, [person])
    members = session.scalars(select(Member).where(Member.person_id == person.id)).all()
    process_ids = [m.process_id for m in members]
    names = [person.name, person.user_id]
    for process_id in process_ids:
        status_changed(session, process_id)  # a live status document may show their name
    counts: dict[str, int] = {}
    deleted_texts: list[tuple[str, str]] = []
    for table in tables:
        if isinstance(table.forget, AsAuthorChooses):
            deleted, kept, texts = _as_author_chooses(session, table, whose, delete_named, now)
            counts |= {table.forget.deleted.key: deleted, table.forget.kept.key: kept}
            deleted_texts += texts
    session.flush()
    # The record's numbers (attendance, reach, the pulse) keep counting them, for nobody.
    moves = [(t, t.forget) for t in tables if isinstance(t.forget, MoveToStandIn)]
    counts |= move_to_stand_ins(session, members, moves)
    counts |= forget_rows(session, whose, tables)
    counts |= _scrub(session, tables, names, process_ids, deleted_texts)
    # The bulk statements went past the session: forget what it still holds of those rows.
    session.expunge_all()
    return Erased(tuple((c, counts.get(c.key, 0)) for t in tables for c in t.forget_counts()))


def move_to_stand_ins(
    session: Session,
    members: Sequence[Member],
    moves: Sequence[tuple[PersonalTable, MoveToStandIn]],
) -> dict[str, int]:
    """Each of `members` gets a blank stand-in person of its own, and the rows of its person in
    its process move to it, as each table's `MoveToStandIn` says (forget-me's or retention's).
    Returns the counts."""
    counts: dict[str, int] = {}
    for member in members:
        blank = stand_in(session, member)
        for table, move in moves:
            n = run_bulk(
                session,
                update(table.model)
                .where(table.rows_in([member.process_id]), table.column == member.person_id)
                .values({table.column.key: blank.id, **move.values}),
            )
            if move.counted is not None:
                counts[move.counted.key] = counts.get(move.counted.key, 0) + n
    return counts


def forget_rows(session: Session, whose: Whose, tables: Sequence[PersonalTable]) -> dict[str, int]:
    """Forget-me's unlinks and deletions for the people in `whose`, as the map says (the rows
    it moves to stand-ins are the caller's): the links first, and the values of the rows kept,
    then the rows, those that other rows point at last (input, whose post must be updated, is
    the caller's). Returns the counts."""
    counts: dict[str, int] = {}
    for table in tables:
        if isinstance(table.forget, Unlink):
            values = {table.column.key: None, **table.forget.values}
            n = run_bulk(session, update(table.model).where(table.rows_of(whose)).values(values))
            if table.forget.counted is not None:
                counts[table.forget.counted.key] = n
        elif isinstance(table.forget, Keep) and table.forget.values:
            run_bulk(
                session,
                update(table.model).where(table.rows_of(whose)).values(dict(table.forget.values)),
            )
    order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
    going = [(t, t.forget) for t in tables if isinstance(t.forget, Delete)]
    for table, forget in sorted(going, key=lambda pair: -order[pair[0].table.name]):
        rows = and_(table.rows_of(whose), *forget.only)
        _unlink_pointers(session, table, rows)
        n = run_bulk(session, delete(table.model).where(rows))
        if forget.counted is not None:
            counts[forget.counted.key] = n
    return counts


def _scrub(
    session: Session,
    tables: Sequence[PersonalTable],
    names: list[str],
    process_ids: list[int],
    deleted_texts: list[tuple[str, str]],
) -> dict[str, int]:
    """Replaces the person's name and user id (`names`) in the scrubbed columns of the rows of
    their processes (what was sent stays on the platform; our copy no longer names them), and
    the quotes of deleted input in digests. Returns how many rows changed, where counted."""
    words = sorted(set(names) - {""}, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )
    quotes = [(f"“{_excerpt(text)}”", f"“{notice}”") for text, notice in deleted_texts]
    counts: dict[str, int] = {}
    for table in tables:
        if table.scrub is None:
            continue
        changed = 0
        for row in session.scalars(select(table.model).where(table.rows_in(process_ids))).all():
            language = table.scrub.language(row) if table.scrub.language else None
            instead = Translator(language)._(FORMER_PARTICIPANT) if language else FORMER_PARTICIPANT
            clean = _cleaner(pattern, quotes, instead)
            was_changed = False
            for column in table.scrub.columns:
                value = getattr(row, column)
                cleaned = _walk(value, clean)
                if cleaned != value:
                    setattr(row, column, cleaned)
                    was_changed = True
            changed += was_changed
        if table.scrub.counted is not None:
            counts[table.scrub.counted.key] = changed
    session.flush()
    return counts


def _unlink_pointers(session: Session, table: PersonalTable, rows: ColumnElement[bool]) -> None:
    """Rows elsewhere that point at the `rows` about to go lose the pointer, as the schema says
    (ON DELETE SET NULL), here in so many words: a request for input kept by its input."""
    for other in Base.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table.table and key.ondelete == "SET NULL":
                gone = select(key.column).where(rows)
                run_bulk(
                    session,
                    update(other).where(key.parent.in_(gone)).values({key.parent.name: None}),
                )


def _as_author_chooses(
    session: Session, table: PersonalTable, whose: Whose, delete_named: bool, now: datetime
) -> tuple[int, int, list[tuple[str, str]]]:
    """The person's inputs: how many were deleted and kept, and the texts deleted with the notice
    that replaces them."""
    deleted, anonymised, deleted_texts = 0, 0, []
    for contribution in session.scalars(select(Input).where(table.rows_of(whose))).all():
        process = session.get(Process, contribution.process_id)
        assert process is not None  # a foreign key
        tr = Translator(process.language, process.timezone)
        if not contribution.anonymous and delete_named:
            notice = tr._(DELETED_NOTICE)
            _show_instead(
                session,
                process,
                contribution,
                Message(notice, (Context(notice),), tr.language),
                now,
            )
            deleted_texts.append((contribution.text, notice))
            session.delete(contribution)
            deleted += 1
            continue
        was_named = not contribution.anonymous
        contribution.anonymous, contribution.author, contribution.request_id = True, None, None
        if was_named:
            _show_instead(session, process, contribution, input_post_message(tr, contribution), now)
        anonymised += 1
    return deleted, anonymised, deleted_texts


def _show_instead(
    session: Session, process: Process, contribution: Input, message: Message, now: datetime
) -> None:
    """The input's post and its updates, stored, now hold `message`; a post that reached the
    channel (or may have) is updated there too. A post still waiting goes out as `message`."""
    key = post_key(contribution)
    rows = session.scalars(
        select(OutboxMessage).where(
            or_(OutboxMessage.key == key, OutboxMessage.key.startswith(key + ":"))
        )
    ).all()
    for row in rows:
        row.payload = message.to_json()
    post = next((row for row in rows if row.key == key), None)
    if post is not None and post.status in ("sending", "sent"):
        enqueue(
            session,
            message,
            key=f"{key}:erased",
            now=now,
            process=process,
            channel_id=process.channel_id,
            replaces_key=key,
        )


def _walk(value: Any, clean: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_walk(v, clean) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, clean) for k, v in value.items()}
    return value


def _excerpt(text: str) -> str:
    """As the digest's "you said – we did" quotes an input."""
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _cleaner(
    pattern: re.Pattern[str], quotes: list[tuple[str, str]], instead: str
) -> Callable[[str], str]:
    """A name at the start of a text is replaced with a capital: "A former participant …"."""
    capital = instead[:1].upper() + instead[1:]

    def clean(text: str) -> str:
        for quote, replacement in quotes:
            text = text.replace(quote, replacement)
        return pattern.sub(lambda m: capital if m.start() == 0 else instead, text)

    return clean
