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
import json
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.teams.card_blocks import (
    ACTIVITY_BYTES,
    MORE,
    activity_bytes,
    activity_for,
    adaptive_card,
    card_activity,
    cut,
    markdown_safe,
    render_card,
    text_block,
)
from bot.teams.long_reads import PART
from handlers.form_reading import CHOOSE_UP_TO
from handlers.i18n import Translator
from handlers.messages import ONLY_FIELD, Form, FormField, FormValues, Option

__all__ = [
    "activity_for",
    "card_activity",
    "errors_card",
    "form_parts",
    "read_card_values",
    "render_card",
    "render_form_card",
]

# A date-time field is two inputs: Input.Date and Input.Time, in the process's timezone.
_DATE, _TIME = "__date", "__time"
_DATA_KEYS = ("callback_id", "metadata", "fields")
_ERROR_ID = "error:"  # a colon, so no field id can look like an error's id
ERROR_TEXT = 300  # a few lines under the field; a runaway message cannot push the card apart
_CHOOSERS = ("people", "person", "choice", "choices")  # fields shown as an Input.ChoiceSet
# An option's title once a card is too big: what Slack shows of one, then less, so that as many
# options as possible stay before any is left out.
CHOICE_TITLES = (75, 40)
EXPANDED = 10  # a choice of several shows its options as boxes to tick up to this many


def render_form_card(
    form: Form, *, metadata: dict[str, str], submit_data: dict[str, str]
) -> dict[str, Any]:
    """The form as a card: title, intro, one input per field (two for a date-time), one button.

    Within Teams' size limit as the form is sent (see `bot.teams.activities.form_activity`): when
    the card is too big, long option titles are cut (see CHOICE_TITLES), then the longest lists of
    options lose options from their end (never one already chosen), and say "… and 12 more".

    Raises ValueError when an input id is also a key of the submit data: Teams would send the
    input's value in the data's place.
    """
    tr = Translator(form.language)
    for title_limit in (None, *CHOICE_TITLES):
        card = _form_card(form, metadata, submit_data, tr, {}, title_limit)
        if _fits(card, form):
            return card
    shown = {f.id: len(f.options) for f in form.fields if f.kind in _CHOOSERS}
    while not _fits(card, form):
        over = activity_bytes(card_activity(card, summary=form.title)) - ACTIVITY_BYTES
        fewer = _fewer_options(form, shown, over)
        if fewer is None:
            break  # nothing left to cut: Teams will refuse it, as it would have anyway
        shown = fewer
        card = _form_card(form, metadata, submit_data, tr, shown, CHOICE_TITLES[-1])
    return card


def holds_whole(form: Form) -> bool:
    """Whether one card holds the whole form, every option with at least a short title."""
    tr = Translator(form.language)
    return _fits(_form_card(form, form.metadata, {}, tr, {}, CHOICE_TITLES[-1]), form)


def form_parts(form: Form) -> list[Form]:
    """A separable form too big for one card as one form per field (see Form.separable), each
    titled with its part; otherwise the form itself."""
    if not form.separable or len(form.fields) < 2 or holds_whole(form):
        return [form]
    tr = Translator(form.language)
    total = len(form.fields)
    return [
        replace(
            form,
            title=f"{form.title} ({tr._(PART).format(n=n, total=total)})",
            fields=(field,),
            metadata=form.metadata | {ONLY_FIELD: field.id},
        )
        for n, field in enumerate(form.fields, start=1)
    ]


def _fits(card: dict[str, Any], form: Form) -> bool:
    return activity_bytes(card_activity(card, summary=form.title)) <= ACTIVITY_BYTES


def _fewer_options(form: Form, shown: dict[str, int], over: int) -> dict[str, int] | None:
    """The field showing the heaviest list loses about as many options as the overflow weighs;
    None when every list is down to its chosen options (or one)."""
    weights = {
        f.id: _weight(_shown_options(f, shown[f.id]))
        for f in form.fields
        if f.id in shown and shown[f.id] > max(len(_chosen(f)), 1)
    }
    if not weights:
        return None
    field_id = max(weights, key=lambda i: weights[i])
    field = next(f for f in form.fields if f.id == field_id)
    per_option = weights[field_id] / shown[field_id]
    floor = max(len(_chosen(field)), 1)
    # 60: room for the "… and 12 more" line that the cut adds.
    drop = min(shown[field_id] - floor, math.ceil((over + 60) / per_option))
    return shown | {field_id: shown[field_id] - drop}


