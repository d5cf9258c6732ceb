"""Serving our real ASGI app over real HTTP on an ephemeral port: in a background thread, or as
`samskab serve` in a process of its own where the process boundary is the point of a test."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.waiting import eventually


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) while uvicorn serves `app`, lifespan included."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    eventually(lambda: server.started or not thread.is_alive())
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        loop.close()


def answers(url: str) -> bool:
    """Whether a server answers `url` with 200 yet (a process still starting does not)."""
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def bot_serving(
    settings: dict[str, str], tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`samskab serve` as a real process with `settings` and none of ours from this process's
    environment; yields it and its base URL once /healthz answers. Its output goes to a log file
    in `tmp_path`. A test may kill it; otherwise it is stopped as a process manager would."""
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "SAMSKAB_"))
    }
    log = (tmp_path / f"bot-{port}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env | settings,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: answers(f"{base}/healthz"), timeout=30)
        yield process, base
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(20)
        log.close()
