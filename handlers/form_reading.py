"""Reading submitted form values, collecting every error at once so a form can show them all."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.errors import Refused
from handlers.i18n import N_
from handlers.messages import FormField, FormValues

MAX_USER_ID = 200  # a person's id on a platform: at most what Person.user_id holds
# Beside a field of several choices with a maximum, on every platform.
CHOOSE_UP_TO = N_("Choose up to {n}.")


class Invalid(Exception):
    """One or more fields were wrong: field id → (message id, params)."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, object]]]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class FormReader:
    def __init__(self, values: FormValues) -> None:
        self.values = values
        self.errors: dict[str, tuple[str, dict[str, object]]] = {}

    def fail(self, field: str, message: str, **params: object) -> None:
        self.errors.setdefault(field, (message, params))

    def check(self) -> None:
        if self.errors:
            raise Invalid(self.errors)

    def _raw(self, field: str) -> str:
        value = self.values.get(field, "")
        if isinstance(value, list):
            value = "\n".join(value)
        return value.strip()

    def text(self, field: str, *, max_length: int = 3000, required: bool = True) -> str:
        value = self._raw(field)
        if required and not value:
            self.fail(field, N_("Please fill this in."))
        elif len(value) > max_length:
            self.fail(
                field,
                N_("Too long: {length} characters, at most {limit}."),
                length=len(value),
                limit=max_length,
            )
        return value

    def lines(self, field: str, *, max_length: int = 3000, required: bool = False) -> list[str]:
        """A list typed one item per line; bullets and blank lines are dropped."""
        value = self.text(field, max_length=max_length, required=required)
        items = (line.strip().lstrip("-•*").strip() for line in value.splitlines())
        return [item for item in items if item]

    def people(self, field: str, *, required: bool = True) -> list[str]:
        value = self.values.get(field, [])
        ids = [v for v in ([value] if isinstance(value, str) else value) if v.strip()]
        if required and not ids:
            self.fail(field, N_("Choose at least one person."))
        elif any(len(user_id) > MAX_USER_ID for user_id in ids):
            self.fail(field, N_("Nobody here has that name: choose from the list."))
        return ids

    def choice(self, field: str, allowed: set[str], *, required: bool = True) -> str:
        value = self._raw(field)
        if not value and not required:
            return ""
        if value not in allowed:
            self.fail(field, N_("Choose one of the options."))
        return value

    def choices(
        self,
        field: str,
        allowed: Collection[str],
        *,
        max_selected: int | None = None,
        required: bool = True,
    ) -> list[str]:
        """The values of the options picked, each once, in the order they came."""
        value = self.values.get(field, [])
        picked = [value] if isinstance(value, str) else value
        chosen = list(dict.fromkeys(v.strip() for v in picked if v.strip()))
        refusal = refuse_choices(chosen, allowed, max_selected=max_selected, required=required)
        if refusal is not None:
            self.fail(field, refusal[0], **refusal[1])
        return chosen

    def choices_of(self, form_field: FormField) -> list[str]:
        """`choices` read as the form asked for them: its options, its maximum, required or not."""
        return self.choices(
            form_field.id,
            {o.value for o in form_field.options},
            max_selected=form_field.max_selected,
            required=form_field.required,
        )

    def number(self, field: str, allowed: range, *, default: int | None = None) -> int:
        """A choice among whole numbers (a step, a weekday, a count of colleagues). Left empty,
        it is `default`, or refused where there is none. The value is looked up among the
        allowed numbers, never converted: int() raises on text, and on 10 000 digits."""
        numbers = {str(n): n for n in allowed}
        value = self.choice(field, set(numbers), required=default is None)
        # A refused value gives a stand-in, never used: check() raises before.
        return numbers.get(value, allowed.start if default is None else default)

    def date(self, field: str) -> date | None:
        value = self._raw(field)
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(field, N_("Write the date as YYYY-MM-DD, for example 2026-12-03."))
            return None

    def time(self, field: str) -> time | None:
        value = self._raw(field).replace(".", ":")
        try:
            return time.fromisoformat(value)
        except ValueError:
            self.fail(field, N_("Write the time as HH:MM, for example 09:00."))
            return None

    def datetime(self, field: str, tz: ZoneInfo) -> datetime | None:
        value = self._raw(field).replace(" ", "T").replace(".", ":")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(
                field,
                N_("Write the date and time as YYYY-MM-DD HH:MM, for example 2026-12-03 13:00."),
            )
            return None
        if parsed.tzinfo is not None:
            return parsed
        local = parsed.replace(tzinfo=tz)
        if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != parsed:
            # The clocks go forward: this time is skipped, and would be stored as another.
            self.fail(
                field,
                N_(
                    "{time} on {date} does not exist, as the clocks go forward that night. "
                    "Choose another time."
                ),
                time=parsed.strftime("%H:%M"),
                date=parsed.date().isoformat(),
            )
            return None
        if local.utcoffset() != local.replace(fold=1).utcoffset():
            # The clocks go back: this hour happens twice, and either could be meant.
            self.fail(
                field,
                N_(
                    "{time} on {date} happens twice, as the clocks go back that night. "
                    "Choose a time outside the hour that repeats."
                ),
                time=parsed.strftime("%H:%M"),
                date=parsed.date().isoformat(),
            )
            return None
        return local

    def timezone(self, field: str) -> str:
        value = self._raw(field)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # OSError: the name of a folder of zones ("Europe"), or too long for a file name.
            self.fail(field, N_("Unknown timezone. Use a name such as Europe/Copenhagen."))
        return value


def refuse_choices(
    chosen: Sequence[str | None],
    allowed: Collection[str],
    *,
    max_selected: int | None,
    required: bool,
) -> tuple[str, dict[str, object]] | None:
    """Why several options picked are refused (message id, params), or None. The one check of a
    `choices` field, for the use case and for the console, which refuses as the person types
    (None there: a typed answer that names no option). Teams enforces no maximum, and a crafted
    submission can name any value."""
    if not chosen:
        return (N_("Choose at least one of the options."), {}) if required else None
    if any(value not in allowed for value in chosen):
        return N_("Choose among the options."), {}
    if max_selected is not None and len(chosen) > max_selected:
        return N_("Choose at most {n}."), {"n": max_selected}
    return None


def refused_to_invalid(refusal: Refused) -> Invalid:
    return Invalid({refusal.field or "": (refusal.message, refusal.params)})
