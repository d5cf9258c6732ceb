"""The way from a chat to the process's status page. Where the page is opened through a personal
link (Slack), what one person reads (their status answer, App Home) carries their link; the
digest, which the whole channel reads, carries a button that answers whoever presses it with
their own. The neutral message names only the process (`Link.page_of`): the adapter makes the
link for the person it shows the message to. Teams has the page as a channel tab instead."""

from __future__ import annotations

from dataclasses import replace

from handlers.command_spec import ButtonSpec
from handlers.context import Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import N_, Translator
from handlers.messages import Block, Button, Buttons, Link, Message, Paragraph, Reply
from handlers.people import find_person, require_member, translator_for
from storage.models import Process
from storage.models.kinds import Platform

# The platforms whose adapters make personal links to the page.
PERSONAL_LINKS: frozenset[Platform] = frozenset({"slack"})
ACTION = "status.page"
SEE_ALL = N_("See the full status")
OPEN_PAGE = N_("Open the status page")
YOUR_LINK = N_(
    "Your own link to the status page of “{process}”. It is yours alone: do not pass it on."
)


def with_page_link(message: Message, tr: Translator, process: Process) -> Message:
    """`message`, for one person, with their link to the page where their platform has one."""
    if process.platform not in PERSONAL_LINKS:
        return message
    return _near_the_top(message, Link(tr._(SEE_ALL), page_of=process.id))


def with_page_button(message: Message, tr: Translator, process: Process) -> Message:
    """`message`, for many, with the button that answers each with their own link."""
    if process.platform not in PERSONAL_LINKS:
        return message
    button = Button(tr._(OPEN_PAGE), ACTION, str(process.id))
    return _near_the_top(message, Buttons((button,)))


def _near_the_top(message: Message, block: Block) -> Message:
    """Below the heading and where the process stands: seen first, and never among what a
    platform cuts from a long message's end."""
    kinds = [b.kind for b in message.blocks]
    at = kinds.index("progress") + 1 if "progress" in kinds else len(kinds)
    return replace(message, blocks=(*message.blocks[:at], block, *message.blocks[at:]))


def send_page_link(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """The digest's button: the presser's own link, if they are a member."""
    with deps.db.transaction() as session:
        process = session.get(Process, int(value)) if value.isdigit() else None
        if process is None:
            raise Refused(N_("That process no longer exists."))
        person = find_person(session, actor)
        require_member(session, process, person)
        tr = translator_for(person, process, deps)
        text = tr._(YOUR_LINK).format(process=process.name)
        blocks = (Paragraph(text), Link(tr._(SEE_ALL), page_of=process.id))
        return Reply(message=Message(text, blocks, language=tr.language))


PAGE_BUTTON = ButtonSpec(ACTION, send_page_link)