def _weight(options: list[Option]) -> int:
    return sum(
        len(json.dumps({"title": cut(o.label, CHOICE_TITLES[-1]), "value": o.value})) + 2
        for o in options
    )


def _form_card(
    form: Form,
    metadata: dict[str, str],
    submit_data: dict[str, str],
    tr: Translator,
    shown: Mapping[str, int],
    title_limit: int | None,
) -> dict[str, Any]:
    inputs = [
        element
        for field in form.fields
        for element in _inputs(field, tr, shown.get(field.id), title_limit)
    ]
    clash = {e["id"] for e in inputs if "id" in e} & {*_DATA_KEYS, *submit_data}
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


def _chosen(field: FormField) -> tuple[str, ...]:
    initial = field.initial if isinstance(field.initial, str) else ""
    return field.initial if isinstance(field.initial, tuple) else (initial,) if initial else ()


def _shown_options(field: FormField, shown: int | None) -> list[Option]:
    """The first `shown` options (all when None), always including the chosen ones, in order."""
    if shown is None or shown >= len(field.options):
        return list(field.options)
    chosen = set(_chosen(field))
    room = shown - sum(1 for o in field.options if o.value in chosen)
    kept: list[Option] = []
    for option in field.options:
        if option.value in chosen or room > 0:
            room -= option.value not in chosen
            kept.append(option)
    return kept


def _inputs(
    field: FormField, tr: Translator, shown: int | None = None, title_limit: int | None = None
) -> list[dict[str, Any]]:
    """The field's inputs, and the notes under them; a list of options shows the first `shown`
    (all when None), titles cut to `title_limit` (uncut when None)."""
    initial = field.initial if isinstance(field.initial, str) else ""
    chosen = _chosen(field)
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
    if field.kind in _CHOOSERS:
        many = field.kind in ("people", "choices")
        element = _input(field, "Input.ChoiceSet", ",".join(chosen if many else chosen[:1]))
        options = _shown_options(field, shown)
        titles = [o.label if title_limit is None else cut(o.label, title_limit) for o in options]
        element["choices"] = [
            {"title": title, "value": o.value} for title, o in zip(titles, options, strict=True)
        ]
        if field.kind == "choices":
            # An option's value holds no comma (FormField refuses one), nor does a person's id,
            # so the comma-separated answer splits safely. Few options show as boxes to tick.
            style = "expanded" if len(options) <= EXPANDED else "compact"
            element |= {"isMultiSelect": True, "style": style}
        elif many:
            element |= {"isMultiSelect": True, "style": "compact"}
        else:
            # Teams filters a long list as the person types, for a single choice only.
            element["style"] = "filtered" if field.kind == "person" else "compact"
        # Teams enforces no maximum: the card says it, and the use case refuses more.
        up_to = field.kind == "choices" and field.max_selected
        notes = [tr._(CHOOSE_UP_TO).format(n=field.max_selected)] if up_to else []
        if len(options) < len(field.options):
            notes.append(tr._(MORE).format(n=len(field.options) - len(options)))
        if not notes:
            return [element]
        note = text_block(markdown_safe(" ".join(notes)), isSubtle=True, spacing="None")
        return [element, note]
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
    Teams did not send (left empty) is "" (or [] for people and choices).
    """
    carried = value.get("fields")
    fields = {str(k): str(v) for k, v in (carried if isinstance(carried, dict) else {}).items()}
    fields |= dict(kinds or {})
    values: FormValues = {}
    for field_id, kind in fields.items():
        if kind == "datetime":
            date, time = _text(value.get(field_id + _DATE)), _text(value.get(field_id + _TIME))
            values[field_id] = f"{date}T{time[:5]}" if date and time else ""
        elif kind in ("people", "choices"):
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
