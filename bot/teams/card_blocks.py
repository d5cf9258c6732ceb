"""Neutral messages as Adaptive Cards, and the activity that carries one within Teams' size limit.

Teams renders cards up to version 1.5. `TextBlock` texts and `FactSet` titles and values are
Markdown there (bold, italic, lists, `[title](url)` links; no HTML), while neutral text is plain
text. The one rule that matters is that a person's words never become a link whose target hides
behind other words, so a zero-width space follows every "]": "[klik](https://evil)" shows as
written and links nowhere, and a reference link ("[klik][1]" with "[1]: url") breaks the same way.
Emphasis and list markers are left as they are: "*vigtigt*" in italics misleads no one, whereas a
backslash escape shows as a stray "\\" on some mobile clients. A bare address may still be linked
by the client, but then the address is what the reader sees. Input labels, choice titles and
button titles are not Markdown and are passed as they are.

Teams refuses a message that is too big (413 MessageSizeTooBig) and posts nothing, so
`activity_for` keeps the whole activity within the lowest limits Microsoft has published (see
ACTIVITY_BYTES) and cuts visibly, in the message's language: long paragraphs end in "…", then long
lists and finally the trailing elements end in "… and 12 more".
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
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

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # the highest Teams renders
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Teams counts a message in UTF-16: 40 KB for a bot message (100 KB in newer documentation), 28 KB
# for webhooks and Workflows. We count ASCII-escaped JSON, where a character is a byte and which is
# never shorter than the JSON sent, so 19,500 bytes here are at most 39,000 bytes of UTF-16 there:
# under 40 KB with room for what the connector adds (from, conversation, replyToId).
ACTIVITY_BYTES = 19_500
SUMMARY_TEXT = 500  # the notification line; nobody reads further there
PARAGRAPH_FLOOR = 300  # a paragraph is cut no shorter than this before lists are cut
MORE = "… and {n} more"  # the catalog's msgid, shared with the other renderers
_ZWSP = "\u200b"
_STYLES = {"primary": "positive", "danger": "destructive"}


# --- Text -------------------------------------------------------------------------------------


def markdown_safe(text: str) -> str:
    """Plain text for a Markdown field: no link can form (see the module docstring)."""
    return text.replace("]", "]" + _ZWSP)


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def text_block(text: str, **style: Any) -> dict[str, Any]:
    """A wrapping TextBlock for text that is already Markdown-safe."""
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _lines(text: str) -> str:
    # Outside lists Teams needs a blank line for a line break, and a single "\n" would run two
    # lines together.
    return "\n\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def _more(tr: Translator, n: int) -> str:
    return markdown_safe(tr._(MORE).format(n=n))


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {"$schema": SCHEMA, "type": "AdaptiveCard", "version": VERSION}
    card["body"] = body
    if actions:
        card["actions"] = actions
    # Teams-only, outside the Adaptive Card schema: use the width of the conversation.
    card["msteams"] = {"width": "Full"}
    return card


def card_activity(card: dict[str, Any], *, summary: str = "") -> dict[str, Any]:
    """A Bot Framework message activity that carries `card`.

    The notification line goes in `summary`, not `text`: Teams posts the `text` of an activity
    that also has a card as a message of its own, so the activity would answer without the id the
    card needs to be updated later.
    """
    activity: dict[str, Any] = {"type": "message"}
    if summary:
        activity["summary"] = summary
    activity["attachments"] = [{"contentType": CONTENT_TYPE, "content": card}]
    return activity


def activity_bytes(activity: dict[str, Any]) -> int:
    """The activity's size as ACTIVITY_BYTES counts it: UTF-8 bytes of ASCII-escaped JSON."""
    return len(json.dumps(activity).encode("utf-8"))


# --- Messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CutList(BulletList):
    """A list whose last `left_out` items did not fit; the card says how many."""

    left_out: int = 0


def render_card(message: Message, *, link_url: str | None = None) -> dict[str, Any]:
    """An Adaptive Card 1.5 of the message's blocks; buttons and the link are its actions."""
    tr = Translator(message.language)
    body: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    separator = False
    for block in message.blocks:
        if isinstance(block, Divider):
            # A card has no divider element; the next element draws a line above itself.
            separator = bool(body)
            continue
        if isinstance(block, Buttons):
            actions += [_submit(b.label, b.action_id, b.value, b.style) for b in block.buttons]
        elif isinstance(block, Link) and link_url and block.page_of is None:  # Teams has a tab
            title = block.label or link_url
            actions.append({"type": "Action.OpenUrl", "title": title, "url": link_url})
        elements = _elements(block, tr)
        if elements and separator:
            elements[0]["separator"] = True
            separator = False
        body += elements
    return adaptive_card(body, actions)


