"""The bøvl round's support and results in the console: 30 colleagues, 25 bøvl (some anonymous,
one merged), voting opened with 3 dots each, dots given, changed, refused beyond the limit and
replayed; voting closed by the scheduler's job at the deadline; the ranked results in Danish with
the small group hidden; one challenge becoming a track, and its fate told to whoever wrote it.

And the leaks ruled out: before the close, no count of support reaches the board, /samskab
status, the digest, the export, mydata or the audit log, and nothing anywhere says who supported
what."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from handlers.commands import handle_command
from handlers.context import Deps
from handlers.i18n import Translator
from handlers.interactions import press_button, submit_form
from handlers.people import process_for_channel
from handlers.status.overview import compose_status
from schedules.jobs import Runtime, run_hassle_closing
from storage.models import (
    AuditEntry,
    HassleBallot,
    HassleItem,
    HassleRound,
    OutboxMessage,
    Track,
)
from tests.builders import (
    add_hassle,
    channel,
    person,
    set_up,
    start_hassle_round,
    with_ballot_key,
)
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

FACILITATOR = "Mette Lund"
ATTENDED = ["Anna Holm", "Bo Sørensen", "Camilla Friis", "Dorte Bach"]
OTHERS = [
    "Emil Vestergaard", "Frida Juhl", "Gitte Møller", "Hans Kruse", "Ida Lund", "Jens Berg",
    "Karen Dahl", "Lars Winther", "Maja Krogh", "Niels Bech", "Ole Storm", "Pia Holt",
    "Rasmus Due", "Sofie Lind", "Thomas Ravn", "Ulla Mose", "Vibeke Kjær", "Søren Eriksen",
    "Birgitte Hald", "Kasper Nørgaard", "Lone Frost", "Mads Vinther", "Nina Brandt",
    "Peter Skov", "Rikke Schou",
]  # fmt: skip
EVERYONE = [FACILITATOR, *ATTENDED, *OTHERS]  # 30
CHANNEL = "bovl"
TITLES = [
    "Dobbeltregistrering i journalen", "For mange møder uden dagsorden", "Langsom IT om morgenen",
    "Vagtplanen kommer for sent", "Uklare roller i teamet", "Mangel på vikarer",
    "Bilerne er altid booket", "Skemaer der spørger om det samme", "Ingen tid til sparring",
    "Nøgler der forsvinder", "Printeren virker sjældent", "Lange svartider fra visitationen",
    "For mange mails", "Uklar prioritering af opgaver", "Kompetenceudvikling bliver aflyst",
    "Dårlig mobildækning i området", "Telefonkøen om fredagen", "Indkøb tager for lang tid",
    "Ingen fælles kalender", "Møder der kunne være en mail", "Nye regler hver måned",
    "Svært at finde procedurer", "Støj i kontorlandskabet", "Parkering ved plejecentret",
    "Vikarer kender ikke borgerne",
]  # fmt: skip
ANONYMOUS = {20, 21, 22, 23, 24}  # by index in TITLES: written by five colleagues anonymously


def _items(deps: Deps) -> dict[str, HassleItem]:
    """Every bøvl by title, as stored."""
    with deps.db.transaction() as session:
        return {i.title: i for i in session.scalars(select(HassleItem))}


def dots(deps: Deps, name: str, round_id: str, refs: list[str]) -> dict[str, str]:
    """A submission of the dots form as a platform sends it; the errors, if any."""
    outcome = submit_form(
        deps, person(name), None, "hassle.dots", {"round": round_id}, {"items": refs}
    )
    return outcome.errors


def _only(posts: list[Post], label: str) -> Post:
    found = [p for p in posts if p.label == label]
    assert len(found) == 1, [p.label for p in posts]
    return found[0]


def _collecting_round(deps: Deps, chat: ConsoleDriver, clock: Clock) -> str:
    """A held workshop (the facilitator and ATTENDED were there), a round started, 25 bøvl
    added (five anonymously), #20 merged into #2."""
    chat.type("/join " + ", ".join(EVERYONE[1:]))
    chat.type(
        "/samskab setup",
        {
            "Forløbets navn": "Høje-Taastrup – hverdagens bøvl",
            "Nuværende trin": "2",
            "Sprog": "Dansk",
        },
    )
    chat.type(
        "/samskab workshop",
        {"Spor": "Visitation", "Titel": "Kick-off", "Dato og tidspunkt": "2026-11-23 13:00"},
    )
    clock.set(clock.now.replace(hour=16))
    chat.type(
        "/samskab referat",
        {"Hvem deltog?": ", ".join([FACILITATOR, *ATTENDED]), "Opsamling": "Vi gik i gang."},
    )
    where = channel(CHANNEL)
    round_id = start_hassle_round(
        deps, where, person(FACILITATOR), question="Hvad bøvler i din hverdag?"
    )
    for n, title in enumerate(TITLES):
        author = OTHERS[n]  # 25 different colleagues, none of whom attended the workshop
        anonymous = "anonymous" if n in ANONYMOUS else "named"
        add_hassle(deps, person(author), round_id, title, anonymous=anonymous)
    merged = submit_form(
        deps, person(FACILITATOR), None, "hassle.merge", {"item": f"{round_id}:20"}, {"into": "2"}
    )
    assert merged.ok, merged.errors
    chat.deliver()
    return round_id


