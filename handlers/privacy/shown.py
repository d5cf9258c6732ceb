"""What a person is shown of each of their rows (`/samskab mydata`): the row in the JSON file, as
plain values, and its line in the readable message. handlers.privacy.data_map says which
function shows which table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, object_session

from handlers.audit import action_name
from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.inputs.references import label_of
from storage.models import (
    AuditEntry,
    HassleItem,
    HassleParticipant,
    HassleRound,
    Input,
    InputRequest,
    Invitation,
    ItemChange,
    Member,
    OutboxMessage,
    Person,
    Process,
    PulseAnswer,
    Subscription,
    Summary,
)

Row = dict[str, Any]

ROLE_NAMES = {"facilitator": N_("facilitator"), "participant": N_("participant")}
REQUEST_STATUS_NAMES = {
    "pending": N_("not delivered yet"),
    "delivered": N_("waiting for your answer"),
    "answered": N_("answered"),
    "declined": N_("no input from you"),
    "expired": N_("closed"),
    "failed": N_("could not be delivered"),
}
EXCERPT = 200


class ProcessNames:
    """The name of a process by its id, each looked up once (most rows name their process)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._names: dict[int, str] = {}

    def __call__(self, process_id: int | None) -> str | None:
        if process_id is None:
            return None
        if process_id not in self._names:
            process = self._session.get(Process, process_id)
            self._names[process_id] = process.name if process is not None else ""
        return self._names[process_id]


# --- the rows of the file ----------------------------------------------------------------------


def person(p: Person, names: ProcessNames) -> Row:
    return {
        "platform": p.platform,
        "workspace": p.workspace,
        "user_id": p.user_id,
        "name": p.name,
        "locale": p.locale,
        "language": p.language,  # chosen with /samskab sprog
        "dm_channel": p.dm_channel,
    }


def membership(m: Member, names: ProcessNames) -> Row:
    return {
        "process": names(m.process_id),
        "role": m.role,
        "active": m.active,
        "joined_at": m.joined_at,
    }


def summary(s: Summary, names: ProcessNames) -> Row:
    return {
        "process": names(s.workshop.process_id),
        "workshop": s.workshop.title,
        "posted_at": s.posted_at,
    }


def item_change(c: ItemChange, names: ProcessNames) -> Row:
    return {
        "process": names(c.item.summary.workshop.process_id),
        "workshop": c.item.summary.workshop.title,
        "item": c.item.text,
        "status": c.status,
        "text": c.text,
        "at": c.at,
    }


def invitation(inv: Invitation, names: ProcessNames) -> Row:
    return {
        "process": names(inv.workshop.process_id),
        "workshop": inv.workshop.title,
        "track": inv.workshop.track.name,
        "starts_at": inv.workshop.starts_at,
        "attended": inv.attended,
    }


def request(r: InputRequest, names: ProcessNames) -> Row:
    return {
        "process": names(r.summary.workshop.process_id),
        "workshop": r.summary.workshop.title,
        "status": r.status,
        "reminders_sent": r.reminders_sent,
        "next_reminder_at": r.next_reminder_at,
        "input_deadline": r.summary.input_deadline,
        "asked_at": r.created_at,
        "responded_at": r.responded_at,
        "nudged_at": r.nudged_at,  # a facilitator's extra reminder
    }


def contribution(i: Input, names: ProcessNames) -> Row:
    return {
        "id": i.id,
        "reference": i.reference,  # how the channel names it: "#2", or "A-KXR"
        "process": names(i.process_id),
        "about": i.summary.workshop.title if i.summary is not None else None,
        "anonymous": i.anonymous,
        "text": i.text,
        "status": i.status,
        "status_note": i.status_note,
        "given_at": i.created_at,
        "shown_at": i.posted_at,
        "status_changed_at": i.status_changed_at,
    }


def hassle_item(i: HassleItem, names: ProcessNames) -> Row:
    closed = i.round.phase == "closed"
    return {
        "reference": i.reference,  # as the board names it: "12", or "B-KXR"
        "process": names(i.round.process_id),
        "question": i.round.question,
        "title": i.title,
        "description": i.description,
        "anonymous": i.anonymous,
        "merged": i.merged_into_id is not None,
        "outside_the_frame": i.out_of_scope_reason,
        # Counts of support are nobody's to see before the round closes.
        "supports": i.supports if closed else None,
        "chosen": i.chosen,
        "status": i.status,
        "status_note": i.status_note,
        "added_at": i.created_at,
    }


def hassle_participation(p: HassleParticipant, names: ProcessNames) -> Row:
    session = object_session(p)
    hassle_round = session.get(HassleRound, p.round_id) if session is not None else None
    return {
        "process": names(hassle_round.process_id) if hassle_round is not None else None,
        "question": hassle_round.question if hassle_round is not None else None,
        "asked": p.asked,
        "added": p.added,
        "supported": p.supported,  # that they gave dots; what they supported is stored nowhere
        "asked_at": p.asked_at,
        "reminded_at": p.reminded_at,
    }


