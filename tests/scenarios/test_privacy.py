"""A person's own data in the console: `mydata` gives them everything stored about them, privately;
`forget-me` leaves no trace of them in any table (whichever way they choose for their named
input) while their colleagues' data stays; a stranger is refused and nothing is written; and
`close` ends a process, for facilitators only."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.private_files import personal_name
from bot.teams.references import remember_members
from handlers.commands import handle_command
from handlers.context import Deps
from handlers.inputs.reminders import send_due_reminders
from handlers.interactions import submit_form
from handlers.privacy.own_data import my_data_file
from handlers.status.digest import post_digest
from storage.models import AuditEntry, Base, Input, Member, Person, Process, TeamsReference
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

METTE, ANNA, BO = person("Mette Lund"), person("Anna Holm"), person("Bo Sørensen")
EMIL, FRIDA, GITTE = person("Emil Vestergaard"), person("Frida Juhl"), person("Gitte Møller")
EVERYONE = [METTE, ANNA, BO, EMIL, FRIDA, GITTE]
ODDER = channel("odder", EVERYONE)

EMIL_NAMED = "Husk nattevagterne i modellen."
EMIL_ANONYMOUS = "Visitationen tager for lang tid for borgere med akut behov."
FRIDA_NAMED = "Borgerne skal kunne forberede sig."


@pytest.fixture
def chat(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    """Emil is a co-facilitator who missed the workshop: he plans one, moves the step, gives
    input with his name and anonymously, subscribes and answers the pulse."""
    set_up(deps, ODDER, METTE, step="2", facilitators=[EMIL.user_id])
    workshop = plan(deps, ODDER, METTE, EVERYONE, title="Ny visitationsmodel")
    summarise(deps, ODDER, METTE, workshop, [METTE, ANNA, BO])
    driver = ConsoleDriver(deps, channel="odder", as_name="Emil Vestergaard", export_dir=tmp_path)
    driver.deliver()
    answer(driver, "Emil Vestergaard", EMIL_NAMED, anonymous=False)
    driver.type(
        "/samskab input",
        {"Om": "Forløbet generelt", "Dit input": EMIL_ANONYMOUS, "Vis mit navn?": "Nej, anonymt"},
    )
    driver.type("/samskab abonnér")
    driver.type(
        "/samskab workshop", {"Titel": "Budgetmodellen", "Dato og tidspunkt": "2026-12-09 13:00"}
    )
    driver.type("/samskab trin 3")  # the pulse goes to everyone
    driver.type("/click " + driver.button(driver.received_by("DM til Emil")[-1], "4"))
    answer(driver, "Frida Juhl", FRIDA_NAMED, anonymous=False)
    driver.type("/as Mette Lund")
    listing = driver.type("/samskab bidragene")[0].body
    assert EMIL_NAMED in listing
    number = re.search(r"#(\d+) · [^\n]* · Emil Vestergaard", listing)
    assert number, listing
    driver.type(f"/samskab marker {number.group(1)} brugt Vi tager det med.")
    assert post_digest(deps, process_id(deps), "2026-W48")
    driver.deliver()
    return driver


def answer(chat: ConsoleDriver, who: str, text: str, *, anonymous: bool) -> list[Post]:
    chat.type("/as " + who)
    dm = chat.received_by("DM til " + who)[0]
    return chat.type(
        "/click " + chat.button(dm, "Giv input"),
        {"Dit input": text, "Vis mit navn?": "Nej, anonymt" if anonymous else "Ja, med mit navn"},
    )


def process_id(deps: Deps) -> int:
    with deps.db.transaction() as session:
        return session.scalars(select(Process.id)).one()


def every_value(deps: Deps) -> list[tuple[str, str]]:
    """(table, value as text) for every column of every row of every table, JSON included."""
    found = []
    with deps.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for value in row.values():
                    if value is None:
                        continue
                    text = (
                        json.dumps(value, ensure_ascii=False)
                        if isinstance(value, dict | list)
                        else str(value)
                    )
                    found.append((table.name, text))
    return found


def traces_of(deps: Deps, *needles: str) -> list[tuple[str, str]]:
    folded = [n.casefold() for n in needles]
    return [(t, v) for t, v in every_value(deps) if any(n in v.casefold() for n in folded)]


# --- mydata ------------------------------------------------------------------------------------


def test_mydata_gives_a_person_everything_stored_about_them_privately(
    chat: ConsoleDriver, deps: Deps, tmp_path: Path
) -> None:
    chat.type("/as Emil Vestergaard")
    posts = chat.type("/samskab minedata")
    reply = next(p for p in posts if p.label == "kun til dig")
    assert "Du har fået dine data i en direkte besked." in reply.body
    assert "File saved" in chat.last_text or "Filen er gemt" in chat.last_text

    dm = [p for p in posts if p.label == "DM til Emil Vestergaard"]
    assert len(dm) == 1, "the readable version comes as a DM"
    body = dm[0].body
    for expected in (
        "Dine data i Samskab",
        "Emil Vestergaard",
        "emil-vestergaard",
        "Forløb i odder: facilitator, siden",
        "Ny visitationsmodel (Forløb i odder)",
        "deltog ikke",
        "besvaret; spurgt",
        EMIL_NAMED,
        EMIL_ANONYMOUS,
        "anonymt",
        "med dit navn",
        "Status: brugt · Vi tager det med.",
        "trin 3",
        "4 af 5",
        "Statusopdateringer, du abonnerer på (1)",
        "gav input · ",  # the log in words, not "input.given"
        "Vil du have dine data slettet: /samskab glem-mig.",
    ):
        assert expected in body, expected
    assert "input.given" not in body
    assert not any("Dine data i Samskab" in p.body for p in chat.transcript if p.label[0] == "#")
    assert FRIDA_NAMED not in body, "only his own data"

    [file] = tmp_path.glob("samskab-mydata-*.json")
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["person"] | {"dm_channel": None} == {
        "platform": "console",
        "workspace": "local",
        "user_id": "emil-vestergaard",
        "name": "Emil Vestergaard",
        "locale": None,
        "language": None,
        "dm_channel": None,
    }
    assert [m["role"] for m in data["memberships"]] == ["facilitator"]
    assert [i["attended"] for i in data["workshop_invitations"]] == [False, None]
    assert [r["status"] for r in data["input_requests"]] == ["answered"]
    assert {(i["text"], i["anonymous"], i["status"]) for i in data["inputs"]} == {
        (EMIL_NAMED, False, "used"),
        (EMIL_ANONYMOUS, True, "received"),
    }
    assert [(a["step"], a["score"]) for a in data["pulse_answers"]] == [(3, 4)]
    assert len(data["digest_subscriptions"]) == 1
    actions = [a["action"] for a in data["audit_entries"]]
    assert {"input.given", "digest.subscribed", "workshop.planned", "step.moved"} <= set(actions)
    assert {m["status"] for m in data["messages_to_you"]} == {"sent"}
    assert any("Ny visitationsmodel" in m["text"] for m in data["messages_to_you"])
    assert data["summaries_written"] == [] and data["teams_references"] == []

    # The same file again, as a download link makes it; nothing for someone who is gone.
    with deps.db.transaction() as session:
        emil_id = session.scalars(select(Person.id).where(Person.user_id == EMIL.user_id)).one()
    again = my_data_file(deps, emil_id, "da")
    assert again is not None and again.private and again.ref == f"mydata:{emil_id}"
    assert again.mime_type == "application/json"
    assert file.name == personal_name(again.filename, EMIL.user_id), "the console adds whose"
    assert json.loads(again.content) == data | {
        "audit_entries": json.loads(again.content)["audit_entries"],
        "messages_to_you": json.loads(again.content)["messages_to_you"],
    }
    assert my_data_file(deps, 9999, "da") is None


def test_a_stranger_is_refused_mydata_and_forget_me_and_nothing_is_written(
    chat: ConsoleDriver, deps: Deps
) -> None:
    stranger = person("Ukendt Kollega")
    before = row_counts(deps)
    for command in ("minedata", "mydata", "glem-mig", "forget-me"):
        for where in (ODDER, channel("dm-ukendt")):
            reply = handle_command(deps, stranger, where, command)
            assert reply.message is not None and reply.form is None and reply.attachment is None
            assert reply.message.text == "Jeg har ingen data om dig.", command
    outcome = submit_form(deps, stranger, None, "forget-me", {}, {"confirm": "erase"})
    assert outcome.reply.message is not None
    assert outcome.reply.message.text == "Jeg har ingen data om dig."
    assert row_counts(deps) == before, "nothing was written"
    assert not traces_of(deps, "ukendt-kollega", "Ukendt Kollega")


# --- forget-me ---------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["delete", "anonymous"])
def test_forget_me_leaves_no_trace_of_the_person_in_any_table(
    chat: ConsoleDriver, deps: Deps, choice: str
) -> None:
    # A Teams reference under his user id, as the Teams adapter stores one (so that the erasure
    # of those is shown too).
    remember_members(
        deps.db, "tenant", "https://smba.example/", [{"id": EMIL.user_id}], deps.clock()
    )
    assert traces_of(deps, EMIL.user_id, EMIL.name), "there is something to erase"
    frida_before = _person_rows(deps, FRIDA.user_id)

    chat.type("/as Emil Vestergaard")
    form = chat.type(
        "/samskab glem-mig",
        {
            "Du har givet 1 input med dit navn. Hvad skal der ske med det?": (
                "Slet mine input med navn"
                if choice == "delete"
                else "Behold mine input, uden mit navn"
            )
        },
    )
    text = chat.last_text
    assert "Samskab sletter alt, hvad det har gemt om dig" in text
    assert "Du har givet 1 input med dit navn. Hvad skal der ske med det?" in text
    reply = next(p for p in form if p.label == "kun til dig")
    assert "Dine data er slettet" in reply.body
    assert "1 medlemskab af et forløb" in reply.body
    assert "Skriver du igen i et forløbs kanal, bliver du medlem af forløbet igen." in reply.body
    if choice == "delete":
        assert "1 input med dit navn, slettet" in reply.body
    else:
        assert "2 input bevaret uden forbindelse til dig" in reply.body

    # No trace of him: not his name, not his user id, in any column of any row.
    assert traces_of(deps, EMIL.user_id, EMIL.name, "Vestergaard") == []
    with deps.db.transaction() as session:
        inputs = {i.text: i for i in session.scalars(select(Input))}
        erased = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "person.erased")
        ).one()
        assert erased.actor_person_id is None and erased.process_id is None
        assert json.loads(erased.detail)["memberships"] == 1
        assert session.scalar(select(TeamsReference.id)) is None
    assert inputs[EMIL_ANONYMOUS].anonymous and inputs[EMIL_ANONYMOUS].author_member_id is None
    channel_updates = [p for p in form if p.label.startswith("#odder") and "opdateret" in p.label]
    if choice == "delete":
        assert EMIL_NAMED not in inputs
        assert not traces_of(deps, EMIL_NAMED), "the deleted text is gone from the messages too"
        assert any(
            "(Bidraget er slettet efter ønske fra bidragsyderen)" in p.body for p in channel_updates
        )
    else:
        kept = inputs[EMIL_NAMED]
        assert kept.anonymous and kept.author_member_id is None and kept.status == "used"
        assert any(
            "Input fra en anonym kollega" in p.body and EMIL_NAMED in p.body
            for p in channel_updates
        )

    # His colleagues' data stays as it was.
    assert _person_rows(deps, FRIDA.user_id) == frida_before
    assert not inputs[FRIDA_NAMED].anonymous
    with deps.db.transaction() as session:
        # His membership stays for the record's numbers, as a blank stand-in no one is.
        active = session.scalars(select(Member.id).where(Member.active)).all()
        assert len(active) == len(EVERYONE) - 1
    assert traces_of(deps, "Frida Juhl") != []

    # What he received is gone; his colleagues' channel no longer names him.
    chat.type("/as Mette Lund")
    status = chat.type("/samskab status")[0].body
    assert "Vestergaard" not in status


def _person_rows(deps: Deps, user_id: str) -> dict[str, Any]:
    """A person's row, memberships and inputs, as values."""
    with deps.db.transaction() as session:
        someone = session.scalars(select(Person).where(Person.user_id == user_id)).one()
        members = session.scalars(select(Member).where(Member.person_id == someone.id)).all()
        inputs = session.scalars(
            select(Input).where(Input.author_member_id.in_([m.id for m in members]))
        ).all()
        return {
            "person": (someone.id, someone.name, someone.locale),
            "members": [(m.id, m.role, m.active) for m in members],
            "inputs": [(i.id, i.text, i.anonymous, i.status) for i in inputs],
        }


