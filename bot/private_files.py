"""Files with personal data that the bot writes to disk (`samskab export --output`, the console's
exports and `mydata`): readable and writable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

PRIVATE = 0o600
ATTEMPTS = 1000  # "-2" … "-1000": far more files of one person on one day than anyone keeps


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, created 0600. A regular file already there is made 0600 before it
    is emptied, so a file we may not change is left as it was; a device or pipe is written as is.
    For a file the person named themselves (`samskab export --output FILE`)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE)
    with os.fdopen(fd, "wb") as file:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, PRIVATE)
            os.ftruncate(fd, 0)
        file.write(data)


def personal_name(filename: str, owner: str) -> str:
    """`samskab-mydata-2026-11-24.json` for Anna Holm → `samskab-mydata-2026-11-24-anna-holm.json`:
    the readable name, with whose file it is. Only the last part of `filename` is kept, and the
    owner only as letters, digits and dashes, so the name never leads out of its directory."""
    name = Path(filename).name
    if name in ("", ".", ".."):
        name = "samskab"
    slug = re.sub(r"[^\w]+", "-", owner.casefold()).strip("-_")
    if not slug:
        return name
    suffix = "".join(Path(name).suffixes[-1:])
    return f"{name.removesuffix(suffix)}-{slug}{suffix}"


def write_private_new(path: Path, data: bytes) -> Path:
    """Write `data` to a new file 0600: `path` if nothing is there, else the first free
    `stem-2.suffix`, `stem-3.suffix`, …; never an existing file (O_EXCL, which also refuses a
    symbolic link). Returns the path written."""
    for number in range(1, ATTEMPTS + 1):
        candidate = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as file:
                os.fchmod(fd, PRIVATE)  # whatever the umask left of 0600
                file.write(data)
        except OSError:
            candidate.unlink(missing_ok=True)  # no half-written file left behind
            raise
        return candidate
    raise FileExistsError(f"{path} and {ATTEMPTS - 1} numbered names after it all exist")
