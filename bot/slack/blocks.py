"""Block Kit: neutral messages, forms and home views as Slack payloads, and modal answers back.

Slack rejects a whole payload when one part passes one of its limits
(https://docs.slack.dev/reference/block-kit/blocks), so every limit is enforced here, and visibly:
a cut text ends in "…", a cut list or message ends in "… and 12 more" in the message's language.
Neutral text is plain text, so `&`, `<` and `>` are escaped in every mrkdwn text: a summary that
quotes "<!channel>" must not ping the channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from handlers.i18n import Translator
from handlers.messages import (
    Block,
    BulletList,
    Buttons,
    Context,
    Divider,
    Fields,
    Form,
    FormField,
    FormValues,
    Heading,
    Link,
    Message,
    Option,
    Paragraph,
    Progress,
)

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100  # modals and App Home
SECTION_TEXT = 3000  # also any mrkdwn text object, and the fallback text we send
FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTIONS_ELEMENTS = 25
VIEW_BUTTON_TEXT = 24  # modal title, submit and close
INPUT_LABEL = 2000  # label and hint
SELECT_OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
TEXT_INPUT_LENGTH = 3000
PRIVATE_METADATA = 3000
ID_LENGTH = 255  # block_id, action_id, callback_id
# Slack documents no limit for `response_action: errors`; an error shows under its field like a
# hint, so a few lines is plenty and a runaway message cannot push the modal out of shape.
ERROR_TEXT = 300

MORE = "… and {n} more"  # the catalog's msgid, shared with the other renderers
_PARTIAL_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?$")
_DATE, _TIME = "__date", "__time"


# --- Text -------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int, *, escaped: bool = False) -> str:
    """`text` within `limit` characters, ending in "…" when cut. In escaped text the cut never
    leaves half an entity behind ("&am…"), which Slack would show as it is."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if escaped:
        head = _PARTIAL_ENTITY.sub("", head)
    return head + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def _mrkdwn(escaped_text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(escaped_text, limit, escaped=True)}


def _more(tr: Translator, n: int) -> str:
    return _escape(tr._(MORE).format(n=n))


def _context(escaped_text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(escaped_text)]}


def _section(escaped_text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(escaped_text)}


