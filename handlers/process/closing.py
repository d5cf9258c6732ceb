"""`/samskab close`: a process ends. Its record stays; its personal data is erased once the
retention period has passed (handlers.privacy.retention)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import no_arguments
from handlers.form_reading import FormReader
from handlers.hassle.closing import end_with_process
from handlers.i18n import N_, Translator
from handlers.messages import (
    Context,
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
from handlers.people import acting, require_open
from handlers.status.changed import status_changed
from storage.models import InputRequest, Process, Summary, Workshop


def close_process(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """Facilitators only: what closing means, and a confirmation to submit."""
    no_arguments("close", arg)
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        intro = tr._(
            "When “{process}” is closed, there are no more status updates, reminders or pulses, "
            "and the requests for input still open are closed. /samskab status and /samskab "
            "export still work. The personal data of the process is erased on {date}; the "
            "summaries, decisions and inputs remain, without names."
        ).format(process=process.name, date=_erased_on(tr, deps, now))
        return Reply(
            form=Form(
                callback_id="close",
                title=tr._("Close the process"),
                submit_label=tr._("Close"),
                intro=intro,
                fields=(
                    FormField(
                        "confirm",
                        tr._("Close “{process}”?").format(process=process.name),
                        "choice",
                        options=(Option("close", tr._("Yes, close the process")),),
                    ),
                ),
                language=tr.language,
            )
        )


def submit_close(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Closed at once: open requests expire, the channel is told, and the scheduled jobs (which
    only look at active processes) leave it alone from now on."""
    assert channel is not None  # the form belongs to its channel
    now = deps.clock()
    form = FormReader(values)
    form.choice("confirm", {"close"})
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, person, tr = who.process, who.person, who.tr
        require_open(process)
        form.check()
        process.status, process.closed_at = "closed", now
        expired = _expire_open_requests(session, process)
        # Before the closing message, so that a vote's results come first in the channel.
        end_with_process(session, process, now, actor=person)
        status_changed(session, process.id)
        audit.record(
            session, "process.closed", at=now, process=process, actor=person, expired=expired
        )
        ptr = Translator(process.language, process.timezone, now=now)
        heading = ptr._("The process “{process}” is closed").format(process=process.name)
        ended = ptr._(
            "There will be no more status updates, reminders or pulses, and the requests for "
            "input still open are closed. The record remains: /samskab status and /samskab "
            "export still work."
        )
        erased = ptr._(
            "The personal data of the process (members, names, answers) is erased on {date}. "
            "The summaries, decisions and inputs remain, without names."
        ).format(date=_erased_on(ptr, deps, now))
        enqueue(
            session,
            Message(
                f"{heading}. {ended}",
                (
                    Heading(heading),
                    Paragraph(ended),
                    Paragraph(erased),
                    Context(ptr._("Closed by {name}.").format(name=person.name)),
                ),
                language=ptr.language,
            ),
            key=f"closed:{process.id}",
            now=now,
            process=process,
            channel_id=process.channel_id,
        )
        done = tr._("The process “{process}” is closed. Its personal data is erased on {date}.")
        return FormOutcome(
            reply=Reply(
                message=Message(
                    done.format(process=process.name, date=_erased_on(tr, deps, now)),
                    language=tr.language,
                )
            )
        )


def _expire_open_requests(session: Session, process: Process) -> int:
    requests = session.scalars(
        select(InputRequest)
        .join(Summary)
        .join(Workshop)
        .where(
            Workshop.process_id == process.id,
            InputRequest.status.in_(("pending", "delivered")),
        )
    ).all()
    for request in requests:
        request.status, request.next_reminder_at = "expired", None
    return len(requests)


def _erased_on(tr: Translator, deps: Deps, closed_at: datetime) -> str:
    """The day the retention job erases the process's personal data, in the process's timezone."""
    return tr.date(tr.local(closed_at + timedelta(days=deps.retention_days)).date(), with_year=True)


CLOSE = CommandSpec(
    "close",
    N_("/samskab close: close the process; its personal data is erased later"),
    Role.FACILITATOR,
    aliases=("luk", "afslut"),
    run_with=close_process,
    forms=(FormSpec("close", submit_close),),
)