def views(deps: Deps, chat: ConsoleDriver, tmp_path: Path) -> dict[str, str]:
    """Everything a person can read about the round, as the facilitator reads it now: the board
    (its newest version), the status, the digest, the export and the facilitator's own data."""
    with deps.db.transaction() as session:
        board = session.scalars(
            select(OutboxMessage.payload)
            .where(OutboxMessage.key.startswith("hassle-board:"))
            .order_by(OutboxMessage.id.desc())
        ).first()
        process = process_for_channel(session, channel(CHANNEL))
        assert process is not None
        tr = Translator(process.language, process.timezone, now=deps.clock())
        digest = compose_status(session, process, tr, now=deps.clock(), since=None)
    chat.type("/as " + FACILITATOR)
    status = _only(chat.type("/samskab status"), "kun til dig").body
    for path in tmp_path.glob("samskab-*"):
        path.unlink()
    chat.type("/samskab eksport")
    chat.type("/samskab mydata")
    files = {p.name.split("-")[1]: p.read_text() for p in tmp_path.glob("samskab-*")}
    # Asking for one's data is itself in one's data: each look adds that line, and only that.
    own = json.loads(files.pop("mydata"))
    files["mydata"] = json.dumps(_without_data_requests(own), ensure_ascii=False, sort_keys=True)
    return {
        "board": json.dumps(board, ensure_ascii=False),
        "status": status,
        "digest": json.dumps(digest.to_json(), ensure_ascii=False),
        **files,
    }


def _without_data_requests(value: object) -> object:
    """A person's data without the traces of asking for it (the audit line, the DM)."""
    traces = ("person.data_sent", Translator("da")._("asked for your data"), "Dine data i Samskab")
    if isinstance(value, dict):
        return {k: _without_data_requests(v) for k, v in value.items()}
    if isinstance(value, list):
        return [
            _without_data_requests(v)
            for v in value
            if not any(trace in json.dumps(v, ensure_ascii=False) for trace in traces)
        ]
    return value


