"""Correcting a posted summary in the console: the channel's post and the DMs of colleagues who
have not answered are updated in place and say "Rettet …"; a moved deadline moves the reminders
and reopens what the old one closed; only facilitators may; nobody new is asked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.context import Deps
from handlers.inputs.reminders import send_due_reminders
from handlers.interactions import submit_form
from storage.models import SummaryItem
from tests.builders import channel, person, plan, row_counts, set_up, summarise, summary_values
from tests.conftest import Clock
from tests.console_driver import Answers, ConsoleDriver, Post

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
EMIL, FRIDA = person("Emil Vestergaard"), person("Frida Juhl")
ODDER = channel("odder", [METTE, ANNA, EMIL, FRIDA])
# 14:05 in Copenhagen on the workshop's Monday.
AFTERNOON = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
CORRECTION = {
    "Opsamling": "Vi valgte model B til visitationen.",
    "Beslutninger (én pr. linje)": "Model B afprøves i team Nord",
    "Åbne spørgsmål (én pr. linje)": "Et spørgsmål\nHvem indkalder til mødet?",
    "Spørgsmål til kolleger, der ikke deltog": "Kan du leve med model B?",
    "Frist for input": "2026-12-09",
}


@pytest.fixture
def chat(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    """Ny visitationsmodel, held this morning: Emil and Frida were not there and are asked,
    by Wednesday 2 December."""
    set_up(deps, ODDER, METTE)
    workshop = plan(deps, ODDER, METTE, [METTE, ANNA, EMIL, FRIDA], title="Ny visitationsmodel")
    summarise(deps, ODDER, METTE, workshop, [METTE, ANNA])
    driver = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    driver.deliver()
    return driver


def correct_from_the_list(chat: ConsoleDriver, answers: Answers) -> list[Post]:
    listing = next(p for p in chat.type("/samskab workshopper") if p.label == "kun til dig")
    button = chat.button(listing, "Ret opsamlingen: #1 Ny visitationsmodel")
    return chat.type("/click " + button, answers)


def reminded(posts: list[Post]) -> list[Post]:
    return [p for p in posts if p.label.startswith("DM til ") and "Påmindelse:" in p.body]


def sweep(chat: ConsoleDriver, deps: Deps, clock: Clock, when: datetime) -> list[Post]:
    clock.set(when)
    send_due_reminders(deps)
    return chat.deliver()


def test_the_post_and_the_open_request_are_updated_in_place_and_say_rettet(
    chat: ConsoleDriver, deps: Deps, clock: Clock
) -> None:
    chat.type("/as Frida Juhl")
    chat.type("/click " + chat.button(chat.received_by("DM til Frida Juhl")[0], "Intet input"))
    chat.type("/as Mette Lund")
    clock.set(AFTERNOON)
    before = row_counts(deps)

    posts = correct_from_the_list(chat, CORRECTION)

    told = next(p for p in posts if p.label == "kun til dig")
    assert "Opsamlingen er rettet, og opslaget i kanalen er opdateret." in told.body
    assert "Forespørgslen til 1 kollega, der ikke har svaret endnu, er også opdateret." in told.body
    post = next(p for p in posts if p.label.startswith("#odder"))
    assert post.label == "#odder · opdateret", "the channel's post is updated, not posted again"
    assert "Rettet mandag den 23. november kl. 14:05" in post.body
    assert "Vi valgte model B til visitationen." in post.body
    assert "Model B afprøves i team Nord" in post.body and "En beslutning" not in post.body
    assert "Hvem indkalder til mødet?" in post.body
    assert "Kan du leve med model B?" in post.body
    assert "Input senest onsdag den 9. december." in post.body

    dms = [p for p in posts if p.label.startswith("DM til")]
    assert [p.label for p in dms] == ["DM til Emil Vestergaard · opdateret"], "Frida answered"
    assert "Rettet mandag den 23. november kl. 14:05" in dms[0].body
    assert "Vores spørgsmål til dig: Kan du leve med model B?" in dms[0].body
    assert "Svar senest onsdag den 9. december." in dms[0].body
    assert "Vi valgte model B til visitationen." in dms[0].body
    assert len(chat.received_by("DM til Emil Vestergaard")) == 2, "his DM and its update only"
    after = row_counts(deps)
    assert after["input_requests"] == before["input_requests"], "nobody new is asked"
    assert after["audit_log"] == before["audit_log"] + 1

    # Frida's DM still says she answered: a button pressed there says so.
    chat.type("/as Frida Juhl")
    frida_dm = chat.received_by("DM til Frida Juhl")[0]
    pressed = chat.type("/click " + chat.button(frida_dm, "Giv input"))
    assert "»intet input fra mig«" in pressed[0].body


def test_a_later_deadline_moves_the_reminder(chat: ConsoleDriver, deps: Deps, clock: Clock) -> None:
    clock.set(AFTERNOON)
    correct_from_the_list(chat, {"Frist for input": "2026-12-09"})

    # Monday 30 November was two working days before the old deadline: no reminder now.
    assert reminded(sweep(chat, deps, clock, datetime(2026, 11, 30, 8, 5, tzinfo=UTC))) == []
    # Thursday 3 December, past the old deadline: the request is still open.
    assert reminded(sweep(chat, deps, clock, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))) == []
    # Monday 7 December, two working days before the new one: Emil and Frida are reminded.
    posts = reminded(sweep(chat, deps, clock, datetime(2026, 12, 7, 8, 5, tzinfo=UTC)))
    assert sorted(p.label for p in posts) == ["DM til Emil Vestergaard", "DM til Frida Juhl"]
    assert "Svar senest onsdag den 9. december." in posts[0].body
    chat.type("/as Emil Vestergaard")
    dm = chat.received_by("DM til Emil Vestergaard")[0]
    asked = chat.type(
        "/click " + chat.button(dm, "Giv input"),
        {"Dit input": "Husk nattevagterne.", "Vis mit navn?": "Ja, med mit navn"},
    )
    assert any("Tak for dit input!" in p.body for p in asked), "still open after the old one"


def test_a_request_closed_by_the_old_deadline_opens_again_when_it_moves(
    chat: ConsoleDriver, deps: Deps, clock: Clock
) -> None:
    # Thursday 3 December: the deadline of Wednesday has passed; Emil's request is closed.
    sweep(chat, deps, clock, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    chat.type("/as Emil Vestergaard")
    dm = chat.received_by("DM til Emil Vestergaard")[0]
    assert (
        "Denne forespørgsel er lukket"
        in chat.type("/click " + chat.button(dm, "Giv input"))[0].body
    )

    # Correcting the words only keeps the passed deadline, and the request stays closed.
    chat.type("/as Mette Lund")
    posts = correct_from_the_list(chat, {"Opsamling": "Vi valgte model B."})
    told = next(p for p in posts if p.label == "kun til dig").body
    assert "kan svare igen" not in told and not [p for p in posts if p.label.startswith("DM")]

    # A new deadline in the past is refused beside the field; a later one is taken.
    posts = correct_from_the_list(chat, {"Frist for input": ["2026-12-01", "2026-12-10"]})
    assert "Fristen er overskredet" in chat.last_text
    told = next(p for p in posts if p.label == "kun til dig").body
    assert (
        "2 kolleger, hvis forespørgsler lukkede ved den gamle frist, kan svare igen frem til "
        "torsdag den 10. december." in told
    )
    assert sorted(p.label for p in posts if p.label.startswith("DM")) == [
        "DM til Emil Vestergaard · opdateret",
        "DM til Frida Juhl · opdateret",
    ]
    chat.type("/as Emil Vestergaard")
    form = chat.type(
        "/click " + chat.button(dm, "Giv input"),
        {"Dit input": "Husk nattevagterne.", "Vis mit navn?": "Ja, med mit navn"},
    )
    assert any("Tak for dit input!" in p.body for p in form)


def test_a_correction_before_the_post_went_out_still_ends_corrected(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    set_up(deps, ODDER, METTE)
    workshop = plan(deps, ODDER, METTE, [METTE, ANNA, EMIL], title="Ny visitationsmodel")
    summarise(deps, ODDER, METTE, workshop, [METTE, ANNA])
    # Nothing has been delivered yet (the chat was down) when Mette corrects it.
    values = summary_values([], text="Vi valgte model B.", question="Kan du leve med model B?")
    del values["attendees"]
    outcome = submit_form(deps, METTE, ODDER, "summary.correct", {"summary": "1"}, values)
    assert outcome.ok, outcome.errors

    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    posts = chat.deliver()
    channel_posts = [p for p in posts if "Opsamling fra workshoppen" in p.body]
    assert [p.label for p in channel_posts] == ["#odder", "#odder · opdateret"]
    assert "Vi valgte model B." in channel_posts[-1].body and "Rettet" in channel_posts[-1].body
    emil = [p for p in posts if p.label.startswith("DM til Emil")]
    assert [p.label for p in emil] == [
        "DM til Emil Vestergaard",
        "DM til Emil Vestergaard · opdateret",
    ]
    assert "Kan du leve med model B?" in emil[-1].body


def test_only_a_facilitator_corrects_and_an_unchanged_form_changes_nothing(
    chat: ConsoleDriver, deps: Deps
) -> None:
    chat.type("/as Anna Holm")
    listing = next(p for p in chat.type("/samskab workshopper") if p.label == "kun til dig")
    assert "Ret opsamlingen" not in listing.body, "a participant is not offered the button"
    before = row_counts(deps)
    refused = chat.type("/samskab ret-opsamling 1")
    assert refused[0].body.startswith("Det kan kun forløbets facilitatorer.")
    outcome = submit_form(
        deps, ANNA, ODDER, "summary.correct", {"summary": "1"}, summary_values([])
    )
    assert outcome.reply.message is not None
    assert outcome.reply.message.text.startswith("Det kan kun forløbets facilitatorer.")
    assert row_counts(deps) == before, "nothing changed"

    chat.type("/as Mette Lund")
    missing = chat.type("/samskab ret-opsamling 7")
    assert "7" in missing[0].body and "Ret" not in missing[0].body
    posts = chat.type("/samskab ret-opsamling 1")  # Enter on every field: as posted
    assert posts[0].body == "Du ændrede ikke noget: opsamlingen står, som den blev delt."
    assert row_counts(deps) == before, "nothing changed"


def test_an_unchanged_item_keeps_its_row_and_a_removed_one_goes(
    chat: ConsoleDriver, deps: Deps
) -> None:
    def items() -> dict[str, tuple[int, str]]:
        with deps.db.transaction() as session:
            rows = session.scalars(select(SummaryItem)).all()
            return {row.text: (row.id, row.status) for row in rows}

    kept_id, _ = items()["Et spørgsmål"]
    correct_from_the_list(chat, CORRECTION)
    after = items()
    assert after["Et spørgsmål"] == (kept_id, "open"), "the same row: its status and history stay"
    assert "En beslutning" not in after
    assert after["Hvem indkalder til mødet?"][1] == "open"
    assert after["Model B afprøves i team Nord"][1] == "open"


def test_the_command_asks_which_summary_when_there_are_several(
    chat: ConsoleDriver, deps: Deps, clock: Clock
) -> None:
    other = plan(deps, ODDER, METTE, [METTE, ANNA], title="Budget 2027", when="2026-11-23 09:00")
    summarise(deps, ODDER, METTE, other, [METTE, ANNA], text="Budgettet er lagt.")
    chat.deliver()
    clock.set(AFTERNOON)
    posts = chat.type(
        "/samskab ret-opsamling",
        {"Opsamlingen fra hvilken workshop?": "1", "Opsamling": "Vi valgte model B."},
    )
    assert "Opsamlingen fra hvilken workshop?" in chat.last_text
    assert "#2 Budget 2027 (Visitation, mandag den 23. november)" in chat.last_text
    post = next(p for p in posts if p.label == "#odder · opdateret")
    assert "Budget 2027" in post.body and "Vi valgte model B." in post.body
