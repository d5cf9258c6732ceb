"""A summary's input requests are written as rows in one insert (issue 14, memory): each absent
colleague still gets one DM whose buttons answer their own request, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from handlers.context import Deps
from handlers.interactions import press_button
from handlers.messages import Buttons, Message
from storage.models import InputRequest, Member, OutboxMessage, Person
from tests.builders import channel, person, plan, set_up, summarise

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
ABSENT = [person(f"Kollega {i}") for i in range(1, 8)]
ODDER = channel("odder", [METTE, ANNA, *ABSENT])


def _dm_buttons(deps: Deps, user_id: str) -> dict[str, str]:
    """The buttons of the one DM written to `user_id`, action id to value."""
    with deps.db.transaction() as session:
        payloads = session.scalars(
            select(OutboxMessage.payload)
            .join(Person, Person.id == OutboxMessage.person_id)
            .where(Person.user_id == user_id, OutboxMessage.key.like("ask:%"))
        ).all()
    assert len(payloads) == 1, f"{user_id}: {len(payloads)} DMs"
    message = Message.from_json(payloads[0])
    return {
        button.action_id: button.value
        for block in message.blocks
        if isinstance(block, Buttons)
        for button in block.buttons
    }


def _statuses(deps: Deps) -> dict[str, str]:
    with deps.db.transaction() as session:
        rows = session.execute(
            select(Person.user_id, InputRequest.status)
            .join(Member, Member.id == InputRequest.member_id)
            .join(Person, Person.id == Member.person_id)
        ).all()
    return {user_id: status for user_id, status in rows}


def test_each_absent_colleagues_no_input_button_answers_their_own_request(deps: Deps) -> None:
    set_up(deps, ODDER, METTE, step="2")
    held = plan(deps, ODDER, METTE, [METTE, ANNA, *ABSENT], title="Ny visitationsmodel")
    summarise(deps, ODDER, METTE, held, [METTE, ANNA])
    assert _statuses(deps) == {p.user_id: "pending" for p in ABSENT}

    answered: set[str] = set()
    for colleague in reversed(ABSENT):  # not in the order they were written
        buttons = _dm_buttons(deps, colleague.user_id)
        assert buttons["input.request"] == buttons["input.decline"]
        press_button(deps, colleague, "input.decline", buttons["input.decline"])
        answered.add(colleague.user_id)
        assert _statuses(deps) == {
            p.user_id: "declined" if p.user_id in answered else "pending" for p in ABSENT
        }
