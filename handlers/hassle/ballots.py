"""Secret ballots for the bøvl round's dots.

What is readable in the database is each item's total (`HassleItem.supports`) and nothing else.
A person's own choice is kept so that they can see and change it until the deadline, but sealed:
the row is named by a keyed hash of the round and the member (`voter`), and the item ids are
encrypted (AES-GCM) with a key the database does not hold (bot.ballot_key). Without the key a
ballot names neither its voter nor its items; every sealed ballot has the same length, so not
even the number of dots shows.

A new ballot replaces the old one in one transaction: the old items' dots are taken off the
totals and the new ones added. The replacement only happens if the stored ballot is still the one
read (compare and swap), so a double click, a second device or a replayed request can never count
one person's dots twice; a loser of such a race is told to try again (`BallotChanged`) and does,
from the new state."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.db import run_bulk
from storage.models import HassleBallot, HassleItem, HassleRound

NONCE_BYTES = 12
PADDED = 256  # every sealed ballot this long: ten ids of up to 19 digits fit with room to spare


class BallotChanged(Exception):
    """The stored ballot changed after it was read (another submission of the same person won):
    nothing was written; read it again and retry."""


class UnreadableBallot(Exception):
    """A sealed ballot that the key does not open (the key was changed): it cannot be replaced
    without corrupting the totals, so the person is told instead."""


def _subkey(key: bytes, purpose: bytes) -> bytes:
    """One key per use, so that the voter hash, the order and the seal never share one."""
    return hmac.new(key, b"samskab ballots: " + purpose, hashlib.sha256).digest()


def voter_of(key: bytes, round_id: int, member_id: int) -> str:
    """The ballot's name: 64 hex digits that only the key links to the member."""
    message = f"{round_id}:{member_id}".encode()
    return hmac.new(_subkey(key, b"voter"), message, hashlib.sha256).hexdigest()


def own_order(
    key: bytes, round_id: int, member_id: int, items: Sequence[HassleItem]
) -> list[HassleItem]:
    """The items in the person's own random order: stable for them through the round (a seed
    from the key), different for everyone else, and telling nothing of when an item came."""
    message = f"{round_id}:{member_id}".encode()
    seed = hmac.new(_subkey(key, b"order"), message, hashlib.sha256).digest()
    ordered = sorted(items, key=lambda item: item.reference)
    random.Random(seed).shuffle(ordered)  # not for secrecy: only a private order of reading
    return ordered


def seal(key: bytes, round_id: int, voter: str, item_ids: Sequence[int]) -> str:
    """The item ids (one per dot, an id twice for two dots on it), encrypted and bound to this
    round and voter, so a sealed ballot cannot be moved to another row."""
    plain = ",".join(str(i) for i in sorted(item_ids)).encode()
    if len(plain) >= PADDED:
        raise ValueError("too many dots for one ballot")
    padded = plain + b" " * (PADDED - len(plain))
    # Imported here: cryptography costs the server ~9 MB, and only a vote needs it.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    cipher = AESGCM(_subkey(key, b"seal")).encrypt(nonce, padded, _bound(round_id, voter))
    return base64.urlsafe_b64encode(nonce + cipher).decode()


def unseal(key: bytes, round_id: int, voter: str, sealed: str) -> list[int]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        nonce, cipher = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        plain = AESGCM(_subkey(key, b"seal")).decrypt(nonce, cipher, _bound(round_id, voter))
    except (InvalidTag, ValueError) as error:
        raise UnreadableBallot(f"the ballot of round {round_id} does not open") from error
    text = plain.decode().strip()
    return [int(part) for part in text.split(",")] if text else []


def _bound(round_id: int, voter: str) -> bytes:
    return f"{round_id}:{voter}".encode()


def current_choice(session: Session, key: bytes, round_: HassleRound, member_id: int) -> list[int]:
    """The member's dots as stored now (item ids, one per dot); none before their first."""
    voter = voter_of(key, round_.id, member_id)
    ballot = _ballot(session, round_.id, voter)
    return unseal(key, round_.id, voter, ballot.sealed) if ballot is not None else []


def cast(
    session: Session,
    key: bytes,
    round_: HassleRound,
    member_id: int,
    item_ids: Sequence[int],
    now: datetime,
) -> list[int]:
    """Replace the member's ballot with `item_ids` and move the totals by the difference.
    Returns the ballot it replaced. Raises BallotChanged when another submission of theirs
    changed it meanwhile (nothing written; the caller retries), and an IntegrityError when two
    first ballots met (the same)."""
    # PostgreSQL: one submission of the round at a time reads and writes its ballot; SQLite
    # writes one at a time anyway, and the compare and swap below covers the read before.
    session.execute(select(HassleRound.id).where(HassleRound.id == round_.id).with_for_update())
    voter = voter_of(key, round_.id, member_id)
    ballot = _ballot(session, round_.id, voter)
    old = unseal(key, round_.id, voter, ballot.sealed) if ballot is not None else []
    if Counter(old) == Counter(item_ids):
        return old
    if ballot is None:
        session.add(
            HassleBallot(
                round_id=round_.id,
                voter=voter,
                sealed=seal(key, round_.id, voter, item_ids),
                updated_at=now,
            )
        )
        session.flush()  # a second first ballot fails here, on (round, voter)
    else:
        swap = HassleBallot.id == ballot.id, HassleBallot.sealed == ballot.sealed
        statement = (
            delete(HassleBallot).where(*swap)
            if not item_ids  # every dot taken back: no ballot is kept
            else update(HassleBallot)
            .where(*swap)
            .values(sealed=seal(key, round_.id, voter, item_ids), updated_at=now)
        )
        if run_bulk(session, statement) != 1:
            raise BallotChanged
    _move_totals(session, Counter(item_ids) - Counter(old), Counter(old) - Counter(item_ids))
    return old


def _move_totals(session: Session, added: Counter[int], removed: Counter[int]) -> None:
    """In SQL, relative to the stored totals, so that other people's dots given meanwhile stay."""
    for item_id, n in added.items():
        run_bulk(
            session,
            update(HassleItem)
            .where(HassleItem.id == item_id)
            .values(supports=HassleItem.supports + n),
        )
    for item_id, n in removed.items():
        run_bulk(
            session,
            update(HassleItem)
            .where(HassleItem.id == item_id)
            .values(supports=HassleItem.supports - n),
        )
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, HassleItem):
            session.expire(loaded, ["supports"])  # stale now: read again when next asked


def delete_ballots(session: Session, round_: HassleRound) -> int:
    """Once the round is closed, the sealed ballots have served their purpose (letting each
    person see and change their own dots): the totals are final, and the ballots go."""
    return run_bulk(session, delete(HassleBallot).where(HassleBallot.round_id == round_.id))


def _ballot(session: Session, round_id: int, voter: str) -> HassleBallot | None:
    return session.scalar(
        select(HassleBallot)
        .where(HassleBallot.round_id == round_id, HassleBallot.voter == voter)
        .execution_options(populate_existing=True)
    )
