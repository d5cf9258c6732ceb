"""Adaptive Cards for Teams, the adapter's one import: messages (rendered in `card_blocks`) and
forms, whose answers come back as neutral values and whose errors are shown on the card.

A form is a card whose one Action.Submit carries `callback_id`, `metadata` and the adapter's own
data. Teams answers a press with a message activity whose `value` is that data merged with every
input that holds a value, by input id: an input left empty is not sent at all, and a multi-select
choice arrives as one comma-separated string. The data also names the form's fields and their
kinds, under `fields`, so that the answers can be read back without the form at hand.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from bot.teams.card_blocks import (
    activity_for,
    adaptive_card,
    card_activity,
    cut,
    markdown_safe,
    render_card,
    text_block,
)
from handlers.messages import Form, FormField, FormValues

__all__ = [
    "activity_for",
    "card_activity",
    "errors_card",
    "read_card_values",
    "render_card",
    "render_form_card",
]

# A date-time field is two inputs: Input.Date and Input.Time, in the process's timezone.
_DATE, _TIME = "__date", "__time"
_DATA_KEYS = ("callback_id", "metadata", "fields")
_ERROR_ID = "error:"  # a colon, so no field id can look like an error's id
ERROR_TEXT = 300  # a few lines under the field; a runaway message cannot push the card apart


def render_form_card(
    form: Form, *, metadata: dict[str, str], submit_data: dict[str, str]
) -> dict[str, Any]:
    """The form as a card: title, intro, one input per field (two for a date-time), one button.

    Raises ValueError when an input id is also a key of the submit data: Teams would send the
    input's value in the data's place.
    """
    inputs = [element for field in form.fields for element in _inputs(field)]
    clash = {e["id"] for e in inputs} & {*_DATA_KEYS, *submit_data}
    reserved = set(_DATA_KEYS) & set(submit_data)
    if clash or reserved:
        raise ValueError(f"these ids are taken by the card's own data: {sorted(clash | reserved)}")
    body: list[dict[str, Any]] = []
    if form.title.strip():
        body.append(
            text_block(markdown_safe(form.title), size="Large", weight="Bolder", style="heading")
        )
    if form.intro.strip():
        body.append(text_block(markdown_safe(form.intro)))
    data: dict[str, Any] = {
        "callback_id": form.callback_id,
        "metadata": dict(metadata),
        "fields": {field.id: field.kind for field in form.fields},
        **submit_data,
    }
    submit = {"type": "Action.Submit", "title": form.submit_label, "data": data}
    return adaptive_card(body + inputs, [submit])


def _inputs(field: FormField) -> list[dict[str, Any]]:
    initial = field.initial if isinstance(field.initial, str) else ""
    chosen = field.initial if isinstance(field.initial, tuple) else (initial,) if initial else ()
    if field.kind == "datetime":
        date, _, time = initial.partition("T")
        return [
            _input(field, "Input.Date", date, field.id + _DATE),
            _input(field, "Input.Time", time[:5], field.id + _TIME),
        ]
    if field.kind == "date":
        return [_input(field, "Input.Date", initial)]
    if field.kind == "time":
        return [_input(field, "Input.Time", initial[:5])]
    if field.kind in ("people", "person", "choice"):
        many = field.kind == "people"
        element = _input(field, "Input.ChoiceSet", ",".join(chosen if many else chosen[:1]))
        element["choices"] = [{"title": o.label, "value": o.value} for o in field.options]
        if many:
            # A person's id never holds a comma, so the comma-separated answer splits safely.
            element |= {"isMultiSelect": True, "style": "compact"}
        else:
            # Teams filters a long list as the person types, for a single choice only.
            element["style"] = "filtered" if field.kind == "person" else "compact"
        return [element]
    # Teams cards have no channel picker; a channel is typed (or pasted) as text.
    element = _input(field, "Input.Text", initial)
    if field.kind == "long_text":
        element["isMultiline"] = True
    if field.max_length:
        element["maxLength"] = max(field.max_length, 1)
    return [element]


def _input(field: FormField, kind: str, value: str, input_id: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": kind, "id": input_id or field.id, "label": field.label}
    if field.required:
        element["isRequired"] = True
    if field.hint:
        element["placeholder"] = field.hint
    if value:
        element["value"] = value
    return element


# --- Answers ----------------------------------------------------------------------------------


def read_card_values(
    value: Mapping[str, Any], kinds: Mapping[str, str] | None = None
) -> FormValues:
    """The `value` of a submitted form card as neutral values keyed by field id.

    `kinds` (field id → kind) adds to or overrides the kinds the card carries in `fields`. Only
    fields are read, so `callback_id`, `metadata` and the adapter's data are left out; a field
    Teams did not send (left empty) is "" (or [] for people).
    """
    carried = value.get("fields")
    fields = {str(k): str(v) for k, v in (carried if isinstance(carried, dict) else {}).items()}
    fields |= dict(kinds or {})
    values: FormValues = {}
    for field_id, kind in fields.items():
        if kind == "datetime":
            date, time = _text(value.get(field_id + _DATE)), _text(value.get(field_id + _TIME))
            values[field_id] = f"{date}T{time[:5]}" if date and time else ""
        elif kind == "people":
            raw = value.get(field_id)
            ids = raw if isinstance(raw, list) else _text(raw).split(",")
            values[field_id] = [i for i in (_text(i).strip() for i in ids) if i]
        else:
            values[field_id] = _text(value.get(field_id))
    return values


def _text(raw: Any) -> str:
    # Teams sends every input's value as a string; anything else did not come from the card.
    return raw if isinstance(raw, str) else ""


# --- Errors -----------------------------------------------------------------------------------


def errors_card(
    form_card: dict[str, Any],
    errors: dict[str, str],
    *,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The form card again with each error in red under its field, for updating the card in place.

    An error about something the card does not show goes at the top, so it still reaches the
    person. Given the submitted `value`, the inputs show what the person wrote, so that they
    correct it rather than write it all again. Errors from an earlier round are removed.
    """
    card = copy.deepcopy(form_card)
    body = [e for e in card.get("body", []) if not str(e.get("id", "")).startswith(_ERROR_ID)]
    inputs = [e for e in body if str(e.get("type", "")).startswith("Input.")]
    if values is not None:
        for element in inputs:
            _refill(element, values.get(str(element.get("id"))))
    last_input = {
        _field_of(str(element.get("id", ""))): index
        for index, element in enumerate(body)
        if str(element.get("type", "")).startswith("Input.")
    }
    after: dict[int, list[dict[str, Any]]] = {}
    top: list[dict[str, Any]] = []
    for field_id, message in errors.items():
        index = last_input.get(_field_of(field_id))
        error = text_block(
            markdown_safe(cut(message, ERROR_TEXT)), id=_ERROR_ID + field_id, color="Attention"
        )
        (top if index is None else after.setdefault(index, [])).append(error)
    card["body"] = top + [
        shown for index, element in enumerate(body) for shown in [element, *after.get(index, [])]
    ]
    return card


def _field_of(input_id: str) -> str:
    return input_id.removesuffix(_DATE).removesuffix(_TIME)


def _refill(element: dict[str, Any], submitted: Any) -> None:
    # Teams leaves an emptied input out of the answer, so no answer means empty.
    if isinstance(submitted, list):
        submitted = ",".join(str(s) for s in submitted)
    if isinstance(submitted, str) and submitted:
        element["value"] = submitted
    else:
        element.pop("value", None)
