"""Neutral forms as Slack modals, and a submitted modal's state back as neutral values."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import (
    ERROR_TEXT,
    ID_LENGTH,
    INPUT_LABEL,
    MORE,
    OPTION_TEXT,
    OPTION_VALUE,
    PRIVATE_METADATA,
    SELECT_OPTIONS,
    TEXT_INPUT_LENGTH,
    VIEW_BLOCKS,
    VIEW_BUTTON_TEXT,
    _cut,
    _escape,
    _limit,
    _plain,
    _section,
)
from handlers.form_reading import CHOOSE_UP_TO
from handlers.i18n import Translator
from handlers.messages import Form, FormField, FormValues, Option

# A date-time field is two blocks: Slack's datetimepicker would show the person's own timezone.
_DATE, _TIME = "__date", "__time"


def render_modal(form: Form, *, private_metadata: str, close_label: str) -> dict[str, Any]:
    """A view for views.open / views.update / views.push; `close_label` is in the form's language.

    Raises ValueError when `private_metadata` is too long: cutting it would lose the ids it carries.
    """
    if len(private_metadata) > PRIVATE_METADATA:
        raise ValueError(
            f"private_metadata is {len(private_metadata)} characters; Slack allows 3000"
        )
    tr = Translator(form.language)
    blocks = [_section(_escape(form.intro))] if form.intro.strip() else []
    for form_field in form.fields:
        blocks += _inputs(form_field, tr)
    return {
        "type": "modal",
        "callback_id": form.callback_id[:ID_LENGTH],
        "title": _plain(form.title, VIEW_BUTTON_TEXT),
        "submit": _plain(form.submit_label, VIEW_BUTTON_TEXT),
        "close": _plain(close_label, VIEW_BUTTON_TEXT),
        "private_metadata": private_metadata,
        "blocks": _limit(blocks, VIEW_BLOCKS, tr),
    }


def _inputs(field: FormField, tr: Translator) -> list[dict[str, Any]]:
    initial = field.initial if isinstance(field.initial, str) else ""
    if field.kind == "datetime":
        # Slack's datetimepicker speaks epoch seconds in the viewer's timezone; two pickers keep
        # the neutral "YYYY-MM-DDTHH:MM" in the process's timezone.
        date, _, time = initial.partition("T")
        return [
            _input(field, field.id + _DATE, _picker("datepicker", "date", "initial_date", date)),
            _input(
                field, field.id + _TIME, _picker("timepicker", "time", "initial_time", time[:5])
            ),
        ]
    return [_input(field, field.id, _element(field, initial), _notes(field, tr))]


def _notes(field: FormField, tr: Translator) -> str:
    """What a menu of several choices does not say itself: how many may be picked, and how many
    options did not fit in it."""
    if field.kind != "choices":
        return ""
    notes = [tr._(CHOOSE_UP_TO).format(n=field.max_selected)] if field.max_selected else []
    if len(field.options) > SELECT_OPTIONS:
        notes.append(tr._(MORE).format(n=len(field.options) - SELECT_OPTIONS))
    return " ".join(notes)


def _input(
    field: FormField, block_id: str, element: dict[str, Any], notes: str = ""
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id[:ID_LENGTH],
        "label": _plain(field.label, INPUT_LABEL),
        "element": element,
    }
    if not field.required:
        block["optional"] = True
    hint = " ".join(text for text in (field.hint, notes) if text)
    if hint:
        block["hint"] = _plain(hint, INPUT_LABEL)
    return block


def _picker(kind: str, action_id: str, key: str, initial: str) -> dict[str, Any]:
    return {"type": kind, "action_id": action_id} | ({key: initial} if initial else {})


def _element(field: FormField, initial: str) -> dict[str, Any]:
    action_id = field.id[:ID_LENGTH]
    chosen = field.initial if isinstance(field.initial, tuple) else (initial,) if initial else ()
    fits = 0 < len(field.options) <= SELECT_OPTIONS
    if field.kind == "people" and fits:
        options = [_option(o) for o in field.options]
        element = {"type": "multi_static_select", "action_id": action_id, "options": options}
        picked = [o for o in options if o["value"] in chosen]
        return element | ({"initial_options": picked} if picked else {})
    if field.kind == "choices" and field.options:
        return _choices(field, chosen, action_id)
    if field.kind == "people":
        users = {"initial_users": list(chosen)} if chosen else {}
        return {"type": "multi_users_select", "action_id": action_id} | users
    if (field.kind == "choice" and field.options) or (field.kind == "person" and fits):
        options = [_option(o) for o in _at_most(field.options, SELECT_OPTIONS, chosen)]
        element = {"type": "static_select", "action_id": action_id, "options": options}
        picked = [o for o in options if o["value"] == initial]
        return element | ({"initial_option": picked[0]} if picked else {})
    if field.kind == "person":
        user = {"initial_user": initial} if initial else {}
        return {"type": "users_select", "action_id": action_id} | user
    if field.kind == "channel":
        conversation = {"initial_conversation": initial} if initial else {}
        return {
            "type": "conversations_select",
            "action_id": action_id,
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        } | conversation
    if field.kind == "date":
        return _picker("datepicker", action_id, "initial_date", initial)
    if field.kind == "time":
        return _picker("timepicker", action_id, "initial_time", initial[:5])
    text: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id}
    if field.kind == "long_text":
        text["multiline"] = True
    if initial:
        text["initial_value"] = initial
    if field.max_length:
        text["max_length"] = min(max(field.max_length, 1), TEXT_INPUT_LENGTH)
    return text


def _choices(field: FormField, chosen: tuple[str, ...], action_id: str) -> dict[str, Any]:
    """Several of at most 100 options (the chosen ones always among them), at most
    `max_selected` of them, which Slack's menu enforces."""
    options = [_option(o) for o in _at_most(field.options, SELECT_OPTIONS, chosen)]
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": action_id,
        "options": options,
    }
    if field.max_selected:
        element["max_selected_items"] = field.max_selected
    # Compared as rendered: a value is cut to Slack's 150 characters in both.
    wanted = {value[:OPTION_VALUE] for value in chosen}
    # No more initial picks than the menu allows, which Slack might refuse the view for.
    picked = [o for o in options if o["value"] in wanted][: field.max_selected]
    return element | ({"initial_options": picked} if picked else {})