# --- close -------------------------------------------------------------------------------------


def test_closing_is_for_facilitators_and_stops_new_work_but_keeps_the_record(
    chat: ConsoleDriver, deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat.type("/as Anna Holm")
    before = row_counts(deps)
    refused = chat.type("/samskab luk")
    assert refused[0].body == (
        "Det kan kun forløbets facilitatorer. Facilitatorerne er Mette Lund og Emil Vestergaard."
    )
    assert row_counts(deps) == before

    chat.type("/as Mette Lund")
    posts = chat.type("/samskab luk", {"Luk »Forløb i odder«?": "Ja, luk forløbet"})
    assert "Når »Forløb i odder« lukkes" in chat.last_text
    reply = next(p for p in posts if p.label == "kun til dig")
    assert reply.body == (
        "Forløbet »Forløb i odder« er lukket. Personoplysningerne slettes tirsdag den 23. "
        "november 2027."
    )
    told = next(p for p in posts if p.label == "#odder")
    assert "Forløbet »Forløb i odder« er lukket" in told.body
    assert "slettes tirsdag den 23. november 2027" in told.body
    assert "Lukket af Mette Lund." in told.body

    # No new work: workshops, summaries, input, pulses; and no reminders or digests.
    for command in ("workshop", "referat", "bidrag", "puls", "trin 4", "luk"):
        assert chat.type("/samskab " + command)[0].body == "Forløbet »Forløb i odder« er lukket.", (
            command
        )
    clock.advance(days=8)
    assert send_due_reminders(deps) == 0
    assert not post_digest(deps, process_id(deps), "2026-W49")
    assert chat.deliver() == []

    # The record remains: status and export, and a person's own data.
    assert "Ny visitationsmodel" in chat.type("/samskab status")[0].body
    chat.type("/samskab eksport")
    assert EMIL_NAMED in "".join(p.read_text() for p in tmp_path.glob("*.md"))
    chat.type("/as Emil Vestergaard")
    assert "Du har fået dine data" in chat.type("/samskab minedata")[0].body
    with deps.db.transaction() as session:
        process = session.get(Process, process_id(deps))
        assert process is not None and process.status == "closed"
        assert process.closed_at is not None
        assert process.closed_at == datetime(2026, 11, 23, 9, 0, tzinfo=process.closed_at.tzinfo)
