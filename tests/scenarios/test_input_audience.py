"""Who is asked for input after a workshop, chosen per process in setup: the invitees who did not
attend (the default), or everyone in the channel who did not attend. With the channel, a
colleague who was never invited gets the DM too, and the counts of the status, the welcome DM
and the record count them; an empty re-submission of setup keeps the choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.context import Deps
from handlers.interactions import submit_form
from tests.builders import channel, person
from tests.console_driver import ConsoleDriver, Post

SETUP = {"Forløbets navn": "Odder", "Nuværende trin": "2"}  # the rest as proposed
EVERYONE = "alle i kanalen, der ikke deltog"
INVITED = "inviterede, der ikke deltog (standard)"
WORKSHOP = {
    "Titel": "Visitation",
    "Dato og tidspunkt": "2026-11-23 08:00",
    "Inviterede": "Mette Lund, Anna Holm, Bo Berg",  # Carl Ek is in the channel, not invited
}
SUMMARY = {"Hvem deltog?": "Mette Lund, Anna Holm", "Opsamling": "Kort."}


def chat_in_odder(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join Anna Holm, Bo Berg, Carl Ek")
    return chat


def asked(posts: list[Post]) -> list[str]:
    return sorted(p.label.removeprefix("DM til ") for p in posts if p.label.startswith("DM til "))


@pytest.mark.parametrize(
    ("audience", "dms", "told"),
    [
        (
            None,  # Enter: the proposed default
            ["Bo Berg"],
            "1 kollega, der ikke deltog, er blevet spurgt om input: Bo Berg.",
        ),
        (
            EVERYONE,
            ["Bo Berg", "Carl Ek"],
            "2 kolleger, der ikke deltog, er blevet spurgt om input: Bo Berg, Carl Ek.",
        ),
    ],
    ids=["invited", "channel"],
)
def test_who_is_asked_for_input_follows_the_choice_in_setup(
    deps: Deps, tmp_path: Path, audience: str | None, dms: list[str], told: str
) -> None:
    chat = chat_in_odder(deps, tmp_path)
    chat.type("/samskab opsætning", SETUP | ({"Bed om input fra": audience} if audience else {}))
    chat.type("/samskab workshop", WORKSHOP)
    posts = chat.type("/samskab referat", SUMMARY)
    hint = (
        "Alle i kanalen, der ikke deltog, bliver spurgt om deres input."
        if audience
        else "Inviterede, der ikke deltog, bliver spurgt om deres input."
    )
    assert hint in chat.last_text, "the summary form says who will be asked"
    assert asked(posts) == dms
    assert told in next(p for p in posts if p.label == "kun til dig").body
    carl = [p for p in posts if p.label == "DM til Carl Ek"]
    if audience:
        assert "Du var ikke med til »Visitation«: vi vil gerne høre fra dig" in carl[0].body


def test_with_the_whole_channel_the_counts_count_everyone_asked(deps: Deps, tmp_path: Path) -> None:
    chat = chat_in_odder(deps, tmp_path)
    chat.type("/samskab opsætning", SETUP | {"Bed om input fra": EVERYONE})
    chat.type("/samskab workshop", WORKSHOP)
    posts = chat.type("/samskab referat", SUMMARY)
    carl = next(p for p in posts if p.label == "DM til Carl Ek")
    chat.type("/as Carl Ek")
    chat.type("/click " + chat.button(carl, "Intet input fra mig"))

    chat.type("/as Mette Lund")
    status = chat.type("/samskab status")[0].body
    assert "Spurgt om input: 2 kolleger, der ikke deltog" in status
    assert "Nået: 2 af 2" in status
    assert "Har svaret: 1 kollega (0 med input, 1 uden)" in status
    assert "Har ikke svaret: 1 kollega" in status

    welcome = next(p for p in chat.type("/join Ulla Mortensen") if p.label.startswith("DM til"))
    assert "Spurgt om input: 2 kolleger, der ikke deltog" in welcome.body

    chat.type("/samskab eksport")
    [record] = tmp_path.glob("samskab-export-*.md")
    text = record.read_text(encoding="utf-8")
    assert "Spurgt om input: 2 kolleger, der ikke deltog" in text
    assert "Har svaret: 1 kollega (0 med input, 1 uden)" in text


def test_setup_saved_again_without_touching_the_choice_keeps_it(deps: Deps, tmp_path: Path) -> None:
    chat = chat_in_odder(deps, tmp_path)
    chat.type("/samskab opsætning", SETUP | {"Bed om input fra": EVERYONE})
    # Saved again with Enter everywhere: the form proposes what is stored.
    chat.type("/samskab opsætning")
    assert f"Bed om input fra [{EVERYONE}]: " in chat.last_text
    # A submission that leaves the field out (an older form, a client that sends no value for a
    # field left alone) keeps it too.
    odder = channel("odder", [person("Mette Lund")])
    outcome = submit_form(
        deps,
        person("Mette Lund"),
        odder,
        "setup",
        {},
        {
            "name": "Odder",
            "tracks": "Visitation",
            "step": "2",
            "digest_weekday": "0",
            "digest_time": "09:00",
            "language": "da",
            "timezone": "Europe/Copenhagen",
        },
    )
    assert outcome.ok, outcome.errors
    chat.type("/samskab workshop", WORKSHOP)
    assert asked(chat.type("/samskab referat", SUMMARY)) == ["Bo Berg", "Carl Ek"]

    chat.type("/samskab opsætning", {"Bed om input fra": INVITED})
    chat.type(
        "/samskab workshop",
        WORKSHOP | {"Titel": "Visitation igen", "Dato og tidspunkt": "2026-11-23 09:00"},
    )
    posts = chat.type("/samskab referat", SUMMARY)
    assert asked(posts) == ["Bo Berg"], "the choice changed back: only the invited are asked"


def test_a_whole_channel_asked_is_counted_and_not_all_named(deps: Deps, tmp_path: Path) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    colleagues = [f"Kollega {letter}" for letter in "ABCDEFGHIJKL"]  # twelve
    chat.type("/join " + ", ".join(colleagues))
    chat.type("/samskab opsætning", SETUP | {"Bed om input fra": EVERYONE})
    chat.type("/samskab workshop", WORKSHOP | {"Inviterede": "Mette Lund"})
    posts = chat.type("/samskab referat", SUMMARY | {"Hvem deltog?": "Mette Lund"})
    assert asked(posts) == colleagues, "the writer of the summary is not asked"
    told = next(p for p in posts if p.label == "kun til dig").body
    named = ", ".join(colleagues[:10])
    assert f"12 kolleger, der ikke deltog, er blevet spurgt om input: {named} … og 2 mere." in told
