"""Secret ballots (handlers.hassle.ballots): sealed so that only the key opens them, named so that
only the key links them to a person, and replaced so that the totals always equal the ballots
stored, whatever clicks come twice or race."""

from __future__ import annotations

import hashlib
import random
import stat
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.ballot_key import ballot_key, key_on_demand
from handlers.context import Deps
from handlers.hassle.ballots import (
    BallotChanged,
    UnreadableBallot,
    cast,
    current_choice,
    delete_ballots,
    own_order,
    seal,
    unseal,
    voter_of,
)
from handlers.people import process_for_channel
from storage.models import HassleBallot, HassleItem, HassleRound
from tests.builders import BALLOT_KEY, channel, person, set_up

KEY = BALLOT_KEY
OTHER_KEY = bytes(32)


def test_a_sealed_ballot_opens_with_its_key_only_and_in_its_own_row() -> None:
    voter = voter_of(KEY, 7, 42)
    sealed = seal(KEY, 7, voter, [12, 3, 12])
    assert unseal(KEY, 7, voter, sealed) == [3, 12, 12]
    with pytest.raises(UnreadableBallot):
        unseal(OTHER_KEY, 7, voter, sealed)
    with pytest.raises(UnreadableBallot):  # moved to another round
        unseal(KEY, 8, voter, sealed)
    with pytest.raises(UnreadableBallot):  # moved to another voter's row
        unseal(KEY, 7, voter_of(KEY, 7, 43), sealed)
    assert unseal(KEY, 7, voter, seal(KEY, 7, voter, [])) == []


def test_a_sealed_ballot_shows_neither_its_items_nor_how_many() -> None:
    voter = voter_of(KEY, 7, 42)
    one = seal(KEY, 7, voter, [1234567])
    ten = seal(KEY, 7, voter, [1234567 + n for n in range(10)])
    assert len(one) == len(ten)
    assert "1234567" not in one + ten
    assert seal(KEY, 7, voter, [5]) != seal(KEY, 7, voter, [5])  # a fresh nonce each time


def test_the_voter_hash_links_to_the_person_only_with_the_key() -> None:
    voter = voter_of(KEY, 7, 42)
    assert voter == voter_of(KEY, 7, 42)  # the same person finds their ballot again
    assert len(voter) == 64
    # Without the key, what anyone could compute from the ids gives another name.
    assert voter != voter_of(OTHER_KEY, 7, 42)
    assert voter not in {
        hashlib.sha256(text.encode()).hexdigest() for text in ("7:42", "42:7", "7", "42")
    }
    # Another round or another member: unrelated names.
    assert len({voter, voter_of(KEY, 8, 42), voter_of(KEY, 7, 43)}) == 3


def test_each_person_reads_the_items_in_their_own_stable_order() -> None:
    items = [HassleItem(id=n, reference=str(n)) for n in range(1, 26)]
    anna = [i.reference for i in own_order(KEY, 1, 10, items)]
    assert anna == [i.reference for i in own_order(KEY, 1, 10, list(reversed(items)))]
    others = {tuple(i.reference for i in own_order(KEY, 1, m, items)) for m in range(11, 16)}
    assert tuple(anna) not in others
    assert sorted(anna, key=int) == [str(n) for n in range(1, 26)]


# --- in the database ---------------------------------------------------------------------------


def _round(deps: Deps, items: int = 4) -> tuple[int, list[int]]:
    """A process with a round in voting and `items` shown items: ids of the round and items."""
    where = channel("C-BALLOT", [person("Mette Lund")])
    set_up(deps, where, person("Mette Lund"))
    now = deps.clock()
    with deps.db.transaction() as session:
        process = process_for_channel(session, where)
        assert process is not None
        round_ = HassleRound(
            process_id=process.id,
            question="Hvad bøvler?",
            phase="voting",
            collect_until=now,
            vote_until=now + timedelta(days=7),
            started_at=now,
        )
        round_.items = [
            HassleItem(reference=str(n), title=f"Bøvl {n}", created_at=now, shown_at=now)
            for n in range(1, items + 1)
        ]
        session.add(round_)
        session.flush()
        return round_.id, [i.id for i in round_.items]


def _cast(deps: Deps, round_id: int, member_id: int, items: list[int]) -> list[int]:
    """A submission as the use case makes it: retried when another of the person's won."""
    for _attempt in range(5):
        try:
            with deps.db.transaction() as session:
                round_ = session.get(HassleRound, round_id)
                assert round_ is not None
                return cast(session, KEY, round_, member_id, items, deps.clock())
        except (BallotChanged, IntegrityError):
            continue
    raise AssertionError("a submission lost five races in a row")


def _totals(deps: Deps, round_id: int) -> Counter[int]:
    with deps.db.transaction() as session:
        rows = session.execute(
            select(HassleItem.id, HassleItem.supports).where(HassleItem.round_id == round_id)
        ).all()
    return Counter({item_id: supports for item_id, supports in rows if supports})


