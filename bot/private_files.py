"""Files with personal data that the bot writes to disk (`samskab export --output`, the console's
exports and `mydata`): readable and writable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE = 0o600


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, created 0600. A regular file already there is made 0600 before it
    is emptied, so a file we may not change is left as it was; a device or pipe is written as is."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE)
    with os.fdopen(fd, "wb") as file:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, PRIVATE)
            os.ftruncate(fd, 0)
        file.write(data)
