"""`/samskab sprog en` (`language`): the language Samskab writes to a person in, whatever their
chat client says and whatever the process's language. It is the person's own: their replies,
DMs, reminders, pulses and digest DMs follow it (handlers.people.language_of); the channel's
posts stay in the process's language, as everyone there reads them."""

from __future__ import annotations

from handlers import audit
from handlers.command_spec import CommandSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import N_, Translator
from handlers.messages import Message, Reply
from handlers.people import (
    actor_translator,
    ensure_person,
    find_person,
    latest_process_of,
    process_for_channel,
)

# The language in words, as it reads in a sentence: "på dansk", "in English".
LANGUAGE_WORDS = {"da": N_("Danish"), "en": N_("English")}
# What a person may type: the code, or the language's name in either language.
WORDS = {
    "da": "da",
    "dansk": "da",
    "danish": "da",
    "en": "en",
    "engelsk": "en",
    "english": "en",
}
SHOWN = 40  # characters of a bad value repeated in the refusal


def choose_language(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`sprog` alone: what applies now and how to change it; `sprog en`: choose English."""
    word = argument.strip().casefold()
    if not word:
        return _current(deps, actor, channel)
    language = WORDS.get(word)
    if language is None:
        raise Refused(
            N_(
                "“{value}” is not a language Samskab speaks. Write /samskab language da for "
                "Danish or /samskab language en for English."
            ),
            value=argument.strip()[:SHOWN],
        )
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        process = process_for_channel(session, channel) or latest_process_of(session, person)
        if person.language != language:
            person.language = language
            audit.record(
                session, "language.chosen", at=now, process=None, actor=person, language=language
            )
        timezone = process.timezone if process is not None else deps.timezone
        tr = Translator(language, timezone, now=now)
        text = tr._("Samskab now writes to you in {language}.").format(
            language=tr._(LANGUAGE_WORDS[language])
        )
        if process is not None and process.language != language:
            text += " " + tr._(
                "Posts in the channel stay in {language}, the process's language."
            ).format(language=tr._(LANGUAGE_WORDS[process.language]))
        return Reply(message=Message(text, language=tr.language))


def _current(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    """Only looks: asking what applies writes nothing, not even the person."""
    tr = actor_translator(deps, actor, channel)
    with deps.db.transaction() as session:
        person = find_person(session, actor)
        chosen = person.language if person is not None else None
    words = tr._(LANGUAGE_WORDS[tr.language])
    if chosen:
        text = tr._("You have chosen {language}, so Samskab writes to you in {language}.")
    else:
        text = tr._("Samskab writes to you in {language}; you have not chosen a language yourself.")
    text = text.format(language=words) + " " + _how_to_change(tr)
    return Reply(message=Message(text, language=tr.language))


def _how_to_change(tr: Translator) -> str:
    return tr._(
        "To change it, write /samskab language da for Danish or /samskab language en for English."
    )


LANGUAGE = CommandSpec(
    "language",
    N_("/samskab language da|en: the language Samskab writes to you in"),
    aliases=("sprog",),
    run_with=choose_language,
)
