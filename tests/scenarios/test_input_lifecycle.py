"""Closing the loop in the console: anonymous input waits until enough colleagues have responded,
facilitators mark what became of each input, the contributor hears it (anonymous ones too,
without anyone learning who they are), and the digest says "Du sagde – vi gjorde"."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from handlers.context import Deps
from handlers.inputs.reminders import send_due_reminders
from handlers.interactions import submit_form
from handlers.status.digest import post_digest
from storage.models import Process
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

METTE = person("Mette Lund")
ATTENDED = [person("Anna Holm"), person("Bo Sørensen")]
EMIL, FRIDA, GITTE = person("Emil Vestergaard"), person("Frida Juhl"), person("Gitte Møller")
ABSENT = [EMIL, FRIDA, GITTE]
ODDER = channel("odder", [METTE, *ATTENDED, *ABSENT])


@pytest.fixture
def chat(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    set_up(deps, ODDER, METTE)
    workshop = plan(deps, ODDER, METTE, [METTE, *ATTENDED, *ABSENT], title="Ny visitationsmodel")
    summarise(deps, ODDER, METTE, workshop, [METTE, *ATTENDED])
    driver = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    driver.deliver()
    return driver


def answer(chat: ConsoleDriver, who: str, text: str, *, anonymous: bool) -> list[Post]:
    chat.type("/as " + who)
    dm = chat.received_by("DM til " + who)[0]
    return chat.type(
        "/click " + chat.button(dm, "Giv input"),
        {"Dit input": text, "Vis mit navn?": "Nej, anonymt" if anonymous else "Ja, med mit navn"},
    )


def input_number(listing: str, author: str) -> str:
    match = re.search(r"#(\d+) · [^\n]* · " + re.escape(author), listing)
    assert match, listing
    return match.group(1)


def channel_text(chat: ConsoleDriver) -> str:
    return "\n".join(p.label + "\n" + p.body for p in chat.transcript if p.label.startswith("#"))


def test_anonymous_input_waits_for_three_and_its_author_is_nowhere(
    chat: ConsoleDriver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    posts = answer(chat, "Emil Vestergaard", "Husk nattevagterne i modellen.", anonymous=True)
    assert not [p for p in posts if p.label.startswith("#")], "one response: it waits"
    assert "når mindst 3 kolleger har svaret" in posts[0].body

    # The facilitator sees nothing of it yet: not in the list, not in the record, not the status.
    chat.type("/as Mette Lund")
    listing = chat.type("/samskab bidragene")[0].body
    assert "nattevagterne" not in listing
    chat.type("/samskab eksport")
    assert "nattevagterne" not in "".join(p.read_text() for p in tmp_path.glob("*.md"))

    posts = answer(chat, "Frida Juhl", "Borgerne skal kunne forberede sig.", anonymous=False)
    assert "Input fra Frida Juhl" in posts[-1].body or any(
        "Input fra Frida Juhl" in p.body for p in posts if p.label.startswith("#")
    )
    assert "nattevagterne" not in channel_text(chat), "two responses: it still waits"

    posts = answer(chat, "Gitte Møller", "Tænk på de pårørende.", anonymous=True)
    shown = [p for p in posts if p.label.startswith("#odder")]
    assert len(shown) == 2, "the third response shows both anonymous inputs at once"
    assert all(
        "i tråden under" in p.label and "Input fra en anonym kollega" in p.body for p in shown
    )

    chat.type("/as Mette Lund")
    listing = chat.type("/samskab bidragene")[0].body
    export = chat.type("/samskab eksport")
    record = "".join(p.read_text() for p in tmp_path.glob("*.md"))
    assert "nattevagterne" in listing and "nattevagterne" in record
    for author in ("Emil", "emil-vestergaard", "Gitte", "gitte-møller"):
        assert author not in channel_text(chat), author
        assert author not in listing, author
        assert author not in record, author
        assert not [r for r in caplog.records if author in r.getMessage()], author
    assert export


def test_a_used_input_reaches_its_contributor_named_and_anonymous(
    chat: ConsoleDriver, deps: Deps, clock: Clock
) -> None:
    answer(chat, "Emil Vestergaard", "Husk nattevagterne i modellen.", anonymous=True)
    answer(chat, "Frida Juhl", "Borgerne skal kunne forberede sig.", anonymous=False)
    chat.type("/as Gitte Møller")
    chat.type("/click " + chat.button(chat.received_by("DM til Gitte Møller")[0], "Intet input"))
    anonymous_post = next(p for p in chat.transcript if "nattevagterne" in p.body)

    # The facilitator presses "Brugt" under the anonymous input and writes a note.
    chat.type("/as Mette Lund")
    clock.advance(days=1)
    posts = chat.type(
        "/click " + chat.button(anonymous_post, "Brugt"),
        {"Note til den, der gav inputtet": "Nattevagten er med i model B."},
    )
    done = posts[0]
    assert done.label == "kun til dig" and "markeret brugt" in done.body
    assert "Emil" not in done.body
    fate = [p for p in posts if p.label == "DM til Emil Vestergaard"]
    assert len(fate) == 1, "the anonymous contributor is told, privately"
    assert "brugt" in fate[0].body and "Nattevagten er med i model B." in fate[0].body
    assert "stadig anonymt" in fate[0].body
    updated = [p for p in posts if p.label.startswith("#odder") and "opdateret" in p.label]
    assert updated and "Status: brugt · Nattevagten er med i model B." in updated[0].body

    # The named one, by typing the command with the number from the list.
    listing = chat.type("/samskab bidragene")[0].body
    number = input_number(listing, "Frida Juhl")
    posts = chat.type(f"/samskab marker {number} ikke-brugt Det ligger uden for budgettet.")
    fate = [p for p in posts if p.label == "DM til Frida Juhl"]
    assert len(fate) == 1 and "ikke brugt" in fate[0].body
    assert "Det ligger uden for budgettet." in fate[0].body

    # The weekly digest: "Du sagde – vi gjorde".
    with deps.db.transaction() as session:
        process_id = session.query(Process.id).scalar()
    assert post_digest(deps, process_id, "2026-W48")
    digest = next(p for p in chat.deliver() if p.label == "#odder")
    assert "Du sagde – vi gjorde" in digest.body
    assert "“Husk nattevagterne i modellen.” → brugt: Nattevagten er med i model B." in digest.body
    assert "→ ikke brugt: Det ligger uden for budgettet." in digest.body
    # Next week's digest tells only what happened since.
    clock.advance(days=7)
    assert post_digest(deps, process_id, "2026-W49")
    digest = next(p for p in chat.deliver() if p.label == "#odder")
    assert "Du sagde – vi gjorde" not in digest.body


def test_marking_is_for_facilitators_of_that_process_with_a_short_note(
    chat: ConsoleDriver, deps: Deps
) -> None:
    answer(chat, "Frida Juhl", "Borgerne skal kunne forberede sig.", anonymous=False)
    post = next(p for p in chat.transcript if "Input fra Frida Juhl" in p.body)

    chat.type("/as Anna Holm")
    before = row_counts(deps)
    refused = chat.type("/click " + chat.button(post, "Brugt"))
    assert refused[0].body == "Det kan kun forløbets facilitatorer. Facilitatoren er Mette Lund."

    chat.type("/as Mette Lund")
    listing = chat.type("/samskab bidragene")[0].body
    number = input_number(listing, "Frida Juhl")
    too_long = chat.type(f"/samskab marker {number} brugt " + "x" * 1001)
    assert too_long[0].body == "Noten må højst være på 1000 tegn."
    wrong = chat.type(f"/samskab marker {number} måske")
    assert "overvejet, brugt eller ikke-brugt" in wrong[0].body
    assert row_counts(deps) == before, "nothing changed"

    # In another process's channel, the number names that process's input: it has none.
    set_up(deps, channel("budget", [METTE]), METTE)
    chat.session.channel_id = "budget"
    before = row_counts(deps)
    other = chat.type(f"/samskab marker {number} brugt")
    assert other[0].body == f"Der er ikke noget input #{number} i dette forløb."
    assert row_counts(deps) == before, "nothing changed"


def test_an_anonymous_input_is_shown_when_the_deadline_has_passed(
    chat: ConsoleDriver, deps: Deps, clock: Clock
) -> None:
    answer(chat, "Emil Vestergaard", "Husk nattevagterne i modellen.", anonymous=True)
    send_due_reminders(deps)
    assert not [p for p in chat.deliver() if "nattevagterne" in p.body]
    # The deadline is Wednesday 2 December; on Thursday it is shown, alone but not at its time.
    clock.set(clock.now.replace(month=12, day=3, hour=9))
    send_due_reminders(deps)
    shown = [p for p in chat.deliver() if p.label.startswith("#odder")]
    assert len(shown) == 1 and "Input fra en anonym kollega" in shown[0].body
    send_due_reminders(deps)
    assert not [p for p in chat.deliver() if p.label.startswith("#odder")], "shown once"


def test_the_threshold_is_the_processs_own_and_at_least_two(deps: Deps, tmp_path: Path) -> None:
    lille = channel("lille", [METTE, *ABSENT])
    refused = submit_form(deps, METTE, lille, "setup", {}, {"name": "Lille", "anonymity": "1"})
    assert refused.errors.get("anonymity"), "fewer than two could point at the author"
    set_up(deps, lille, METTE, anonymity="2")
    workshop = plan(deps, lille, METTE, [METTE, *ABSENT], title="Lille workshop")
    summarise(deps, lille, METTE, workshop, [METTE])
    chat = ConsoleDriver(deps, channel="lille", as_name="Mette Lund", export_dir=tmp_path)
    chat.deliver()
    posts = answer(chat, "Emil Vestergaard", "Husk nattevagterne i modellen.", anonymous=True)
    assert "når mindst 2 kolleger har svaret" in posts[0].body
    assert not [p for p in posts if p.label.startswith("#")]
    chat.type("/as Frida Juhl")
    posts = chat.type(
        "/click " + chat.button(chat.received_by("DM til Frida Juhl")[0], "Intet input")
    )
    assert [p for p in posts if p.label.startswith("#lille") and "nattevagterne" in p.body]


def test_anonymous_input_to_the_process_in_general_waits_for_as_many(chat: ConsoleDriver) -> None:
    def general(who: str, text: str) -> list[Post]:
        chat.type("/as " + who)
        return chat.type("/samskab input", {"Dit input": text, "Vis mit navn?": "Nej, anonymt"})

    assert not [p for p in general("Anna Holm", "Mere tid til borgerne.") if p.label == "#odder"]
    assert not [p for p in general("Bo Sørensen", "Færre møder.") if p.label == "#odder"]
    shown = [p for p in general("Emil Vestergaard", "Bedre vagtplaner.") if p.label == "#odder"]
    assert len(shown) == 3, "the third colleague's input shows all three at once"
    assert all("Input til forløbet fra en anonym kollega" in p.body for p in shown)
    assert [p.body.splitlines()[1] for p in shown] == [
        "Bedre vagtplaner.",
        "Færre møder.",
        "Mere tid til borgerne.",
    ], "in an order that says nothing about who came first"
