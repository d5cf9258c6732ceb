"""Dates that cannot mislead: a workshop more than 30 days back is refused (one just held can
still be registered, to write its summary), and a workshop that has not started has no summary."""

from __future__ import annotations

import pytest

from handlers.commands import handle_command
from handlers.context import Deps
from handlers.interactions import submit_form
from handlers.messages import FormValues
from tests.builders import channel, person, plan, row_counts, set_up, summary_values
from tests.conftest import Clock

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
WHERE = channel("odder", [METTE, ANNA])


def planned_at(deps: Deps, when: str) -> dict[str, str]:
    values: FormValues = {
        "track": "1",
        "title": "Visitation",
        "starts_at": when,
        "invitees": [ANNA.user_id],
    }
    return submit_form(deps, METTE, WHERE, "workshop", {}, values).errors


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("da", "Det er mere end 30 dage siden."),
        ("en", "That is more than 30 days ago."),
    ],
)
def test_a_workshop_more_than_30_days_back_is_refused(
    deps: Deps, language: str, message: str
) -> None:
    set_up(deps, WHERE, METTE, language=language)
    before = row_counts(deps)
    assert message in planned_at(deps, "2026-10-20 13:00")["starts_at"]
    assert row_counts(deps) == before
    assert planned_at(deps, "2026-10-26 13:00") == {}, "28 days back: just held, still welcome"


def test_a_workshop_still_to_come_has_no_summary(deps: Deps, clock: Clock) -> None:
    set_up(deps, WHERE, METTE)
    coming = plan(deps, WHERE, METTE, [ANNA], title="Budget", when="2026-11-26 13:00")
    reply = handle_command(deps, METTE, WHERE, "referat")
    assert reply.form is None and reply.message is not None
    assert "»Budget« er ikke holdt endnu (torsdag den 26. november kl. 13:00)" in (
        reply.message.text
    )
    before = row_counts(deps)
    posted = submit_form(
        deps, METTE, WHERE, "summary", {"workshop": coming}, summary_values([METTE])
    )
    assert posted.reply.message is not None
    assert "er ikke holdt endnu" in posted.reply.message.text
    assert row_counts(deps) == before
    clock.set(clock.now.replace(day=26, hour=15))  # it has been held
    assert handle_command(deps, METTE, WHERE, "referat").form is not None
