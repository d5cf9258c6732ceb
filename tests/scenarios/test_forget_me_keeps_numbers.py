"""`forget-me` erases the person, not the record's numbers: each of their memberships moves to a
blank stand-in, as retention's do, so attendance, reach and the pulse still count them, for
nobody; their name, user id and pulse comment are gone from every table, and the stand-in is
asked nothing and listed nowhere."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from handlers.commands import handle_command
from handlers.context import Deps, PersonRef
from handlers.interactions import press_button, submit_form
from handlers.messages import Message
from handlers.record.export import record_file
from handlers.workshops.summaries import summary_form
from storage.models import (
    AuditEntry,
    InputRequest,
    Member,
    OutboxMessage,
    Person,
    Process,
    Pulse,
    PulseAnswer,
)
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.scenarios.test_privacy import traces_of

METTE, ANNA, BO = person("Mette Lund"), person("Anna Holm"), person("Bo Sørensen")
EMIL, FRIDA = person("Emil Vestergaard"), person("Frida Juhl")
EVERYONE = [METTE, ANNA, BO, EMIL, FRIDA]
ODDER = channel("odder", EVERYONE)
EMILS_COMMENT = "Jeg hører først om det bagefter."
FRIDAS_COMMENT = "Godt med opsamlingen."


def test_forget_me_keeps_attendance_reach_and_pulse_counts_for_nobody(
    deps: Deps, clock: Clock
) -> None:
    """Five invited, two came; Emil was absent, declined to give input and answered the pulse
    with a comment, and is invited to the next workshop. After he is forgotten, the record and
    the status count as before."""
    set_up(deps, ODDER, METTE, step="2")
    held = plan(deps, ODDER, METTE, EVERYONE, title="Ny visitationsmodel")
    summarise(deps, ODDER, METTE, held, [METTE, ANNA])
    coming = plan(deps, ODDER, METTE, EVERYONE, title="Budgetmodellen", when="2026-12-09 13:00")
    press_button(deps, EMIL, "input.decline", str(_request_of(deps, EMIL)))
    handle_command(deps, METTE, ODDER, "puls")
    pulse_id = _pulse_id(deps)
    for answering in (METTE, ANNA, BO):
        press_button(deps, answering, "pulse.answer", f"{pulse_id}:4")
    for who, score, comment in ((FRIDA, "3", FRIDAS_COMMENT), (EMIL, "2", EMILS_COMMENT)):
        commented = submit_form(
            deps,
            who,
            None,
            "pulse.comment",
            {"pulse": str(pulse_id)},
            {"score": score, "comment": comment},
        )
        assert commented.ok, commented.errors

    record, status, before = _record(deps), _status(deps), row_counts(deps)
    for counted in (
        "Deltog: 2 af 5 inviterede",
        "- Spurgt om input: 3 kolleger, der ikke deltog\n",
        "- Har svaret: 1 kollega (0 med input, 1 uden)\n- Har ikke svaret: 2 kolleger\n",
        "(5 af 5)",  # the pulse's answers
        "Inviterede: 5",  # the workshop to come
        EMILS_COMMENT,
    ):
        assert counted in record, counted
    assert "Emil" not in record

    outcome = submit_form(deps, EMIL, None, "forget-me", {}, {"confirm": "erase"})
    assert outcome.ok and outcome.reply.message is not None
    assert "1 medlemskab af et forløb" in outcome.reply.message.text

    # The record counts as before: only his comment is gone, and his invitation to what is to
    # come. The status is the same, word for word.
    assert _record(deps) == record.replace(f"- {EMILS_COMMENT}\n", "").replace(
        "Inviterede: 5", "Inviterede: 4"
    )
    assert _status(deps) == status
    after = row_counts(deps)
    for table in ("people", "members", "input_requests", "pulse_answers"):
        assert after[table] == before[table], table
    assert after["invitations"] == before["invitations"] - 1

    # No trace of him in any column of any table; a blank, inactive stand-in holds his part.
    assert traces_of(deps, EMIL.user_id, EMIL.name, "Vestergaard", EMILS_COMMENT) == []
    with deps.db.transaction() as session:
        stand_in = session.scalars(select(Person).where(Person.name == "")).one()
        assert stand_in.user_id.startswith("erased:") and stand_in.user_id != "erased:"
        assert (stand_in.locale, stand_in.dm_channel) == (None, None)
        membership = session.scalars(select(Member).where(Member.person_id == stand_in.id)).one()
        assert not membership.active and membership.role == "participant"
        answer = session.scalars(select(PulseAnswer).where(PulseAnswer.person_id == stand_in.id))
        assert [(a.score, a.comment) for a in answer] == [(2, None)]
        request = session.scalars(
            select(InputRequest).where(InputRequest.member_id == membership.id)
        ).one()
        assert (request.status, request.next_reminder_at) == ("declined", None)
        erased = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "person.erased")
        ).one()
        assert erased.actor_person_id is None and erased.process_id is None
        detail = json.loads(erased.detail)
        assert detail["memberships"] == 1 and detail["pulse_answers"] == 1
        assert all(isinstance(n, int) for n in detail.values()), "counts only"

    # The stand-in is asked nothing and is no one to choose from.
    clock.advance(days=7)  # at most one pulse a week: the step change a week later brings one
    handle_command(deps, METTE, ODDER, "trin 3")  # a pulse to every active member
    clock.set(datetime(2026, 12, 9, 15, 0, tzinfo=UTC))  # the coming workshop has been held
    form = summary_form(deps, METTE, ODDER, coming).form
    assert form is not None
    assert "" not in {option.label for option in form.fields[0].options}
    with deps.db.transaction() as session:
        assert session.scalars(select(Pulse.asked).order_by(Pulse.id)).all() == [5, 4]
        to_stand_in = select(OutboxMessage.id).where(OutboxMessage.person_id == stand_in.id)
        assert session.scalars(to_stand_in).all() == []


def _request_of(deps: Deps, who: PersonRef) -> int:
    with deps.db.transaction() as session:
        return session.scalars(
            select(InputRequest.id).join(Member).join(Person).where(Person.user_id == who.user_id)
        ).one()


def _pulse_id(deps: Deps) -> int:
    with deps.db.transaction() as session:
        return session.scalars(select(Pulse.id)).one()


def _record(deps: Deps) -> str:
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    attachment = record_file(deps, process_id, "md")
    assert attachment is not None
    return str(attachment.content)


def _status(deps: Deps) -> Message:
    reply = handle_command(deps, METTE, ODDER, "status")
    assert reply.message is not None
    return reply.message
