"""What the core knows of a chat platform: an `Adapter` declares its name, the settings it
needs, how to build it for a running bot (`Mounted`: its HTTP routes, the messenger that
delivers its outbox rows, and its listeners' link to the delivery worker), and how to build its
messenger alone. A platform that can also run on its own, without the HTTP server, declares a
`Runner` (Slack's Socket Mode, `samskab socket`).

Registrations (bot.slack.adapter, bot.teams.adapter) import no platform SDK at import time:
`samskab --help` reads the registry, and each `build` or `run` imports its platform's code when
called."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from bot.settings import Settings
    from handlers.context import Deps
    from schedules.envelopes import Messenger


@dataclass(frozen=True)
class Mounted:
    """An adapter built for a running bot."""

    routes: Sequence[BaseRoute]  # what `samskab serve` serves for it
    messenger: Messenger  # delivers its platform's outbox rows
    background: set[Any]  # work its listeners started after answering, kept until done
    # Called as the bot starts with the delivery worker's `nudge`, for the listeners to call
    # when a use case has written to the outbox.
    on_start: Callable[[Callable[[], None]], None]
    # Called as the bot stops, with the seconds the adapter may take to finish its work.
    on_stop: Callable[[float], Awaitable[None]] | None = None
    # Called once the delivery worker has stopped: what its messenger needs until the last
    # send (Slack's connection pool; closed before, the worker's last posts were cut off).
    on_closed: Callable[[], Awaitable[None]] | None = None
    # Acked work its inbox has queued or in progress (bot.inbox.Inbox.unfinished).
    unfinished: Callable[[], int] | None = None
    # Reads every process's channel roster again (the scheduler's roster job); returns how
    # many channels it read.
    reconcile_rosters: Callable[[], Awaitable[int]] | None = None
    # Creates or edits the due status documents in its channels (Slack's "Hvor er vi?" canvas,
    # the scheduler's canvas job); returns how many it made or edited.
    keep_canvases: Callable[[], Awaitable[int]] | None = None


@dataclass(frozen=True)
class Runner:
    """An adapter running on its own, without the HTTP server, as a CLI command of its own."""

    command: str  # "socket"
    help: str  # the command's line in `samskab --help`
    required_settings: tuple[str, ...]
    missing_message: str  # an N_() text with {names}, for when settings are missing
    run: Callable[[Settings, Deps], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Adapter:
    name: str  # the platform, as outbox rows and the health check name it: "slack"
    title: str  # as a person reads it: "Slack"
    required_settings: tuple[str, ...]  # environment names; all present = configured
    build: Callable[[Settings, Deps], Mounted]  # for a running bot
    # The messenger alone, for a command that only sends (`samskab digest --now`).
    messenger: Callable[[Settings, Deps], Messenger]
    runner: Runner | None = None
