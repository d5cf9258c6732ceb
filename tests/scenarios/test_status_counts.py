"""The status counts one thing per line and says which: colleagues asked, reached, answered
(split into with and without input, adding up) and not answered, in Danish and English; an empty
process says so in words. Decisions and open questions stay in the status after a digest, grouped
by track, newest first and cut visibly; the digest marks those new since the last one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.console.render import render_text
from handlers.context import Deps, PersonRef
from handlers.interactions import press_button, submit_form
from handlers.messages import Message
from handlers.process.membership import member_joined
from handlers.record.export import record_file
from handlers.status.digest import post_digest
from handlers.status.overview import show_status
from storage.models import InputRequest, Member, OutboxMessage, Person, Process, Workshop
from tests.builders import channel, person, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver

METTE, ANNA, BO = person("Mette Lund"), person("Anna Holm"), person("Bo Sørensen")
EMIL, FRIDA, GITTE = person("Emil Vestergaard"), person("Frida Juhl"), person("Gitte Møller")
EVERYONE = [METTE, ANNA, BO, EMIL, FRIDA, GITTE]
HANS = person("Hans Kjær")
ODDER = channel("odder", EVERYONE)


def plan_on(deps: Deps, track: str, invitees: list[PersonRef], title: str, when: str) -> str:
    """A workshop on the named track (tests.builders.plan plans on the first)."""
    with deps.db.transaction() as session:
        process = session.scalars(select(Process)).one()
        track_id = next(t.id for t in process.tracks if t.name == track)
    outcome = submit_form(
        deps,
        METTE,
        ODDER,
        "workshop",
        {},
        {
            "track": str(track_id),
            "title": title,
            "starts_at": when,
            "invitees": [p.user_id for p in invitees],
        },
    )
    assert outcome.ok, outcome.errors
    with deps.db.transaction() as session:
        return str(session.scalar(select(func.max(Workshop.id))))


def status(deps: Deps) -> str:
    message = show_status(deps, METTE, ODDER).message
    assert message is not None
    return render_text(message)


def digest(deps: Deps, period: str) -> str:
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    assert post_digest(deps, process_id, period)
    with deps.db.transaction() as session:
        payload = session.scalars(
            select(OutboxMessage.payload).where(
                OutboxMessage.key == f"digest:{process_id}:{period}"
            )
        ).one()
    return render_text(Message.from_json(payload))


def request_of(deps: Deps, who: PersonRef, workshop: str) -> str:
    with deps.db.transaction() as session:
        requests = session.scalars(
            select(InputRequest).join(Member).join(Person).where(Person.user_id == who.user_id)
        ).all()
        return str(next(r.id for r in requests if str(r.summary.workshop_id) == workshop))


def section(text: str, title: str) -> list[str]:
    """The bullets under a list's title, as the console shows them."""
    lines = text.splitlines()
    start = lines.index(title + ":") + 1
    items = []
    for line in lines[start:]:
        if not line.startswith("  • "):
            break
        items.append(line.removeprefix("  • "))
    return items


COUNTS = {
    "da": [
        "Input modtaget: 1 input",
        "Spurgt om input: 3 kolleger, der ikke deltog",
        "Nået: 3 af 3",
        "Har svaret: 2 kolleger (1 med input, 1 uden)",
        "Har ikke svaret: 1 kollega",
    ],
    "en": [
        "Input received: 1 input",
        "Asked for input: 3 colleagues who did not attend",
        "Reached: 3 of 3",
        "Have answered: 2 colleagues (1 with input, 1 without)",
        "Have not answered: 1 colleague",
    ],
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_each_line_counts_colleagues_and_the_answered_add_up(
    deps: Deps, clock: Clock, tmp_path: Path, language: str
) -> None:
    """Three colleagues missed a workshop; Emil missed a second one too. Emil gives input on the
    first and has none on the second, Frida has none, Gitte does not answer: four requests, three
    colleagues, two of whom answered (one with input, one without)."""
    set_up(deps, ODDER, METTE, language=language)
    first = plan_on(deps, "Visitation", EVERYONE, "Ny visitationsmodel", "2026-11-23 08:00")
    summarise(deps, ODDER, METTE, first, [METTE, ANNA, BO])
    second = plan_on(deps, "Budget", [METTE, ANNA, EMIL], "Budgetmodellen", "2026-11-23 09:00")
    summarise(deps, ODDER, METTE, second, [METTE, ANNA])
    ConsoleDriver(deps, channel="odder", as_name=METTE.name, export_dir=tmp_path).deliver()

    given = submit_form(
        deps,
        EMIL,
        None,
        "input",
        {"request": request_of(deps, EMIL, first)},
        {"text": "Lad os prøve det i team Nord først.", "anonymous": "named"},
    )
    assert given.ok, given.errors
    press_button(deps, EMIL, "input.decline", request_of(deps, EMIL, second))
    press_button(deps, FRIDA, "input.decline", request_of(deps, FRIDA, first))

    shown = status(deps)
    counted = [line for line in shown.splitlines() if line.split(":")[0] in _labels(language)]
    assert counted == COUNTS[language]
    # The same lines, by the same function, in the digest.
    posted = digest(deps, "2026-W48").splitlines()
    assert [line for line in COUNTS[language][1:] if line not in posted] == []
    # And in the welcome DM of a colleague who joins now.
    assert member_joined(deps, ODDER, HANS)
    with deps.db.transaction() as session:
        payload = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.key.like("welcome:%"))
        ).one()
    welcome = render_text(Message.from_json(payload)).splitlines()
    assert [line for line in COUNTS[language] if line not in welcome] == []
    # The record words each summary's reach the same way: Emil, Frida and Gitte on the first.
    record = record_file(deps, 1, "md")
    assert record is not None
    assert "\n".join("- " + line for line in COUNTS[language][1:]) in record.content


