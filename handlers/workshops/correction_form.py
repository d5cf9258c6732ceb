"""The form that corrects a posted summary, holding it as posted: opened by `/samskab
ret-opsamling 3` (workshop 3's), by a choice among the process's summaries, or by the button "Ret
opsamlingen" in `/samskab workshops`. Its submission goes to handlers.workshops.correcting."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.messages import Form, FormField, FormOutcome, FormValues, Option, Reply
from handlers.people import (
    acting,
    ensure_person,
    require_facilitator,
    require_open,
    translator_for,
)
from handlers.workshops.summaries import workshop_of_process
from handlers.workshops.summary_fields import content_fields
from storage.models import Process, Summary, Workshop

PICK = "summary.correct.pick"
FORM = "summary.correct"
BUTTON = "summary.correct"


def correction_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab ret-opsamling 3`: the correction form of workshop 3's summary; without a number,
    first a choice among the process's summaries (none to choose when there is one)."""
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        if argument.strip():
            workshop = workshop_of_process(session, process, argument.strip().lstrip("#"))
            return Reply(form=correction_form_of(tr, _summary_of(workshop)))
        summaries = _summaries(session, process)
        if not summaries:
            raise Refused(N_("No summary has been posted yet, so there is none to correct."))
        if len(summaries) == 1:
            return Reply(form=correction_form_of(tr, summaries[0]))
        return Reply(
            form=Form(
                callback_id=PICK,
                title=tr._("Correct the summary"),
                submit_label=tr._("Next"),
                fields=(
                    FormField(
                        "summary",
                        tr._("Which workshop's summary?"),
                        "choice",
                        initial=str(summaries[0].id),
                        options=tuple(Option(str(s.id), _label(tr, s.workshop)) for s in summaries),
                    ),
                ),
                language=tr.language,
            )
        )


def pick_summary(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """The second step of `correction_command`: the summary is chosen, show its form."""
    assert channel is not None  # the choice belongs to its channel
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        offered = {str(s.id) for s in _summaries(session, who.process)}
    form = FormReader(values)
    summary_id = form.choice("summary", offered)
    form.check()
    return FormOutcome(reply=correction_form(deps, actor, summary_id))


def correction_form(deps: Deps, actor: PersonRef, summary_id: str) -> Reply:
    """The "correct the summary" button (in `/samskab workshops`), and the choice's answer."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        summary = find_summary(session, summary_id)
        process = summary.workshop.process
        require_facilitator(session, process, person)
        require_open(process)
        return Reply(form=correction_form_of(translator_for(person, process, deps), summary))


def correction_form_of(tr: Translator, summary: Summary) -> Form:
    note = tr._(
        "When you save, the post in the channel and the requests to colleagues who have not "
        "answered yet are updated. Who attended cannot be changed here, and nobody new is asked "
        "for input."
    )
    return Form(
        callback_id=FORM,
        title=tr._("Correct the summary"),
        submit_label=tr._("Save the correction"),
        intro=f"{_label(tr, summary.workshop)}\n{note}",
        metadata={"summary": str(summary.id)},
        fields=content_fields(tr, summary.input_deadline, summary),
        language=tr.language,
    )


def _label(tr: Translator, workshop: Workshop) -> str:
    when = tr.date(tr.local(workshop.starts_at).date())
    return f"#{workshop.id} {workshop.title} ({workshop.track.name}, {when})"


def find_summary(session: Session, summary_id: str, *, lock: bool = False) -> Summary:
    summary = session.get(Summary, parse_id(summary_id), with_for_update=lock)
    if summary is None:
        raise Refused(N_("That summary no longer exists."))
    return summary


def _summary_of(workshop: Workshop) -> Summary:
    if workshop.summary is None:
        raise Refused(
            N_("Workshop #{id} has no summary yet. Write it with /samskab summary."),
            id=workshop.id,
        )
    return workshop.summary


def _summaries(session: Session, process: Process) -> list[Summary]:
    """The process's summaries, the newest workshop first."""
    return list(
        session.scalars(
            select(Summary)
            .join(Workshop)
            .where(Workshop.process_id == process.id)
            .order_by(Workshop.starts_at.desc(), Workshop.id.desc())
        )
    )
