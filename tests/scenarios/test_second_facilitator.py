"""A second facilitator named in setup is a facilitator in every way, and is named wherever a
person reads who the facilitators are: the setup post, the status (and so the digest and the
welcome DM), the help, the record, and the refusal of a facilitators' command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from bot.console.render import render_text
from handlers.context import ChannelRef, Deps
from handlers.status.digest import post_digest
from handlers.status.overview import show_status
from storage.models import Process
from tests.builders import channel, person, set_up
from tests.console_driver import ConsoleDriver

SETUP = {"Forløbets navn": "Odder", "Nuværende trin": "2"}  # the rest as proposed
WORKSHOP = {"Titel": "Dokumentation i dag", "Dato og tidspunkt": "2026-12-01 10:00"}
BOTH = "Facilitatorer: Mette Lund og Jens Berg"


def test_the_second_facilitator_is_named_and_can_act_as_one(deps: Deps, tmp_path: Path) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join Jens Berg, Anna Holm")
    posts = chat.type("/samskab opsætning", SETUP | {"Andre facilitatorer": "Jens Berg"})
    announced = next(p for p in posts if p.label == "#odder")
    assert f"{BOTH}. Skriv /samskab hjælp for at se, hvad du kan." in announced.body

    # Jens uses a facilitators' command; Anna is refused, and told whom to ask.
    chat.type("/as Jens Berg")
    planned = chat.type("/samskab workshop", WORKSHOP)
    assert "Planlagt: Dokumentation i dag" in planned[0].body
    chat.type("/as Anna Holm")
    assert chat.type("/samskab workshop")[0].body == (
        "Det kan kun forløbets facilitatorer. Facilitatorerne er Mette Lund og Jens Berg."
    )
    assert BOTH in chat.type("/samskab status")[0].body
    assert BOTH in chat.type("/samskab hjælp")[0].body

    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    assert post_digest(deps, process_id, "2026-W48")
    digest = next(p for p in chat.deliver() if p.label == "#odder")
    assert "Status på forløbet — hvor er vi? Odder" in digest.body and BOTH in digest.body

    welcome = next(p for p in chat.type("/join Ulla Mortensen") if p.label.startswith("DM til"))
    assert BOTH in welcome.body

    chat.type("/samskab eksport")
    [record] = tmp_path.glob("samskab-export-*.md")
    assert BOTH in record.read_text(encoding="utf-8")
    chat.type("/samskab eksport csv")
    [table] = tmp_path.glob("samskab-export-*.csv")
    header, *rows = csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig")), delimiter=";")
    text = header.index("Tekst")
    assert [row[text] for row in rows if row[0] == "Facilitator"] == ["Mette Lund", "Jens Berg"]


def test_one_facilitator_is_named_alone_and_an_english_process_says_and(deps: Deps) -> None:
    mette, jens = person("Mette Lund"), person("Jens Berg")
    odder = channel("odder", [mette, jens])
    set_up(deps, odder, mette)
    status = _status(deps, odder)
    assert "(Facilitator: Mette Lund)" in status

    leeds = channel("leeds", [mette, jens])
    set_up(deps, leeds, mette, language="en", facilitators=[jens.user_id])
    assert "Facilitators: Mette Lund and Jens Berg" in _status(deps, leeds)


def _status(deps: Deps, where: ChannelRef) -> str:
    message = show_status(deps, person("Mette Lund"), where).message
    assert message is not None
    return render_text(message)
