"""`/samskab bøvl …` (`hassle`): one chat command for the whole round, its subcommands in one
table (Danish word first, English second, other spellings after), from which the dispatch and
the round's own help are derived. `/samskab bøvl` alone adds a bøvl."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.command_spec import ArgumentRoute, ButtonSpec, CommandSpec, FormSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.hassle.board import full_list_message
from handlers.hassle.choosing import choose_command, mark_command, submit_choose
from handlers.hassle.closing import close_command, submit_close
from handlers.hassle.collecting import add_button, add_command, submit_add
from handlers.hassle.dots import dots_button, dots_command, submit_dots
from handlers.hassle.merging import merge_form, submit_merge
from handlers.hassle.out_of_frame import scope_form, submit_scope
from handlers.hassle.results import results_command
from handlers.hassle.rounds import (
    latest_round,
    process_of,
    round_by_id,
    start_form,
    submit_start,
)
from handlers.hassle.sorting import sorting_command, undo
from handlers.hassle.voting import submit_open_voting, vote_command
from handlers.i18n import N_
from handlers.messages import BulletList, Heading, Message, Reply
from handlers.people import (
    acting,
    actor_translator,
    ensure_person,
    require_member,
    translator_for,
)


@dataclass(frozen=True)
class Subcommand:
    """`/samskab bøvl <word> [argument]`: `words[0]` is the Danish word the help shows,
    `words[1]` the English one; `facilitators` only marks the help line (the use case checks)."""

    words: tuple[str, ...]
    run: ArgumentRoute
    help: str
    facilitators: bool = False


def list_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl liste`: every bøvl shown so far, privately."""
    no_arguments("hassle list", argument)
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        hassle_round = latest_round(session, who.process)
        if hassle_round is None:
            raise Refused(
                N_(
                    "No hassle round is running in this process. A facilitator can start one "
                    "with /samskab hassle start."
                )
            )
        return Reply(message=full_list_message(session, who.tr, hassle_round, now), long_read=True)


def list_button(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """ "See the whole list" on the board: the same list, for a member of the round's process."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        hassle_round = round_by_id(session, value)
        process = process_of(session, hassle_round)
        require_member(session, process, person)
        tr = translator_for(person, process, deps)
        return Reply(message=full_list_message(session, tr, hassle_round, now), long_read=True)


def help_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl hjælp`: the round's commands, in the person's language."""
    tr = actor_translator(deps, actor, channel)
    danish = tr.language == "da"
    lines = [tr._(N_("/samskab hassle: add what gets in your way (anonymously if you like)"))]
    for sub in SUBCOMMANDS:
        word = sub.words[0] if danish else sub.words[1]
        line = tr._(sub.help).format(word=word)
        if sub.facilitators:
            line += " " + tr._("(facilitators)")
        lines.append(line)
    heading = tr._("The hassle round: commands")
    return Reply(
        message=Message(
            heading + "\n" + "\n".join(lines),
            (Heading(heading), BulletList("", tuple(lines))),
            language=tr.language,
        )
    )


# Danish word first, English second. `{word}` in a help line is the word in the reader's language.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        ("start",),
        start_form,
        N_("/samskab hassle {word}: start a round: the question, the deadline, whom to ask"),
        facilitators=True,
    ),
    Subcommand(
        ("tilføj", "add", "tilfoej"),
        add_command,
        N_("/samskab hassle {word} Title: add a hassle with this title"),
    ),
    Subcommand(
        ("liste", "list"), list_command, N_("/samskab hassle {word}: every hassle on the list")
    ),
    Subcommand(
        ("sorter", "sort", "sortér"),
        sorting_command,
        N_("/samskab hassle {word}: merge duplicates, place what is outside the frame"),
        facilitators=True,
    ),
    Subcommand(
        ("afstemning", "vote"),
        vote_command,
        N_("/samskab hassle {word}: open voting (facilitators); while it is open, give your dots"),
    ),
    Subcommand(
        ("prikker", "dots"),
        dots_command,
        N_("/samskab hassle {word}: give or change your dots until the deadline"),
    ),
    Subcommand(
        ("luk", "close"),
        close_command,
        N_("/samskab hassle {word}: close voting now"),
        facilitators=True,
    ),
    Subcommand(
        ("resultat", "results"),
        results_command,
        N_("/samskab hassle {word}: the results, once voting has closed"),
    ),
    Subcommand(
        ("vælg", "choose", "vaelg"),
        choose_command,
        N_("/samskab hassle {word}: choose the challenges to work on"),
        facilitators=True,
    ),
    Subcommand(
        ("marker", "mark", "markér"),
        mark_command,
        N_("/samskab hassle {word} 12 used Note: say what became of hassle #12"),
        facilitators=True,
    ),
    Subcommand(
        ("hjælp", "help", "hjaelp", "?"), help_command, N_("/samskab hassle {word}: this help")
    ),
)


def _words() -> dict[str, Subcommand]:
    return {word: sub for sub in SUBCOMMANDS for word in sub.words}


def run_hassle(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """The dispatcher: the first word names the subcommand, the rest is its argument; nothing
    at all opens the form to add a bøvl."""
    word, _, rest = argument.strip().partition(" ")
    if not word:
        return add_command(deps, actor, channel, "")
    sub = _words().get(word.casefold())
    if sub is None:
        raise Refused(
            N_("I do not know “{word}” in the hassle round. See /samskab hassle help."), word=word
        )
    return sub.run(deps, actor, channel, rest.strip())


HASSLE = CommandSpec(
    "hassle",
    N_("/samskab hassle: the hassle round – what gets in the way (/samskab hassle help)"),
    aliases=("bøvl", "bovl", "boevl"),
    run_with=run_hassle,
    forms=(
        FormSpec("hassle.start", submit_start),
        # Opened from a DM or the board as well as the channel: the form names its round.
        FormSpec("hassle.add", submit_add, needs_channel=False),
        FormSpec("hassle.merge", submit_merge, needs_channel=False),
        FormSpec("hassle.scope", submit_scope, needs_channel=False),
        FormSpec("hassle.open_voting", submit_open_voting),
        # From the DM's button as well as the channel: the form names its round.
        FormSpec("hassle.dots", submit_dots, needs_channel=False),
        FormSpec("hassle.close", submit_close),
        FormSpec("hassle.choose", submit_choose),
    ),
    buttons=(
        ButtonSpec("hassle.add", add_button),
        ButtonSpec("hassle.merge", merge_form),
        ButtonSpec("hassle.scope", scope_form),
        ButtonSpec("hassle.undo", undo),
        ButtonSpec("hassle.dots", dots_button),
        ButtonSpec("hassle.list", list_button),
    ),
)
