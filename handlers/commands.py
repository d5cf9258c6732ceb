"""`/samskab <subcommand>`: the table of commands, and from it the parsing, the Danish words, the
help, and the route to each use case. A command is declared beside its use case (see
handlers.command_spec) and listed once in COMMANDS."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.command_spec import ButtonSpec, CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.facilitators import facilitator_names, facilitators_line
from handlers.hassle.command import HASSLE
from handlers.i18n import N_, Translator
from handlers.inputs.giving import INPUT
from handlers.inputs.lifecycle import INPUTS, MARK
from handlers.inputs.missing import MISSING
from handlers.language import LANGUAGE
from handlers.messages import BulletList, Context, Heading, Message, Paragraph, Reply
from handlers.people import actor_translator, process_for_channel, resolve_channel
from handlers.privacy import own_data
from handlers.process.closing import CLOSE
from handlers.process.setup import SETUP
from handlers.process.steps import STEP
from handlers.pulse.asking import PULSE
from handlers.record.export import EXPORT
from handlers.status.digest import SUBSCRIBE, UNSUBSCRIBE
from handlers.status.overview import STATUS
from handlers.workshops.correcting import CORRECT_SUMMARY
from handlers.workshops.items import QUESTIONS
from handlers.workshops.listing import WORKSHOPS
from handlers.workshops.planning import WORKSHOP
from handlers.workshops.summaries import SUMMARY


def _help(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    tr = actor_translator(deps, actor, channel)
    with deps.db.transaction() as session:
        process = process_for_channel(session, channel)
        names = facilitator_names(session, process) if process is not None else []
    return Reply(message=help_message(tr, facilitators_line(tr, names)))


HELP = CommandSpec(
    "help", N_("/samskab help: this help"), aliases=("hjælp", "hjaelp", "?"), run=_help
)
MYDATA = CommandSpec(
    "mydata",
    N_("/samskab mydata: everything Samskab stores about you, sent to you privately"),
    aliases=("minedata", "mine-data"),
    run_with=own_data.my_data,
)
FORGET_ME = CommandSpec(
    "forget-me",
    N_("/samskab forget-me: erase your data (you are asked to confirm)"),
    aliases=("glem-mig", "glemmig"),
    run_with=own_data.forget_me_form,
    forms=(
        FormSpec(
            "forget-me",
            lambda deps, actor, _channel, metadata, values: own_data.submit_forget_me(
                deps, actor, metadata, values
            ),
            needs_channel=False,
        ),
    ),
)

# Every command, in the order the help lists them.
COMMANDS: tuple[CommandSpec, ...] = (
    SETUP,
    WORKSHOP,
    WORKSHOPS,
    SUMMARY,
    CORRECT_SUMMARY,
    STEP,
    INPUT,
    STATUS,
    INPUTS,
    MARK,
    MISSING,
    QUESTIONS,
    PULSE,
    HASSLE,
    EXPORT,
    SUBSCRIBE,
    UNSUBSCRIBE,
    CLOSE,
    LANGUAGE,
    MYDATA,
    FORGET_ME,
    HELP,
)
BY_WORD: dict[str, CommandSpec] = {
    word: command for command in COMMANDS for word in (command.name, *command.aliases)
}
FORMS: dict[str, FormSpec] = {form.callback_id: form for c in COMMANDS for form in c.forms}
BUTTONS: dict[str, ButtonSpec] = {b.action_id: b for c in COMMANDS for b in c.buttons}


@dataclass(frozen=True)
class Command:
    name: str
    argument: str


def parse_command(text: str) -> Command:
    """`referat 3` → Command("summary", "3"). An empty text is a request for help."""
    words = text.strip().removeprefix("/samskab").strip().split(maxsplit=1)
    if not words:
        return Command("help", "")
    command = BY_WORD.get(words[0].casefold())
    if command is None:
        raise Refused(N_("I do not know the command “{word}”."), word=words[0])
    return Command(command.name, words[1].strip() if len(words) > 1 else "")


def help_message(tr: Translator, facilitators: str = "") -> Message:
    """`facilitators`: who they are in this channel's process ("Facilitatorer: …"), if any."""
    title = tr._("Samskab keeps everyone in the process informed and heard.")
    lines = tuple(_help_line(tr, command) for command in COMMANDS if command.help)
    who = (Context(facilitators),) if facilitators else ()
    return Message(
        title + "\n" + "\n".join(lines) + (f"\n{facilitators}" if facilitators else ""),
        (
            Heading(tr._("Samskab: help")),
            Paragraph(title),
            BulletList("", lines),
            *who,
            Context(tr._("Danish words work too: hjælp, opsætning, referat, trin, eksport.")),
        ),
        language=tr.language,
    )


def _help_line(tr: Translator, command: CommandSpec) -> str:
    assert command.help is not None
    line = tr._(command.help)
    if command.role is Role.FACILITATOR:
        line += " " + tr._("(facilitators)")
    return line


def handle_command(deps: Deps, actor: PersonRef, channel: ChannelRef, text: str) -> Reply:
    """Run a typed command. A refusal comes back as a short explanation in the person's language;
    an unknown command or wrong arguments also bring the help."""
    try:
        command = parse_command(text)
        spec = BY_WORD[command.name]
        channel = resolve_channel(deps, actor, channel)
        if spec.run_with is not None:
            return spec.run_with(deps, actor, channel, command.argument)
        assert spec.run is not None
        no_arguments(command.name, command.argument)
        return spec.run(deps, actor, channel)
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
