"""A facilitator changes or cancels a planned workshop from `/samskab workshopper` (or with
`/samskab workshop ret 3` / `aflys 3`), in the console: the colleagues concerned hear it in a DM,
the channel in a short post, and a cancelled workshop is gone from every list."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from handlers.context import Deps
from handlers.status.digest import post_digest
from storage.models import AuditEntry, Person, Process
from tests.builders import channel, person, plan, row_counts, set_up, summarise
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

METTE, ANNA, BO, CARL = (
    person("Mette Lund"),
    person("Anna Holm"),
    person("Bo Sørensen"),
    person("Carl Friis"),
)
WHERE = channel("odder", [METTE, ANNA, BO, CARL])
WHEN = "Dato og tidspunkt"
CONFIRM = "Skal workshoppen aflyses?"


def facilitator(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    return ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)


def private(posts: list[Post]) -> Post:
    return next(p for p in posts if p.label.startswith("kun til dig"))


def dms(chat: ConsoleDriver, name: str) -> list[str]:
    return [p.body for p in chat.received_by("DM til " + name)]


def channel_posts(chat: ConsoleDriver) -> list[str]:
    return [p.body for p in chat.transcript if p.label == "#odder"]


def test_a_changed_workshop_is_told_to_the_added_the_removed_and_those_who_remain(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    set_up(deps, WHERE, METTE)
    budget = plan(deps, WHERE, METTE, [METTE, ANNA, BO], title="Budget", when="2026-12-03 13:00")
    chat = facilitator(deps, tmp_path)
    listing = private(chat.type("/samskab workshopper"))
    assert f"Ret: #{budget} Budget" in listing.body and f"Aflys: #{budget} Budget" in listing.body

    # Mette moves it a day, renames it, and invites Carl instead of Bo. The form proposes the
    # workshop as it is; a date more than 30 days back, or one the clocks skip, is refused.
    answered = chat.type(
        "/click " + chat.button(listing, f"Ret: #{budget}"),
        {
            "Titel": "Budget 2027",
            WHEN: ["2026-10-01 10:00", "2027-03-28 02:30", "2026-12-04 14:00"],
            "Inviterede": "Mette Lund, Anna Holm, Carl Friis",
        },
    )
    form = chat.last_text
    assert "Titel [Budget]" in form and "[2026-12-03T13:00]" in form, form
    assert "Inviterede [Anna Holm, Bo Sørensen, Mette Lund]" in form, form
    assert "Det er mere end 30 dage siden." in form
    assert "02:30 den 2027-03-28 findes ikke" in form
    done = private(answered).body
    assert (
        f"Workshop #{budget} er rettet: Budget 2027, fredag den 4. december kl. 14:00, "
        "3 inviterede. 3 kolleger får besked i en direkte besked." in done
    ), done

    # Carl is invited as planning invites; Bo hears it no longer concerns him; Anna, who stays,
    # hears the new time and title; Mette, who made the change, gets nothing.
    (carl,) = dms(chat, "Carl Friis")
    assert "Du er inviteret til en workshop: Budget 2027" in carl
    assert "fredag den 4. december kl. 14:00" in carl and "Inviteret af Mette Lund." in carl
    (bo,) = dms(chat, "Bo Sørensen")
    assert (
        "Du er ikke længere inviteret til »Budget«, torsdag den 3. december kl. 13:00. "
        "Workshoppen vedrører dig ikke længere." in bo
    ), bo
    (anna,) = dms(chat, "Anna Holm")
    assert "»Budget« er ændret" in anna
    assert (
        "Nyt tidspunkt: fredag den 4. december kl. 14:00 (før torsdag den 3. december kl. 13:00)."
        in anna
    )
    assert "Ny titel: »Budget 2027« (før »Budget«)." in anna
    assert dms(chat, "Mette Lund") == []
    changed = [p for p in channel_posts(chat) if "Workshop ændret: Budget 2027" in p]
    assert len(changed) == 1 and "Nyt tidspunkt: fredag den 4. december" in changed[0]

    # The same answers again (a retried submission) change nothing and tell nobody.
    listing = private(chat.type("/samskab workshopper"))
    again = chat.type(
        "/click " + chat.button(listing, f"Ret: #{budget}"),
        {"Inviterede": "Mette Lund, Anna Holm, Carl Friis"},
    )
    assert "Du ændrede ikke noget." in private(again).body
    assert not any(p.label.startswith("DM til") for p in again)

    # A second move later: Anna and Carl (now invited) are both told again.
    clock.advance(hours=2)
    chat.type(f"/samskab workshop ret {budget}", {WHEN: "2026-12-07 09:00"})
    assert len(dms(chat, "Anna Holm")) == 2 and len(dms(chat, "Carl Friis")) == 2
    assert "Nyt tidspunkt: mandag den 7. december kl. 09:00" in dms(chat, "Carl Friis")[1]
    assert len(dms(chat, "Bo Sørensen")) == 1, "no longer invited, no longer told"
    listing = private(chat.type("/samskab workshopper"))
    assert "Budget 2027 · mandag den 7. december kl. 09:00 · planlagt · 3 inviterede" in (
        listing.body
    )


def test_a_cancelled_workshop_is_told_and_then_gone_from_every_list(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    set_up(deps, WHERE, METTE)
    budget = plan(deps, WHERE, METTE, [ANNA, BO], title="Budget 2027", when="2026-12-03 13:00")
    plan(deps, WHERE, METTE, [ANNA], title="Ny visitation", when="2026-12-10 09:00")
    chat = facilitator(deps, tmp_path)
    status = private(chat.type("/samskab status")).body
    assert "2 planlagt" in status and "næste: torsdag den 3. december kl. 13:00" in status
    listing = private(chat.type("/samskab workshopper"))

    # A press by mistake loses nothing: the form asks, and "no" keeps the workshop.
    before = row_counts(deps)
    no = chat.type(
        "/click " + chat.button(listing, f"Aflys: #{budget}"), {CONFIRM: "Nej, behold den"}
    )
    assert "Budget 2027 · torsdag den 3. december kl. 13:00 · 2 inviterede" in chat.last_text
    assert f"Workshop #{budget} er ikke aflyst." in private(no).body
    assert row_counts(deps) == before

    chat.type("/click " + chat.button(listing, f"Aflys: #{budget}"), {CONFIRM: "Ja, aflys den"})
    assert f"Workshop #{budget} »Budget 2027« er aflyst." in chat.last_text
    assert "2 kolleger får besked i en direkte besked." in chat.last_text
    for name in ("Anna Holm", "Bo Sørensen"):
        (dm,) = dms(chat, name)
        assert "Workshoppen »Budget 2027« torsdag den 3. december kl. 13:00 er aflyst." in dm
        assert "Aflyst af Mette Lund." in dm
    assert any("Workshop aflyst: Budget 2027" in p for p in channel_posts(chat))

    # Gone from the list, the status, the digest, the summary form's choice and the record.
    listing = private(chat.type("/samskab workshopper"))
    assert "Budget 2027" not in listing.body and "Ny visitation" in listing.body
    status = private(chat.type("/samskab status")).body
    assert "Budget 2027" not in status and "torsdag den 3. december" not in status
    assert "0 holdt, 1 planlagt · næste: torsdag den 10. december kl. 09:00" in status
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    assert post_digest(deps, process_id, "2026-W48")
    (digest,) = chat.deliver()
    assert "0 holdt, 1 planlagt" in digest.body and "3. december" not in digest.body
    # After the day it would have been held, it is no workshop to write a summary of.
    clock.set(clock.now.replace(day=5, month=12))
    chat.type("/samskab referat")
    assert "Budget 2027" not in chat.last_text and "Ny visitation" in chat.last_text
    assert f"Workshop #{budget} er aflyst." in private(chat.type(f"/samskab referat {budget}")).body

    chat.type("/samskab eksport")
    (record,) = tmp_path.glob("*.md")
    assert "Ny visitation" in record.read_text() and "Budget 2027" not in record.read_text()

    # Mette's own data names what she did; the log keeps which workshop, by id and title.
    chat.type("/samskab mydata")
    assert any("aflyste en workshop" in dm for dm in dms(chat, "Mette Lund"))
    with deps.db.transaction() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "workshop.cancelled")
        ).one()
        by = session.get(Person, entry.actor_person_id)
        assert by is not None and by.name == "Mette Lund"
        kept = {"workshop": int(budget), "title": "Budget 2027"}
        assert kept.items() <= json.loads(entry.detail).items()


def test_a_colleague_who_is_not_a_facilitator_cannot_change_a_workshop(
    deps: Deps, tmp_path: Path
) -> None:
    set_up(deps, WHERE, METTE)
    budget = plan(deps, WHERE, METTE, [ANNA, BO], title="Budget 2027", when="2026-12-03 13:00")
    chat = facilitator(deps, tmp_path)
    listing = private(chat.type("/samskab workshopper"))
    change = chat.button(listing, f"Ret: #{budget}")
    cancel = chat.button(listing, f"Aflys: #{budget}")

    chat.type("/as Anna Holm")
    own = private(chat.type("/samskab workshopper")).body
    assert "Budget 2027" in own and "Ret:" not in own and "[" not in own, "no buttons"
    before = row_counts(deps)
    for pressed in (f"/click {change}", f"/click {cancel}", f"/samskab workshop aflys {budget}"):
        refused = private(chat.type(pressed)).body
        assert "Det kan kun forløbets facilitatorer." in refused, pressed
    assert row_counts(deps) == before
    assert not chat.received_by("DM til")


def test_a_held_workshop_cannot_be_changed_or_cancelled(deps: Deps, tmp_path: Path) -> None:
    set_up(deps, WHERE, METTE)
    held = plan(deps, WHERE, METTE, [ANNA, BO], title="Ny visitation", when="2026-11-20 13:00")
    chat = facilitator(deps, tmp_path)
    listing = private(chat.type("/samskab workshopper"))
    cancel = chat.button(listing, f"Aflys: #{held}")
    summarise(deps, WHERE, METTE, held, [METTE, ANNA])

    refusal = f"Workshop #{held} er holdt, så den kan ikke længere rettes eller aflyses."
    for pressed in (f"/click {cancel}", f"/samskab workshop ret {held}"):
        assert refusal in private(chat.type(pressed)).body, pressed
    listing = private(chat.type("/samskab workshopper"))
    assert "holdt" in listing.body and f"Aflys: #{held}" not in listing.body
    assert (
        "Skriv det som /samskab workshop ret 3" in private(chat.type("/samskab workshop ret")).body
    )
