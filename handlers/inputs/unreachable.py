"""When a colleague cannot be reached, the facilitators are told who, and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers.i18n import N_, Translator
from handlers.messages import Context, Message, Paragraph
from handlers.outbox import enqueue
from handlers.people import active_members, translator_for_member
from storage.models import InputRequest, Process

REASONS = {
    "user_disabled": N_("their account is deactivated"),
    "account_inactive": N_("their account is deactivated"),
    "user_not_found": N_("the person no longer exists on the platform"),
    "cannot_dm_bot": N_("it is a bot"),
    "forbidden": N_("the app is not installed for them, or they have blocked it"),
    "not_found": N_("the conversation no longer exists"),
    "not_in_channel": N_("Samskab is not a member of the channel; invite it with /invite"),
    "channel_not_found": N_("the channel no longer exists, or Samskab cannot see it"),
    "is_archived": N_("the channel is archived"),
}


def reason_text(tr: Translator, reason: str) -> str:
    return tr._(REASONS[reason]) if reason in REASONS else reason


def tell_facilitators_unreachable(
    session: Session, request: InputRequest, reason: str, now: datetime
) -> None:
    """Once per colleague and summary: the request's idempotency key makes a retry harmless."""
    summary = request.summary
    process = summary.workshop.process
    colleague = request.member.person.name
    for facilitator in (m for m in active_members(process) if m.is_facilitator):
        tr = translator_for_member(facilitator)
        text = tr._(
            "{name} could not be reached with the request for input on “{title}”: {reason}."
        ).format(name=colleague, title=summary.workshop.title, reason=reason_text(tr, reason))
        enqueue(
            session,
            Message(
                text,
                (Paragraph(text), Context(tr._("You may want to ask them in person."))),
                language=tr.language,
            ),
            key=f"unreachable:{request.id}:{facilitator.id}",
            now=now,
            process=process,
            person=facilitator.person,
        )


def tell_facilitators_channel_failed(
    session: Session, process: Process, reason: str, now: datetime
) -> None:
    """A post to the process's channel failed for good: once per reason, the facilitators hear
    why, so that they can fix it (most often: invite the app to a private channel)."""
    for facilitator in (m for m in active_members(process) if m.is_facilitator):
        tr = translator_for_member(facilitator)
        text = tr._("Samskab could not post in the channel of “{name}”: {reason}.").format(
            name=process.name, reason=reason_text(tr, reason)
        )
        enqueue(
            session,
            Message(text, (Paragraph(text),), language=tr.language),
            key=f"channel-failed:{process.id}:{reason}:{facilitator.id}",
            now=now,
            process=process,
            person=facilitator.person,
        )
