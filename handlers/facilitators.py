"""Who facilitates a process, in words a person reads: "Mette Lund og Jens Berg". Named wherever a
person may need to know whom to ask: the status (and so the digest, the welcome DM and App
Home), the record, the help, and the refusal of a facilitators' command."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.i18n import Translator
from storage.models import Member, Person, Process


def facilitator_names(session: Session, process: Process) -> list[str]:
    """The active facilitators' names, whoever set the process up first; one query, whatever
    the size of the process (the digest counts its queries). A facilitator whose name the
    platform has not told us yet (chosen in Slack's or Teams' setup form before the channel's
    roster is read) is left out rather than shown as an id such as "U0ANNA"."""
    return list(
        session.scalars(
            select(Person.name)
            .join(Member, Member.person_id == Person.id)
            .where(
                Member.process_id == process.id,
                Member.role == "facilitator",
                Member.active.is_(True),
                Person.name != Person.user_id,
            )
            .order_by(Member.id)
        )
    )


def joined(tr: Translator, names: list[str]) -> str:
    """ "Mette Lund", "Mette Lund og Jens Berg", "Mette Lund, Jens Berg og Anna Holm"."""
    if len(names) < 2:
        return "".join(names)
    return tr._("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def facilitators_line(tr: Translator, names: list[str]) -> str:
    """ "Facilitatorer: Mette Lund og Jens Berg"; "" when the process has none left."""
    if not names:
        return ""
    return tr.ngettext("Facilitator: {names}", "Facilitators: {names}", len(names)).format(
        names=joined(tr, names)
    )
