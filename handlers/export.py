"""The process as Markdown: a record a municipality can file (journalise)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import Translator
from handlers.messages import Attachment, Message, Reply
from handlers.people import acting
from handlers.steps import step_label
from handlers.summary_messages import ITEM_TITLES
from storage.models import Input, InputRequest, Process, Summary, Workshop


def export_process(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        process, tr = who.process, who.tr
        markdown = process_markdown(session, process, tr)
        filename = f"samskab-export-{process.id}-{tr.today(now).isoformat()}.md"
        return Reply(
            message=Message(
                tr._("The record of “{name}” is ready: {file}").format(
                    name=process.name, file=filename
                ),
                language=tr.language,
            ),
            attachment=Attachment(filename, markdown),
        )


def process_markdown(session: Session, process: Process, tr: Translator) -> str:
    out = [f"# {process.name}", "", f"**{step_label(tr, process.current_step)}**", ""]
    workshops = session.scalars(
        select(Workshop).where(Workshop.process_id == process.id).order_by(Workshop.starts_at)
    ).all()
    for track in process.tracks:
        out += ["## " + tr._("Track") + f": {track.name}", ""]
        track_workshops = [w for w in workshops if w.track_id == track.id]
        if not track_workshops:
            out += [tr._("No workshops yet."), ""]
        for workshop in track_workshops:
            out += _workshop_markdown(session, workshop, tr)
    general = session.scalars(
        select(Input)
        .where(Input.process_id == process.id, Input.summary_id.is_(None))
        .order_by(Input.created_at)
    ).all()
    if general:
        out += ["## " + tr._("Input to the process in general"), ""]
        out += [_input_line(tr, i) for i in general] + [""]
    return "\n".join(out).rstrip() + "\n"


def _workshop_markdown(session: Session, workshop: Workshop, tr: Translator) -> list[str]:
    status = tr._("held") if workshop.status == "held" else tr._("planned")
    out = [
        f"### {workshop.title} ({tr.datetime(workshop.starts_at, with_year=True)}, {status})",
        "",
    ]
    invited = len(workshop.invitations)
    attended = sum(1 for inv in workshop.invitations if inv.attended)
    summary: Summary | None = workshop.summary
    if summary is None:
        return [*out, tr._("Invited: {n}").format(n=invited), ""]
    out += [tr._("Attended: {n} of {total} invited").format(n=attended, total=invited), ""]
    out += [summary.text, ""]
    for kind, title in ITEM_TITLES.items():
        items = summary.items_of(kind)
        if items:
            out += [f"**{tr._(title)}**", "", *(f"- {item}" for item in items), ""]
    question = tr._("Question for colleagues who did not attend")
    out += [f"**{question}:** {summary.question}", ""]
    requests = session.scalars(
        select(InputRequest).where(InputRequest.summary_id == summary.id)
    ).all()
    answered = sum(1 for r in requests if r.status == "answered")
    declined = sum(1 for r in requests if r.status == "declined")
    out += [
        tr._("Reach: {asked} asked, {answered} gave input, {declined} no input.").format(
            asked=len(requests), answered=answered, declined=declined
        ),
        "",
    ]
    inputs = session.scalars(
        select(Input).where(Input.summary_id == summary.id).order_by(Input.created_at)
    ).all()
    if inputs:
        out += ["**" + tr._("Input") + "**", "", *(_input_line(tr, i) for i in inputs), ""]
    return out


def _input_line(tr: Translator, contribution: Input) -> str:
    # An anonymous input is exported without author and without a time that could identify them.
    if contribution.anonymous or contribution.author is None:
        return "- " + tr._("Anonymous") + f": {contribution.text}"
    return f"- {contribution.author.person.name}: {contribution.text}"