def test_a_new_ballot_replaces_the_old_one_in_the_totals(deps: Deps) -> None:
    round_id, (a, b, c, _) = _round(deps)
    _cast(deps, round_id, 1, [a, b])
    _cast(deps, round_id, 2, [b])
    assert _totals(deps, round_id) == Counter({a: 1, b: 2})
    assert _cast(deps, round_id, 1, [b, c]) == [a, b]  # changed their mind: a out, c in
    assert _totals(deps, round_id) == Counter({b: 2, c: 1})
    _cast(deps, round_id, 1, [b, c])  # the same again (a double click, a replay): no change
    _cast(deps, round_id, 1, [c, b])
    assert _totals(deps, round_id) == Counter({b: 2, c: 1})
    _cast(deps, round_id, 1, [])  # every dot taken back: no ballot kept
    assert _totals(deps, round_id) == Counter({b: 1})
    with deps.db.transaction() as session:
        round_ = session.get(HassleRound, round_id)
        assert round_ is not None
        assert current_choice(session, KEY, round_, 1) == []
        assert current_choice(session, KEY, round_, 2) == [b]
        assert session.scalar(select(func.count(HassleBallot.id))) == 1


def test_stacked_dots_count_one_each(deps: Deps) -> None:
    round_id, (a, b, *_) = _round(deps)
    _cast(deps, round_id, 1, [a, a, b])
    assert _totals(deps, round_id) == Counter({a: 2, b: 1})
    _cast(deps, round_id, 1, [a, b, b])
    assert _totals(deps, round_id) == Counter({a: 1, b: 2})


def test_totals_always_equal_the_ballots_stored_and_are_never_negative(deps: Deps) -> None:
    round_id, items = _round(deps, items=6)
    draw = random.Random(15)
    for _ in range(60):
        member = draw.randint(1, 5)
        _cast(deps, round_id, member, draw.sample(items, draw.randint(0, 3)))
    with deps.db.transaction() as session:
        round_ = session.get(HassleRound, round_id)
        assert round_ is not None
        stored: Counter[int] = Counter()
        for member in range(1, 6):
            stored.update(current_choice(session, KEY, round_, member))
        supports = list(session.scalars(select(HassleItem.supports)))
    assert _totals(deps, round_id) == stored
    assert min(supports) >= 0


def test_two_ballots_of_one_person_racing_count_as_exactly_one(deps: Deps) -> None:
    """The first holds its transaction open after writing; the second reads the ballot as it
    was, then waits to write. It must not take the old dots off a second time: it finds the
    ballot changed and tries again from the new one."""
    round_id, (a, b, c, d) = _round(deps)
    _cast(deps, round_id, 1, [a, b])
    _cast(deps, round_id, 2, [a, b])  # so that taking a and b off twice would not go below 0
    written, go = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with deps.db.transaction() as session:
                round_ = session.get(HassleRound, round_id)
                assert round_ is not None
                cast(session, KEY, round_, 1, [b, c], deps.clock())
                written.set()
                go.wait(10)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
            written.set()

    def second() -> None:
        try:
            _cast(deps, round_id, 1, [c, d])
        except BaseException as error:
            errors.append(error)

    one = threading.Thread(target=first)
    one.start()
    assert written.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)  # the second now waits for the first's write (or has read before it)
    go.set()
    one.join(10)
    two.join(30)
    assert not errors
    assert _totals(deps, round_id) == Counter({a: 1, b: 1, c: 1, d: 1})


def test_ballots_are_deleted_once_the_round_is_closed(deps: Deps) -> None:
    round_id, (a, b, *_) = _round(deps)
    _cast(deps, round_id, 1, [a])
    _cast(deps, round_id, 2, [a, b])
    with deps.db.transaction() as session:
        round_ = session.get(HassleRound, round_id)
        assert round_ is not None
        assert delete_ballots(session, round_) == 2
    assert _totals(deps, round_id) == Counter({a: 2, b: 1})  # the totals stay
    with deps.db.transaction() as session:
        assert session.scalar(select(func.count(HassleBallot.id))) == 0


# --- where the key comes from -----------------------------------------------------------------


def test_the_key_from_the_setting_serves_any_database() -> None:
    key = ballot_key("correct horse battery staple", "postgresql+psycopg://db/samskab")
    assert key is not None and len(key) == 32
    assert key == ballot_key("correct horse battery staple", "sqlite:///:memory:")
    assert key != ballot_key("another secret", "postgresql+psycopg://db/samskab")


def test_a_sqlite_file_gets_a_private_key_file_made_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'samskab.db'}"
    key = ballot_key(None, url)
    path = tmp_path / "samskab.db.ballot-key"
    assert key is not None and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ballot_key(None, url) == key  # the next start reads the same key
    assert [p.name for p in tmp_path.iterdir()] == ["samskab.db.ballot-key"]  # no leftovers


def test_the_key_on_demand_is_made_at_the_first_call_once_whoever_calls(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'samskab.db'}"
    key = key_on_demand(None, url)
    assert list(tmp_path.iterdir()) == []  # nothing is made before a ballot needs it
    keys: list[bytes | None] = []
    threads = [threading.Thread(target=lambda: keys.append(key())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert keys[0] == ballot_key(None, url)  # the file's key, as the next start reads it
    assert [p.name for p in tmp_path.iterdir()] == ["samskab.db.ballot-key"]
    assert key_on_demand(None, "postgresql+psycopg://db/samskab")() is None


def test_without_a_setting_or_a_file_there_is_no_key() -> None:
    assert ballot_key(None, "postgresql+psycopg://db/samskab") is None
    assert ballot_key(None, "sqlite:///:memory:") is None
    assert ballot_key("", "sqlite://") is None


def test_a_damaged_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "samskab.db.ballot-key"
    path.write_text("not a key\n")
    with pytest.raises(ValueError, match="ballot key"):
        ballot_key(None, f"sqlite:///{tmp_path / 'samskab.db'}")
    assert path.read_text() == "not a key\n"
