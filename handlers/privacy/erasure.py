"""Erasing one person (`/samskab forget-me`): every row about them, and their name and user id
wherever the bot wrote them into a message. Runs inside the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from handlers.i18n import N_, Translator
from handlers.inputs.posts import input_post_message, post_key
from handlers.messages import Context, Message
from handlers.outbox import enqueue
from handlers.status.you_said import EXCERPT
from storage.db import run_bulk
from storage.models import (
    AuditEntry,
    Input,
    InputRequest,
    Invitation,
    Member,
    OutboxMessage,
    Person,
    Process,
    PulseAnswer,
    Subscription,
    Summary,
    TeamsReference,
)

DELETED_NOTICE = N_("(The input was deleted at the contributor's request)")
FORMER_PARTICIPANT = N_("a former participant")


@dataclass(frozen=True)
class Erased:
    """What went, in counts: the audit entry and the reply say this, never who."""

    memberships: int = 0
    inputs_deleted: int = 0
    inputs_anonymised: int = 0
    invitations: int = 0
    input_requests: int = 0
    pulse_answers: int = 0
    subscriptions: int = 0
    messages: int = 0
    teams_references: int = 0
    audit_entries_unlinked: int = 0
    messages_scrubbed: int = 0

    def counts(self) -> dict[str, int]:
        return asdict(self)


def erase_person(session: Session, person: Person, *, delete_named: bool, now: datetime) -> Erased:
    """Named inputs are deleted or kept anonymously (`delete_named`); anonymous ones lose the link
    to their author. The channel post of each is updated. Then everything else about the person
    goes, and their name and user id are replaced in the messages that remain."""
    member_ids = list(session.scalars(select(Member.id).where(Member.person_id == person.id)))
    process_ids = list(
        session.scalars(select(Member.process_id).where(Member.person_id == person.id))
    )
    request_ids = list(
        session.scalars(select(InputRequest.id).where(InputRequest.member_id.in_(member_ids)))
    )
    deleted, anonymised, deleted_texts = 0, 0, []
    for contribution in session.scalars(
        select(Input).where(Input.author_member_id.in_(member_ids))
    ).all():
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
    session.flush()

    run_bulk(
        session,
        update(Summary)
        .where(Summary.author_member_id.in_(member_ids))
        .values(author_member_id=None),
    )
    run_bulk(
        session, update(Input).where(Input.request_id.in_(request_ids)).values(request_id=None)
    )
    run_bulk(
        session,
        update(OutboxMessage)
        .where(OutboxMessage.request_id.in_(request_ids))
        .values(request_id=None),
    )
    erased = Erased(
        inputs_deleted=deleted,
        inputs_anonymised=anonymised,
        invitations=run_bulk(
            session, delete(Invitation).where(Invitation.member_id.in_(member_ids))
        ),
        input_requests=run_bulk(
            session, delete(InputRequest).where(InputRequest.id.in_(request_ids))
        ),
        pulse_answers=run_bulk(
            session, delete(PulseAnswer).where(PulseAnswer.person_id == person.id)
        ),
        subscriptions=run_bulk(
            session, delete(Subscription).where(Subscription.person_id == person.id)
        ),
        # Every message to them, sent or waiting: the sent ones are copies of what they received.
        messages=run_bulk(
            session, delete(OutboxMessage).where(OutboxMessage.person_id == person.id)
        ),
        teams_references=run_bulk(
            session,
            delete(TeamsReference).where(
                TeamsReference.kind == "user", TeamsReference.key == person.user_id
            ),
        ),
        audit_entries_unlinked=run_bulk(
            session,
            update(AuditEntry)
            .where(AuditEntry.actor_person_id == person.id)
            .values(actor_person_id=None),
        ),
        memberships=run_bulk(session, delete(Member).where(Member.id.in_(member_ids))),
        messages_scrubbed=scrub_messages(session, person, process_ids, deleted_texts),
    )
    run_bulk(session, delete(Person).where(Person.id == person.id))
    # The bulk statements went past the session: forget what it still holds of those rows.
    session.expunge_all()
    return erased


def scrub_messages(
    session: Session,
    person: Person,
    process_ids: list[int],
    deleted_texts: list[tuple[str, str]],
) -> int:
    """Replaces the person's name and user id in the stored messages of their processes (what
    was sent stays on the platform; our copy no longer names them), and the quotes of deleted
    input in digests. Returns how many messages changed."""
    names = sorted({person.name, person.user_id} - {""}, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
    )
    quotes = [(f"“{_excerpt(text)}”", f"“{notice}”") for text, notice in deleted_texts]
    changed = 0
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.process_id.in_(process_ids))
    ).all()
    for row in rows:
        instead = Translator(str(row.payload.get("language", "da")))._(FORMER_PARTICIPANT)
        clean = _cleaner(pattern, quotes, instead)
        payload = _walk(row.payload, clean)
        last_error = clean(row.last_error) if row.last_error else row.last_error
        if payload != row.payload or last_error != row.last_error:
            row.payload, row.last_error = payload, last_error
            changed += 1
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.process_id.in_(process_ids))):
        detail = pattern.sub(FORMER_PARTICIPANT, entry.detail)
        if detail != entry.detail:
            entry.detail = detail
    session.flush()
    return changed


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
