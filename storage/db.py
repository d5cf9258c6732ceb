"""Engine and sessions. SQLite gets WAL, foreign keys and a busy timeout on every connection, and
a database file that only its owner can read."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Delete, Update

from storage.request_in_hand import committed, watch_writes

log = logging.getLogger(__name__)

PRIVATE = 0o600  # read and write for the owner, nothing for group and others
# Files SQLite keeps beside the database; it creates them with the database file's mode.
COMPANIONS = ("-wal", "-shm", "-journal")


def make_engine(url: str) -> Engine:
    """The one way an engine is made: `Database` and the Alembic migrations both use it. A
    failed statement is logged without its parameters, which can hold what a person wrote."""
    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path is not None:
            make_database_private(path)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for an in-memory or temporary database, and for a
    `file:` URI (`?uri=true`), which SQLite opens as it says."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_database_private(path: Path) -> None:
    """Create the database file 0600 before SQLite would create it with the umask (0644 under the
    usual 022); its -wal, -shm and -journal then get 0600 too. A file already there, and any
    companion a crash left behind, loses its group and other bits."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        pass
    else:
        os.fchmod(fd, PRIVATE)  # whatever the umask took away
        os.close(fd)
    for name in (path, *(path.with_name(path.name + suffix) for suffix in COMPANIONS)):
        _remove_group_and_other(name)


def _remove_group_and_other(path: Path) -> None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(status.st_mode)
    if not stat.S_ISREG(status.st_mode) or not mode & 0o077:
        return
    try:
        path.chmod(mode & 0o700)
    except PermissionError:  # someone else's file: its owner decides, and is told
        log.warning("%s is open to others (mode %o) and not ours to change", path, mode)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Each pooled connection keeps its own page cache (2 MB by default), and a write by any
    # connection empties the others' anyway: 512 KB each keeps the server lean at no cost
    # measured (docs/benchmarks.md, memory).
    cursor.execute("PRAGMA cache_size=-512")
    cursor.close()


class Database:
    """The one handle on storage that the rest of the bot is given."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        watch_writes(self._sessions)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: everything commits together or nothing does. In the work of an
        inbox request, the first transaction that writes marks the request's row applied as it
        commits (storage.request_in_hand)."""
        with self._sessions() as session, committed(session):
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def run_bulk(session: Session, statement: Delete | Update) -> int:
    """A bulk DELETE or UPDATE, without syncing loaded objects; returns how many rows it hit."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(cast(CursorResult[Any], result).rowcount or 0)
