"""Small groups stay protected: where one group of the pulse's split (attended the last workshop
held, or not) has fewer than three answers, neither group's numbers are shown, in the status, the
digest, the Markdown record and the CSV record alike; otherwise the total less the group shown
would give the hidden answers away. Through the real use cases."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.interactions import press_button
from handlers.messages import BulletList, Message
from handlers.pulse.asking import pulse_command
from handlers.record.export import export_process
from handlers.status.digest import post_digest
from handlers.status.overview import show_status
from storage.models import OutboxMessage, Process, Pulse
from tests.builders import channel, person, plan, set_up, summarise
from tests.conftest import Clock

METTE = person("Mette Lund")  # the facilitator
ATTENDED = [person(name) for name in ("Anna Holm", "Bo Sørensen", "Camilla Friis")]
ABSENT = [person(name) for name in ("Emil Vestergaard", "Frida Juhl", "Gitte Møller")]
WORKSHOP = "Ny visitationsmodel"
TITLE = "Pulsmåling: Føler du dig opdateret om, hvor forløbet er?"
HIDDEN = "vises fra 3 svar"


def test_one_answer_from_those_who_attended_cannot_be_worked_out(deps: Deps, clock: Clock) -> None:
    where, process_id = _a_pulse_after_a_held_workshop(deps, clock)
    anna = ATTENDED[0]
    _answer(deps, where, [(anna, 4), (ABSENT[0], 3), (ABSENT[1], 3), (ABSENT[2], 2)])

    # The total, 3,0 from 4; were "did not attend: 2,7 (3 answers)" shown beside it, Anna's
    # answer would be 4 × 3,0 − 3 × 2,7 ≈ 4. Neither group's average nor count is shown.
    total = [
        "Gennemsnit: 3,0 ud af 5",
        "Svarprocent: 57\xa0% (4 af 7)",
        f"Deltog i »{WORKSHOP}«: {HIDDEN}",
        f"Deltog ikke: {HIDDEN}",
    ]
    status = _status(deps, where)
    assert status[1:] == total
    digest = _digest(deps, process_id, "2026-W48")
    assert digest == status

    markdown = _record(deps, where, "md")
    assert [f"- {line}" for line in total] == [
        line
        for line in markdown.splitlines()
        if line.startswith(("- Gennemsnit", "- Svar", "- Del"))
    ]

    rows = _pulse_rows(_record(deps, where, "csv"))
    assert (rows["Svarede"], rows["Gennemsnit"]) == (("4", ""), ("3,0", ""))
    assert rows["Gennemsnit, deltog"] == ("", HIDDEN)
    assert rows["Gennemsnit, deltog ikke"] == ("", HIDDEN)

    for shown in (status, digest, markdown.splitlines(), list(map(str, rows.values()))):
        assert not any("2,7" in line or "(3 svar)" in line or "(1 svar)" in line for line in shown)


def test_three_and_three_answers_show_both_groups(deps: Deps, clock: Clock) -> None:
    where, process_id = _a_pulse_after_a_held_workshop(deps, clock)
    scores = [(ATTENDED[0], 4), (ATTENDED[1], 4), (ATTENDED[2], 5)]
    _answer(deps, where, [*scores, (ABSENT[0], 3), (ABSENT[1], 3), (ABSENT[2], 2)])

    split = [f"Deltog i »{WORKSHOP}«: 4,3 (3 svar)", "Deltog ikke: 2,7 (3 svar)"]
    status = _status(deps, where)
    assert status[1:] == ["Gennemsnit: 3,5 ud af 5", "Svarprocent: 86\xa0% (6 af 7)", *split]
    assert _digest(deps, process_id, "2026-W48") == status
    markdown = _record(deps, where, "md").splitlines()
    assert all(f"- {line}" in markdown for line in split)
    rows = _pulse_rows(_record(deps, where, "csv"))
    assert rows["Gennemsnit, deltog"] == ("4,3", "3 svar")
    assert rows["Gennemsnit, deltog ikke"] == ("2,7", "3 svar")


# --- helpers ---------------------------------------------------------------------------------


def _a_pulse_after_a_held_workshop(deps: Deps, clock: Clock) -> tuple[ChannelRef, int]:
    """Mette's process; a workshop held with Anna, Bo and Camilla, without Emil, Frida and
    Gitte; then Mette sends the pulse to all seven."""
    where = channel("odder", [METTE, *ATTENDED, *ABSENT])
    set_up(deps, where, METTE, step="2")
    workshop = plan(deps, where, METTE, [*ATTENDED, *ABSENT], title=WORKSHOP)
    clock.set(clock.now.replace(day=25, hour=16))
    summarise(deps, where, METTE, workshop, [METTE, *ATTENDED])
    reply = pulse_command(deps, METTE, where, "")
    assert reply.message is not None and "sendt til 7 medlemmer" in reply.message.text
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    return where, process_id


def _answer(deps: Deps, where: ChannelRef, scores: list[tuple[PersonRef, int]]) -> None:
    with deps.db.transaction() as session:
        pulse_id = session.scalar(select(func.max(Pulse.id)))
    for who, score in scores:
        reply = press_button(deps, who, "pulse.answer", f"{pulse_id}:{score}")
        assert reply.message is not None and f"{score} ud af 5" in reply.message.text


def _pulse_lines(message: Message) -> list[str]:
    (pulse,) = [b for b in message.blocks if isinstance(b, BulletList) and b.title == TITLE]
    return list(pulse.items)


def _status(deps: Deps, where: ChannelRef) -> list[str]:
    message = show_status(deps, METTE, where).message
    assert message is not None
    return _pulse_lines(message)


def _digest(deps: Deps, process_id: int, period: str) -> list[str]:
    assert post_digest(deps, process_id, period)
    with deps.db.transaction() as session:
        payload = session.scalars(
            select(OutboxMessage.payload).where(
                OutboxMessage.key == f"digest:{process_id}:{period}"
            )
        ).one()
    return _pulse_lines(Message.from_json(payload))


def _record(deps: Deps, where: ChannelRef, fmt: str) -> str:
    attachment = export_process(deps, METTE, where, fmt).attachment
    assert attachment is not None
    return attachment.content


def _pulse_rows(content: str) -> dict[str, tuple[str, str]]:
    """The CSV record's pulse rows: (value, note) by text."""
    header, *body = csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";")
    rows = [dict(zip(header, row, strict=True)) for row in body]
    return {r["Tekst"]: (r["Værdi"], r["Note"]) for r in rows if r["Type"] == "Pulsmåling"}
