"""Everything stored about one person, for `/samskab mydata`: collected once, then given as a
JSON file with every row in full and as a readable message (handlers.privacy.personal_data_message)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.i18n import Translator
from handlers.messages import Attachment
from storage.models import (
    AuditEntry,
    Input,
    InputRequest,
    Invitation,
    Member,
    OutboxMessage,
    Person,
    Process,
    Pulse,
    PulseAnswer,
    Subscription,
    Summary,
    TeamsReference,
    Workshop,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class PersonalData:
    """The rows about one person, as plain values. Field names are the JSON file's keys."""

    person: Row
    memberships: list[Row]
    summaries_written: list[Row]
    workshop_invitations: list[Row]
    input_requests: list[Row]
    inputs: list[Row]
    pulse_answers: list[Row]
    digest_subscriptions: list[Row]
    audit_entries: list[Row]
    messages_to_you: list[Row]
    teams_references: list[Row]


def collect_personal_data(session: Session, person: Person) -> PersonalData:
    names: dict[int, str] = {}

    def process_name(process_id: int | None) -> str | None:
        if process_id is None:
            return None
        if process_id not in names:
            process = session.get(Process, process_id)
            names[process_id] = process.name if process is not None else ""
        return names[process_id]

    members = session.scalars(
        select(Member).where(Member.person_id == person.id).order_by(Member.joined_at)
    ).all()
    member_ids = [m.id for m in members]
    invitations = session.scalars(
        select(Invitation)
        .join(Workshop)
        .where(Invitation.member_id.in_(member_ids))
        .order_by(Workshop.starts_at)
    ).all()
    requests = session.scalars(
        select(InputRequest)
        .where(InputRequest.member_id.in_(member_ids))
        .order_by(InputRequest.created_at)
    ).all()
    inputs = session.scalars(
        select(Input).where(Input.author_member_id.in_(member_ids)).order_by(Input.created_at)
    ).all()
    summaries = session.scalars(
        select(Summary).where(Summary.author_member_id.in_(member_ids)).order_by(Summary.posted_at)
    ).all()
    answers = session.execute(
        select(PulseAnswer, Pulse)
        .join(Pulse, Pulse.id == PulseAnswer.pulse_id)
        .where(PulseAnswer.person_id == person.id)
        .order_by(PulseAnswer.answered_at)
    ).all()
    subscriptions = session.scalars(
        select(Subscription)
        .where(Subscription.person_id == person.id)
        .order_by(Subscription.created_at)
    ).all()
    audit_entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.actor_person_id == person.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.person_id == person.id).order_by(OutboxMessage.id)
    ).all()
    references = session.scalars(
        select(TeamsReference).where(
            TeamsReference.kind == "user", TeamsReference.key == person.user_id
        )
    ).all()
    return PersonalData(
        person={
            "platform": person.platform,
            "workspace": person.workspace,
            "user_id": person.user_id,
            "name": person.name,
            "locale": person.locale,
            "dm_channel": person.dm_channel,
        },
        memberships=[
            {
                "process": process_name(m.process_id),
                "role": m.role,
                "active": m.active,
                "joined_at": m.joined_at,
            }
            for m in members
        ],
        summaries_written=[
            {
                "process": process_name(s.workshop.process_id),
                "workshop": s.workshop.title,
                "posted_at": s.posted_at,
            }
            for s in summaries
        ],
        workshop_invitations=[
            {
                "process": process_name(inv.workshop.process_id),
                "workshop": inv.workshop.title,
                "track": inv.workshop.track.name,
                "starts_at": inv.workshop.starts_at,
                "attended": inv.attended,
            }
            for inv in invitations
        ],
        input_requests=[
            {
                "process": process_name(r.summary.workshop.process_id),
                "workshop": r.summary.workshop.title,
                "status": r.status,
                "reminders_sent": r.reminders_sent,
                "next_reminder_at": r.next_reminder_at,
                "input_deadline": r.summary.input_deadline,
                "asked_at": r.created_at,
                "responded_at": r.responded_at,
            }
            for r in requests
        ],
        inputs=[
            {
                "id": i.id,
                "process": process_name(i.process_id),
                "about": i.summary.workshop.title if i.summary is not None else None,
                "anonymous": i.anonymous,
                "text": i.text,
                "status": i.status,
                "status_note": i.status_note,
                "given_at": i.created_at,
                "shown_at": i.posted_at,
                "status_changed_at": i.status_changed_at,
            }
            for i in inputs
        ],
        pulse_answers=[
            {
                "process": process_name(pulse.process_id),
                "step": pulse.step,
                "sent_at": pulse.created_at,
                "score": answer.score,
                "comment": answer.comment,
                "attended_last_workshop": answer.attended,
                "answered_at": answer.answered_at,
            }
            for answer, pulse in answers
        ],
        digest_subscriptions=[
            {"process": process_name(s.process_id), "since": s.created_at} for s in subscriptions
        ],
        audit_entries=[
            {"action": a.action, "at": a.at, "process": process_name(a.process_id)}
            for a in audit_entries
        ],
        messages_to_you=[
            {
                "process": process_name(m.process_id),
                "status": m.status,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
                "text": m.payload.get("text"),
            }
            for m in messages
        ],
        teams_references=[
            {
                "tenant_id": r.tenant_id,
                "user_id": r.key,
                "aad_object_id": r.aad_object_id,
                "conversation_id": r.conversation_id,
                "service_url": r.service_url,
                "updated_at": r.updated_at,
            }
            for r in references
        ],
    )


def personal_data_file(
    data: PersonalData, tr: Translator, now: datetime, person_id: int
) -> Attachment:
    """The JSON file: every row in full, times in ISO 8601 (UTC)."""
    body = {
        "about": tr._("Everything Samskab stores about you, as of {date}.").format(
            date=tr.date(tr.today(now), with_year=True)
        ),
        "generated_at": now,
        **asdict(data),
    }
    content = json.dumps(body, ensure_ascii=False, indent=2, default=_json_value)
    return Attachment(
        f"samskab-mydata-{tr.today(now).isoformat()}.json",
        content + "\n",
        "application/json",
        private=True,
        ref=f"mydata:{person_id}",
    )


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
