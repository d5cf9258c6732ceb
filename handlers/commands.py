"""`/samskab <subcommand>`: parsing, Danish aliases, help, and the route to each use case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.i18n import N_, Translator
from handlers.inputs import lifecycle
from handlers.inputs.giving import open_input_form
from handlers.messages import BulletList, Context, Heading, Message, Paragraph, Reply
from handlers.people import actor_translator
from handlers.privacy import own_data
from handlers.process import closing
from handlers.process.setup import setup_form
from handlers.process.steps import move_to_step
from handlers.pulse import asking
from handlers.record.export import export_format, export_process
from handlers.status.digest import set_subscription
from handlers.status.overview import show_status
from handlers.workshops.planning import workshop_form
from handlers.workshops.summaries import summary_form

SUBCOMMANDS = (
    "subscribe",
    "unsubscribe",
    "help",
    "setup",
    "workshop",
    "summary",
    "input",
    "status",
    "step",
    "export",
    "mydata",
    "forget-me",
    "close",
    "pulse",
    "inputs",
    "mark",
)
ALIASES = {
    "hjælp": "help",
    "hjaelp": "help",
    "?": "help",
    "opsætning": "setup",
    "opsaetning": "setup",
    "opsæt": "setup",
    "referat": "summary",
    "opsamling": "summary",
    "bidrag": "input",
    "trin": "step",
    "eksport": "export",
    "eksporter": "export",
    "eksportér": "export",
    "minedata": "mydata",
    "mine-data": "mydata",
    "glem-mig": "forget-me",
    "abonnér": "subscribe",
    "abonner": "subscribe",
    "afmeld": "unsubscribe",
    "glemmig": "forget-me",
    "luk": "close",
    "afslut": "close",
    "puls": "pulse",
    "bidragene": "inputs",
    "marker": "mark",
    "markér": "mark",
}

HELP_LINES = (
    N_("/samskab setup: set up a process in this channel (facilitators)"),
    N_("/samskab workshop: plan a workshop (facilitators)"),
    N_("/samskab summary: post a workshop summary and ask those who were absent (facilitators)"),
    N_("/samskab step 3: move the process to a step from 1 to 6 (facilitators)"),
    N_("/samskab input: give input, named or anonymously"),
    N_("/samskab status: where are we in the process?"),
    N_("/samskab inputs: the input still to follow up (facilitators)"),
    N_("/samskab mark 12 used Note: say what became of input 12 (facilitators)"),
    N_("/samskab pulse: ask every member whether they feel up to date (facilitators)"),
    N_("/samskab export: the process's record as a document (export csv: for Excel)"),
    N_("/samskab subscribe: get the status update as a direct message too (unsubscribe: stop)"),
    N_("/samskab close: close the process; its personal data is erased later (facilitators)"),
    N_("/samskab mydata: everything Samskab stores about you, sent to you privately"),
    N_("/samskab forget-me: erase your data (you are asked to confirm)"),
    N_("/samskab help: this help"),
)


@dataclass(frozen=True)
class Command:
    name: str
    argument: str


def parse_command(text: str) -> Command:
    """`referat 3` → Command("summary", "3"). An empty text is a request for help."""
    words = text.strip().removeprefix("/samskab").strip().split(maxsplit=1)
    if not words:
        return Command("help", "")
    word = words[0].casefold()
    name = ALIASES.get(word, word)
    if name not in SUBCOMMANDS:
        raise Refused(N_("I do not know the command “{word}”."), word=words[0])
    return Command(name, words[1].strip() if len(words) > 1 else "")


def help_message(tr: Translator) -> Message:
    title = tr._("Samskab keeps everyone in the process informed and heard.")
    lines = tuple(tr._(line) for line in HELP_LINES)
    return Message(
        title + "\n" + "\n".join(lines),
        (
            Heading(tr._("Samskab: help")),
            Paragraph(title),
            BulletList("", lines),
            Context(tr._("Danish words work too: hjælp, opsætning, referat, trin, eksport.")),
        ),
        language=tr.language,
    )


Route = Callable[[Deps, PersonRef, ChannelRef, str], Reply]


def _setup(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    no_arguments("setup", arg)
    return setup_form(deps, actor, channel)


def _workshop(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    no_arguments("workshop", arg)
    return workshop_form(deps, actor, channel)


def _input(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    no_arguments("input", arg)
    return open_input_form(deps, actor, channel)


def _status(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    no_arguments("status", arg)
    return show_status(deps, actor, channel)


def _export(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    return export_process(deps, actor, channel, export_format(arg))


def _step(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    if not arg:
        raise Refused(N_("Write the step as a number, for example /samskab step 3."))
    return move_to_step(deps, actor, channel, arg)


def _subscribe(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    no_arguments("subscribe", arg)
    return set_subscription(deps, actor, channel, on=True)


def _unsubscribe(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    no_arguments("unsubscribe", arg)
    return set_subscription(deps, actor, channel, on=False)


ROUTES: dict[str, Route] = {
    "setup": _setup,
    "workshop": _workshop,
    "summary": summary_form,
    "input": _input,
    "status": _status,
    "step": _step,
    "export": _export,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "mydata": own_data.my_data,
    "forget-me": own_data.forget_me_form,
    "close": closing.close_process,
    "pulse": asking.pulse_command,
    "inputs": lifecycle.list_inputs,
    "mark": lifecycle.mark_command,
}


def handle_command(deps: Deps, actor: PersonRef, channel: ChannelRef, text: str) -> Reply:
    """Run a typed command. A refusal comes back as a short explanation in the person's language;
    an unknown command or wrong arguments also bring the help."""
    try:
        command = parse_command(text)
        if command.name == "help":
            return Reply(message=help_message(actor_translator(deps, actor, channel)))
        return ROUTES[command.name](deps, actor, channel, command.argument)
    except Refused as refusal:
        tr = actor_translator(deps, actor, channel)
        text = tr._(refusal.message).format(**refusal.params)
        if refusal.message in _WITH_HELP:
            help_text = help_message(tr)
            return Reply(
                message=Message(
                    f"{text}\n{help_text.text}",
                    (Context(text), *help_text.blocks),
                    language=tr.language,
                )
            )
        return Reply(message=Message(text, language=tr.language))


_WITH_HELP = {
    N_("I do not know the command “{word}”."),
    N_("“{command}” takes no arguments."),
    N_("Write the step as a number, for example /samskab step 3."),
    N_("The step must be a number from 1 to 6."),
}
