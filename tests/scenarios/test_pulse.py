"""The pulse in the console: "Føler du dig opdateret om, hvor forløbet er?" to every member at a
step change and on `/samskab puls`, answered with one click, changed with another, a comment
through a form; the results in the digest, split by who attended the last workshop, and only
from three answers."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from handlers.context import Deps
from handlers.interactions import press_button
from handlers.pulse.results import Group, pulse_results
from handlers.status.digest import post_digest
from storage.models import AuditEntry, Process
from tests.builders import person, row_counts
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

FACILITATOR = "Mette Lund"
ATTENDEES = ["Anna Holm", "Bo Sørensen", "Camilla Friis", "Dorte Bach"]
ABSENT = ["Emil Vestergaard", "Frida Juhl", "Gitte Møller"]
EVERYONE = [FACILITATOR, *ATTENDEES, *ABSENT]
QUESTION = "Føler du dig opdateret om, hvor forløbet er?"
SECTION = "Pulsmåling: Føler du dig opdateret om, hvor forløbet er?:"
NOT_YET = "Resultaterne vises, når mindst 3 har svaret."


def set_up_with_a_held_workshop(chat: ConsoleDriver, clock: Clock) -> None:
    """Step 2, and a workshop where the facilitator and four colleagues were, three not."""
    chat.type("/join " + ", ".join(ATTENDEES + ABSENT))
    chat.type(
        "/samskab setup",
        {"Forløbets navn": "Odder – samskabt styring", "Nuværende trin": "2", "Sprog": "Dansk"},
    )
    chat.type(
        "/samskab workshop",
        {
            "Spor": "Visitation",
            "Titel": "Ny visitationsmodel",
            "Dato og tidspunkt": "2026-11-25 13:00",
        },
    )
    clock.set(clock.now.replace(day=25, hour=16))
    posts = chat.type(
        "/samskab referat",
        {
            "Hvem deltog?": ", ".join([FACILITATOR, *ATTENDEES]),
            "Opsamling": "Vi tegnede et første udkast.",
        },
    )
    assert "3 kolleger, der ikke deltog, er blevet spurgt om input" in posts[0].body


def pulse_dms(posts: list[Post]) -> dict[str, Post]:
    """The new pulse DMs among `posts` (not their updates), by recipient."""
    return {
        p.label.removeprefix("DM til "): p
        for p in posts
        if p.label.startswith("DM til ") and "opdateret" not in p.label and QUESTION in p.body
    }


def answer(chat: ConsoleDriver, name: str, dm: Post, score: int) -> list[Post]:
    chat.type("/as " + name)
    return chat.type("/click " + chat.button(dm, str(score)))


def pulse_section(body: str) -> list[str]:
    lines = body.splitlines()
    start = lines.index(SECTION)
    return [line.removeprefix("  • ") for line in lines[start + 1 :] if line.startswith("  • ")]


def status(chat: ConsoleDriver) -> str:
    chat.type("/as " + FACILITATOR)
    posts = chat.type("/samskab status")
    assert len(posts) == 1 and posts[0].label == "kun til dig"
    return posts[0].body


def test_pulse_at_a_step_change_and_on_command_with_results_in_the_digest(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    set_up_with_a_held_workshop(chat, clock)

    # The step change: every member gets the question as a DM, with five buttons and a comment.
    posts = chat.type("/samskab trin 3")
    first = pulse_dms(posts)
    assert sorted(first) == sorted(EVERYONE)
    for dm in first.values():
        assert "Forløbet er gået videre til Trin 3 af 6: Udvikle løsninger." in dm.body
        assert "Svar med ét klik: 1 = slet ikke, 5 = i høj grad." in dm.body
        for score in range(1, 6):
            chat.button(dm, str(score))
        chat.button(dm, "Tilføj en kommentar")
        assert "først når mindst 3 har svaret" in dm.body

    # One click answers; the DM is updated to say so, and that the answer can be changed.
    posts = answer(chat, "Anna Holm", first["Anna Holm"], 3)
    reply = _only(posts, "kun til dig")
    assert "Tak! Dit svar er modtaget: 3 ud af 5." in reply.body
    updated = _only(posts, "DM til Anna Holm · opdateret")
    assert "✅ Tak, dit svar er modtaget: 3 ud af 5." in updated.body
    assert "Du kan ændre det ved at klikke på et andet tal." in updated.body
    answer(chat, "Bo Sørensen", first["Bo Sørensen"], 3)

    # Two answers: no numbers yet.
    assert pulse_section(status(chat)) == ["Sendt onsdag den 25. november", NOT_YET]

    # Emil clicks 4, then changes his mind: the second click changes the answer.
    answer(chat, "Emil Vestergaard", first["Emil Vestergaard"], 4)
    posts = answer(chat, "Emil Vestergaard", first["Emil Vestergaard"], 2)
    assert "Tak! Dit svar er modtaget: 2 ud af 5." in _only(posts, "kun til dig").body
    assert "2 ud af 5" in _only(posts, "DM til Emil Vestergaard · opdateret").body

    # Frida answers through the comment form: too long first, then accepted.
    chat.type("/as Frida Juhl")
    posts = chat.type(
        "/click " + chat.button(first["Frida Juhl"], "Tilføj en kommentar"),
        {"Dit svar": "3", "Kommentar": ["x" * 1001, "Jeg hører mest om det på gangen."]},
    )
    assert "Kommentar: For langt: 1001 tegn, højst 1000." in chat.last_text
    assert "Tak! Dit svar og din kommentar er modtaget." in _only(posts, "kun til dig").body
    updated = _only(posts, "DM til Frida Juhl · opdateret")
    assert "3 ud af 5" in updated.body and "Din kommentar er også modtaget." in updated.body
    chat.button(updated, "Ret din kommentar")

    # Four answers (3, 3, 2, 3): an average, but each group has only two, so no split numbers.
    assert pulse_section(status(chat)) == [
        "Sendt onsdag den 25. november",
        "Gennemsnit: 2,8 ud af 5",
        "Svarprocent: 50\xa0% (4 af 8)",
        "Deltog i »Ny visitationsmodel«: vises fra 3 svar",
        "Deltog ikke: vises fra 3 svar",
    ]

    # Only facilitators can send a pulse; nothing is written when someone else tries.
    chat.type("/as Anna Holm")
    before = row_counts(deps)
    posts = chat.type("/samskab puls")
    assert posts[0].label == "kun til dig"
    assert "Det kan kun forløbets facilitatorer." in posts[0].body
    assert row_counts(deps) == before

    # A week later the facilitator asks again.
    clock.advance(days=7)
    chat.type("/as " + FACILITATOR)
    posts = chat.type("/samskab puls")
    assert "Pulsmålingen er sendt til 8 medlemmer." in _only(posts, "kun til dig").body
    second = pulse_dms(posts)
    assert sorted(second) == sorted(EVERYONE)
    assert "Facilitatorerne vil gerne vide, om informationen når ud til alle." in (
        second["Gitte Møller"].body
    )

    answer(chat, "Anna Holm", second["Anna Holm"], 5)
    answer(chat, "Emil Vestergaard", second["Emil Vestergaard"], 2)
    # The newest pulse has two answers: no numbers, though the one before had them.
    assert pulse_section(status(chat)) == ["Sendt onsdag den 2. december", NOT_YET]

    for name, score in (
        ("Bo Sørensen", 4),
        ("Camilla Friis", 4),
        ("Frida Juhl", 3),
        ("Gitte Møller", 2),
    ):
        answer(chat, name, second[name], score)

    # The scheduled digest in the channel: average, response rate, change, and the split.
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    assert post_digest(deps, process_id, "2026-W49")
    digest = _only(chat.deliver(), "#odder")
    assert pulse_section(digest.body) == [
        "Sendt onsdag den 2. december",
        "Gennemsnit: 3,3 ud af 5 (+0,5 siden sidste måling)",
        "Svarprocent: 75\xa0% (6 af 8)",
        "Deltog i »Ny visitationsmodel«: 4,3 (3 svar)",
        "Deltog ikke: 2,3 (3 svar)",
    ]
    assert pulse_section(status(chat)) == pulse_section(digest.body)

    # The same numbers for the process's record (the export), with the comments.
    with deps.db.transaction() as session:
        process = session.get(Process, process_id)
        assert process is not None
        first_result, second_result = pulse_results(session, process)
    assert (first_result.answered, first_result.average, first_result.change) == (4, 2.8, None)
    assert first_result.comments == ("Jeg hører mest om det på gangen.",)
    assert (second_result.asked, second_result.answered, second_result.change) == (8, 6, 0.5)
    assert second_result.attended == Group(3, 4.3) and second_result.absent == Group(3, 2.3)
    assert second_result.workshop == "Ny visitationsmodel" and not second_result.comments

    # The audit log knows that people answered, never what they answered.
    with deps.db.transaction() as session:
        details = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action.like("pulse.%"))
        ).all()
    assert details and all("score" not in json.loads(d) for d in details)


def test_answers_from_those_not_asked_or_malformed_are_refused(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    set_up_with_a_held_workshop(chat, clock)
    dm = pulse_dms(chat.type("/samskab trin 3"))["Emil Vestergaard"]

    # Hans joins after the pulse was sent: it was not sent to him.
    chat.type("/as Hans Kjær")
    before = row_counts(deps)
    posts = chat.type("/click " + chat.button(dm, "4"))
    assert posts[0].label == "kun til dig"
    assert "Denne pulsmåling er ikke sendt til dig." in posts[0].body
    posts = chat.type("/click " + chat.button(dm, "Tilføj en kommentar"))
    assert "Denne pulsmåling er ikke sendt til dig." in posts[0].body

    # A button value that is not "<pulse>:<1–5>".
    emil = person("Emil Vestergaard")
    for value in ("x:4", "1:6", "1", ""):
        reply = press_button(deps, emil, "pulse.answer", value)
        assert reply.message is not None
        assert "Det er ikke et svar på pulsmålingen: vælg et tal fra 1 til 5." in (
            reply.message.text
        )
    assert row_counts(deps) == before


def _only(posts: list[Post], label: str) -> Post:
    matching = [p for p in posts if p.label.startswith(label)]
    assert len(matching) == 1, f"expected one post to {label!r}, got {posts}"
    return matching[0]
