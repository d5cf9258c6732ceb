"""The app as it runs in production: `samskab serve` in a process of its own, so that a
benchmark's client threads and fake Slack do not share its interpreter (and its GIL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.servers import answers, free_port


@contextmanager
def serve_in_process(env: dict[str, str], start_timeout: float = 60.0) -> Iterator[str]:
    """Yields the base URL while `python -m bot serve` runs with `env` added to ours; stops it
    with SIGTERM (uvicorn's graceful shutdown, as a process manager would), SIGKILL if it hangs.
    Its output goes to a temporary file, printed only if it does not start."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + start_timeout
            while not answers(f"{base_url}/healthz"):
                if process.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    raise RuntimeError(f"samskab serve did not start:\n{output.read()}")
                time.sleep(0.1)
            yield base_url
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
