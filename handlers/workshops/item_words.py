"""How an open question or a decision reads once it has a status: answered (with the answer) or
changed (with what it became). The status, the digest, the facilitators' list and the record
all say it in these words."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.i18n import N_, Translator
from handlers.messages import Context, Message, Paragraph
from storage.models.kinds import ItemKind, ItemStatus

MAX_RESOLUTION = 1000
# The status an item gets when a facilitator marks it: only these two kinds can be marked.
MARKED_STATUS: dict[ItemKind, ItemStatus] = {"open_question": "answered", "decision": "changed"}
# Whether the channel hears of it now, in the summary's thread, or from the status update.
SHARE_OPTIONS = (
    ("thread", N_("Yes, in the thread under the summary")),
    ("no", N_("No, the status update is enough")),
)


@dataclass(frozen=True)
class ItemState:
    """An item as the status shows it: its text, whether it is new since the last digest, and
    its answer or change, with whether that is new since the last digest."""

    text: str
    new: bool = False
    status: ItemStatus = "open"
    resolution: str | None = None
    resolved_new: bool = False


def resolution_text(tr: Translator, status: ItemStatus, resolution: str | None) -> str | None:
    """ "besvaret: …" / "ændret til: …"; None while the item is open."""
    if status == "answered" and resolution:
        return tr._("answered: {answer}").format(answer=resolution)
    if status == "changed" and resolution:
        return tr._("changed to: {change}").format(change=resolution)
    return None


def item_line(tr: Translator, item: ItemState) -> str:
    """ "Hvem indkalder til mødet? · besvaret: Lederen af team Nord (nyt svar)"."""
    line = tr._("{item} (new)").format(item=item.text) if item.new else item.text
    resolved = resolution_text(tr, item.status, item.resolution)
    if resolved is None:
        return line
    line = f"{line} · {resolved}"
    if item.resolved_new:
        since = (
            tr._("(new answer)")
            if item.status == "answered"
            else tr._("(changed since the last update)")
        )
        line = f"{line} {since}"
    return line


def shared_message(tr: Translator, status: ItemStatus, item: str, text: str, by: str) -> Message:
    """The post in the summary's thread when a facilitator chose to tell the channel."""
    if status == "answered":
        head = tr._("An open question is answered: {question}").format(question=item)
    else:
        head = tr._("A decision is changed: {decision}").format(decision=item)
    marked = tr._("Marked by {name}. The status shows it too.").format(name=by)
    blocks = (Paragraph(head), Paragraph("→ " + text), Context(marked))
    return Message(f"{head}\n→ {text}", blocks, language=tr.language)