def _labels(language: str) -> set[str]:
    return {line.split(":")[0] for line in COUNTS[language]}


@pytest.mark.parametrize(
    ("language", "nobody", "no_input"),
    [
        ("da", "Ingen er spurgt om input endnu.", "Input modtaget: intet endnu"),
        ("en", "Nobody has been asked for input yet.", "Input received: none yet"),
    ],
)
def test_an_empty_process_says_so_in_words(
    deps: Deps, language: str, nobody: str, no_input: str
) -> None:
    set_up(deps, ODDER, METTE, language=language)
    before = row_counts(deps)
    shown = status(deps)
    assert nobody in shown.splitlines()
    assert no_input in shown.splitlines()
    assert " 0 " not in shown and "0 af 0" not in shown and "0 of 0" not in shown
    assert row_counts(deps) == before


def test_decisions_stay_after_a_digest_grouped_by_track_newest_first_and_new_ones_marked(
    deps: Deps, clock: Clock
) -> None:
    set_up(deps, ODDER, METTE)
    first = plan_on(deps, "Visitation", EVERYONE, "Bøvl i visitationen", "2026-11-23 08:00")
    summarise(
        deps,
        ODDER,
        METTE,
        first,
        [METTE, ANNA],
        decisions="Fælles opstartsmøde\nBestillingen i borgerens ord",
        open_questions="Hvem indkalder?",
    )
    assert digest(deps, "2026-W48")

    clock.advance(days=7)
    budget = plan_on(deps, "Budget", EVERYONE, "Budgetmodellen", "2026-11-30 08:00")
    summarise(deps, ODDER, METTE, budget, [METTE, ANNA], decisions="Rammebudget pr. team")
    clock.advance(hours=2)
    again = plan_on(deps, "Visitation", EVERYONE, "Visitation igen", "2026-11-30 09:00")
    summarise(
        deps,
        ODDER,
        METTE,
        again,
        [METTE, ANNA],
        decisions="Visitation på 14 dage\nÉt skema\nKortere afgørelser\nFælles mål",
        open_questions="",
    )

    # The status still shows the decisions from before the digest: per track in the process's
    # order, newest first (a summary's in their written order), five a track and the rest counted.
    shown = status(deps)
    assert section(shown, "Beslutninger indtil nu · Visitation") == [
        "Visitation på 14 dage (ny)",
        "Ét skema (ny)",
        "Kortere afgørelser (ny)",
        "Fælles mål (ny)",
        "Fælles opstartsmøde",
        "… og 1 mere",
    ]
    assert section(shown, "Beslutninger indtil nu · Budget") == ["Rammebudget pr. team (ny)"]
    assert section(shown, "Åbne spørgsmål indtil nu · Visitation") == ["Hvem indkalder?"]
    assert shown.index("· Visitation") < shown.index("· Budget")

    # The digest shows the same lists and marks what is new since the last digest.
    posted = digest(deps, "2026-W49")
    assert section(posted, "Beslutninger indtil nu · Visitation")[0] == "Visitation på 14 dage (ny)"
    assert "Fælles opstartsmøde" in section(posted, "Beslutninger indtil nu · Visitation")
    assert section(posted, "Åbne spørgsmål indtil nu · Visitation") == ["Hvem indkalder?"]

    # After that digest nothing is new, and everything is still there.
    clock.advance(hours=1)
    later = status(deps)
    assert "(ny)" not in later
    assert section(later, "Beslutninger indtil nu · Budget") == ["Rammebudget pr. team"]