def test_dots_results_and_fate_of_a_whole_round(deps: Deps, clock: Clock, tmp_path: Path) -> None:
    deps = with_ballot_key(deps)
    chat = ConsoleDriver(deps, channel=CHANNEL, as_name=FACILITATOR, export_dir=tmp_path)
    round_id = _collecting_round(deps, chat, clock)
    items = _items(deps)
    ref = {title: item.reference for title, item in items.items()}
    label = {
        title: f"#{r} {title}" if r.isdecimal() else f"{r} {title}" for title, r in ref.items()
    }
    anonymous_ref = ref[TITLES[21]]
    assert not anonymous_ref.isdecimal()

    # Without a ballot key, voting cannot be opened, and the facilitator is told which setting.
    keyless = ConsoleDriver(
        replace(deps, ballot_key=None), channel=CHANNEL, as_name=FACILITATOR, export_dir=tmp_path
    )
    refused = _only(keyless.type("/samskab bøvl afstemning"), "kun til dig")
    assert "SAMSKAB_BALLOT_KEY" in refused.body

    # Voting opens, with 3 dots each until Friday 4 December: everyone asked gets a DM.
    clock.set(clock.now.replace(day=28, hour=9))
    posts = chat.type(
        "/samskab bøvl afstemning",
        {"Prikker pr. person": "3", "Afstemningen lukker efter": "2026-12-04"},
    )
    reply = _only(posts, "kun til dig")
    assert "Afstemningen er åben indtil fredag den 4. december, med 3 prikker pr. person." in (
        reply.body
    )
    asked = {
        p.label.removeprefix("DM til "): p
        for p in posts
        if p.label.startswith("DM til ") and "Giv dine prikker" in p.body
    }
    assert sorted(asked) == sorted(EVERYONE)
    assert (
        "Du har 3 prikker til at støtte de bøvl, du synes er vigtigst." in asked["Anna Holm"].body
    )
    before = views(deps, chat, tmp_path)

    # Anna opens her form from the DM: her own order, 3 dots, none used; she gives two.
    chat.type("/as Anna Holm")
    posts = chat.type(
        "/click " + chat.button(asked["Anna Holm"], "Giv dine prikker"),
        {"Bøvl": f"{label[TITLES[4]]}, {label[TITLES[2]]}"},
    )
    assert "Du har 3 prikker. Du har brugt 0." in chat.last_text
    anna_order = [
        line for line in chat.last_text.splitlines() if line.startswith("  ") and ") " in line
    ]
    assert len(anna_order) == 24  # 25 bøvl, one merged away
    assert label[TITLES[19]] not in chat.last_text  # #20, merged into #2
    saved = _only(posts, "kun til dig").body
    assert "Dine prikker er gemt: #3, #5. Du kan ændre dem indtil fredag den 4. december." in saved
    assert "Du har 3 prikker. Du har brugt 2." in saved
    # Opened again, the form says what she used and holds her choice.
    chat.type("/click " + chat.button(asked["Anna Holm"], "Giv dine prikker"), {"Bøvl": ""})
    assert "Du har 3 prikker. Du har brugt 2." in chat.last_text
    kept = re.search(r"Bøvl \(valgfrit\) \[([\d, ]+)\]", chat.last_text)
    assert kept is not None
    listed = dict(re.findall(r"^  (\d+)\) (.+)$", chat.last_text, re.MULTILINE))
    assert sorted(listed[n] for n in kept.group(1).split(", ")) == sorted(
        [label[TITLES[2]], label[TITLES[4]]]
    )
    # Bo's form lists the same bøvl in another order.
    chat.type("/as Bo Sørensen")
    chat.type(
        "/click " + chat.button(asked["Bo Sørensen"], "Giv dine prikker"),
        {"Bøvl": label[TITLES[4]]},
    )
    bo_order = [
        line for line in chat.last_text.splitlines() if line.startswith("  ") and ") " in line
    ]
    assert [line.split(") ", 1)[1] for line in bo_order] != [
        line.split(") ", 1)[1] for line in anna_order
    ]

    # Twenty more colleagues give their dots: #1 the most, then #2, #3 and an anonymous one.
    ballots = {name: ["1", "2", anonymous_ref] for name in OTHERS[:12]}
    ballots |= {name: ["1", "2", "3"] for name in OTHERS[12:18]}
    ballots |= {name: ["1", "3"] for name in OTHERS[18:22]}
    for name, refs in ballots.items():
        assert dots(deps, name, round_id, refs) == {}
    # More dots than they have, a bøvl merged away, a bøvl that is not there: refused, nothing
    # changed.
    errors = dots(deps, "Peter Skov", round_id, ["1", "2", "3", "4"])
    assert errors == {"items": "Du har valgt 4, men du har kun 3 prikker. Vælg højst 3."}
    assert dots(deps, "Peter Skov", round_id, ["20"]) == {"items": "Vælg blandt mulighederne."}
    assert dots(deps, "Peter Skov", round_id, ["999"]) == {"items": "Vælg blandt mulighederne."}
    # A replayed submission (a double click, a second device) counts once.
    assert dots(deps, "Emil Vestergaard", round_id, ["1", "2", anonymous_ref]) == {}
    assert dots(deps, "Emil Vestergaard", round_id, ["1", "2", anonymous_ref]) == {}
    # Frida changes her mind: #3 instead of the anonymous one.
    assert dots(deps, "Frida Juhl", round_id, ["1", "2", "3"]) == {}
    with deps.db.transaction() as session:
        supports = {
            i.reference: i.supports for i in session.scalars(select(HassleItem)) if i.supports
        }
        assert session.scalar(select(func.count(HassleBallot.id))) == 24
    assert supports == {"1": 22, "2": 18, "3": 12, "5": 2, anonymous_ref: 11}

    # The leaks: before the close, every view reads exactly as before anyone gave a dot.
    after = views(deps, chat, tmp_path)
    assert after == before
    with deps.db.transaction() as session:
        details = [
            json.loads(detail)
            for action, detail in session.execute(
                select(AuditEntry.action, AuditEntry.detail).where(
                    AuditEntry.action.startswith("hassle.")
                )
            )
            if action == "hassle.supported"
        ]
    assert details and all(set(d) == {"round"} for d in details)  # who gave dots, never which

    # Friday's deadline passes: the scheduler's job closes voting once; results to the channel.
    clock.set(clock.now.replace(day=5, month=12, hour=8))
    runtime = Runtime(deps)
    assert asyncio.run(run_hassle_closing(runtime)) == 1
    assert asyncio.run(run_hassle_closing(runtime)) == 0
    posts = chat.deliver()
    results = _only(posts, f"#{CHANNEL}").body
    assert "Resultatet af bøvl-runden i »Høje-Taastrup – hverdagens bøvl«" in results
    lines = [line.removeprefix("  • ") for line in results.splitlines()]
    ranked = [line for line in lines if line[:1].isdigit() and ". " in line]
    assert ranked[:5] == [
        f"1. #1 {TITLES[0]} – 22 prikker",
        f"2. #2 {TITLES[1]} – 18 prikker (sammen med #20)",
        f"3. #3 {TITLES[2]} – 12 prikker",
        f"4. {anonymous_ref} {TITLES[21]} – 11 prikker",
        f"5. #5 {TITLES[4]} – 2 prikker",
    ]
    assert ranked[5].endswith(" – 0 prikker")
    board = _only(posts, f"#{CHANNEL} · opdateret").body  # the board, updated in place
    assert f"1. #1 {TITLES[0]} – 22 prikker" in board
    assert "Hele resultatet: /samskab bøvl resultat" in board
    # 30 asked, 25 added (none of them at the workshop), 24 gave dots, of whom two had been at
    # the workshop: too few to show, so neither group's figure is shown.
    assert "Alle: 30 spurgt · 25 tilføjede bøvl · 24 gav prikker" in lines
    hidden = "tilføjede bøvl: vises fra 3 · gav prikker: vises fra 3"
    assert f"Har været til en workshop: spurgt: 5 · {hidden}" in lines
    assert f"Har ikke været til en workshop endnu: spurgt: 25 · {hidden}" in lines
    with deps.db.transaction() as session:
        assert session.scalar(select(func.count(HassleBallot.id))) == 0  # served their purpose
    # Too late to change anything.
    late = submit_form(deps, person("Ida Lund"), None, "hassle.dots", {"round": round_id}, {})
    assert late.reply.message is not None and "Afstemningen er lukket" in late.reply.message.text
    chat.type("/as Ida Lund")
    closed = _only(chat.type("/samskab bøvl prikker"), "kun til dig").body
    assert "Afstemningen er lukket" in closed

    # The facilitators choose #1 (a new track) and #2 (a workshop topic); their authors hear it,
    # and so does whoever wrote #20, which was merged into #2.
    chat.type("/as " + FACILITATOR)
    chosen = submit_form(
        deps,
        person(FACILITATOR),
        channel(CHANNEL),
        "hassle.choose",
        {"round": round_id},
        {"chosen": ["1", "2"], "tracks": ["1"]},
    )
    assert chosen.ok, chosen.errors
    posts = chat.deliver()
    told = {p.label.removeprefix("DM til "): p.body for p in posts if p.label.startswith("DM til")}
    assert sorted(told) == sorted([OTHERS[0], OTHERS[1], OTHERS[19]])
    assert "forløbet arbejder videre med: et nyt spor." in told[OTHERS[0]]
    assert "et emne for en workshop" in told[OTHERS[1]]
    assert "Det blev slået sammen med #2" in told[OTHERS[19]]
    with deps.db.transaction() as session:
        track = session.scalar(select(Track).where(Track.name == TITLES[0]))
        assert track is not None
        first = session.scalar(select(HassleItem).where(HassleItem.reference == "1"))
        assert first is not None and first.track_id == track.id and first.status == "considered"

    # Later: #1 used, with a note; the anonymous one not used. Each author told, privately.
    posts = chat.type("/samskab bøvl marker 1 brugt Vi har lavet én fælles journalskabelon.")
    assert "#1 er markeret brugt." in _only(posts, "kun til dig").body
    dm = _only(posts, f"DM til {OTHERS[0]}").body
    assert "Facilitatorerne har markeret det: brugt." in dm
    assert "Vi har lavet én fælles journalskabelon." in dm
    posts = chat.type(f"/samskab bøvl marker {anonymous_ref.lower()} ikke-brugt Uden for budget.")
    dm = _only(posts, f"DM til {OTHERS[21]}").body
    assert "Dit bøvl er stadig anonymt: kun du får denne besked." in dm
    assert OTHERS[21] not in _only(posts, "kun til dig").body


