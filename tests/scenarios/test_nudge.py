"""Who has not answered, and a nudge, in the console: the facilitator sees privately who was asked
and has not answered (whoever answered anonymously is simply no longer listed), and sends one
extra reminder now: once a day at most, within working hours, the evening's the next working
morning and only to those who still have not answered by then. Members are refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers.context import Deps
from handlers.inputs.reminders import send_due_reminders
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
EMIL, FRIDA, GITTE = person("Emil Vestergaard"), person("Frida Juhl"), person("Gitte Møller")
ODDER = channel("odder", [METTE, ANNA, EMIL, FRIDA, GITTE])
NUDGE = "Facilitatorerne spørger dig igen: dit input tæller stadig."


@pytest.fixture
def chat(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    set_up(deps, ODDER, METTE)
    workshop = plan(deps, ODDER, METTE, [METTE, ANNA, EMIL, FRIDA, GITTE], title="Ny model")
    summarise(deps, ODDER, METTE, workshop, [METTE, ANNA])
    driver = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    driver.deliver()
    return driver


def answer(chat: ConsoleDriver, who: str, *, anonymous: bool) -> None:
    chat.type("/as " + who)
    dm = chat.received_by("DM til " + who)[0]
    how = "Nej, anonymt" if anonymous else "Ja, med mit navn"
    chat.type("/click " + chat.button(dm, "Giv input"), {"Dit input": "Tak.", "Vis mit navn?": how})
    chat.type("/as Mette Lund")


def nudges(posts: list[Post]) -> list[str]:
    """Whom the posts reminded on the facilitators' behalf."""
    return sorted(p.label.removeprefix("DM til ") for p in posts if NUDGE in p.body)


def test_the_facilitator_sees_who_has_not_answered_and_nudges_them_once_a_day(
    chat: ConsoleDriver, clock: Clock
) -> None:
    answer(chat, "Frida Juhl", anonymous=True)

    listing = chat.type("/samskab mangler")[0]
    assert listing.label == "kun til dig"
    assert "Hvem har ikke svaret endnu" in listing.body
    assert "#1 Ny model · svarfrist onsdag den 2. december:" in listing.body
    assert "  • Emil Vestergaard\n  • Gitte Møller\n" in listing.body
    assert "1 af 3, der blev spurgt, har svaret." in listing.body
    for trace in ("Frida", "anonym"):
        assert trace not in listing.body, trace

    clock.advance(hours=2)
    posts = chat.type("/click " + chat.button(listing, "Send en påmindelse nu"))
    assert posts[0].body == "En påmindelse er på vej til: Emil Vestergaard, Gitte Møller."
    assert nudges(posts) == ["Emil Vestergaard", "Gitte Møller"]
    dm = next(p for p in posts if p.label == "DM til Emil Vestergaard")
    assert dm.body.startswith("Påmindelse: Du var ikke med til »Ny model«")
    assert "[" in dm.body and "Giv input" in dm.body, "the buttons to answer come along"

    # A second press the same day sends nothing, and says so.
    clock.advance(hours=3)
    again = chat.type("/click " + chat.button(listing, "Send en påmindelse nu"))
    assert again[0].body == (
        "Ikke påmindet igen, fordi de allerede har fået en påmindelse i dag: "
        "Emil Vestergaard, Gitte Møller."
    )
    assert nudges(again) == []
    assert "  • Emil Vestergaard (påmindet i dag)\n" in chat.type("/samskab mangler")[0].body

    # The next evening at 22:00 it waits for Wednesday morning; Emil answers in the night.
    clock.set(datetime(2026, 11, 24, 21, 0, tzinfo=UTC))
    evening = chat.type("/click " + chat.button(listing, "Send en påmindelse nu"))
    assert evening[0].body == (
        "Det er uden for arbejdstid: påmindelsen sendes onsdag den 25. november kl. 09:00 til: "
        "Emil Vestergaard, Gitte Møller."
    )
    assert nudges(evening) == []
    assert "Gitte Møller (får en påmindelse onsdag den 25. november kl. 09:00)" in (
        chat.type("/samskab mangler")[0].body
    )
    answer(chat, "Emil Vestergaard", anonymous=False)
    clock.set(datetime(2026, 11, 25, 7, 59, tzinfo=UTC))
    send_due_reminders(chat.session.deps)
    assert nudges(chat.deliver()) == [], "not before the working day begins"
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    send_due_reminders(chat.session.deps)
    assert nudges(chat.deliver()) == ["Gitte Møller"], "Emil has answered meanwhile"
    clock.advance(minutes=5)
    send_due_reminders(chat.session.deps)
    assert nudges(chat.deliver()) == [], "once"


def test_after_the_deadline_and_for_a_workshop_without_a_summary_nothing_is_sent(
    chat: ConsoleDriver, deps: Deps, clock: Clock
) -> None:
    plan(deps, ODDER, METTE, [METTE, EMIL], title="Budgetmodel", when="2026-12-07 09:00")
    assert chat.type("/samskab mangler 2")[0].body == (
        "»Budgetmodel« har ingen opsamling endnu, så ingen er blevet bedt om input."
    )
    assert chat.type("/samskab mangler 99")[0].body == "Der er ingen workshop nummer 99."
    only = chat.type("/samskab mangler #1")[0].body
    assert "#1 Ny model" in only and "Gitte Møller" in only

    # Wednesday 2 December at 17:00 is after working hours on the deadline day.
    listing = chat.type("/samskab mangler")[0]
    clock.set(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    before = row_counts(deps)
    late = chat.type("/click " + chat.button(listing, "Send en påmindelse nu"))
    assert late[0].body == (
        "Fristen for input (onsdag den 2. december) er overskredet: "
        "der er ikke sendt nogen påmindelse."
    )
    assert nudges(late) == []
    assert row_counts(deps) == before, "nothing changed"


def test_members_are_refused(chat: ConsoleDriver, deps: Deps) -> None:
    listing = chat.type("/samskab mangler")[0]
    chat.type("/as Anna Holm")
    before = row_counts(deps)
    refused = "Det kan kun forløbets facilitatorer."
    assert chat.type("/samskab mangler")[0].body.startswith(refused)
    pressed = chat.type("/click " + chat.button(listing, "Send en påmindelse nu"))
    assert pressed[0].body.startswith(refused)
    assert nudges(pressed) == []
    assert row_counts(deps) == before, "nothing changed"


def test_everyone_answered(chat: ConsoleDriver) -> None:
    listing = chat.type("/samskab mangler")[0]
    for who in ("Emil Vestergaard", "Frida Juhl", "Gitte Møller"):
        answer(chat, who, anonymous=who == "Frida Juhl")
    assert "Alle, der er blevet bedt om input, har svaret." in chat.type("/samskab mangler")[0].body
    late = chat.type("/click " + chat.button(listing, "Send en påmindelse nu"))
    assert late[0].body == "Alle, der blev spurgt, har svaret: der er ingen at påminde."
    assert nudges(late) == []
