"""A person's own data: `/samskab mydata` and `/samskab forget-me`.

Both of a person's commands are about them, not about a process: they work in any channel or a
DM, and someone the bot does not know is told so without anything being written."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.messages import (
    Attachment,
    BulletList,
    Form,
    FormField,
    FormOutcome,
    FormValues,
    Heading,
    Message,
    Option,
    Paragraph,
    Reply,
)
from handlers.outbox import enqueue
from handlers.people import (
    find_person,
    latest_process_of,
    process_for_channel,
    translator_for,
)
from handlers.privacy.erasure import Erased, erase_person
from handlers.privacy.personal_data import collect_personal_data, personal_data_file
from handlers.privacy.personal_data_message import personal_data_message
from storage.models import (
    Input,
    Member,
    OutboxMessage,
    Person,
    Process,
)

NO_DATA = N_("I have no data about you.")


# --- mydata ------------------------------------------------------------------------------------


def my_data(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """Everything about the person: a readable DM (private on every platform) and a JSON file."""
    no_arguments("mydata", arg)
    now = deps.clock()
    with deps.db.transaction() as session:
        person = _known(session, actor)
        tr = _translator(session, deps, person, process_for_channel(session, channel))
        data = collect_personal_data(session, person)
        sent = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.key.startswith(f"mydata:{person.id}:")
            )
        )
        enqueue(
            session,
            personal_data_message(data, tr, now),
            key=f"mydata:{person.id}:{(sent or 0) + 1}",
            now=now,
            process=None,
            person=person,
        )
        # Answering an access request is something to be able to show later.
        audit.record(session, "person.data_sent", at=now, process=None, actor=person)
        return Reply(
            message=Message(
                tr._("You have received your data in a direct message."), language=tr.language
            ),
            attachment=personal_data_file(data, tr, now, person.id),
        )


def my_data_file(deps: Deps, person_id: int, language: str) -> Attachment | None:
    """The person's data as a JSON file, made again for a download link; None if they are gone."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = session.get(Person, person_id)
        if person is None:
            return None
        process = latest_process_of(session, person)
        tr = Translator(
            language, process.timezone if process is not None else deps.timezone, now=now
        )
        return personal_data_file(collect_personal_data(session, person), tr, now, person.id)


# --- forget-me ---------------------------------------------------------------------------------


def forget_me_form(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """What will be erased, and the one choice there is: the named inputs deleted or kept
    anonymously. Submitting the form is the confirmation."""
    no_arguments("forget-me", arg)
    with deps.db.transaction() as session:
        person = _known(session, actor)
        here = process_for_channel(session, channel)
        tr = _translator(session, deps, person, here)
        named = _named_inputs(session, person)
        intro = tr._(
            "Samskab will erase everything it stores about you: your membership of the "
            "processes, your invitations and requests for input, your answers to the pulse, your "
            "subscriptions and the messages waiting to be sent to you. What the record counts "
            "(who attended, who answered, the pulse's scores) keeps counting, for nobody. Your "
            "name is removed from the messages and the log that remain. Your anonymous input "
            "stays, still anonymous. This cannot be undone."
        )
        if named:
            field = FormField(
                "named",
                tr.ngettext(
                    "You have given {n} input with your name. What should happen to it?",
                    "You have given {n} inputs with your name. What should happen to them?",
                    named,
                ).format(n=named),
                "choice",
                options=(
                    Option("delete", tr._("Delete my named input")),
                    Option("anonymous", tr._("Keep my input, without my name")),
                ),
            )
        else:
            field = FormField(
                "confirm",
                tr._("Erase your data?"),
                "choice",
                options=(Option("erase", tr._("Yes, erase my data")),),
            )
        return Reply(
            form=Form(
                callback_id="forget-me",
                title=tr._("Erase my data"),
                submit_label=tr._("Erase"),
                intro=intro,
                fields=(field,),
                metadata={"process": str(here.id)} if here is not None else {},
                language=tr.language,
            )
        )


def submit_forget_me(
    deps: Deps, actor: PersonRef, metadata: dict[str, str], values: FormValues
) -> FormOutcome:
    """One transaction: everything about the person goes, and the log says only that it did."""
    now = deps.clock()
    form = FormReader(values)
    if "named" in values:
        delete_named = form.choice("named", {"delete", "anonymous"}) == "delete"
    else:
        # No named input when the form was opened; any given since is kept without the name.
        form.choice("confirm", {"erase"})
        delete_named = False
    with deps.db.transaction() as session:
        person = _known(session, actor)
        form.check()
        process_id = metadata.get("process", "")
        here = session.get(Process, parse_id(process_id))
        tr = _translator(session, deps, person, here)
        erased = erase_person(session, person, delete_named=delete_named, now=now)
        audit.record(session, "person.erased", at=now, process=None, actor=None, **erased.counts())
        lines = _erased_lines(tr, erased)
        heading = tr._("Your data is erased")
        after = tr._(
            "The log records that an erasure happened, without your name. If you write in a "
            "process's channel again, you become a member of it again."
        )
        return FormOutcome(
            reply=Reply(
                message=Message(
                    f"{heading}\n" + "\n".join(lines) + f"\n{after}",
                    (
                        Heading(heading),
                        BulletList(tr._("What was erased"), tuple(lines)),
                        Paragraph(after),
                    ),
                    language=tr.language,
                )
            )
        )


def _erased_lines(tr: Translator, erased: Erased) -> list[str]:
    return [tr._("Your name, user id and language setting"), *erased.told(tr)]


# --- helpers -----------------------------------------------------------------------------------


def _known(session: Session, actor: PersonRef) -> Person:
    """The person, looked up only: a stranger is refused and nothing is written."""
    person = find_person(session, actor)
    if person is None:
        raise Refused(NO_DATA)
    return person


def _translator(session: Session, deps: Deps, person: Person, here: Process | None) -> Translator:
    """The person's language; where the platform does not say, the process of the channel they
    typed in, or else the last process they joined."""
    return translator_for(person, here or latest_process_of(session, person), deps)


def _named_inputs(session: Session, person: Person) -> int:
    return (
        session.scalar(
            select(func.count(Input.id))
            .join(Member, Member.id == Input.author_member_id)
            .where(Member.person_id == person.id, Input.anonymous.is_(False))
        )
        or 0
    )