def _at_most(options: tuple[Option, ...], limit: int, keep: tuple[str, ...]) -> list[Option]:
    """The first `limit` options, always including the chosen ones, in their order."""
    room = limit - sum(1 for o in options if o.value in keep)
    kept: list[Option] = []
    for option in options:
        if option.value in keep or room > 0:
            room -= option.value not in keep
            kept.append(option)
    return kept[:limit]


def _option(option: Option) -> dict[str, Any]:
    return {"text": _plain(option.label, OPTION_TEXT), "value": option.value[:OPTION_VALUE]}


# --- Answers ----------------------------------------------------------------------------------


def read_modal_values(state_values: dict[str, Any]) -> FormValues:
    """`view["state"]["values"]` of a view_submission as neutral values keyed by field id."""
    values: FormValues = {}
    for block_id, actions in state_values.items():
        for state in actions.values():
            value = _state_value(state)
            if value is not None:
                values[block_id] = value
    for field_id in {b.rpartition("__")[0] for b in values if b.endswith((_DATE, _TIME))}:
        date, time = values.pop(field_id + _DATE, ""), values.pop(field_id + _TIME, "")
        both = isinstance(date, str) and isinstance(time, str) and date and time
        values[field_id] = f"{date}T{time}" if both else ""
    return values


def _state_value(state: dict[str, Any]) -> str | list[str] | None:
    # Slack sends null for an element the person left empty or cleared; anything else that is
    # not the documented type counts as empty too.
    match state.get("type"):
        case "plain_text_input":
            return _text(state.get("value"))
        case "static_select":
            return _text(_value_of(state.get("selected_option")))
        case "users_select":
            return _text(state.get("selected_user"))
        case "multi_static_select":
            return [_text(_value_of(o)) for o in _items(state.get("selected_options"))]
        case "multi_users_select":
            return [_text(u) for u in _items(state.get("selected_users"))]
        case "datepicker":
            return _text(state.get("selected_date"))
        case "timepicker":
            return _text(state.get("selected_time"))
        case "conversations_select":
            return _text(state.get("selected_conversation"))
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _value_of(option: Any) -> Any:
    return option.get("value") if isinstance(option, dict) else None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def modal_errors(form: Form, errors: dict[str, str]) -> dict[str, str]:
    """Errors per field id as `response_action: errors` wants them: per block id."""
    block_of = {f.id: f.id + _DATE if f.kind == "datetime" else f.id for f in form.fields}
    first = next(iter(block_of.values()), None)
    placed: dict[str, str] = {}
    for field_id, message in errors.items():
        # An error about something the modal does not show still has to reach the person.
        block_id = block_of.get(field_id, first)
        if block_id is not None:
            placed[block_id] = f"{placed[block_id]} {message}" if block_id in placed else message
    return {block_id: _cut(message, ERROR_TEXT) for block_id, message in placed.items()}
