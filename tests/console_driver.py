"""Drives the console adapter as a person at a terminal would, and reads back what each person
received. The console is the fake chat of the unit and scenario tests."""

from __future__ import annotations

import asyncio
import io
import re
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.console.session import ConsoleSession
from handlers.context import Deps

BLOCK = re.compile(r"┌─ (?P<label>[^\n]*)\n(?P<body>(?:│[^\n]*\n)*)└─")
LINE_PROMPT = (
    "  > "  # each line of a long text is asked for with this (bot/console/form_prompts.py)
)

# Field label → its answer: a long text's lines joined by newlines; a list for a field that is
# asked again after the form refused an answer (one answer each time it is asked).
Answers = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class Post:
    label: str
    body: str


class ConsoleDriver:
    def __init__(self, deps: Deps, *, channel: str, as_name: str, export_dir: Path) -> None:
        self.out = io.StringIO()
        self.session = ConsoleSession(
            deps, self._read, self.out, channel=channel, as_name=as_name, export_dir=export_dir
        )
        self.transcript: list[Post] = []
        self._answers: Answers = {}
        self._asked: Counter[str] = Counter()
        self._lines: deque[str] = deque()  # the rest of the long text being typed
        self._seen = 0  # how much of the output the person has read

    def type(self, command: str, answers: Answers | None = None) -> list[Post]:
        """Types a command, then answers the form it opens as a person reading its prompts:
        each field whose label is in `answers` gets its answer, every other field Enter (which
        keeps what the form proposes). Returns what appeared."""
        self._answers, self._asked = dict(answers or {}), Counter()
        start = self._seen = self.out.tell()
        asyncio.run(self.session.handle(command))
        unasked = [label for label in self._answers if not self._asked[label]]
        assert not unasked, f"the form did not ask for {unasked}:\n{self.out.getvalue()[start:]}"
        for label, answer in self._answers.items():
            times = 1 if isinstance(answer, str) else len(answer)
            assert self._asked[label] == times, f"{label!r} was asked {self._asked[label]} times"
        return self._since(start)

    def _read(self) -> str | None:
        """The console asks for a line: the answer to the field its newest prompt names."""
        output = self.out.getvalue()
        new, self._seen = output[self._seen :], len(output)
        *before, prompt = new.split("\n")
        if prompt != LINE_PROMPT:  # "Label (optional) (hint) [default]: "
            return self._answer(prompt) + "\n"
        if before:  # a long text begins: "Label [default]", "(an empty line ends)", "  > "
            self._lines = deque(self._answer(before[-2]).splitlines())
        return (self._lines.popleft() if self._lines else "") + "\n"

    def _answer(self, prompt: str) -> str:
        label = max(
            (label for label in self._answers if _names(prompt, label)), key=len, default=prompt
        )
        self._asked[label] += 1
        answer = self._answers.get(label, "")
        attempts = [answer] if isinstance(answer, str) else list(answer)
        assert self._asked[label] <= len(attempts), (
            f"the form asked for {label!r} again:\n{self.out.getvalue()[-600:]}"
        )
        return attempts[self._asked[label] - 1]

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


def _names(prompt: str, label: str) -> bool:
    """Whether a prompt asks for the field with this label (what follows it: "(optional)", a
    hint, the default in brackets, the colon)."""
    return prompt.startswith(label) and prompt[len(label) : len(label) + 1] in ("", " ", ":")
