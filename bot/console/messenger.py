"""ConsoleMessenger: delivers outbox rows by printing them, labelled with the recipient."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from typing import Final, TextIO

from bot.console.render import render_text
from handlers.i18n import Translator
from handlers.messages import Button
from schedules.envelopes import Delivered, Envelope

CONSOLE: Final = "console"


class ConsoleMessenger:
    platform = CONSOLE

    def __init__(self, out: TextIO, translator: Callable[[], Translator]) -> None:
        self.out = out
        self.translator = translator
        self.buttons: dict[int, Button] = {}
        self._refs = itertools.count(1)
        self._session = secrets.token_hex(4)
        self._button_numbers = itertools.count(1)
        self._headings: dict[str, str] = {}

    def number(self, button: Button) -> int:
        n = next(self._button_numbers)
        self.buttons[n] = button
        return n

    async def deliver(self, envelope: Envelope) -> Delivered:
        tr = self.translator()
        if envelope.recipient is not None:
            label = tr._("DM to {name}").format(name=envelope.recipient.name)
        else:
            label = f"#{envelope.channel_id}"
        if envelope.thread_ref:
            heading = self._headings.get(envelope.thread_ref)
            # A post from an earlier session (or the demo) is known here by its reference only.
            label += " · " + (
                tr._("in the thread of “{post}”").format(post=heading)
                if heading is not None
                else tr._("in the thread of an earlier post")
            )
        if envelope.replaces_ref:
            label += " · " + tr._("updated")
        # Unique across sessions: an update from a later session must not name another post.
        ref = envelope.replaces_ref or f"{CONSOLE}-{self._session}-{next(self._refs)}"
        self._headings.setdefault(ref, envelope.message.text.splitlines()[0][:60])
        body = render_text(envelope.message, self.number)
        self.out.write(f"\n┌─ {label}\n" + "".join(f"│ {line}\n" for line in body.splitlines()))
        self.out.write("└─\n")
        self.out.flush()
        dm = f"dm-{envelope.recipient.user_id}" if envelope.recipient else None
        return Delivered(ref=ref, dm_channel=dm)
