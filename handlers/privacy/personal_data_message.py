"""The readable version of a person's data (`/samskab mydata`): the rows handlers.privacy.personal_data
collected, the longest lists cut short, since the JSON file has them all."""

from __future__ import annotations

from datetime import datetime

from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.messages import Block, BulletList, Context, Fields, Heading, Message, Paragraph
from handlers.privacy.personal_data import PersonalData, Row

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
