"""Slack's canvases as the fake Slack keeps them: each channel's canvas as a list of sections.

How Slack splits a canvas into sections is not documented beyond `canvases.sections.lookup`
(headings h1–h3, found by type and by the text they contain). The fake's model: a section is a
heading with what follows it up to the next heading (text before the first heading is a section
of its own), and `canvases.edit` with `replace` and a heading's section id replaces that heading
and what follows it. Markdown is kept as sent, so a test reads what a person would read.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

HEADING = re.compile(r"^(#{1,3}) +(.+?)\s*$")
SECTION_TYPES = frozenset({"h1", "h2", "h3", "any_header"})
OPERATIONS = frozenset(
    {"insert_after", "insert_before", "insert_at_start", "insert_at_end", "replace", "delete"}
)
MARKDOWN_LIMIT = 1_048_576  # conversations.canvases.create: "limited to 1 MiB"


class CanvasError(Exception):
    """Slack's error code for a canvas method (answered as ok: false)."""


@dataclass
class Section:
    id: str
    markdown: str
    level: int  # 1–3 for a heading's section; 0 for text before the first heading
    heading: str


@dataclass
class Canvas:
    id: str
    channel_id: str
    title: str
    sections: list[Section] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        return "\n".join(s.markdown.rstrip("\n") for s in self.sections)

    def headings(self) -> list[str]:
        return [s.heading for s in self.sections if s.level]


class CanvasStore:
    """Every channel's canvas, and whether the workspace may have canvases at all."""

    def __init__(self) -> None:
        self.by_id: dict[str, Canvas] = {}
        self.by_channel: dict[str, str] = {}
        # The error every canvas method answers with, as a workspace without canvases does
        # (a free plan, an admin's setting, the app without the scope).
        self.refusal: str | None = None
        self._ids = itertools.count(1)

    def of_channel(self, channel_id: str) -> Canvas | None:
        canvas_id = self.by_channel.get(channel_id)
        return self.by_id[canvas_id] if canvas_id else None

    def create(self, channel_id: str, content: Any, title: str) -> Canvas:
        self._refuse()
        if channel_id in self.by_channel:
            raise CanvasError("channel_canvas_already_exists")
        markdown = _markdown(content) if content is not None else ""
        canvas = Canvas(f"F{next(self._ids):08d}CANVAS", channel_id, title)
        canvas.sections = self._sections(markdown)
        self.by_id[canvas.id] = canvas
        self.by_channel[channel_id] = canvas.id
        return canvas

    def lookup(self, canvas_id: Any, criteria: Any) -> list[str]:
        canvas = self._canvas(canvas_id)
        criteria = _json(criteria)
        if not isinstance(criteria, dict):
            raise CanvasError("invalid_arguments")
        types = criteria.get("section_types")
        text = criteria.get("contains_text")
        if types is None and text is None:
            raise CanvasError("invalid_arguments")
        if types is not None and (
            not isinstance(types, list) or not 1 <= len(types) <= 3 or set(types) - SECTION_TYPES
        ):
            raise CanvasError("invalid_arguments")
        found = []
        for section in canvas.sections:
            if types is not None:
                if not section.level:
                    continue
                if "any_header" not in types and f"h{section.level}" not in types:
                    continue
            if text is not None:
                # Of a heading's section, its heading's text; of other sections, their text.
                where = section.heading if types is not None else section.markdown
                if str(text).casefold() not in where.casefold():
                    continue
            found.append(section.id)
        return found

    def edit(self, canvas_id: Any, changes: Any) -> None:
        canvas = self._canvas(canvas_id)
        changes = _json(changes)
        # "Only one operation per API call is currently supported."
        if not isinstance(changes, list) or len(changes) != 1 or not isinstance(changes[0], dict):
            raise CanvasError("invalid_arguments")
        change = changes[0]
        operation, section_id = change.get("operation"), change.get("section_id")
        if operation not in OPERATIONS:
            raise CanvasError("invalid_arguments")
        new = (
            self._sections(_markdown(change["document_content"]))
            if operation != "delete" and change.get("document_content") is not None
            else []
        )
        if operation != "delete" and not new:
            raise CanvasError("invalid_arguments")
        at = None
        if section_id is not None:
            at = next((i for i, s in enumerate(canvas.sections) if s.id == section_id), None)
            if at is None:
                raise CanvasError("canvas_editing_failed")
        elif operation in ("insert_after", "insert_before", "delete"):
            raise CanvasError("invalid_arguments")
        sections = canvas.sections
        if operation == "replace":
            canvas.sections = new if at is None else sections[:at] + new + sections[at + 1 :]
        elif operation == "delete":
            assert at is not None
            del sections[at]
        elif operation == "insert_at_start":
            canvas.sections = new + sections
        elif operation == "insert_at_end":
            canvas.sections = sections + new
        else:
            assert at is not None
            where = at + 1 if operation == "insert_after" else at
            canvas.sections = sections[:where] + new + sections[where:]

    def _canvas(self, canvas_id: Any) -> Canvas:
        self._refuse()
        canvas = self.by_id.get(str(canvas_id))
        if canvas is None:
            raise CanvasError("canvas_not_found")
        return canvas

    def _refuse(self) -> None:
        if self.refusal is not None:
            raise CanvasError(self.refusal)

    def _sections(self, markdown: str) -> list[Section]:
        if len(markdown) > MARKDOWN_LIMIT:
            raise CanvasError("invalid_arguments")
        sections: list[Section] = []
        lines: list[str] = []
        level, heading = 0, ""

        def close() -> None:
            if lines and (level or any(line.strip() for line in lines)):
                sections.append(
                    Section(f"temp:C:{next(self._ids):028d}", "\n".join(lines), level, heading)
                )

        in_code = False
        for line in markdown.split("\n"):
            if line.startswith("```"):
                in_code = not in_code
            match = None if in_code else HEADING.match(line)
            if match:
                close()
                lines, level, heading = [], len(match.group(1)), match.group(2)
            lines.append(line)
        close()
        return sections


def _json(value: Any) -> Any:
    """A JSON argument: as sent in a JSON body, or encoded as a string in a form or query."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise CanvasError("invalid_arguments") from None
    return value


def _markdown(content: Any) -> str:
    content = _json(content)
    if (
        not isinstance(content, dict)
        or content.get("type") != "markdown"
        or not isinstance(content.get("markdown"), str)
    ):
        raise CanvasError("invalid_arguments")
    return str(content["markdown"])
