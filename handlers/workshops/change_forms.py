"""The way into changing or cancelling a planned workshop: the buttons under
`/samskab workshops`, `/samskab workshop ret 3` / `aflys 3`, and the forms they open. Submitting
them is handlers.workshops.changing's."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import N_, Translator
from handlers.ids import parse_id
from handlers.messages import Button, Form, FormField, Option, Reply
from handlers.people import (
    acting,
    ensure_person,
    require_facilitator,
    require_open,
    translator_for,
)
from handlers.workshops.workshop_form import workshop_fields
from storage.models import Person, Process, Workshop

# The words after `/samskab workshop`, in both languages.
ACTIONS = {"change": "change", "ret": "change", "cancel": "cancel", "aflys": "cancel"}
CHANGE, CANCEL = "workshop.change", "workshop.cancel"  # the buttons' and the forms' ids


def change_buttons(tr: Translator, workshops: Sequence[Workshop]) -> tuple[Button, ...]:
    """ "Ret: #3 Budget 2027" and "Aflys: #3 Budget 2027" for each planned workshop."""
    return tuple(
        button
        for w in workshops
        if w.status == "planned"
        for button in (
            Button(tr._("Change: #{id} {title}").format(id=w.id, title=w.title), CHANGE, str(w.id)),
            Button(tr._("Cancel: #{id} {title}").format(id=w.id, title=w.title), CANCEL, str(w.id)),
        )
    )


def change_or_cancel(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    """`/samskab workshop ret 3` or `aflys 3`: the same forms the buttons open."""
    word, _, number = arg.strip().partition(" ")
    action = ACTIONS.get(word.casefold())
    number = number.strip().lstrip("#")
    if action is None or not parse_id(number):
        raise Refused(
            N_(
                "Write it as /samskab workshop change 3 or /samskab workshop cancel 3, with "
                "the number from /samskab workshops."
            )
        )
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        workshop = changeable(session, who.person, number, within=who.process)
        form = _change_form if action == "change" else _cancel_form
        return Reply(form=form(who.tr, workshop))


def change_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """The "Ret" button: the planning form, filled in as the workshop is today."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        workshop = changeable(session, person, value)
        return Reply(form=_change_form(translator_for(person, workshop.process, deps), workshop))


def cancel_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """The "Aflys" button: a form to confirm, so that a press by mistake loses nothing."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        workshop = changeable(session, person, value)
        return Reply(form=_cancel_form(translator_for(person, workshop.process, deps), workshop))


def changeable(
    session: Session, person: Person, workshop_id: str, *, within: Process | None = None
) -> Workshop:
    """A planned workshop of an open process where `person` facilitates (the process `within`,
    for a command typed in its channel); anything else is refused in words: a stale button, a
    made-up number, a colleague who is not a facilitator."""
    workshop = session.get(Workshop, parse_id(workshop_id))
    if workshop is None:
        raise Refused(N_("There is no workshop number {id}."), id=workshop_id)
    if within is not None and workshop.process_id != within.id:
        raise Refused(N_("That workshop belongs to another process."))
    process: Process = workshop.process
    require_facilitator(session, process, person)
    require_open(process)
    if workshop.status == "cancelled":
        raise Refused(N_("Workshop #{id} is cancelled."), id=workshop.id)
    if workshop.status == "held" or workshop.summary is not None:
        raise Refused(
            N_(
                "Workshop #{id} is held: it can no longer be changed or cancelled. Its summary "
                "can be corrected."
            ),
            id=workshop.id,
        )
    return workshop


def _change_form(tr: Translator, workshop: Workshop) -> Form:
    return Form(
        callback_id=CHANGE,
        title=tr._("Change a workshop"),
        submit_label=tr._("Save"),
        intro=tr._(
            "Workshop #{id}. Colleagues you add get an invitation, those you take off are "
            "told; if the time or the title changes, the other invitees are told too."
        ).format(id=workshop.id),
        fields=workshop_fields(tr, workshop.process, workshop),
        metadata={"workshop": str(workshop.id)},
        language=tr.language,
    )


def _cancel_form(tr: Translator, workshop: Workshop) -> Form:
    invited = len(workshop.invitations)
    about = " · ".join(
        (
            f"#{workshop.id} {workshop.title}",
            tr.datetime(workshop.starts_at),
            tr.ngettext("{n} invited", "{n} invited", invited).format(n=invited),
        )
    )
    return Form(
        callback_id=CANCEL,
        title=tr._("Cancel a workshop"),
        submit_label=tr._("Confirm"),
        intro=about + "\n" + tr._("The invitees are told that it is cancelled."),
        fields=(
            FormField(
                "confirm",
                tr._("Cancel the workshop?"),
                "choice",
                options=(
                    Option("cancel", tr._("Yes, cancel it")),
                    Option("keep", tr._("No, keep it")),
                ),
            ),
        ),
        metadata={"workshop": str(workshop.id)},
        language=tr.language,
    )
