"""`samskab` run in-process: `bot.cli.main(argv)` with the environment, working directory and
standard streams a person at a terminal gives it, as pytest's monkeypatch and capsys set them.
Only the tests about the process itself (start-up, signals, replicas) start a real one."""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from bot.cli import main


@dataclass(frozen=True)
class Outcome:
    """What a terminal shows after a command: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


class CommandLine:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(
        self, *args: str, stdin: str = "", env: Mapping[str, str] | None = None
    ) -> Outcome:
        """`samskab ARGS`, with `stdin` typed in and `env` set for this command only."""
        self.capsys.readouterr()  # what came before is not this command's
        with self.monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            try:
                returncode = main(list(args))
            except SystemExit as exit_:  # argparse refusing the arguments
                returncode = exit_.code if isinstance(exit_.code, int) else 1
        out, err = self.capsys.readouterr()
        return Outcome(returncode, out, err)
