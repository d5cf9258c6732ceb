"""The process's record as CSV for Excel: one header row, then one row per line of the record.

Columns: kind, track, workshop, date, text, status, note, author, reference (an input's "#2" or
an anonymous one's letters), value, with headers and kinds in the process's language. Counts and averages are rows of their own (kind "Colleagues who did not
attend", text "Asked for input", value 3), so a pivot table or a filter on the kind column gives
every number of one sort.

For Excel: UTF-8 with a byte order mark (without it Excel reads æ, ø and å as two characters),
`;` between fields and the language's decimal mark in numbers. Danish Excel, which most readers
of this file use, separates a list with `;` because `,` is its decimal mark, so the file opens in
columns on a double click, and "3,8" is a number there. A `sep=;` first line would tell other
Excels too, but Excel then ignores the byte order mark, and the file would no longer begin with
its header. Dates are ISO 8601 in the process's timezone, which Excel reads as dates in any
language.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from handlers.i18n import N_, Translator
from handlers.inputs.posts import STATUS_NAMES
from handlers.pulse.results import MIN_ANSWERS, PulseResult, decimal
from handlers.record.contents import (
    InputEntry,
    Record,
    WorkshopEntry,
    item_status,
    process_status,
)
from handlers.record.hassle_rounds import hassle_rows
from handlers.six_steps import step_label
from handlers.status.reach import reach_lines
from handlers.workshops.item_history import ItemChangeEntry

BOM = "\ufeff"
DELIMITER = ";"
COLUMNS = (
    N_("Kind"),
    N_("Track"),
    N_("Workshop"),
    N_("Date"),
    N_("Text"),
    N_("Status"),
    N_("Note"),
    N_("Author"),
    N_("Reference"),
    N_("Value"),
)
KEYS = (
    "kind",
    "track",
    "workshop",
    "date",
    "text",
    "status",
    "note",
    "author",
    "reference",
    "value",
)
ITEM_KINDS = {
    "decision": N_("Decision"),
    "open_question": N_("Open question"),
    "next_step": N_("Next step"),
}
# Excel runs a cell that begins with one of these as a formula: a person's words never do.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, str]


def record_csv(record: Record, tr: Translator) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([tr._(c) for c in COLUMNS])
    for row in _rows(record, tr):
        # The value is a number we wrote ("-0,5" is one); every other cell may hold a person's words.
        writer.writerow(
            [_text_cell(row.get(key, "")) for key in KEYS[:-1]] + [row.get("value", "")]
        )
    return BOM + out.getvalue()


def _rows(record: Record, tr: Translator) -> list[Row]:
    rows: list[Row] = [
        {
            "kind": tr._("Process"),
            "date": _day(tr, record.created_at),
            "text": record.name,
            "status": process_status(tr, record.status),
            "note": step_label(tr, record.current_step),
            "value": str(record.current_step),
        }
    ]
    rows += [{"kind": tr._("Facilitator"), "text": name} for name in record.facilitators]
    rows += [
        {
            "kind": tr._("Step"),
            "date": _day(tr, step.entered_at),
            "text": step_label(tr, step.step),
            "value": str(step.step),
        }
        for step in record.steps
    ]
    for track in record.tracks:
        for workshop in track.workshops:
            rows += _workshop_rows(workshop, tr)
    rows += [_input_row(tr, entry, {}) for entry in record.general_inputs]
    rows += hassle_rows(record.hassle_rounds, tr)
    for pulse in record.pulses:
        rows += _pulse_rows(pulse, tr)
    return rows


def _workshop_rows(workshop: WorkshopEntry, tr: Translator) -> list[Row]:
    where = {
        "track": workshop.track,
        "workshop": workshop.title,
        "date": _minute(tr, workshop.starts_at),
    }
    rows: list[Row] = [
        where
        | {
            "kind": tr._("Workshop"),
            "text": workshop.summary or "",
            "status": tr._("held") if workshop.held else tr._("planned"),
        }
    ]
    attendance = tr._("Attendance")
    rows.append(
        where | {"kind": attendance, "text": tr._("Invited"), "value": str(workshop.invited)}
    )
    if workshop.attended is not None:
        rows.append(
            where | {"kind": attendance, "text": tr._("Attended"), "value": str(workshop.attended)}
        )
    for i in workshop.items:
        status = item_status(tr, i.status)
        rows.append(where | {"kind": tr._(ITEM_KINDS[i.kind]), "text": i.text, "status": status})
        rows += [_change_row(tr, where, i.text, change) for change in i.changes]
    if workshop.question:
        deadline = workshop.deadline.isoformat() if workshop.deadline else ""
        rows.append(
            where
            | {
                "kind": tr._("Question for colleagues who did not attend"),
                "text": workshop.question,
                "note": tr._("Deadline for input: {date}").format(date=deadline),
            }
        )
    if workshop.reach is not None:
        # The status's lines, for this summary (handlers.status.reach): what is counted, the
        # number, and the line in words (where the answered split into with and without input is).
        kind = tr._("Colleagues who did not attend")
        rows += [
            where | {"kind": kind, "text": line.label, "note": line.text, "value": str(line.n)}
            for line in reach_lines(tr, workshop.reach)
        ]
    rows += [_input_row(tr, entry, where) for entry in workshop.inputs]
    return rows


def _change_row(tr: Translator, where: Row, item: str, change: ItemChangeEntry) -> Row:
    """A row of an item's history: the answer or what the decision became, when, by whom."""
    answered = change.status == "answered"
    return where | {
        "kind": tr._("Answer to an open question") if answered else tr._("Change of a decision"),
        "date": _day(tr, change.at),
        "text": change.text,
        "status": item_status(tr, change.status),
        "note": item,
        "author": change.by or "",
    }


