"""`samskab` (and `python -m bot`): serve, socket, console, digest, migrate, demo.

Each command imports what it uses when it runs: `samskab --help` reads no settings and loads
neither SQLAlchemy, Alembic nor a platform's SDK; `samskab console` loads no platform's SDK
(tests/unit/test_lean_start.py holds it to that)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapters.registry import runners

if TYPE_CHECKING:
    from bot.adapters.contract import Runner
    from bot.settings import Settings
    from handlers.context import Deps
    from handlers.i18n import Translator
    from storage.db import Database

log = logging.getLogger("samskab")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samskab",
        description="Samskab: keeps everyone in a co-created governance process informed and heard.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="HTTP server for Slack (/slack/events) and Teams")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    for runner in runners():  # `socket`: Slack's Socket Mode
        commands.add_parser(runner.command, help=runner.help)
    console = commands.add_parser("console", help="a local chat in the terminal")
    console.add_argument(
        "--channel", help="the channel to start in (default: the newest process's)"
    )
    console.add_argument("--as", dest="as_name", metavar="NAME", help="the person to act as")
    digest = commands.add_parser("digest", help="post the status digest")
    digest.add_argument("--now", action="store_true", required=True, help="post it now")
    digest.add_argument("--channel", help="only the process of this channel")
    commands.add_parser("migrate", help="upgrade the database to the newest schema")
    commands.add_parser("demo", help="load an example process (modelled on Odder Kommune)")
    export = commands.add_parser("export", help="the record of a process, as Markdown or CSV")
    export.add_argument("--process", type=int, required=True, metavar="ID", help="process id")
    export.add_argument("--format", choices=("md", "csv"), default="md", help="default: md")
    export.add_argument("--output", metavar="FILE", help="write to FILE (default: stdout)")
    purge = commands.add_parser(
        "purge", help="erase the personal data of processes closed longer than the retention"
    )
    purge.add_argument("--dry-run", action="store_true", help="only show what would be erased")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Past here a command runs: what it needs is loaded now, not for `--help`.
    import asyncio

    from pydantic import ValidationError

    from bot.adapters.registry import configured_messengers
    from bot.settings import Settings
    from handlers.i18n import Translator

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = Settings.env_name(str(problem["loc"][0])) if problem["loc"] else "?"
            print(f"samskab: setting {name}: {problem['msg']}", file=sys.stderr)
        return 2
    tr = Translator(settings.language, settings.timezone)
    if args.command == "serve":
        return _serve(settings, args, tr)
    runner = next((r for r in runners() if r.command == args.command), None)
    if runner is not None:
        return _run(runner, settings, tr)
    db = _open_database(settings, tr)
    if db is None:
        return 1
    deps = _deps(db, settings)
    try:
        if args.command == "migrate":
            print(tr._("The database is up to date ({url}).").format(url=settings.database_url))
            return 0
        if args.command == "console":
            return _console(deps, args)
        if args.command == "digest":
            from bot.digest_now import digest_now

            messengers = configured_messengers(settings, deps)
            return asyncio.run(digest_now(deps, args.channel, tr, messengers))
        if args.command == "demo":
            from bot.demo import load_demo

            print(load_demo(deps, tr))
            return 0
        if args.command == "export":
            return _export(deps, args, tr)
        if args.command == "purge":
            from handlers.privacy.retention import describe, erase_due

            report = erase_due(deps, settings.retention_days, dry_run=args.dry_run)
            print("\n".join(describe(report, tr)))
            return 0
    finally:
        db.dispose()
    return 2


def _deps(db: Database, settings: Settings) -> Deps:
    from bot.ballot_key import key_on_demand
    from handlers.context import Deps

    secret = settings.ballot_key.get_secret_value() if settings.ballot_key else None
    return Deps(
        db=db,
        language=settings.language,
        timezone=settings.timezone,
        retention_days=settings.retention_days,
        ballot_key=key_on_demand(secret, settings.database_url),
    )


def _open_database(settings: Settings, tr: Translator) -> Database | None:
    """Upgrade to the newest schema on every start: `migrate` only makes it explicit."""
    from storage.db import Database
    from storage.migrate import upgrade_if_behind

    try:
        upgrade_if_behind(settings.database_url)
    except Exception as error:  # the one place a bad DATABASE_URL is reported plainly
        message = tr._("Cannot open the database {url}: {error}")
        print("samskab: " + message.format(url=settings.database_url, error=error), file=sys.stderr)
        return None
    return Database(settings.database_url)


def _export(deps: Deps, args: argparse.Namespace, tr: Translator) -> int:
    from bot.private_files import write_private
    from handlers.record.export import record_file

    record = record_file(deps, args.process, args.format)
    if record is None:
        message = tr._("There is no process with the id {id}.").format(id=args.process)
        print(f"samskab: {message}", file=sys.stderr)
        return 2
    # Bytes, whatever the terminal's encoding: the file is UTF-8 (the CSV with its BOM).
    data = record.content.encode("utf-8")
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    path = Path(args.output)
    try:
        write_private(path, data)
    except OSError as error:
        message = tr._("Cannot write {path}: {error}").format(path=path, error=error.strerror)
        print(f"samskab: {message}", file=sys.stderr)
        return 1
    print(tr._("The record is saved in {path}.").format(path=path))
    return 0


def _console(deps: Deps, args: argparse.Namespace) -> int:
    from bot.console.session import ConsoleSession

    def read() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    session = ConsoleSession(deps, read, sys.stdout, channel=args.channel, as_name=args.as_name)
    return session.run()


def _serve(settings: Settings, args: argparse.Namespace, tr: Translator) -> int:
    from bot.adapters.registry import configured, describe_missing

    if not configured(settings):
        print(describe_missing(settings, tr), file=sys.stderr)
        return 2
    db = _open_database(settings, tr)
    if db is None:
        return 1
    try:
        import uvicorn

        from bot.allocator import fewer_arenas
        from bot.server import build_app

        fewer_arenas()  # before the server starts its threads

        app = build_app(settings, _deps(db, settings))
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
        return 0
    finally:
        db.dispose()


def _run(runner: Runner, settings: Settings, tr: Translator) -> int:
    """An adapter on its own (`samskab socket`), until it is stopped."""
    missing = settings.missing(runner.required_settings)
    if missing:
        print(tr._(runner.missing_message).format(names=", ".join(missing)), file=sys.stderr)
        return 2
    db = _open_database(settings, tr)
    if db is None:
        return 1
    import asyncio

    try:
        asyncio.run(runner.run(settings, _deps(db, settings)))
        return 0
    finally:
        db.dispose()