def _limit(blocks: list[dict[str, Any]], limit: int, tr: Translator) -> list[dict[str, Any]]:
    """At most `limit` blocks; the last place says how many were left out."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], _context(_more(tr, len(blocks) - (limit - 1)))]


# --- Messages ---------------------------------------------------------------------------------


def render_message(message: Message, *, link_url: str | None = None) -> dict[str, Any]:
    """A payload for chat.postMessage / chat.update: the notification text and the blocks."""
    tr = Translator(message.language)
    blocks = _limit(_message_blocks(message, tr, link_url), MESSAGE_BLOCKS, tr)
    return {"text": _fallback(message), "blocks": blocks}


def render_home(messages: list[Message]) -> dict[str, Any]:
    """An App Home view: the messages one after another, a divider between them."""
    tr = Translator(messages[0].language if messages else "da")
    blocks: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if index:
            blocks.append({"type": "divider"})
        blocks += _message_blocks(message, Translator(message.language), None)
    return {"type": "home", "blocks": _limit(blocks, VIEW_BLOCKS, tr)}


def _fallback(message: Message) -> str:
    # Slack wants a non-empty `text` for notifications and screen readers, and parses it as
    # mrkdwn, so it is escaped like the blocks.
    texts = [message.text, *(getattr(block, "text", "") for block in message.blocks)]
    text = next((t for t in texts if t.strip()), "…")
    return _cut(_escape(text), SECTION_TEXT, escaped=True)


def _message_blocks(message: Message, tr: Translator, link_url: str | None) -> list[dict[str, Any]]:
    return [rendered for block in message.blocks for rendered in _block(block, tr, link_url)]


def _block(block: Block, tr: Translator, link_url: str | None) -> list[dict[str, Any]]:
    # Slack rejects an empty text object, so a block with nothing to say is left out.
    match block:
        case Heading(text=text) if text.strip():
            return [{"type": "header", "text": _plain(text, HEADER_TEXT)}]
        case Paragraph(text=text) if text.strip():
            return [_section(_escape(text))]
        case Fields(pairs=pairs):
            return _fields(pairs)
        case BulletList():
            return _bullets(block, tr)
        case Progress(step=step, total=total, label=label):
            total = max(total, 0)
            step = min(max(step, 0), total)
            return [_context(f"{'▰' * step}{'▱' * (total - step)}  {_escape(label)}")]
        case Buttons(buttons=buttons):
            elements = [_button(b.label, b.action_id, b.value, b.style) for b in buttons]
            return [
                {"type": "actions", "elements": elements[i : i + ACTIONS_ELEMENTS]}
                for i in range(0, len(elements), ACTIONS_ELEMENTS)
            ]
        case Context(text=text) if text.strip():
            return [_context(_escape(text))]
        case Divider():
            return [{"type": "divider"}]
        case Link(label=label) if link_url:
            return [_context(f"<{_escape(link_url)}|{_escape(label or link_url)}>")]
    return []


def _fields(pairs: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    texts = [
        _mrkdwn(f"*{_escape(label)}*\n{_escape(value)}" if label else _escape(value), FIELD_TEXT)
        for label, value in pairs
        if label or value
    ]
    return [
        {"type": "section", "fields": texts[i : i + SECTION_FIELDS]}
        for i in range(0, len(texts), SECTION_FIELDS)
    ]


def _bullets(block: BulletList, tr: Translator) -> list[dict[str, Any]]:
    """As many items as fit in one section, then "… and 12 more" for the rest."""
    head = [_cut(f"*{_escape(block.title)}*", 500, escaped=True)] if block.title else []
    # No single item may crowd out the title and the count line.
    items = [_cut(f"• {_escape(item)}", SECTION_TEXT - 600, escaped=True) for item in block.items]
    shown: list[str] = []
    length = sum(len(line) + 1 for line in head)
    for index, line in enumerate(items):
        left = len(items) - index - 1
        more = len(_more(tr, left)) + 1 if left else 0
        if length + len(line) + more > SECTION_TEXT:
            break
        shown.append(line)
        length += len(line) + 1
    if len(shown) < len(items):
        shown.append(_more(tr, len(items) - len(shown)))
    lines = head + shown
    return [_section("\n".join(lines))] if lines else []


def _button(label: str, action_id: str, value: str, style: str) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": _plain(label, BUTTON_TEXT),
        "action_id": action_id[:ID_LENGTH],
    }
    if value:
        button["value"] = value[:BUTTON_VALUE]
    if style in ("primary", "danger"):
        button["style"] = style
    return button


# --- Modals -----------------------------------------------------------------------------------


def render_modal(form: Form, *, private_metadata: str, close_label: str) -> dict[str, Any]:
    """A view for views.open / views.update / views.push; `close_label` is in the form's language.

    Raises ValueError when `private_metadata` is too long: cutting it would lose the ids it carries.
    """
    if len(private_metadata) > PRIVATE_METADATA:
        raise ValueError(
            f"private_metadata is {len(private_metadata)} characters; Slack allows 3000"
        )
    blocks = [_section(_escape(form.intro))] if form.intro.strip() else []
    for form_field in form.fields:
        blocks += _inputs(form_field)
    return {
        "type": "modal",
        "callback_id": form.callback_id[:ID_LENGTH],
        "title": _plain(form.title, VIEW_BUTTON_TEXT),
        "submit": _plain(form.submit_label, VIEW_BUTTON_TEXT),
        "close": _plain(close_label, VIEW_BUTTON_TEXT),
        "private_metadata": private_metadata,
        "blocks": _limit(blocks, VIEW_BLOCKS, Translator(form.language)),
    }


def _inputs(field: FormField) -> list[dict[str, Any]]:
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
    return [_input(field, field.id, _element(field, initial))]


def _input(field: FormField, block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id[:ID_LENGTH],
        "label": _plain(field.label, INPUT_LABEL),
        "element": element,
    }
    if not field.required:
        block["optional"] = True
    if field.hint:
        block["hint"] = _plain(field.hint, INPUT_LABEL)
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
    # Slack sends null for an element the person left empty or cleared.
    match state.get("type"):
        case "plain_text_input":
            return str(state.get("value") or "")
        case "static_select":
            return str((state.get("selected_option") or {}).get("value") or "")
        case "users_select":
            return str(state.get("selected_user") or "")
        case "multi_static_select":
            return [str(o["value"]) for o in state.get("selected_options") or []]
        case "multi_users_select":
            return [str(u) for u in state.get("selected_users") or []]
        case "datepicker":
            return str(state.get("selected_date") or "")
        case "timepicker":
            return str(state.get("selected_time") or "")
    return None


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