def _input_row(tr: Translator, entry: InputEntry, where: Row) -> Row:
    # Anonymous input: no author and no time (see handlers.record.contents); the workshop's date neither.
    anonymous = entry.author is None
    return {
        "kind": tr._("Input"),
        "track": where.get("track", ""),
        "workshop": where.get("workshop", ""),
        "date": _day(tr, entry.received_at) if entry.received_at and not anonymous else "",
        "text": entry.text,
        "status": tr._(STATUS_NAMES[entry.status]),
        "note": entry.note or "",
        "author": tr._("An anonymous colleague") if anonymous else entry.author or "",
        "reference": entry.reference,
    }


def _pulse_rows(pulse: PulseResult, tr: Translator) -> list[Row]:
    base = {"kind": tr._("Pulse"), "date": _day(tr, pulse.sent_at), "note": ""}
    hidden = tr._("shown from {n} answers").format(n=MIN_ANSWERS)

    def number(value: float | None) -> str:
        return decimal(tr, value) if value is not None else ""

    rows = [
        base | {"text": tr._("Step"), "value": str(pulse.step)},
        base | {"text": tr._("Asked"), "value": str(pulse.asked)},
        base | {"text": tr._("Answered"), "value": str(pulse.answered)},
        base
        | {
            "text": tr._("Average"),
            "value": number(pulse.average),
            "note": hidden if pulse.average is None else "",
        },
    ]
    if pulse.change is not None:
        rows.append(
            base
            | {
                "text": tr._("Change since the last pulse"),
                "value": number(pulse.change),
            }
        )
    if pulse.average is not None and pulse.workshop is not None:
        for label, group in (
            (N_("Average, attended"), pulse.attended),
            (N_("Average, did not attend"), pulse.absent),
        ):
            # None where hidden, as results.shown_split says: then no number, only the words.
            value, note = "", hidden
            if group is not None:
                value = number(group.average)
                answers = tr.ngettext("{n} answer", "{n} answers", group.answered)
                note = answers.format(n=group.answered)
            rows.append(
                base
                | {"workshop": pulse.workshop, "text": tr._(label), "value": value, "note": note}
            )
    rows += [base | {"kind": tr._("Pulse comment"), "text": c} for c in pulse.comments]
    return rows


def _day(tr: Translator, value: datetime) -> str:
    return tr.local(value).date().isoformat()


def _minute(tr: Translator, value: datetime) -> str:
    return tr.local(value).strftime("%Y-%m-%d %H:%M")


def _text_cell(value: str) -> str:
    """Words shown as written: a leading apostrophe keeps Excel from running them as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value
