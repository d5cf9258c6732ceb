"""Filling a neutral form in the terminal, one field at a time."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TextIO

from handlers.form_reading import refuse_choices
from handlers.i18n import Translator
from handlers.messages import Form, FormField, FormValues

ReadLine = Callable[[], str | None]
CANCEL = "/cancel"


class Cancelled(Exception):
    pass


def write_refusal(out: TextIO, label: str, text: str) -> None:
    """A refused answer, beside the field's label, before the field is asked again."""
    out.write(f"  ⚠ {introduce(label)} {text}\n")


def introduce(label: str) -> str:
    """A label before what follows it: "Titel:", but a question keeps its own mark ("Vis mit
    navn?", never "Vis mit navn?:")."""
    return label if label.endswith(("?", ":")) else label + ":"


def prompt(label: str, default: str) -> str:
    """ "Titel [Workshop]: ", or "Vis mit navn? " when there is no default to show."""
    return f"{label} [{default}]: " if default else introduce(label) + " "


class ConsoleForm:
    """Asks each field in turn; an empty answer keeps the default shown in brackets.

    Lists (long text) take one line per item and end with an empty line. Choices take the text
    of an option, or a number (see `_numbered`); one that names no option is refused at once and
    asked again. People take numbers or names separated by commas; a name that is nobody's goes
    to the use case as typed, which refuses it beside the field (as it does a bad date, say),
    and the session asks for the field again. Several choices take the list's numbers (or the
    options' texts) separated by commas; "-" chooses none, and an answer that names no option or
    more than the maximum is refused at once and asked again.
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
        if field.kind == "long_text":
            return self._ask_lines(label, field)
        if field.kind == "people":
            return self._ask_people(label, field)
        if field.kind == "choice":
            return self._ask_choice(label, field)
        if field.kind == "choices":
            return self._ask_choices(label, field)
        default = field.initial if isinstance(field.initial, str) else ""
        answer = self._line(prompt(label, default)).strip()
        return answer or default

    def _ask_choice(self, label: str, field: FormField) -> str:
        numbered = _numbered(field)
        for n, option in enumerate(field.options, 1):
            self.out.write(f"  {n}) {option.label}\n" if numbered else f"  • {option.label}\n")
        default = field.initial if isinstance(field.initial, str) else ""
        # The default as the person reads it in the list ("3 colleagues"), never as a number.
        shown = next((o.label for o in field.options if o.value == default), "")
        while True:
            answer = self._line(prompt(label, shown)).strip()
            if not answer:
                return default
            chosen = _choose(field, answer, numbered)
            if chosen is not None:
                return chosen
            # Refused here rather than passed on as typed: an answer that names no option may
            # still be a value the person never saw (typed 0, a weekday's code for Monday).
            write_refusal(self.out, field.label, self.tr._("Choose one of the options."))

    def _ask_choices(self, label: str, field: FormField) -> list[str]:
        tr = self.tr
        for n, option in enumerate(field.options, 1):
            self.out.write(f"  {n}) {option.label}\n")
        if field.max_selected:
            how = tr._("Choose up to {n} – type the numbers separated by commas.")
        else:
            how = tr._("Type the numbers separated by commas.")
        self.out.write("  " + how.format(n=field.max_selected) + "\n")
        default = list(field.initial) if isinstance(field.initial, tuple) else []
        # The default as the numbers to type, which a long option's text would not be.
        numbers = {option.value: str(n) for n, option in enumerate(field.options, 1)}
        shown = ", ".join(numbers.get(value, value) for value in default)
        while True:
            answer = self._line(prompt(label, shown)).strip()
            if not answer:
                return default
            if answer == "-":
                return []
            parts = (part.strip() for part in answer.split(","))
            chosen = list(dict.fromkeys(_choose(field, part, True) for part in parts if part))
            refusal = refuse_choices(
                chosen,
                {o.value for o in field.options},
                max_selected=field.max_selected,
                required=field.required,
            )
            if refusal is None:
                return [value for value in chosen if value is not None]
            message, params = refusal
            write_refusal(self.out, field.label, tr._(message).format(**params))

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
        for n, option in enumerate(field.options, 1):
            self.out.write(f"  {n}) {option.label}\n")
        default = list(field.initial) if isinstance(field.initial, tuple) else []
        names = {o.value: o.label for o in field.options}
        shown = ", ".join(names.get(user_id, user_id) for user_id in default)
        answer = self._line(f"{label} [{shown}]: ").strip()
        if not answer:
            return default
        if answer == "-":
            return []
        return [_person(field, part.strip()) for part in answer.split(",") if part.strip()]


_LEADING_NUMBER = re.compile(r"[0-9]+")


def _numbered(field: FormField) -> bool:
    """Whether a choice's options are listed with numbers to type.

    Not when the options are numbers themselves ("2 colleagues", "3. Develop solutions",
    "5 – fully", beside "None" for 0): a list number beside them reads as one more count, and a
    person who reads "3 colleagues" types 3, which as the list's number would be 4 colleagues.
    There a number typed is the option's own. Options in words (weekdays, languages, tracks) are
    numbered, so that one is picked without typing its name; their values (a weekday's 0–6, a
    track's id) are never shown, so a number typed there is always the list's.
    """
    shown = [_LEADING_NUMBER.match(o.label) for o in field.options]
    counts = all(o.value.isdecimal() for o in field.options) and any(shown)
    own = all(m is None or m.group() == o.value for m, o in zip(shown, field.options, strict=True))
    return not (counts and own)


def _by_number(field: FormField) -> dict[str, str]:
    """The list's numbers as typed ("1", "2", …) → the options' values. Looked up as text, so
    that no answer is ever converted (int() refuses "²" and 10 000 digits)."""
    return {str(n): option.value for n, option in enumerate(field.options, 1)}


def _choose(field: FormField, answer: str, numbered: bool) -> str | None:
    """The value of the option a person means: its number in a numbered list, else its text or
    its value (where the person can know it) in any case. None when the answer names no option."""
    numbers = _by_number(field)
    if numbered and answer in numbers:
        return numbers[answer]
    for option in field.options:
        hidden = numbered and option.value.isdecimal()  # a weekday's code, a track's id
        if answer.casefold() == option.label.casefold() or (
            not hidden and answer.casefold() == option.value.casefold()
        ):
            return option.value
    return None


def _person(field: FormField, answer: str) -> str:
    numbers = _by_number(field)
    if answer in numbers:
        return numbers[answer]
    for option in field.options:
        if answer.casefold() == option.label.casefold():
            return option.value
    matches = [o for o in field.options if o.label.casefold().startswith(answer.casefold())]
    return matches[0].value if len(matches) == 1 else answer
