"""A person's own page (Slack's App Home): their open input requests, where their processes
stand, and for facilitators the input still to follow up."""

from __future__ import annotations

from sqlalchemy import select

from handlers.context import Deps, PersonRef
from handlers.i18n import N_
from handlers.inputs.lifecycle import follow_up_message
from handlers.messages import Heading, Message, Paragraph
from handlers.people import actor_translator, noted_person, translator_for
from handlers.status.overview import compose_status, last_digest_at
from handlers.status.page_link import with_page_link
from handlers.workshops.summary_messages import input_request_message
from storage.models import InputRequest, Member, Process

NOT_IN_A_PROCESS = N_(
    "You are not in a process yet. When a facilitator sets one up in a channel you are in, "
    "it shows here."
)


def home_for(deps: Deps, actor: PersonRef) -> list[Message]:
    now = deps.clock()
    with deps.db.transaction() as session:
        person = noted_person(session, deps, actor)  # opening the page writes nothing
        if person is None:
            tr = actor_translator(deps, actor, None)
            text = tr._(NOT_IN_A_PROCESS)
            return [Message(text, (Heading("Samskab"), Paragraph(text)), language=tr.language)]
        memberships = session.scalars(
            select(Member)
            .join(Process)
            .where(Member.person_id == person.id, Member.active.is_(True))
            .where(Process.status == "active")
            .order_by(Process.name)
        ).all()
        if not memberships:
            tr = translator_for(person, None, deps)
            text = tr._(NOT_IN_A_PROCESS)
            return [Message(text, (Heading("Samskab"), Paragraph(text)), language=tr.language)]
        messages = []
        requests = session.scalars(
            select(InputRequest)
            .where(InputRequest.member_id.in_([m.id for m in memberships]))
            .where(InputRequest.status.in_(("pending", "delivered")))
            .order_by(InputRequest.created_at)
        ).all()
        for request in requests:
            process = request.member.process
            tr = translator_for(person, process, deps)
            workshop = request.summary.workshop
            messages.append(input_request_message(tr, process, workshop, request.summary, request))
        for member in memberships:
            process = member.process
            tr = translator_for(person, process, deps)
            since = last_digest_at(session, process)
            status = compose_status(session, process, tr, now=now, since=since)
            messages.append(with_page_link(status, tr, process))
            if member.is_facilitator:
                messages.append(follow_up_message(session, process, tr))
        return messages
