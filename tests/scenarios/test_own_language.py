"""A person chooses their own language (`/samskab sprog en`): what is written to them follows it,
replies and DMs alike, while the channel's posts stay in the process's language. `sprog` alone
says what applies; a language Samskab does not speak is refused; `mydata` shows the choice and
`forget-me` erases it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from handlers.context import Deps
from handlers.inputs.reminders import send_due_reminders
from handlers.status.digest import post_digest
from storage.models import Process
from tests.builders import row_counts
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

SETUP = {"Forløbets navn": "Odder", "Nuværende trin": "2"}  # a Danish process
WORKSHOP = {"Titel": "Visitation", "Dato og tidspunkt": "2026-11-23 08:00"}  # all invited
SUMMARY = {"Hvem deltog?": "Mette Lund", "Opsamling": "Kort."}
HOW_TO_CHANGE = (
    "To change it, write /samskab language da for Danish or /samskab language en for English."
)


def chat_in_odder(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    chat.type("/join Anna Holm, Bo Berg")
    chat.type("/samskab opsætning", SETUP)
    return chat


def only(posts: list[Post], label: str) -> Post:
    [post] = [p for p in posts if p.label == label]
    return post


def test_after_choosing_english_replies_and_dms_are_english_and_the_channel_danish(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = chat_in_odder(deps, tmp_path)
    chat.type("/as Anna Holm")
    assert only(chat.type("/samskab sprog"), "kun til dig").body == (
        "Samskab skriver til dig på dansk; du har ikke selv valgt et sprog. "
        "Skift med /samskab sprog da for dansk eller /samskab sprog en for engelsk."
    )
    assert only(chat.type("/samskab sprog en"), "kun til dig").body == (
        "Samskab now writes to you in English. "
        "Posts in the channel stay in Danish, the process's language."
    )
    assert only(chat.type("/samskab language"), "kun til dig").body == (
        "You have chosen English, so Samskab writes to you in English. " + HOW_TO_CHANGE
    )
    status = only(chat.type("/samskab status"), "kun til dig").body
    assert "Where are we in the process? Odder" in status
    assert "Step 2 of 6: Identify, investigate and prioritise the challenges" in status
    assert "You will get the status update as a direct message too" in (
        only(chat.type("/samskab abonnér"), "kun til dig").body
    )

    # After a workshop both missed: Anna's DM in English, Bo's in Danish, the post in Danish.
    chat.type("/as Mette Lund")
    chat.type("/samskab workshop", WORKSHOP)
    posts = chat.type("/samskab referat", SUMMARY)
    assert "Opsamling fra workshoppen: Visitation" in only(posts, "#odder").body
    anna = only(posts, "DM til Anna Holm")
    assert "You were not at “Visitation”: we would like your input" in anna.body
    assert "Du var ikke med til »Visitation«" in only(posts, "DM til Bo Berg").body

    # The digest: the channel's in Danish, the one she subscribed to in English.
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    assert post_digest(deps, process_id, "2026-W48")
    posts = chat.deliver()
    assert "Status på forløbet — hvor er vi? Odder" in only(posts, "#odder").body
    assert "Where are we in the process? Odder" in only(posts, "DM til Anna Holm").body

    # Two working days before the deadline, the reminders; then a pulse.
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    send_due_reminders(deps)
    posts = chat.deliver()
    assert "Reminder: You were not at “Visitation”" in only(posts, "DM til Anna Holm").body
    assert "Påmindelse: Du var ikke med til »Visitation«" in only(posts, "DM til Bo Berg").body
    posts = chat.type("/samskab puls")
    assert "Do you feel up to date on where the process stands?" in (
        only(posts, "DM til Anna Holm").body
    )
    assert "Føler du dig opdateret om, hvor forløbet er?" in only(posts, "DM til Bo Berg").body

    # She answers through the DM's buttons: the DM, updated, in English.
    chat.type("/as Anna Holm")
    posts = chat.type("/click " + chat.button(anna, "No input from me"))
    assert "You answered “no input from me”" in only(posts, "DM til Anna Holm · opdateret").body


def test_a_language_samskab_does_not_speak_is_refused_in_the_persons_language(
    deps: Deps, tmp_path: Path
) -> None:
    chat = chat_in_odder(deps, tmp_path)
    chat.type("/as Bo Berg")
    before = row_counts(deps)
    assert only(chat.type("/samskab sprog fransk"), "kun til dig").body == (
        "»fransk« er ikke et sprog, Samskab kan. "
        "Skriv /samskab sprog da for dansk eller /samskab sprog en for engelsk."
    )
    assert row_counts(deps) == before, "nothing is written"
    chat.type("/samskab sprog english")
    assert only(chat.type("/samskab sprog tysk"), "kun til dig").body == (
        "“tysk” is not a language Samskab speaks. "
        "Write /samskab language da for Danish or /samskab language en for English."
    )
    # Back to Danish: the process's own language, now chosen.
    assert only(chat.type("/samskab sprog da"), "kun til dig").body == (
        "Samskab skriver nu til dig på dansk."
    )


def test_mydata_shows_the_chosen_language_and_forget_me_erases_it(
    deps: Deps, tmp_path: Path
) -> None:
    chat = chat_in_odder(deps, tmp_path)
    chat.type("/as Anna Holm")
    chat.type("/samskab sprog en")
    posts = chat.type("/samskab minedata")
    readable = only(posts, "DM til Anna Holm").body
    assert "Language you chose: English" in readable
    assert "chose a language · " in readable
    [file] = tmp_path.glob("samskab-mydata-*.json")
    assert json.loads(file.read_text(encoding="utf-8"))["person"]["language"] == "en"

    chat.type("/samskab glem-mig", {"Erase your data?": "Yes, erase my data"})
    assert only(chat.type("/samskab sprog"), "kun til dig").body.startswith(
        "Samskab skriver til dig på dansk; du har ikke selv valgt et sprog."
    )
