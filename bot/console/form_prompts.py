"""Filling a neutral form in the terminal, one field at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from handlers.i18n import Translator
from handlers.messages import Form, FormField, FormValues

ReadLine = Callable[[], str | None]
CANCEL = "/cancel"


class Cancelled(Exception):
    pass


class ConsoleForm:
    """Asks each field in turn; an empty answer keeps the default shown in brackets.

    Lists (long text) take one line per item and end with an empty line. Choices take the
    number or the text of an option; people take numbers or names separated by commas.
    """

    def __init__(self, read: ReadLine, out: TextIO, tr: Translator) -> None:
        self.read = read
        self.out = out
        self.tr = tr

    def fill(
        self, form: Form, only: set[str] | None = None, previous: FormValues | None = None
    ) -> FormValues:
        tr = self.tr
        if only is None:
            self.out.write(f"\n── {form.title} ──\n")
            if form.intro:
                self.out.write(form.intro + "\n")
            self.out.write(
                tr._("(Press Enter to keep the value in brackets; /cancel stops.)") + "\n"
            )
        values: FormValues = dict(previous or {})
        for field in form.fields:
            if only is not None and field.id not in only:
                continue
            values[field.id] = self._ask(field)
        return values

    def _line(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        line = self.read()
        if line is None:
            raise Cancelled
        line = line.rstrip("\n")
        if line.strip() == CANCEL:
            raise Cancelled
        return line

    def _ask(self, field: FormField) -> str | list[str]:
        label = field.label + ("" if field.required else " " + self.tr._("(optional)"))
        if field.hint:
            label += f" ({field.hint})"
        if field.kind in ("choice", "people"):
            for n, option in enumerate(field.options, 1):
                self.out.write(f"  {n}) {option.label}\n")
        if field.kind == "long_text":
            return self._ask_lines(label, field)
        if field.kind == "people":
            return self._ask_people(label, field)
        default = field.initial if isinstance(field.initial, str) else ""
        if field.kind == "choice":
            shown = next((f"{n}" for n, o in enumerate(field.options, 1) if o.value == default), "")
            answer = self._line(f"{label} [{shown}]: ").strip()
            return _choose(field, answer) if answer else default
        answer = self._line(f"{label} [{default}]: " if default else f"{label}: ").strip()
        return answer or default

    def _ask_lines(self, label: str, field: FormField) -> str:
        default = field.initial if isinstance(field.initial, str) else ""
        shown = " / ".join(default.splitlines())
        self.out.write(label + (f" [{shown}]" if shown else "") + "\n")
        self.out.write("  " + self.tr._("(an empty line ends)") + "\n")
        lines: list[str] = []
        while True:
            line = self._line("  > ")
            if not line.strip():
                break
            lines.append(line)
        return "\n".join(lines) if lines else default

    def _ask_people(self, label: str, field: FormField) -> list[str]:
        default = list(field.initial) if isinstance(field.initial, tuple) else []
        names = {o.value: o.label for o in field.options}
        shown = ", ".join(names.get(user_id, user_id) for user_id in default)
        answer = self._line(f"{label} [{shown}]: ").strip()
        if not answer:
            return default
        if answer == "-":
            return []
        return [_person(field, part.strip()) for part in answer.split(",") if part.strip()]


def _choose(field: FormField, answer: str) -> str:
    if answer.isdigit() and 1 <= int(answer) <= len(field.options):
        return field.options[int(answer) - 1].value
    for option in field.options:
        if answer.casefold() in (option.label.casefold(), option.value.casefold()):
            return option.value
    return answer  # the use case explains what is wrong with it


def _person(field: FormField, answer: str) -> str:
    if answer.isdigit() and 1 <= int(answer) <= len(field.options):
        return field.options[int(answer) - 1].value
    for option in field.options:
        if answer.casefold() == option.label.casefold():
            return option.value
    matches = [o for o in field.options if o.label.casefold().startswith(answer.casefold())]
    return matches[0].value if len(matches) == 1 else answer
