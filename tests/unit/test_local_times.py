"""A local time that does not exist (the spring-forward hour) or happens twice (the autumn hour)
is refused with a reason, never stored as another time than the one the facilitator wrote."""

from __future__ import annotations

import pytest

from handlers.context import Deps
from handlers.interactions import submit_form
from tests.builders import channel, person, row_counts, set_up

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
WHERE = channel("odder", [METTE, ANNA])


def plan_at(deps: Deps, when: str) -> dict[str, str]:
    outcome = submit_form(
        deps,
        METTE,
        WHERE,
        "workshop",
        {},
        {"track": "1", "title": "Visitation", "starts_at": when, "invitees": [ANNA.user_id]},
    )
    return outcome.errors


@pytest.mark.parametrize(
    ("language", "when", "message"),
    [
        (
            "da",
            "2027-03-28 02:30",
            "Kl. 02:30 den 2027-03-28 findes ikke, fordi urene stilles frem",
        ),
        ("en", "2027-03-28 02:30", "02:30 on 2027-03-28 does not exist, as the clocks go forward"),
        ("da", "2027-10-31 02:30", "Kl. 02:30 den 2027-10-31 findes to gange"),
        ("en", "2027-10-31 02:15", "02:15 on 2027-10-31 happens twice, as the clocks go back"),
    ],
)
def test_a_time_the_clocks_skip_or_repeat_is_refused(
    deps: Deps, language: str, when: str, message: str
) -> None:
    set_up(deps, WHERE, METTE, language=language)
    before = row_counts(deps)
    errors = plan_at(deps, when)
    assert message in errors["starts_at"]
    assert row_counts(deps) == before


@pytest.mark.parametrize("when", ["2027-03-28 03:00", "2027-10-31 03:00", "2027-10-31 01:59"])
def test_the_hours_beside_a_change_are_kept_as_written(deps: Deps, when: str) -> None:
    set_up(deps, WHERE, METTE)
    assert plan_at(deps, when) == {}
