"""The scaffolding the fake services share: an aiohttp server on 127.0.0.1, port 0, with its own
event loop in a background thread, so that sync tests, asyncio.run() and an app under test in
another loop can all reach it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any, Self, TypeVar

from aiohttp import web

T = TypeVar("T")


class ThreadedServer:
    """``with Fake() as fake:`` serves ``fake.make_app()`` at ``fake.base_url`` until the block
    ends. A fake subclasses it and builds its routes in :meth:`make_app`."""

    def __init__(self) -> None:
        self.base_url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        """The fake's aiohttp application: its routes, and its limits."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.run_in_loop(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is None or self._thread is None:
            return
        if self._runner is not None:
            self.run_in_loop(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    def run_in_loop(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Runs `coroutine` in the server's loop (e.g. to send on one of its WebSockets)."""
        assert self._loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def cpu_time(self) -> float:
        """CPU seconds used so far by the thread that serves the fake (Linux): a benchmark that
        runs the fake in its own process subtracts it from the process's CPU time."""
        assert self._thread is not None and self._thread.ident is not None
        return time.clock_gettime(time.pthread_getcpuclockid(self._thread.ident))
