"""Block Kit: neutral messages, forms and home views as Slack payloads, and modal answers back.

Slack rejects a whole payload when one part passes one of its limits
(https://docs.slack.dev/reference/block-kit/blocks), so every limit is enforced here, and visibly:
a cut text ends in "…", a cut list or message ends in "… and 12 more" in the message's language.
Neutral text is plain text, so `&`, `<` and `>` are escaped in every mrkdwn text: a summary that
quotes "<!channel>" must not ping the channel.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from handlers.i18n import Translator
from handlers.messages import (
    Block,
    BulletList,
    Buttons,
    Context,
    Divider,
    Fields,
    Heading,
    Link,
    Message,
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
# A link button: Slack still sends its click to the app, which only acks it (bot.slack.actions).
PAGE_LINK_ACTION = "status.page.open"
BUTTON_URL = 3000

# The person's own link to a process's status page (bot.web.access), or None where it cannot be
# made; given by the adapter for the one person a message is shown to.
PageUrl = Callable[[int], str | None]
_PARTIAL_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?$")


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


def render_message(
    message: Message, *, link_url: str | None = None, page_url: PageUrl | None = None
) -> dict[str, Any]:
    """A payload for chat.postMessage / chat.update: the notification text and the blocks."""
    tr = Translator(message.language)
    blocks = _limit(_message_blocks(message, tr, link_url, page_url), MESSAGE_BLOCKS, tr)
    return {"text": _fallback(message), "blocks": blocks}


def render_view_message(message: Message) -> dict[str, Any]:
    """As render_message, within a view's limit (a modal holds 100 blocks, a message 50)."""
    tr = Translator(message.language)
    blocks = _limit(_message_blocks(message, tr, None), VIEW_BLOCKS, tr)
    return {"text": _fallback(message), "blocks": blocks}


def render_home(messages: list[Message], *, page_url: PageUrl | None = None) -> dict[str, Any]:
    """An App Home view: the messages one after another, a divider between them."""
    tr = Translator(messages[0].language if messages else "da")
    blocks: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if index:
            blocks.append({"type": "divider"})
        blocks += _message_blocks(message, Translator(message.language), None, page_url)
    return {"type": "home", "blocks": _limit(blocks, VIEW_BLOCKS, tr)}


def _fallback(message: Message) -> str:
    # Slack wants a non-empty `text` for notifications and screen readers, and parses it as
    # mrkdwn, so it is escaped like the blocks.
    texts = [message.text, *(getattr(block, "text", "") for block in message.blocks)]
    text = next((t for t in texts if t.strip()), "…")
    return _cut(_escape(text), SECTION_TEXT, escaped=True)


def _message_blocks(
    message: Message, tr: Translator, link_url: str | None, page_url: PageUrl | None = None
) -> list[dict[str, Any]]:
    return [
        rendered for block in message.blocks for rendered in _block(block, tr, link_url, page_url)
    ]


def _block(
    block: Block, tr: Translator, link_url: str | None, page_url: PageUrl | None = None
) -> list[dict[str, Any]]:
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
            # Slack wants each action_id once per block: the second "input.mark" becomes
            # "input.mark#2", and the listener reads the part before "#" (see ACTION_SUFFIX).
            elements = [
                _button(b.label, b.action_id + (f"#{n}" if n > 1 else ""), b.value, b.style)
                for b, n in zip(buttons, _occurrences(b.action_id for b in buttons), strict=True)
            ]
            return [
                {"type": "actions", "elements": elements[i : i + ACTIONS_ELEMENTS]}
                for i in range(0, len(elements), ACTIONS_ELEMENTS)
            ]
        case Context(text=text) if text.strip():
            return [_context(_escape(text))]
        case Divider():
            return [{"type": "divider"}]
        case Link(label=label, page_of=int(process_id)):
            url = page_url(process_id) if page_url else None
            return [_link_button(label, url)] if url and len(url) <= BUTTON_URL else []
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


def _occurrences(action_ids: Iterable[str]) -> list[int]:
    """For each id, how many times it has come so far (1 for the first)."""
    seen: Counter[str] = Counter()
    counts = []
    for action_id in action_ids:
        seen[action_id] += 1
        counts.append(seen[action_id])
    return counts


def _link_button(label: str, url: str) -> dict[str, Any]:
    button = {"type": "button", "text": _plain(label, BUTTON_TEXT), "action_id": PAGE_LINK_ACTION}
    return {"type": "actions", "elements": [button | {"url": url}]}


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
