"""The process's record: a document a municipality can file (journalise) and a MED committee can
read. `/samskab export [csv]` for members, `samskab export` on the command line, and a download
link made again (handlers.record.downloads). Markdown here; the CSV in handlers.record.csv_file; what both
show is gathered in handlers.record. Both are written in the process's language."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_percent
from sqlalchemy.orm import Session

from handlers.command_spec import CommandSpec
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.facilitators import facilitators_line
from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.messages import Attachment, Message, Reply
from handlers.people import acting
from handlers.pulse.results import MIN_ANSWERS, Group, PulseResult, decimal, signed_decimal
from handlers.record.contents import (
    InputEntry,
    Record,
    TrackEntry,
    WorkshopEntry,
    gather_record,
    item_status,
    process_status,
)
from handlers.record.csv_file import record_csv
from handlers.record.hassle_rounds import hassle_markdown
from handlers.six_steps import step_label
from handlers.status.reach import reach_lines
from handlers.workshops.item_history import history_line
from handlers.workshops.summary_messages import ITEM_TITLES
from storage.models import Process

MIME_TYPES = {"md": "text/markdown", "csv": "text/csv"}
FORMAT_WORDS = {"": "md", "md": "md", "markdown": "md", "csv": "csv", "excel": "csv"}


def export_format(argument: str) -> str:
    """`/samskab export` → "md", `/samskab export csv` → "csv"."""
    word = argument.strip().casefold()
    if word not in FORMAT_WORDS:
        raise Refused(
            N_("Write /samskab export for a Markdown document, or /samskab export csv for Excel.")
        )
    return FORMAT_WORDS[word]


def export_process(deps: Deps, actor: PersonRef, channel: ChannelRef, fmt: str = "md") -> Reply:
    """Members only: anyone else is refused, and nothing is written."""
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        attachment = record_attachment(session, who.process, fmt, now)
        tr = who.tr
        return Reply(
            message=Message(
                tr._("The record of “{name}” is ready: {file}").format(
                    name=who.process.name, file=attachment.filename
                ),
                language=tr.language,
            ),
            attachment=attachment,
        )


def record_file(deps: Deps, process_id: int, fmt: str) -> Attachment | None:
    """The record of a process by its id (the CLI, a download link); None if there is none."""
    with deps.db.transaction() as session:
        process = session.get(Process, process_id)
        if process is None:
            return None
        return record_attachment(session, process, fmt, deps.clock())


def record_attachment(session: Session, process: Process, fmt: str, now: datetime) -> Attachment:
    if fmt not in MIME_TYPES:
        raise ValueError(f"unknown record format {fmt!r}")
    tr = Translator(process.language, process.timezone, now=now)
    record = gather_record(session, process)
    content = record_csv(record, tr) if fmt == "csv" else record_markdown(record, tr, now)
    return Attachment(
        f"samskab-export-{process.id}-{tr.today(now).isoformat()}.{fmt}",
        content,
        MIME_TYPES[fmt],
        private=False,
        ref=f"export:{process.id}:{fmt}",
    )


# --- Markdown ----------------------------------------------------------------------------------


def record_markdown(record: Record, tr: Translator, now: datetime) -> str:
    made = tr._("The record of the process, made {date}.").format(
        date=tr.date(tr.today(now), with_year=True)
    )
    status = tr._("Status: {status}").format(status=process_status(tr, record.status))
    out = [
        f"# {record.name}",
        "",
        made,
        "",
        f"**{step_label(tr, record.current_step)}** · {status}",
        "",
    ]
    if who := facilitators_line(tr, list(record.facilitators)):
        out += [who, ""]
    if record.steps:
        step, started = tr._("Step"), tr._("Started")
        out += ["## " + tr._("Steps"), "", f"| {step} | {started} |", "|---|---|"]
        out += [f"| {step_label(tr, s.step)} | {_day(tr, s.entered_at)} |" for s in record.steps]
        out.append("")
    for track in record.tracks:
        out += _track(track, tr)
    if record.general_inputs:
        out += ["## " + tr._("Input to the process in general"), ""]
        out += [_input_line(tr, i) for i in record.general_inputs] + [""]
    out += hassle_markdown(record.hassle_rounds, tr)
    out += _pulses(record.pulses, tr)
    return "\n".join(out).rstrip() + "\n"


def _track(track: TrackEntry, tr: Translator) -> list[str]:
    out = ["## " + tr._("Track") + f": {track.name}", ""]
    if not track.workshops:
        out += [tr._("No workshops yet."), ""]
    for workshop in track.workshops:
        out += _workshop(workshop, tr)
    return out


def _workshop(workshop: WorkshopEntry, tr: Translator) -> list[str]:
    status = tr._("held") if workshop.held else tr._("planned")
    when = tr.datetime(workshop.starts_at, with_year=True)
    out = [f"### {workshop.title} ({when}, {status})", ""]
    if workshop.attended is None:
        return [*out, tr._("Invited: {n}").format(n=workshop.invited), ""]
    attended = tr._("Attended: {n} of {total} invited")
    out += [attended.format(n=workshop.attended, total=workshop.invited), ""]
    if workshop.summary:
        out += [workshop.summary, ""]
    for kind, title in ITEM_TITLES.items():
        items = [i for i in workshop.items if i.kind == kind]
        if items:
            out += [f"**{tr._(title)}**", ""]
            for i in items:
                out.append(f"- {_indented(i.text)} ({item_status(tr, i.status)})")
                # The item's history: every answer or change, when and by whom.
                out += ["  - " + _indented(history_line(tr, c), 4) for c in i.changes]
            out.append("")
    if workshop.question:
        question = tr._("Question for colleagues who did not attend")
        out += [f"**{question}:** {workshop.question}", ""]
    if workshop.reach is not None:
        # The status's lines, for this summary (handlers.status.reach).
        if lines := reach_lines(tr, workshop.reach):
            out += [f"- {line.label}: {line.text}" for line in lines] + [""]
        else:
            out += [tr._("Nobody was asked for input."), ""]
    if workshop.inputs:
        out += ["**" + tr._("Input") + "**", "", *(_input_line(tr, i) for i in workshop.inputs), ""]
    return out


def _input_line(tr: Translator, entry: InputEntry) -> str:
    # Anonymous input: no author and no time of any kind (see handlers.record.contents); named
    # by its letters, as the channel and the facilitators' list name it.
    ref = f"{entry.reference} · " if entry.reference else ""
    if entry.author is None:
        anonymous = tr._("An anonymous colleague")
        line = f"- {ref}**{anonymous}:** {_indented(entry.text)}"
    else:
        received = f" ({_day(tr, entry.received_at)})" if entry.received_at else ""
        line = f"- {ref}**{entry.author}**{received}: {_indented(entry.text)}"
    status = tr._("Status: {status}").format(status=tr._(STATUS_NAMES[entry.status]))
    if entry.author is not None and entry.status != "received" and entry.status_changed_at:
        status += ", " + _day(tr, entry.status_changed_at)
    if entry.note:
        status += f" · {_indented(entry.note)}"
    return f"{line}\n  {status}"


def _pulses(pulses: tuple[PulseResult, ...], tr: Translator) -> list[str]:
    out = ["## " + tr._("Pulse: do you feel up to date on where the process stands?"), ""]
    if not pulses:
        return [*out, tr._("No pulse has been sent yet."), ""]
    for pulse in pulses:
        sent = tr._("Sent {date}").format(date=_day(tr, pulse.sent_at))
        out += [f"### {sent} · {step_label(tr, pulse.step)}", ""]
        if pulse.average is None:
            out.append(
                "- "
                + tr._("Results are shown when at least {n} have answered.").format(n=MIN_ANSWERS)
            )
        else:
            average = tr._("Average: {average} of 5").format(average=decimal(tr, pulse.average))
            if pulse.change is not None:
                average += " " + tr._("({change} since the last pulse)").format(
                    change=signed_decimal(tr, pulse.change)
                )
            out.append(f"- {average}")
        out.append(
            "- "
            + tr._("Response rate: {rate} ({answered} of {asked})").format(
                rate=format_percent(pulse.response_rate, locale=tr.locale),
                answered=pulse.answered,
                asked=pulse.asked,
            )
        )
        if pulse.average is not None and pulse.workshop is not None:
            out.append(
                "- "
                + tr._("Attended “{workshop}”: {result}").format(
                    workshop=pulse.workshop, result=_group(tr, pulse.attended)
                )
            )
            out.append(
                "- " + tr._("Did not attend: {result}").format(result=_group(tr, pulse.absent))
            )
        out.append("")
        if pulse.comments:
            comments = tr._("Comments")
            out += [f"**{comments}**", "", *(f"- {_indented(c)}" for c in pulse.comments)]
            out.append("")
    return out


def _group(tr: Translator, group: Group | None) -> str:
    """A group of the split, or the words for a hidden one (hidden as results.shown_split says)."""
    if group is None:
        return tr._("shown from {n} answers").format(n=MIN_ANSWERS)
    return tr._("{average} ({n} answers)").format(
        average=decimal(tr, group.average), n=group.answered
    )


def _day(tr: Translator, value: datetime) -> str:
    return tr.date(tr.local(value).date(), with_year=True)


def _indented(text: str, indent: int = 2) -> str:
    """A person's text inside a list item: its later lines stay in the item."""
    return ("\n" + " " * indent).join(line.rstrip() for line in text.strip().splitlines())


def export_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab export [csv]`."""
    return export_process(deps, actor, channel, export_format(argument))


EXPORT = CommandSpec(
    "export",
    N_("/samskab export: the process's record as a document (export csv: for Excel)"),
    aliases=("eksport", "eksporter", "eksportér"),
    run_with=export_command,
)
