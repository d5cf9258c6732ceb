"""The ASGI app of `samskab serve`: the routes of every configured adapter (bot.adapters), the
health check, and the delivery worker running beside them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import timedelta

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.adapters.contract import Adapter, Mounted
from bot.adapters.registry import ADAPTERS, build_configured, describe_missing
from bot.settings import Settings
from bot.web.routes import web_routes
from handlers.context import Deps
from handlers.i18n import Translator
from schedules.jobs import Runtime
from schedules.scheduler import Scheduler
from schedules.worker import DeliveryWorker

log = logging.getLogger(__name__)

# How long, at shutdown, the work adapters started after answering may take to finish.
FINISH_TIMEOUT = 10.0


class NoAdapter(ValueError):
    """No adapter has the settings it needs: the message names them, per adapter."""


def build_app(
    settings: Settings,
    deps: Deps,
    *,
    worker_interval: float = 1.0,
    adapters: Sequence[Adapter] = ADAPTERS,
) -> Starlette:
    """Mounts each adapter whose settings are present. `app.state.in_flight()` counts the work
    they started after answering that is not done yet."""
    mounted = build_configured(settings, deps, adapters)
    if not mounted:
        raise NoAdapter(describe_missing(settings, Translator(settings.language), adapters))
    routes: list[BaseRoute] = [route for m in mounted.values() for route in m.routes]

    async def healthz(request: Request) -> Response:
        try:
            with deps.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # the health check reports, it does not crash
            return JSONResponse({"status": "error", "database": str(error)}, status_code=503)
        return JSONResponse({"status": "ok", "adapters": sorted(mounted)})

    routes.append(Route("/healthz", healthz, methods=["GET"]))
    # The status page: personal links where Slack is configured, the channel tab where Teams is.
    routes += web_routes(settings, deps, frozenset(mounted))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with running(settings, deps, mounted, worker_interval) as worker:
            app.state.worker = worker
            yield

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.in_flight = lambda: sum(in_flight(m) for m in mounted.values())
    return app


def in_flight(adapter: Mounted) -> int:
    """Work an adapter started after answering, and acked work its inbox has still to do."""
    return len(adapter.background) + (adapter.unfinished() if adapter.unfinished else 0)


@contextlib.asynccontextmanager
async def running(
    settings: Settings, deps: Deps, mounted: Mapping[str, Mounted], interval: float = 1.0
) -> AsyncIterator[DeliveryWorker]:
    """The delivery worker for the mounted adapters' messengers, and the scheduler where
    SAMSKAB_SCHEDULER is on, for as long as the server (or Socket Mode) runs. On the way out,
    the work the adapters started after answering gets FINISH_TIMEOUT to finish before the
    worker stops."""
    messengers = {name: m.messenger for name, m in mounted.items()}
    lease = timedelta(seconds=settings.delivery_lease)
    worker = DeliveryWorker(deps.db, messengers, deps.clock, interval=interval, lease=lease)
    await worker.register()
    task = asyncio.create_task(worker.run())
    for adapter in mounted.values():
        adapter.on_start(worker.nudge)
    rosters = tuple(m.reconcile_rosters for m in mounted.values() if m.reconcile_rosters)
    canvases = tuple(m.keep_canvases for m in mounted.values() if m.keep_canvases)
    runtime = Runtime(deps, worker.nudge, rosters=rosters, canvases=canvases)
    scheduler = Scheduler(runtime) if settings.scheduler else None
    try:
        if scheduler is not None:
            await scheduler.start()
        yield worker
    finally:
        for adapter in mounted.values():
            if adapter.on_stop is not None:
                await adapter.on_stop(FINISH_TIMEOUT)
        await finish_started_work(mounted.values())
        if scheduler is not None:
            scheduler.stop()
        worker.stop()
        await task
        for adapter in mounted.values():
            if adapter.on_closed is not None:
                await adapter.on_closed()


async def finish_started_work(mounted: Iterable[Mounted], timeout: float = FINISH_TIMEOUT) -> None:
    """Waits for the work adapters started after answering (and what that work starts in turn),
    cancelling what is left after `timeout`: it is lost, as it is in a crash."""
    adapters = list(mounted)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while pending := {t for a in adapters for t in list(a.background) if not t.done()}:
        left = deadline - loop.time()
        if left <= 0:
            log.warning("stopping with %d unfinished piece(s) of work", len(pending))
            for unfinished in pending:
                unfinished.cancel()
            await asyncio.wait(pending, timeout=1)
            return
        await asyncio.wait(pending, timeout=left)
