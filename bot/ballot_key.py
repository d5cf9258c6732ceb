"""Where the key that seals the bøvl round's ballots comes from (handlers.hassle.ballots).

The key must live outside the database: whoever holds a copy of the database alone should learn
nothing of who supported what. So: `SAMSKAB_BALLOT_KEY` when it is set (any string; 32 bytes are
derived from it); else, for a SQLite file, a random key kept in a file beside it
(`<database>.ballot-key`, 0600), made once; else (PostgreSQL without the setting, an in-memory
database) none, and opening a vote is refused with a message that names the setting.

Deps carries the function `key_on_demand` returns, not the key: the key is looked up (and its
file made) the first time a ballot is sealed or read or voting is opened, so `samskab migrate`, a
digest or a console that never votes leaves no key file beside the database."""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

from storage.db import PRIVATE, sqlite_file

KEY_BYTES = 32
SUFFIX = ".ballot-key"


def ballot_key(setting: str | None, database_url: str) -> bytes | None:
    """The key for `database_url`: from the setting, from the file beside a SQLite file, or None."""
    if setting:
        return derive_key(setting)
    path = sqlite_file(database_url)
    if path is None:
        return None
    return key_file(path.with_name(path.name + SUFFIX))


def key_on_demand(setting: str | None, database_url: str) -> Callable[[], bytes | None]:
    """`ballot_key(setting, database_url)` the first time it is called, the same bytes after."""
    lock = threading.Lock()  # handlers run in threads: two first votes make the key once
    found: list[bytes | None] = []

    def key() -> bytes | None:
        with lock:
            if not found:  # a key file that cannot be read raises, and is tried again next time
                found.append(ballot_key(setting, database_url))
            return found[0]

    return key


def derive_key(secret: str) -> bytes:
    """32 bytes from any string, so that a passphrase and a hex key both serve."""
    # Imported here: cryptography costs the server ~9 MB, and only a set key needs this.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=b"samskab ballots", info=b"ballot key"
    ).derive(secret.encode())


def key_file(path: Path) -> bytes:
    """The key kept in `path`, made the first time. Written whole to a private temporary file and
    linked into place, which fails if another process was first: then its key is the one read,
    and never a half-written file."""
    if not path.exists():
        temporary = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        try:
            with os.fdopen(fd, "w") as file:
                os.fchmod(fd, PRIVATE)  # whatever the umask left of 0600
                file.write(secrets.token_hex(KEY_BYTES) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        # Not ours to repair: a key changed by hand would leave the ballots unreadable.
        raise ValueError(f"{path} does not hold a ballot key (64 hexadecimal digits)")
    return key