def test_stacked_dots_two_devices_and_closing_on_command(deps: Deps) -> None:
    """With stacking, each dot is a field of its own and two may go to one bøvl; two devices
    submitting different dots at once end as one of them; a facilitator closes voting early."""
    deps = with_ballot_key(deps)
    names = [FACILITATOR, *ATTENDED]
    where = channel("stak", [person(n) for n in names])
    set_up(deps, where, person(FACILITATOR))
    round_id = start_hassle_round(deps, where, person(FACILITATOR))
    for n, title in enumerate(TITLES[:4]):
        add_hassle(deps, person(names[n]), round_id, title)

    # Before voting opens, a colleague asking to vote is told so; a facilitator gets the form.
    early = handle_command(deps, person("Anna Holm"), where, "bøvl afstemning")
    assert early.message is not None
    assert early.message.text == "Afstemningen er ikke åbnet endnu: vi samler stadig bøvl ind."
    opening = handle_command(deps, person(FACILITATOR), where, "bøvl afstemning")
    assert opening.form is not None and opening.form.callback_id == "hassle.open_voting"
    opened = submit_form(
        deps,
        person(FACILITATOR),
        where,
        "hassle.open_voting",
        opening.form.metadata,
        {"dots": "2", "stacking": "yes", "vote_until": "2026-11-30"},
    )
    assert opened.ok, opened.errors

    form = press_button(deps, person("Anna Holm"), "hassle.dots", round_id).form
    assert form is not None
    assert [(f.id, f.label, f.kind) for f in form.fields] == [
        ("dot_1", "Prik 1", "choice"),
        ("dot_2", "Prik 2", "choice"),
    ]
    assert "Du har 2 prikker. Du har brugt 0." in form.intro
    both = submit_form(
        deps, person("Anna Holm"), None, "hassle.dots", form.metadata, {"dot_1": "1", "dot_2": "1"}
    )
    assert both.reply.message is not None
    assert both.reply.message.text.startswith("Dine prikker er gemt: #1 ×2.")
    # A third dot, slipped into a crafted submission, counts for nothing.
    crafted = {"dot_1": "1", "dot_2": "2", "dot_3": "3"}
    assert dots_of(deps, "Bo Sørensen", round_id, crafted) == {}
    assert _supports(deps) == {"1": 3, "2": 1}

    # Camilla on two devices at once, each with another choice: one of them holds, never both.
    ballots = [{"dot_1": "3", "dot_2": "4"}, {"dot_1": "2", "dot_2": "2"}]
    ready = threading.Barrier(2)

    def submit(values: dict[str, str]) -> None:
        ready.wait()
        assert dots_of(deps, "Camilla Friis", round_id, values) == {}

    threads = [threading.Thread(target=submit, args=(b,)) for b in ballots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _supports(deps) in (
        {"1": 3, "2": 1, "3": 1, "4": 1},
        {"1": 3, "2": 3},
    )

    # No results, and no choosing, before the close.
    early = handle_command(deps, person("Dorte Bach"), where, "bøvl resultat")
    assert early.message is not None
    assert early.message.text == "Resultatet vises, når afstemningen er lukket."
    early = handle_command(deps, person(FACILITATOR), where, "bøvl vælg")
    assert early.message is not None
    assert early.message.text == "Udfordringerne kan vælges, når afstemningen er lukket."

    # Only a facilitator closes early, after confirming; then nobody can change their dots.
    refused = handle_command(deps, person("Anna Holm"), where, "bøvl luk")
    assert refused.message is not None and "facilitator" in refused.message.text
    closing = handle_command(deps, person(FACILITATOR), where, "bøvl luk")
    assert closing.form is not None
    closed = submit_form(
        deps,
        person(FACILITATOR),
        where,
        "hassle.close",
        closing.form.metadata,
        {"confirm": "close"},
    )
    assert closed.ok, closed.errors
    late = dots_of(deps, "Anna Holm", round_id, {"dot_1": "2"})
    assert late == {}
    assert _supports(deps)["1"] == 3
    results = handle_command(deps, person("Dorte Bach"), where, "bøvl resultat")
    assert results.message is not None
    assert f"1. #1 {TITLES[0]} – 3 prikker" in results.message.text

    # Choosing: the ranked list with its counts now; a new track only among those chosen.
    choosing = handle_command(deps, person(FACILITATOR), where, "bøvl vælg")
    assert choosing.form is not None
    assert choosing.form.fields[0].options[0].label == f"#1 {TITLES[0]} – 3 prikker"
    wrong = submit_form(
        deps,
        person(FACILITATOR),
        where,
        "hassle.choose",
        choosing.form.metadata,
        {"chosen": ["1"], "tracks": ["2"]},
    )
    assert wrong.errors == {
        "tracks": "Vælg kun nye spor blandt de udfordringer, der er valgt ovenfor."
    }


def dots_of(
    deps: Deps, name: str, round_id: str, values: Mapping[str, str | list[str]]
) -> dict[str, str]:
    outcome = submit_form(
        deps, person(name), None, "hassle.dots", {"round": round_id}, dict(values)
    )
    return outcome.errors


def _supports(deps: Deps) -> dict[str, int]:
    with deps.db.transaction() as session:
        return {i.reference: i.supports for i in session.scalars(select(HassleItem)) if i.supports}


def test_more_than_a_hundred_hassles_are_split_over_fields_with_one_limit(deps: Deps) -> None:
    """A menu holds 100 options (Slack): 105 bøvl come as two fields, and the dots are counted
    over both."""
    deps = with_ballot_key(deps)
    names = [FACILITATOR, *ATTENDED]
    where = channel("mange", [person(n) for n in names])
    set_up(deps, where, person(FACILITATOR))
    round_id = start_hassle_round(deps, where, person(FACILITATOR))
    for n in range(105):
        add_hassle(deps, person(names[n % 5]), round_id, f"Bøvl nummer {n + 1}")
    opened = submit_form(
        deps,
        person(FACILITATOR),
        where,
        "hassle.open_voting",
        {"round": round_id},
        {"dots": "3", "stacking": "no", "vote_until": "2026-11-30"},
    )
    assert opened.ok, opened.errors

    form = press_button(deps, person("Anna Holm"), "hassle.dots", round_id).form
    assert form is not None
    assert [(f.id, f.label, len(f.options), f.max_selected) for f in form.fields] == [
        ("items", "Bøvl, del 1", 100, 3),
        ("items_2", "Bøvl, del 2", 5, 3),
    ]
    first = [o.value for o in form.fields[0].options]
    second = [o.value for o in form.fields[1].options]
    errors = dots_of(deps, "Anna Holm", round_id, {"items": first[:2], "items_2": second[:2]})
    assert errors == {"items": "Du har valgt 4, men du har kun 3 prikker. Vælg højst 3."}
    # A value from the other part is not among this part's options.
    assert dots_of(deps, "Anna Holm", round_id, {"items": second[:1]}) == {
        "items": "Vælg blandt mulighederne."
    }
    assert dots_of(deps, "Anna Holm", round_id, {"items": first[:2], "items_2": second[:1]}) == {}
    assert sum(_supports(deps).values()) == 3


def _round_in(deps: Deps, where_name: str, *, voting: bool) -> tuple[str, list[str]]:
    """A process in `where_name` with a round of three bøvl, voting open if `voting`; Anna has
    given her dots. The round's id and the people's names."""
    names = [FACILITATOR, *ATTENDED]
    where = channel(where_name, [person(n) for n in names])
    set_up(deps, where, person(FACILITATOR))
    round_id = start_hassle_round(deps, where, person(FACILITATOR))
    for n, title in enumerate(TITLES[:3]):
        add_hassle(deps, person(names[n]), round_id, title)
    if voting:
        opening = handle_command(deps, person(FACILITATOR), where, "bøvl afstemning")
        assert opening.form is not None
        opened = submit_form(
            deps,
            person(FACILITATOR),
            where,
            "hassle.open_voting",
            opening.form.metadata,
            {"dots": "2", "stacking": "no", "vote_until": "2026-12-10"},
        )
        assert opened.ok, opened.errors
        assert dots_of(deps, "Anna Holm", round_id, {"items": ["1", "2"]}) == {}
    return round_id, names


def test_a_round_ends_with_its_process(deps: Deps, tmp_path: Path) -> None:
    """Closing the process closes a vote still open, as its deadline would (results first, the
    sealed ballots gone); a round still collecting just ends, with no dots to show."""
    deps = with_ballot_key(deps)
    round_id, _ = _round_in(deps, "slutter", voting=True)
    chat = ConsoleDriver(deps, channel="slutter", as_name=FACILITATOR, export_dir=tmp_path)
    chat.deliver()
    closing = handle_command(deps, person(FACILITATOR), channel("slutter", []), "close")
    assert closing.form is not None
    closed = submit_form(
        deps, person(FACILITATOR), channel("slutter", []), "close", {}, {"confirm": "close"}
    )
    assert closed.ok, closed.errors
    posts = [p for p in chat.deliver() if p.label.startswith("#slutter")]
    results = next(i for i, p in enumerate(posts) if "prik" in p.body)
    ended = next(i for i, p in enumerate(posts) if "er lukket" in p.body and "Forløbet" in p.body)
    assert results < ended, "the vote's results come before the closing message"
    with deps.db.transaction() as session:
        ended_round = session.get(HassleRound, int(round_id))
        assert ended_round is not None and ended_round.phase == "closed"
        assert session.scalar(select(func.count()).select_from(HassleBallot)) == 0

    # Another process, its round still collecting: it ends too, and nothing shows a count.
    _round_in(deps, "samler", voting=False)
    ended_early = submit_form(
        deps, person(FACILITATOR), channel("samler", []), "close", {}, {"confirm": "close"}
    )
    assert ended_early.ok, ended_early.errors
    chat = ConsoleDriver(deps, channel="samler", as_name=FACILITATOR, export_dir=tmp_path)
    status = _only(chat.type("/samskab status"), "kun til dig").body
    assert "Runden er afsluttet. Der var ikke noget bøvl at stemme om." in status, status
    assert "prik" not in status
