"""The pulse's limits in the console: the facilitator is told in words whom a step change's pulse
went to, or why none went; at most one pulse a week per process, whatever the steps do; and a
new pulse closes the old one: its unanswered DMs say so in place, and a button pressed on an old
DM gets a clear answer and stores nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from handlers.context import Deps
from storage.models import PulseAnswer
from tests.builders import row_counts
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post
from tests.scenarios.test_pulse import (
    EVERYONE,
    FACILITATOR,
    answer,
    pulse_dms,
    set_up_with_a_held_workshop,
)

# The step change's pulse goes on Wednesday 25 November at 17:00 in Copenhagen.
SENT = "onsdag den 25. november, og der sendes højst én hver 7. dag"
NEXT = "Den næste kan sendes fra onsdag den 2. december kl. 17:00."
CLOSED = "Denne pulsmåling er lukket, fordi der er sendt en nyere."
CLOSED_REFUSAL = CLOSED + " Svar gerne på den i stedet."


def test_a_step_change_says_whom_the_pulse_went_to_and_a_week_holds_the_next_back(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    set_up_with_a_held_workshop(chat, clock)

    posts = chat.type("/samskab trin 3")
    assert _only(posts, "kun til dig").body == (
        "Forløbet er flyttet. Nu: Trin 3 af 6: Udvikle løsninger. "
        "Pulsmålingen er sendt til 8 medlemmer."
    )
    assert sorted(pulse_dms(posts)) == sorted(EVERYONE)

    # Two days later the process moves on: the channel hears of the step, nobody gets a pulse,
    # and the facilitator is told why and when the next can go.
    clock.advance(days=2)
    posts = chat.type("/samskab trin 4")
    assert [p.label for p in posts if p.label.startswith("DM til")] == []
    assert any("Trin 4 af 6" in p.body for p in posts if p.label == "#odder")
    assert _only(posts, "kun til dig").body == (
        "Forløbet er flyttet. Nu: Trin 4 af 6: Teste og implementere løsninger. "
        f"Der er ikke sendt en ny pulsmåling, fordi den seneste blev sendt {SENT}. {NEXT}"
    )

    # `/samskab puls` inside the week: refused with the date, and nothing is written.
    before = row_counts(deps)
    posts = chat.type("/samskab puls")
    assert [(p.label, p.body) for p in posts] == [
        ("kun til dig", f"Den seneste pulsmåling blev sendt {SENT}. {NEXT}")
    ]
    clock.set(datetime(2026, 12, 2, 15, 59, tzinfo=UTC))  # 16:59 in Copenhagen
    posts = chat.type("/samskab puls")
    assert [(p.label, p.body) for p in posts] == [
        ("kun til dig", f"Den seneste pulsmåling blev sendt {SENT}. {NEXT}")
    ]
    assert row_counts(deps) == before

    # A week to the minute after the last one, it goes.
    clock.set(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    posts = chat.type("/samskab puls")
    assert _only(posts, "kun til dig").body == (
        "Pulsmålingen er sendt til 8 medlemmer. "
        "Resultaterne vises i statusopdateringen, når mindst 3 har svaret."
    )
    assert sorted(pulse_dms(posts)) == sorted(EVERYONE)


def test_a_new_pulse_closes_the_old_one_and_its_buttons_store_nothing(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    set_up_with_a_held_workshop(chat, clock)
    first = pulse_dms(chat.type("/samskab trin 3"))
    answer(chat, "Anna Holm", first["Anna Holm"], 4)

    # Eight days later the facilitator asks again.
    clock.advance(days=8)
    chat.type("/as " + FACILITATOR)
    posts = chat.type("/samskab puls")
    assert "Pulsmålingen er sendt til 8 medlemmer." in _only(posts, "kun til dig").body
    second = pulse_dms(posts)
    assert sorted(second) == sorted(EVERYONE)

    # Every old DM still unanswered now says it is closed, in place and without buttons;
    # Anna's, answered, keeps her answer.
    closed = {
        p.label.removeprefix("DM til ").removesuffix(" · opdateret"): p
        for p in posts
        if p.label.endswith(" · opdateret")
    }
    assert sorted(closed) == sorted(name for name in EVERYONE if name != "Anna Holm")
    for name, dm in closed.items():
        assert CLOSED in dm.body, name
        assert "Føler du dig opdateret om, hvor forløbet er?" in dm.body
        assert not re.search(r"\[\d+\]", dm.body), f"{name}'s closed pulse has no buttons"

    # A button on an old DM (a chat that still shows it): a clear answer, nothing stored.
    before = row_counts(deps)
    for name, label in (
        ("Bo Sørensen", "4"),
        ("Anna Holm", "1"),
        ("Bo Sørensen", "Tilføj en kommentar"),
    ):
        chat.type("/as " + name)
        posts = chat.type("/click " + chat.button(first[name], label))
        assert [(p.label, p.body) for p in posts] == [("kun til dig", CLOSED_REFUSAL)], name
    assert row_counts(deps) == before
    with deps.db.transaction() as session:
        scores = session.execute(select(PulseAnswer.pulse_id, PulseAnswer.score)).all()
    assert [score for _, score in scores] == [4], "Anna's answer to the old pulse stands"

    # The new pulse is answered as ever.
    posts = answer(chat, "Bo Sørensen", second["Bo Sørensen"], 3)
    assert "Tak! Dit svar er modtaget: 3 ud af 5." in _only(posts, "kun til dig").body


def _only(posts: list[Post], label: str) -> Post:
    matching = [p for p in posts if p.label.startswith(label)]
    assert len(matching) == 1, f"expected one post to {label!r}, got {posts}"
    return matching[0]