def _elements(block: Block, tr: Translator) -> list[dict[str, Any]]:
    # A block with nothing to say is left out, as on Slack.
    match block:
        case Heading(text=text) if text.strip():
            return [text_block(markdown_safe(text), size="Large", weight="Bolder", style="heading")]
        case Paragraph(text=text) if text.strip():
            return [text_block(markdown_safe(_lines(text)))]
        case Fields(pairs=pairs):
            facts = [
                {"title": markdown_safe(label), "value": markdown_safe(value)}
                for label, value in pairs
                if label or value
            ]
            return [{"type": "FactSet", "facts": facts}] if facts else []
        case BulletList(title=title, items=items):
            elements = [text_block(markdown_safe(title), weight="Bolder")] if title.strip() else []
            if items:
                # One item is one line: a line break inside would end the Markdown list.
                lines = ("- " + markdown_safe(" ".join(item.split())) for item in items)
                elements.append(text_block("\n".join(lines)))
            if isinstance(block, _CutList) and block.left_out:
                elements.append(text_block(_more(tr, block.left_out), isSubtle=True))
            return elements
        case Progress(step=step, total=total, label=label):
            total = max(total, 0)
            step = min(max(step, 0), total)
            bar = f"{'▰' * step}{'▱' * (total - step)}  {markdown_safe(label)}"
            return [text_block(bar, isSubtle=True)]
        case Context(text=text) if text.strip():
            return [text_block(markdown_safe(_lines(text)), isSubtle=True, size="Small")]
    return []


def _submit(label: str, action_id: str, value: str, style: str) -> dict[str, Any]:
    # Teams sends the press as a message activity whose `value` is this `data`.
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": label,
        "data": {"action_id": action_id, "value": value},
    }
    if style in _STYLES:
        action["style"] = _STYLES[style]
    return action


# --- The activity, within the size limit ------------------------------------------------------

_Measure = Callable[[list[Block]], int]


def activity_for(message: Message, *, link_url: str | None = None) -> dict[str, Any]:
    """The outgoing activity: the card, and the message's text as the notification line.

    Never bigger than ACTIVITY_BYTES: what does not fit is cut visibly, in this order, each step
    only while the activity is still too big.
    """
    tr = Translator(message.language)
    summary = _summary(message)

    def build(blocks: list[Block]) -> dict[str, Any]:
        card = render_card(replace(message, blocks=tuple(blocks)), link_url=link_url)
        return card_activity(card, summary=summary)

    def overflow(blocks: list[Block]) -> int:
        return activity_bytes(build(blocks)) - ACTIVITY_BYTES

    blocks = list(message.blocks)
    for shorten in (_cut_paragraphs, _cut_lists, _cut_trailing):
        if overflow(blocks) <= 0:
            break
        blocks = shorten(blocks, overflow, tr)
    if overflow(blocks) > 0:
        # Only a pathological set of buttons gets here; the card still says what is missing.
        missing = sum(not isinstance(block, Divider) for block in message.blocks)
        blocks = [Context(tr._(MORE).format(n=missing))]
    return build(blocks)


def _summary(message: Message) -> str:
    texts = [message.text, *(getattr(block, "text", "") for block in message.blocks)]
    text = next((t for t in texts if t.strip()), "")
    return cut(" ".join(text.split()), SUMMARY_TEXT)


def _cut_paragraphs(blocks: list[Block], overflow: _Measure, tr: Translator) -> list[Block]:
    """The longest paragraph first, by what is over (a character is at least a byte of JSON)."""
    blocks = list(blocks)
    while (over := overflow(blocks)) > 0:
        long = {
            i: b.text
            for i, b in enumerate(blocks)
            if isinstance(b, Paragraph) and len(b.text) > PARAGRAPH_FLOOR
        }
        if not long:
            break
        index = max(long, key=lambda i: len(long[i]))
        text = long[index]
        # "…" costs six bytes escaped, more than the character it replaces.
        blocks[index] = Paragraph(cut(text, max(PARAGRAPH_FLOOR, len(text) - over - 8)))
    return blocks


def _cut_lists(blocks: list[Block], overflow: _Measure, tr: Translator) -> list[Block]:
    """The biggest list loses items from its end, about as many as the overflow weighs."""
    blocks = list(blocks)
    while (over := overflow(blocks)) > 0:
        lists = [(i, b) for i, b in enumerate(blocks) if isinstance(b, BulletList)]
        lists = [(i, b) for i, b in lists if len(b.items) > 1]
        if not lists:
            break
        index, block = max(lists, key=lambda pair: _weight(pair[1].items))
        per_item = _weight(block.items) / len(block.items)
        drop = min(len(block.items) - 1, math.ceil((over + 60) / per_item))
        left_out = drop + (block.left_out if isinstance(block, _CutList) else 0)
        blocks[index] = _CutList(block.title, block.items[:-drop], left_out)
    return blocks


def _weight(items: tuple[str, ...]) -> int:
    return sum(len(json.dumps(markdown_safe(item))) + 3 for item in items)


def _cut_trailing(blocks: list[Block], overflow: _Measure, tr: Translator) -> list[Block]:
    """As many body blocks as fit, from the top, then "… and 3 more"; buttons and the link stay,
    because they are how the person answers."""
    content = [i for i, b in enumerate(blocks) if not isinstance(b, Divider | Buttons | Link)]
    if not content:
        return blocks

    def keep(n: int) -> list[Block]:
        end = content[n - 1] + 1 if n else 0
        rest = [b for b in blocks[end:] if isinstance(b, Buttons | Link)]
        return [*blocks[:end], Context(tr._(MORE).format(n=len(content) - n)), *rest]

    # More blocks kept is never smaller, so the most that fit is found by halving.
    low, high = 0, len(content) - 1
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if overflow(keep(middle)) <= 0 else (low, middle - 1)
    return keep(low)
