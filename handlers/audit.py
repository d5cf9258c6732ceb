"""The audit log: who changed what, in ids and counts."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.i18n import N_, Translator
from storage.models import AuditEntry, Person, Process


def record(
    session: Session,
    action: str,
    *,
    at: datetime,
    process: Process | None,
    actor: Person | None,
    **detail: object,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            process_id=process.id if process is not None else None,
            actor_person_id=actor.id if actor is not None else None,
            action=action,
            detail=json.dumps(detail, sort_keys=True, default=str),
        )
    )


# What a person reads for an action (their own data, `mydata`): never the code's name for it.
ACTION_NAMES: dict[str, str] = {
    "process.created": N_("set up a process"),
    "process.updated": N_("changed a process's setup"),
    "process.closed": N_("closed a process"),
    "process.erased": N_("the process's personal data was erased"),
    "step.moved": N_("moved the process to another step"),
    "member.joined": N_("joined a process"),
    "member.left": N_("left a process"),
    "members.synced": N_("the channel's members were read"),
    "workshop.planned": N_("planned a workshop"),
    "workshop.changed": N_("changed a workshop"),
    "workshop.cancelled": N_("cancelled a workshop"),
    "summary.posted": N_("posted a workshop summary"),
    "summary.corrected": N_("corrected a workshop summary"),
    "item.answered": N_("marked an open question answered"),
    "item.changed": N_("marked a decision changed"),
    "input.given": N_("gave input"),
    "input.declined": N_("answered “no input from me”"),
    "input.marked": N_("marked what became of an input"),
    "input.nudged": N_("reminded colleagues who had not answered"),
    "pulse.sent": N_("a pulse was sent"),
    "pulse.answered": N_("answered a pulse"),
    "pulse.commented": N_("commented on a pulse"),
    "hassle.started": N_("started a hassle round"),
    "hassle.added": N_("added a hassle"),
    "hassle.merged": N_("merged two hassles"),
    "hassle.unmerged": N_("undid a merge of hassles"),
    "hassle.out_of_scope": N_("placed a hassle outside the frame"),
    "hassle.back_in_scope": N_("put a hassle back on the list"),
    "hassle.voting_opened": N_("opened voting in a hassle round"),
    "hassle.supported": N_("gave or changed dots in a hassle round"),
    "hassle.voting_closed": N_("voting in a hassle round was closed"),
    "hassle.chosen": N_("chose the challenges of a hassle round"),
    "hassle.marked": N_("marked what became of a hassle"),
    "digest.subscribed": N_("subscribed to the digest"),
    "digest.unsubscribed": N_("unsubscribed from the digest"),
    "person.data_sent": N_("asked for your data"),
    "person.erased": N_("erased a person's data"),
    "language.chosen": N_("chose a language"),
}


def action_name(tr: Translator, action: str) -> str:
    """The action in words; an action without a name yet keeps its code name rather than vanish."""
    name = ACTION_NAMES.get(action)
    return tr._(name) if name is not None else action
