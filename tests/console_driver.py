"""Drives the console adapter as a person at a terminal would, and reads back what each person
received. The console is the fake chat of the unit and scenario tests."""

from __future__ import annotations

import asyncio
import io
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from bot.console.session import ConsoleSession
from handlers.context import Deps

BLOCK = re.compile(r"┌─ (?P<label>[^\n]*)\n(?P<body>(?:│[^\n]*\n)*)└─")


@dataclass(frozen=True)
class Post:
    label: str
    body: str


class ConsoleDriver:
    def __init__(self, deps: Deps, *, channel: str, as_name: str, export_dir: Path) -> None:
        self.answers: deque[str] = deque()
        self.out = io.StringIO()
        self.session = ConsoleSession(
            deps, self._read, self.out, channel=channel, as_name=as_name, export_dir=export_dir
        )
        self.transcript: list[Post] = []

    def _read(self) -> str | None:
        return self.answers.popleft() + "\n" if self.answers else None

    def type(self, command: str, *answers: str) -> list[Post]:
        """Type a command, then answer the form it opens; returns what appeared."""
        self.answers.extend(answers)
        start = self.out.tell()
        asyncio.run(self.session.handle(command))
        assert not self.answers, f"the form did not ask for {list(self.answers)}"
        return self._since(start)

    def deliver(self) -> list[Post]:
        """What the outbox holds now (written by a scheduled job) reaches the people."""
        start = self.out.tell()
        asyncio.run(self.session.deliver())
        return self._since(start)

    def _since(self, start: int) -> list[Post]:
        text = self.out.getvalue()[start:]
        posts = [
            Post(m["label"], "\n".join(line[2:] for line in m["body"].splitlines()))
            for m in BLOCK.finditer(text)
        ]
        self.transcript += posts
        self.last_text = text
        return posts

    def received_by(self, label: str) -> list[Post]:
        return [p for p in self.transcript if p.label.startswith(label)]

    def button(self, post: Post, label: str) -> str:
        match = re.search(r"\[(\d+)\] " + re.escape(label), post.body)
        assert match, f"no button {label!r} in:\n{post.body}"
        return match.group(1)
