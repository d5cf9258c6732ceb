"""The platforms the bot speaks, and what `samskab serve`, `samskab socket`, `samskab digest
--now` and the CLI's messages read of them. A new platform is a package with its registration
and one line here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.adapters.contract import Adapter, Mounted, Runner
from bot.slack.adapter import SLACK
from bot.teams.adapter import TEAMS

if TYPE_CHECKING:
    from bot.settings import Settings
    from handlers.context import Deps
    from handlers.i18n import Translator
    from schedules.envelopes import Messenger

ADAPTERS: tuple[Adapter, ...] = (SLACK, TEAMS)


def configured(settings: Settings, adapters: Sequence[Adapter] = ADAPTERS) -> list[Adapter]:
    """The adapters whose settings are all present, in the registry's order."""
    return [a for a in adapters if not settings.missing(a.required_settings)]


def missing_settings(
    settings: Settings, adapters: Sequence[Adapter] = ADAPTERS
) -> list[tuple[Adapter, list[str]]]:
    """Each adapter that is not configured, with the settings it lacks."""
    found = [(a, settings.missing(a.required_settings)) for a in adapters]
    return [(adapter, names) for adapter, names in found if names]


def describe_missing(
    settings: Settings, tr: Translator, adapters: Sequence[Adapter] = ADAPTERS
) -> str:
    """What `samskab serve` says when no adapter is configured: each one's missing settings."""
    lines = [tr._("samskab serve needs the settings of at least one platform:")]
    lines += [
        f"  {a.title}: {', '.join(names)}" for a, names in missing_settings(settings, adapters)
    ]
    return "\n".join(lines)


def runners(adapters: Sequence[Adapter] = ADAPTERS) -> list[Runner]:
    return [a.runner for a in adapters if a.runner is not None]


def build_configured(
    settings: Settings, deps: Deps, adapters: Sequence[Adapter] = ADAPTERS
) -> dict[str, Mounted]:
    """Every configured adapter, built, by name."""
    return {a.name: a.build(settings, deps) for a in configured(settings, adapters)}


def configured_messengers(
    settings: Settings, deps: Deps, adapters: Sequence[Adapter] = ADAPTERS
) -> dict[str, Messenger]:
    """The messenger of every configured adapter, by name, and nothing else of it."""
    return {a.name: a.messenger(settings, deps) for a in configured(settings, adapters)}