def hassle_round_started(r: HassleRound, names: ProcessNames) -> Row:
    return {
        "process": names(r.process_id),
        "question": r.question,
        "phase": r.phase,
        "started_at": r.started_at,
    }


def pulse_answer(answer: PulseAnswer, names: ProcessNames) -> Row:
    return {
        "process": names(answer.pulse.process_id),
        "step": answer.pulse.step,
        "sent_at": answer.pulse.created_at,
        "score": answer.score,
        "comment": answer.comment,
        "attended_last_workshop": answer.attended,
        "answered_at": answer.answered_at,
    }


def subscription(s: Subscription, names: ProcessNames) -> Row:
    return {"process": names(s.process_id), "since": s.created_at}


def audit_entry(a: AuditEntry, names: ProcessNames) -> Row:
    return {"action": a.action, "at": a.at, "process": names(a.process_id)}


def message(m: OutboxMessage, names: ProcessNames) -> Row:
    return {
        "process": names(m.process_id),
        "status": m.status,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
        "text": m.payload.get("text"),
    }


# --- their lines in the readable message -------------------------------------------------------


def membership_line(tr: Translator, r: Row) -> str:
    role = ROLE_NAMES[r["role"]]
    line = tr._("{process}: {role}, since {date}").format(
        process=r["process"], role=tr._(role), date=_day(tr, r["joined_at"])
    )
    if r["active"]:
        return line
    return line + " · " + tr._("no longer active")


def summary_line(tr: Translator, r: Row) -> str:
    return f"{r['workshop']} ({r['process']}) · {_day(tr, r['posted_at'])}"


def item_change_line(tr: Translator, r: Row) -> str:
    marked = tr._("answered") if r["status"] == "answered" else tr._("changed")
    line = f"{r['workshop']} ({r['process']}) · “{r['item']}” · {marked}: {r['text']}"
    return f"{line} · {_day(tr, r['at'])}"


def invitation_line(tr: Translator, r: Row) -> str:
    if r["attended"] is None:
        attended = tr._("attendance not recorded")
    else:
        attended = tr._("attended") if r["attended"] else tr._("did not attend")
    return f"{r['workshop']} ({r['process']}) · {_day(tr, r['starts_at'])} · {attended}"


def request_line(tr: Translator, r: Row) -> str:
    status = REQUEST_STATUS_NAMES[r["status"]]
    return tr._("{workshop} ({process}): {status}; asked {date}; reminders: {n}").format(
        workshop=r["workshop"],
        process=r["process"],
        status=tr._(status),
        date=_day(tr, r["asked_at"]),
        n=r["reminders_sent"],
    )


def contribution_line(tr: Translator, r: Row) -> str:
    text = r["text"] if len(r["text"]) <= EXCERPT else r["text"][: EXCERPT - 1].rstrip() + "…"
    how = tr._("anonymous") if r["anonymous"] else tr._("with your name")
    about = r["about"] or tr._("The process in general")
    name = STATUS_NAMES[r["status"]]
    status = tr._("Status: {status}").format(status=tr._(name))
    line = f"{label_of(r['reference'])} · {about} · {how}: “{text}” · {status}"
    return f"{line} · {r['status_note']}" if r["status_note"] else line


def hassle_item_line(tr: Translator, r: Row) -> str:
    reference = r["reference"]
    label = f"#{reference}" if reference.isdecimal() else reference
    how = tr._("anonymous") if r["anonymous"] else tr._("with your name")
    status = tr._("Status: {status}").format(status=tr._(STATUS_NAMES[r["status"]]))
    line = f"{label} · {r['process']} · {how}: “{r['title']}” · {status}"
    return f"{line} · {r['status_note']}" if r["status_note"] else line


def pulse_answer_line(tr: Translator, r: Row) -> str:
    line = tr._("{process}, step {step}, {date}: {score} of 5").format(
        process=r["process"], step=r["step"], date=_day(tr, r["sent_at"]), score=r["score"]
    )
    return f"{line} · “{r['comment']}”" if r["comment"] else line


def subscription_line(tr: Translator, r: Row) -> str:
    return tr._("{process}, since {date}").format(process=r["process"], date=_day(tr, r["since"]))


def audit_entry_line(tr: Translator, r: Row) -> str:
    return f"{action_name(tr, r['action'])} · {tr.datetime(r['at'], with_year=True)}"


def messages_paragraph(tr: Translator, rows: list[Row]) -> str:
    """The messages are counted, not listed: their texts are in the file."""
    statuses = [m["status"] for m in rows]
    return tr._(
        "Messages to you: {n} ({sent} sent, {waiting} waiting, {failed} not delivered). "
        "Their texts are in the file."
    ).format(
        n=len(statuses),
        sent=statuses.count("sent"),
        waiting=statuses.count("pending") + statuses.count("sending"),
        failed=statuses.count("failed"),
    )


def _day(tr: Translator, moment: datetime) -> str:
    return tr.date(tr.local(moment).date(), with_year=True)
