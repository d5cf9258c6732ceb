"""Everything stored about one person, for `/samskab mydata`: collected once, then given as a
readable message and as a JSON file with every row in full."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.i18n import N_, Translator
from handlers.inputs_posts import STATUS_NAMES
from handlers.messages import (
    Attachment,
    Block,
    BulletList,
    Context,
    Fields,
    Heading,
    Message,
    Paragraph,
)
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

ROLE_NAMES = {"facilitator": N_("facilitator"), "participant": N_("participant")}
REQUEST_STATUS_NAMES = {
    "pending": N_("not delivered yet"),
    "delivered": N_("waiting for your answer"),
    "answered": N_("answered"),
    "declined": N_("no input from you"),
    "expired": N_("closed"),
    "failed": N_("could not be delivered"),
}
SHOWN = 20  # items per list in the readable message; the file has them all
EXCERPT = 200

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


def personal_data_message(data: PersonalData, tr: Translator, now: datetime) -> Message:
    """The readable version: the same rows, the longest lists cut short (the file has them all)."""
    heading = tr._("Your data in Samskab")
    intro = tr._(
        "This is everything Samskab stores about you, as of {date}. The same comes as a JSON file."
    ).format(date=tr.date(tr.today(now), with_year=True))
    p = data.person
    blocks: list[Block] = [
        Heading(heading),
        Paragraph(intro),
        Fields(
            (
                (tr._("Name"), p["name"]),
                (tr._("User id"), p["user_id"]),
                (tr._("Platform and workspace"), f"{p['platform']} · {p['workspace']}"),
                (tr._("Language"), p["locale"] or tr._("not told by the platform")),
            )
        ),
    ]
    sections = (
        (N_("Memberships"), [_membership(tr, r) for r in data.memberships]),
        (N_("Summaries you wrote"), [_summary(tr, r) for r in data.summaries_written]),
        (N_("Invitations to workshops"), [_invitation(tr, r) for r in data.workshop_invitations]),
        (N_("Requests for your input"), [_request(tr, r) for r in data.input_requests]),
        (N_("Your input"), [_input(tr, r) for r in data.inputs]),
        (N_("Your answers to the pulse"), [_pulse(tr, r) for r in data.pulse_answers]),
        (
            N_("Status updates you subscribe to"),
            [_since(tr, r["process"], r["since"]) for r in data.digest_subscriptions],
        ),
        (
            N_("What you did, in the log"),
            [f"{r['action']} · {tr.datetime(r['at'], with_year=True)}" for r in data.audit_entries],
        ),
        (
            N_("Teams connections"),
            [f"{r['tenant_id']} · {r['conversation_id'] or '–'}" for r in data.teams_references],
        ),
    )
    for title, lines in sections:
        if lines:
            blocks.append(BulletList(f"{tr._(title)} ({len(lines)})", _shortened(tr, lines)))
    statuses = [m["status"] for m in data.messages_to_you]
    blocks.append(
        Paragraph(
            tr._(
                "Messages to you: {n} ({sent} sent, {waiting} waiting, {failed} not delivered). "
                "Their texts are in the file."
            ).format(
                n=len(statuses),
                sent=statuses.count("sent"),
                waiting=statuses.count("pending") + statuses.count("sending"),
                failed=statuses.count("failed"),
            )
        )
    )
    blocks.append(Context(tr._("To have your data erased: /samskab forget-me.")))
    return Message(f"{heading}\n{intro}", tuple(blocks), language=tr.language)


# --- lines of the readable message ---------------------------------------------------------


def _membership(tr: Translator, r: Row) -> str:
    role = ROLE_NAMES[r["role"]]
    line = tr._("{process}: {role}, since {date}").format(
        process=r["process"], role=tr._(role), date=_day(tr, r["joined_at"])
    )
    if r["active"]:
        return line
    return line + " · " + tr._("no longer active")


def _summary(tr: Translator, r: Row) -> str:
    return f"{r['workshop']} ({r['process']}) · {_day(tr, r['posted_at'])}"


def _invitation(tr: Translator, r: Row) -> str:
    if r["attended"] is None:
        attended = tr._("attendance not recorded")
    else:
        attended = tr._("attended") if r["attended"] else tr._("did not attend")
    return f"{r['workshop']} ({r['process']}) · {_day(tr, r['starts_at'])} · {attended}"


def _request(tr: Translator, r: Row) -> str:
    status = REQUEST_STATUS_NAMES[r["status"]]
    return tr._("{workshop} ({process}): {status}; asked {date}; reminders: {n}").format(
        workshop=r["workshop"],
        process=r["process"],
        status=tr._(status),
        date=_day(tr, r["asked_at"]),
        n=r["reminders_sent"],
    )


def _input(tr: Translator, r: Row) -> str:
    text = r["text"] if len(r["text"]) <= EXCERPT else r["text"][: EXCERPT - 1].rstrip() + "…"
    how = tr._("anonymous") if r["anonymous"] else tr._("with your name")
    about = r["about"] or tr._("The process in general")
    name = STATUS_NAMES[r["status"]]
    status = tr._("Status: {status}").format(status=tr._(name))
    line = f"#{r['id']} · {about} · {how}: “{text}” · {status}"
    return f"{line} · {r['status_note']}" if r["status_note"] else line


def _pulse(tr: Translator, r: Row) -> str:
    line = tr._("{process}, step {step}, {date}: {score} of 5").format(
        process=r["process"], step=r["step"], date=_day(tr, r["sent_at"]), score=r["score"]
    )
    return f"{line} · “{r['comment']}”" if r["comment"] else line


def _since(tr: Translator, process: str, since: datetime) -> str:
    return tr._("{process}, since {date}").format(process=process, date=_day(tr, since))


def _day(tr: Translator, moment: datetime) -> str:
    return tr.date(tr.local(moment).date(), with_year=True)


def _shortened(tr: Translator, lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= SHOWN:
        return tuple(lines)
    rest = tr._("… and {n} more").format(n=len(lines) - SHOWN)
    return (*lines[:SHOWN], rest)


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
