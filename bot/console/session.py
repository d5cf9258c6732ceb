"""The console chat: one channel, many people; you type as any of them."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from bot.console.form_prompts import Cancelled, ConsoleForm, ReadLine, write_refusal
from bot.console.messenger import CONSOLE, ConsoleMessenger
from bot.console.render import render_text
from bot.private_files import personal_name, write_private_new
from handlers.commands import handle_command
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import APOLOGY
from handlers.i18n import Translator
from handlers.interactions import press_button, submit_form
from handlers.messages import Attachment, Form, FormValues, Reply
from handlers.people import process_for_channel
from handlers.process.membership import member_joined, member_left
from schedules.delivery import drain
from storage.models import Member, Person, Process

log = logging.getLogger(__name__)

WORKSPACE = "local"
DEFAULT_CHANNEL = "samskab"


def person_ref(name: str) -> PersonRef:
    user_id = re.sub(r"[^\w]+", "-", name.strip().casefold()).strip("-") or "someone"
    return PersonRef(CONSOLE, WORKSPACE, user_id, name.strip())


class ConsoleSession:
    def __init__(
        self,
        deps: Deps,
        read: ReadLine,
        out: TextIO,
        *,
        channel: str | None = None,
        as_name: str | None = None,
        export_dir: Path = Path("."),
    ) -> None:
        self.deps = deps
        self.read = read
        self.out = out
        self.export_dir = export_dir
        self.messenger = ConsoleMessenger(out, self.translator)
        self.channel_id, facilitator = self._starting_point(channel)
        self.me = person_ref(as_name) if as_name else facilitator or person_ref("Facilitator")
        self.present: dict[str, PersonRef] = {self.me.user_id: self.me}

    # --- where we start --------------------------------------------------------------------

    def _starting_point(self, channel: str | None) -> tuple[str, PersonRef | None]:
        """The given channel, else the newest process's channel, acting as its facilitator."""
        with self.deps.db.transaction() as session:
            query = select(Process).where(Process.platform == CONSOLE)
            if channel:
                query = query.where(Process.channel_id == channel.lstrip("#"))
            process = session.scalars(query.order_by(Process.id.desc())).first()
            if process is None:
                return (channel or DEFAULT_CHANNEL).lstrip("#"), None
            facilitator = session.scalars(
                select(Person)
                .join(Member)
                .where(
                    Member.process_id == process.id,
                    Member.role == "facilitator",
                    Member.active.is_(True),
                )
                .order_by(Member.id)
            ).first()
            ref = (
                PersonRef(CONSOLE, WORKSPACE, facilitator.user_id, facilitator.name)
                if facilitator
                else None
            )
            return process.channel_id, ref

    def channel(self) -> ChannelRef:
        return ChannelRef(
            CONSOLE,
            WORKSPACE,
            self.channel_id,
            self.channel_id,
            roster=tuple(self.present.values()),
        )

    def translator(self) -> Translator:
        with self.deps.db.transaction() as session:
            process = process_for_channel(session, self.channel())
            if process is not None:
                return Translator(process.language, process.timezone)
        return Translator(self.deps.language, self.deps.timezone)

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> int:
        return asyncio.run(self.run_async())

    async def run_async(self) -> int:
        tr = self.translator()
        self.say(
            tr._(
                "Samskab console. You are {name} in #{channel}. Type /help for the console's "
                "own commands, /samskab help for the bot's."
            ).format(name=self.me.name, channel=self.channel_id)
        )
        while True:
            self.out.write(f"\n{self.me.name} @ #{self.channel_id}> ")
            self.out.flush()
            line = self.read()
            if line is None:
                return 0
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("/quit", "/exit", "/afslut"):
                return 0
            try:
                await self.handle(line)
            except Exception as error:  # the console's one place for errors: the chat goes on
                log.error("error in the console after %r", line[:100], exc_info=error)
                self.say(self.translator()._(APOLOGY))

    async def handle(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        tr = self.translator()
        if word in ("/samskab", "/samskab:"):
            await self.show(handle_command(self.deps, self.me, self.channel(), rest))
        elif word in ("/as", "/som"):
            await self.act_as(rest)
        elif word in ("/join", "/tilføj"):
            for name in filter(None, (n.strip() for n in rest.split(","))):
                await self.join(person_ref(name))
        elif word in ("/leave", "/forlad"):
            ref = person_ref(rest)
            self.present.pop(ref.user_id, None)
            if not member_left(self.deps, self.channel(), ref):
                self.say(tr._("{name} is not a member here.").format(name=rest))
            else:
                self.say(
                    tr._("{name} left #{channel}.").format(name=ref.name, channel=self.channel_id)
                )
        elif word in ("/click", "/klik"):
            await self.click(rest)
        elif word in ("/help", "/hjælp"):
            self.say(
                tr._(
                    "Console commands: /as NAME (act as someone; they join the channel), "
                    "/join NAME, NAME… (colleagues join), /leave NAME, /click N (press button N), "
                    "/quit. Bot commands: /samskab help."
                )
            )
        else:
            self.say(tr._("Commands start with /samskab, for example /samskab help."))

    async def act_as(self, name: str) -> None:
        tr = self.translator()
        if not name:
            self.say(tr._("Write a name, for example /as Anna Holm."))
            return
        self.me = person_ref(name)
        await self.join(self.me)
        self.say(tr._("You are now {name}.").format(name=self.me.name))

    async def join(self, ref: PersonRef) -> None:
        self.present[ref.user_id] = ref
        member_joined(self.deps, self.channel(), ref)
        await self.deliver()

    async def click(self, number: str) -> None:
        # Looked up as text: int() raises on "²" and on 10 000 digits.
        if not number:
            self.say(self.translator()._("Type the button's number, for example /click 2."))
            return
        button = next((b for n, b in self.messenger.buttons.items() if str(n) == number), None)
        if button is None:
            self.say(self.translator()._("There is no button {n}.").format(n=number))
            return
        await self.show(press_button(self.deps, self.me, button.action_id, button.value))

    # --- showing and filling ----------------------------------------------------------------

    async def show(self, reply: Reply) -> None:
        tr = self.translator()
        if reply.message is not None:
            self.say(render_text(reply.message, self.messenger.number), label=tr._("only to you"))
        if reply.attachment is not None:
            self.save(reply.attachment)
        if reply.form is not None:
            await self.fill(reply.form)
        await self.deliver()

    def save(self, attachment: Attachment) -> None:
        """A file of its own in `export_dir`, the owner's alone: named for the person who asked,
        numbered if that name is taken, so one colleague's export or data never overwrites
        another's (the repository's .gitignore covers these names)."""
        tr = self.translator()
        path = self.export_dir / personal_name(attachment.filename, self.me.user_id)
        try:
            path = write_private_new(path, attachment.content.encode("utf-8"))
        except OSError as error:
            self.say(
                tr._("Cannot write {path}: {error}").format(
                    path=path, error=error.strerror or error
                )
            )
            return
        self.say(tr._("File saved: {path}").format(path=path))

    async def fill(self, form: Form) -> None:
        tr = self.translator()
        filler = ConsoleForm(self.read, self.out, tr)
        values: FormValues = {}
        only: set[str] | None = None
        try:
            while True:
                values = filler.fill(form, only, values)
                outcome = submit_form(
                    self.deps, self.me, self.channel(), form.callback_id, form.metadata, values
                )
                if outcome.ok:
                    await self.show(outcome.reply)
                    return
                for field_id, error in outcome.errors.items():
                    write_refusal(self.out, self._label(form, field_id), error)
                only = {f.id for f in form.fields if f.id in outcome.errors} or None
        except Cancelled:
            self.say(tr._("Cancelled; nothing was saved."))

    @staticmethod
    def _label(form: Form, field_id: str) -> str:
        return next((f.label for f in form.fields if f.id == field_id), field_id)

    async def deliver(self) -> None:
        await drain(self.deps.db, {CONSOLE: self.messenger}, self.deps.clock())

    def say(self, text: str, label: str | None = None) -> None:
        if label:
            self.out.write(f"\n┌─ {label}\n" + "".join(f"│ {line}\n" for line in text.splitlines()))
            self.out.write("└─\n")
        else:
            self.out.write(text + "\n")
        self.out.flush()
