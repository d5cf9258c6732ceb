"""The bøvl round in the console, from the start to the end of the collection: 30 colleagues asked
by DM, 25 bøvl added (named and anonymous; look-alikes offered before saving, both answers
working), anonymous bøvl held back until three colleagues have added, reminders inside working
hours, three merges and one undone, one bøvl outside the frame, the board as a person reads it,
and refusals. Nothing shown anywhere names the author of an anonymous bøvl."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from handlers.context import Deps
from handlers.hassle.asking import remind_hassle
from handlers.hassle.rounds import latest_round
from handlers.interactions import submit_form
from handlers.messages import FormValues
from handlers.people import process_for_channel
from handlers.status.digest import post_digest
from storage.models import AuditEntry, HassleItem, HassleParticipant, Process
from tests.builders import channel, person, row_counts, set_up
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

FACILITATOR = "Mette Lund"
COLLEAGUES = [
    "Anna Holm",
    "Bo Sørensen",
    "Camilla Friis",
    "Dorte Bach",
    "Emil Vestergaard",
    "Frida Juhl",
    "Gitte Møller",
    "Hans Kjær",
    "Ida Lauridsen",
    "Jonas Brandt",
    "Karen Dahl",
    "Lars Winther",
    "Maja Kristensen",
    "Niels Berg",
    "Olivia Skov",
    "Peter Lind",
    "Rikke Thomsen",
    "Søren Bech",
    "Tina Mortensen",
    "Ulla Krogh",
    "Viggo Holt",
    "Yrsa Nygaard",
    "Åse Damgaard",
    "Anders Kirk",
    "Bente Fog",
    "Claus Riis",
    "Dina Storm",
    "Erik Vang",
    "Freja Lyng",
]
EVERYONE = [FACILITATOR, *COLLEAGUES]
QUESTION = "Hvad bøvler i din hverdag – hvad står i vejen for kerneopgaven?"
JOURNAL = "For mange dobbeltregistreringer i journalen"
# Who adds what after the first three: (author, title, anonymous). None alike enough to be
# offered as a look-alike of another (tests/unit/test_hassle_similar.py).
MORE = [
    ("Emil Vestergaard", "Nøglebokse virker ikke", False),
    ("Frida Juhl", "For lidt tid hos borgerne", False),
    ("Hans Kjær", "Medicinlister er ikke opdateret", True),
    ("Ida Lauridsen", "Parkering ved plejecentret", False),
    ("Jonas Brandt", "Kørsel mellem borgere tager lang tid", False),
    ("Karen Dahl", "Uklare beslutninger fra ledelsen", False),
    ("Lars Winther", "Hjælpemidler leveres for sent", False),
    ("Maja Kristensen", "Mange mails om ingenting", True),
    ("Niels Berg", "Telefonkø til visitationen", False),
    ("Olivia Skov", "Manglende oplæring af nyansatte", False),
    ("Peter Lind", "Dårligt wifi i hjemmeplejen", False),
    ("Rikke Thomsen", "Skemaer på papir og i systemet", False),
    ("Søren Bech", "Ingen tid til faglig sparring", True),
    ("Tina Mortensen", "Dokumentationskrav fra forvaltningen", False),
    ("Ulla Krogh", "Vikarer kender ikke rutinerne", False),
    ("Viggo Holt", "Tunge løft uden lift", False),
    ("Yrsa Nygaard", "Møder uden dagsorden", False),
    ("Åse Damgaard", "Utydelig ansvarsfordeling", False),
    ("Anders Kirk", "Sygefravær dækkes ikke", False),
    ("Bente Fog", "Kantinen lukker for tidligt", False),
    ("Gitte Møller", "Lang ventetid når man ringer til visitation", True),
]


def only(posts: list[Post], label: str) -> Post:
    found = [p for p in posts if p.label == label]
    assert len(found) == 1, [p.label for p in posts]
    return found[0]


def add(
    chat: ConsoleDriver,
    name: str,
    title: str,
    *,
    anonymous: bool = False,
    alike: str | None = None,
    **more: str,
) -> list[Post]:
    """`/samskab bøvl` as `name`; with `alike`, the answer to the look-alikes' second step, whose
    fields hold what the first step was given (Enter keeps it)."""
    chat.type("/as " + name)
    answers: dict[str, str | list[str]] = {
        "Titel": title,
        "Beskrivelse": "",
        "Vis mit navn?": "Nej, anonymt" if anonymous else "",
        **more,
    }
    if alike is not None:
        answers = {label: [str(answer), ""] for label, answer in answers.items()}
        answers["Hvad vil du?"] = alike
    return chat.type("/samskab bøvl", answers)


def reference_in(text: str) -> str:
    match = re.search(r"(#\d+|B-[A-Z]{3,})", text)
    assert match, text
    return match.group(1)


def sorting_button(chat: ConsoleDriver, reference: str, label: str) -> str:
    """The button `label` beside bøvl `reference` in the facilitator's sorting list (on
    whichever page it is)."""
    chat.type("/as " + FACILITATOR)
    for page in ("1", "2"):
        post = only(chat.type("/samskab bøvl sorter " + page), "kun til dig")
        lines = post.body.splitlines()
        for n, line in enumerate(lines):
            if line.startswith((f"({reference} ", f"(↳ {reference} ")):
                match = re.search(r"\[(\d+)\] " + re.escape(label), lines[n + 1])
                assert match, f"no {label!r} beside {reference}:\n{post.body}"
                return match.group(1)
    raise AssertionError(f"{reference} is not in the sorting list")


def board_updates(posts: list[Post]) -> list[Post]:
    return [p for p in posts if p.label == "#odder · opdateret"]


def test_a_round_collects_from_thirty_colleagues_and_is_sorted(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    chat.type("/join " + ", ".join(COLLEAGUES))
    chat.type(
        "/samskab setup",
        {"Forløbets navn": "Odder – samskabt styring", "Nuværende trin": "2", "Sprog": "Dansk"},
    )

    # Only a facilitator starts a round; nothing is written when someone else tries.
    chat.type("/as Anna Holm")
    before = row_counts(deps)
    refusal = only(chat.type("/samskab bøvl start"), "kun til dig").body
    assert "Det kan kun forløbets facilitatorer. Facilitatoren er Mette Lund." in refusal
    assert row_counts(deps) == before

    # The round starts: a DM with the question and a button to everyone, the board in the channel.
    chat.type("/as " + FACILITATOR)
    posts = chat.type("/samskab bøvl start", {"Indsaml bøvl indtil": "2026-12-03"})
    assert "── Start bøvl-runden ──" in chat.last_text
    assert f"Spørgsmål [{QUESTION}]" in chat.last_text
    assert "Hvem skal spørges [alle i forløbet]" in chat.last_text
    assert (
        "Bøvl-runden er startet: 30 kolleger bliver spurgt indtil torsdag den 3. december."
        in only(posts, "kun til dig").body
    )
    dms = {p.label.removeprefix("DM til "): p for p in posts if p.label.startswith("DM til ")}
    assert sorted(dms) == sorted(EVERYONE)
    for dm in dms.values():
        assert QUESTION in dm.body and "indtil torsdag den 3. december" in dm.body
        chat.button(dm, "Tilføj bøvl")
    board = only(posts, "#odder").body
    assert board.splitlines()[:5] == [
        "Bøvl-runden",
        "───────────",
        QUESTION,
        "Vi samler bøvl indtil torsdag den 3. december.",
        "Ingen bøvl endnu: tilføj det første.",
    ]

    # One round at a time.
    again = only(chat.type("/samskab bøvl start"), "kun til dig")
    assert again.body == (
        f"Der kører allerede en bøvl-runde: »{QUESTION}«. "
        "Vi samler bøvl indtil torsdag den 3. december."
    )

    # An anonymous bøvl waits, seen by nobody, until three colleagues have added: the board is
    # not even updated (an update would tell that something came, and when).
    posts = add(chat, "Gitte Møller", JOURNAL, anonymous=True)
    thanks = only(posts, "kun til dig").body
    assert "kommer på listen uden dit navn, når mindst 3 kolleger har tilføjet bøvl" in thanks
    journal = reference_in(thanks)
    assert journal.startswith("B-")
    assert board_updates(posts) == []

    # The DM's button opens the same form.
    chat.type("/as Anna Holm")
    posts = chat.type(
        "/click " + chat.button(dms["Anna Holm"], "Tilføj bøvl"),
        {"Titel": "Vagtplanen kommer for sent", "Beskrivelse": "Vi får den to dage før."},
    )
    assert "Tak! Dit bøvl #1 »Vagtplanen kommer for sent« står nu på listen i kanalen." in (
        only(posts, "kun til dig").body
    )
    assert journal not in only(posts, "#odder · opdateret").body

    posts = add(chat, "Bo Sørensen", "IT-systemet er langsomt")
    board = only(posts, "#odder · opdateret").body
    assert f"  • {journal} {JOURNAL}" in board, "three colleagues have added: it is shown"
    assert "Gitte" not in board

    # A look-alike is offered before saving; "the same" adds nothing.
    before = row_counts(deps)
    posts = add(
        chat,
        "Camilla Friis",
        "dobbelt registrering i journal",
        alike="2",
    )
    assert f"Ligner {journal} »{JOURNAL}« – støt den i stedet?" in chat.last_text
    assert f"Det er den samme som {journal} – jeg støtter den, når afstemningen åbner" in (
        chat.last_text
    )
    assert (
        f"Der er ikke tilføjet noget: {journal} »{JOURNAL}« står allerede på listen."
        in only(posts, "kun til dig").body
    )
    assert row_counts(deps) == before and board_updates(posts) == []

    # … and "add mine anyway" adds it, with what was typed in the first step kept.
    posts = add(
        chat,
        "Dorte Bach",
        "Vagtplanerne bliver lagt for sent",
        alike="1",
    )
    assert "Ligner #1 »Vagtplanen kommer for sent« – støt den i stedet?" in chat.last_text
    assert "Dit bøvl #3 »Vagtplanerne bliver lagt for sent«" in only(posts, "kun til dig").body

    references = {JOURNAL: journal}
    for name, title, anonymous in MORE:
        posts = add(chat, name, title, anonymous=anonymous)
        thanks = only(posts, "kun til dig").body
        assert ("uden dit navn" in thanks) == anonymous
        references[title] = reference_in(thanks)
        # Three colleagues have added: an anonymous bøvl is shown at once.
        assert f"{references[title]} {title}" in only(posts, "#odder · opdateret").body
    with deps.db.transaction() as session:
        items = session.scalars(select(HassleItem)).all()
        assert len(items) == 25 and all(i.shown_at is not None for i in items)
        named = sorted(int(i.reference) for i in items if not i.anonymous)
        assert named == list(range(1, len(named) + 1)), "named by number, no gaps"
        assert all(re.fullmatch(r"B-[A-Z]{3}", i.reference) for i in items if i.anonymous)

    # A bøvl is added only while the round collects, by someone in the process.
    with deps.db.transaction() as session:
        round_id = session.scalars(select(HassleItem.round_id)).first()
    stranger = submit_form(
        deps,
        person("Ukendt Gæst"),
        None,
        "hassle.add",
        {"round": str(round_id)},
        {"title": "Noget", "description": "", "anonymous": "named"},
    )
    assert stranger.reply.message is not None
    assert "Du er ikke med i forløbet »Odder – samskabt styring«." in stranger.reply.message.text

    # Sorting: three merges, one of them undone; one bøvl outside the frame.
    posts = chat.type(
        "/click " + sorting_button(chat, "#3", "Slå sammen"),
        {"Slå sammen med hvilket bøvl?": "#1 Vagtplanen kommer for sent"},
    )
    assert "#3 er slået sammen med #1 »Vagtplanen kommer for sent«." in (
        only(posts, "kun til dig").body
    )
    told = only(posts, "DM til Dorte Bach").body
    assert "Dit bøvl #3 »Vagtplanerne bliver lagt for sent« er slået sammen" in told
    assert "Facilitatorerne har slået det sammen med #1 »Vagtplanen kommer for sent«" in told
    assert "Når afstemningen åbner, kan du støtte #1." in told

    waiting = references["Lang ventetid når man ringer til visitation"]
    phone = references["Telefonkø til visitationen"]
    posts = chat.type(
        "/click " + sorting_button(chat, waiting, "Slå sammen"),
        {"Slå sammen med hvilket bøvl?": f"{phone} Telefonkø til visitationen"},
    )
    told = only(posts, "DM til Gitte Møller").body
    assert f"Dit bøvl {waiting} »Lang ventetid når man ringer til visitation«" in told
    assert "Dit bøvl er stadig anonymt: kun du får denne besked." in told
    assert "Gitte" not in only(posts, "kun til dig").body

    blurry = references["Utydelig ansvarsfordeling"]
    leaders = references["Uklare beslutninger fra ledelsen"]
    chat.type(
        "/click " + sorting_button(chat, blurry, "Slå sammen"),
        {"Slå sammen med hvilket bøvl?": f"{leaders} Uklare beslutninger fra ledelsen"},
    )
    posts = chat.type("/click " + sorting_button(chat, blurry, "Fortryd"))
    assert f"{blurry} står for sig selv på listen igen." in only(posts, "kun til dig").body
    assert f"Dit bøvl {blurry} »Utydelig ansvarsfordeling« er på listen igen" in (
        only(posts, "DM til Åse Damgaard").body
    )
    board = only(posts, "#odder · opdateret").body
    assert f"  • {blurry} Utydelig ansvarsfordeling" in board

    canteen = references["Kantinen lukker for tidligt"]
    reason = "Kantinen hører under en anden aftale – vi giver den videre til driften."
    posts = chat.type(
        "/click " + sorting_button(chat, canteen, "Uden for rammen"),
        {"Hvorfor er det uden for forløbets ramme?": reason},
    )
    told = only(posts, "DM til Bente Fog").body
    assert f"Du sagde – vi gjorde: dit bøvl {canteen} »Kantinen lukker for tidligt«" in told
    assert f"Deres begrundelse: {reason}" in told
    chat.type(
        "/click " + sorting_button(chat, journal, "Slå sammen"),
        {"Slå sammen med hvilket bøvl?": "#2 IT-systemet er langsomt"},
    )

    # The board as a person reads it: named by number, anonymous by letters, merged ones under
    # the one they joined, the one outside the frame apart; no counts, no names, no times.
    board = chat.received_by("#odder")[-1].body
    lines = board.splitlines()
    assert lines[:5] == [
        "Bøvl-runden",
        "───────────",
        QUESTION,
        "Vi samler bøvl indtil torsdag den 3. december.",
        "Bøvl indtil videre (21):",
    ]
    outside = lines.index("Uden for rammen:")
    listed = [line.removeprefix("  • ") for line in lines[5:outside]]
    assert listed[:4] == [
        "#1 Vagtplanen kommer for sent",
        "↳ #3 Vagtplanerne bliver lagt for sent (slået sammen med #1)",
        "#2 IT-systemet er langsomt",
        f"↳ {journal} {JOURNAL} (slået sammen med #2)",
    ]
    assert (
        f"↳ {waiting} Lang ventetid når man ringer til visitation (slået sammen med {phone})"
        in listed
    )
    assert lines[outside + 1] == f"  • {canteen} Kantinen lukker for tidligt"
    shown = [line.split()[0] for line in listed if not line.startswith("↳")]
    numbers = [ref for ref in shown if ref.startswith("#")]
    assert shown == numbers + sorted(ref for ref in shown if ref.startswith("B-"))
    assert numbers == sorted(numbers, key=lambda ref: int(ref[1:])), "never by when written"
    assert not any(name in board for name in EVERYONE)
    assert not re.search(r"\d+ (støtte|prik|stemme)", board)

    # Reminders: on Tuesday, two working days before the deadline, inside working hours, to
    # those asked who added nothing (Camilla, who found hers on the list, too); once.
    clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))  # 07:00 in Copenhagen
    assert remind_hassle(deps, clock.now) == 0, "not before working hours"
    clock.set(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    assert remind_hassle(deps, clock.now) == 6
    reminded = sorted(
        p.label.removeprefix("DM til ") for p in chat.deliver() if "Påmindelse" in p.body
    )
    assert reminded == sorted(
        [FACILITATOR, "Camilla Friis", "Claus Riis", "Dina Storm", "Erik Vang", "Freja Lyng"]
    )
    clock.advance(hours=1)
    assert remind_hassle(deps, clock.now) == 0, "one reminder"

    # The deadline passes: the board says so, and nothing more can be added.
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    assert remind_hassle(deps, clock.now) == 1
    board = only(chat.deliver(), "#odder · opdateret").body
    assert "Indsamlingen sluttede torsdag den 3. december." in board
    assert "Tilføj bøvl" not in board
    chat.type("/as Claus Riis")
    refusal = only(chat.type("/samskab bøvl"), "kun til dig").body
    assert refusal.startswith("Indsamlingen af bøvl sluttede torsdag den 3. december")
    assert remind_hassle(deps, clock.now) == 0, "an unchanged board is not sent again"

    # Nothing shows who wrote an anonymous bøvl: not the board, the status, the digest, the
    # facilitator's own data, or the log.
    chat.type("/as " + FACILITATOR)
    status = only(chat.type("/samskab status"), "kun til dig").body
    with deps.db.transaction() as session:
        process_id = session.scalars(select(Process.id)).one()
    assert post_digest(deps, process_id, "2026-W49")
    digest = only(chat.deliver(), "#odder").body
    mydata = chat.type("/samskab mydata")
    facilitators_data = "\n".join(p.body for p in mydata) + "".join(
        f.read_text(encoding="utf-8") for f in tmp_path.glob("*.json")
    )
    for text in (status, digest, facilitators_data):
        for name in ("Gitte Møller", "Hans Kjær", "Maja Kristensen", "Søren Bech"):
            assert name not in text
        assert JOURNAL not in text and "Medicinlister" not in text
    with deps.db.transaction() as session:
        added = session.scalars(select(AuditEntry).where(AuditEntry.action == "hassle.added"))
        anonymous_entries = [a for a in added if json.loads(a.detail)["anonymous"]]
        assert len(anonymous_entries) == 5
        assert all(a.actor_person_id is None for a in anonymous_entries)
        assert all("item" not in json.loads(a.detail) for a in anonymous_entries)
        participants = session.scalars(select(HassleParticipant)).all()
        assert sum(p.added for p in participants) == 24 and all(p.asked for p in participants)


def test_an_anonymous_bøvl_waits_for_the_deadline_when_too_few_have_added(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    chat.type("/join Anna Holm, Bo Sørensen")
    chat.type("/samskab setup", {"Forløbets navn": "Odder", "Sprog": "Dansk"})
    chat.type("/samskab bøvl start", {"Indsaml bøvl indtil": "2026-11-26"})
    posts = add(chat, "Anna Holm", "Nøglebokse virker ikke", anonymous=True)
    keys = reference_in(only(posts, "kun til dig").body)
    add(chat, "Bo Sørensen", "Telefonkø til visitationen")

    # Two colleagues: the anonymous one waits; nobody sees it, nor can it be sorted or matched.
    chat.type("/as " + FACILITATOR)
    listing = only(chat.type("/samskab bøvl liste"), "kun til dig").body
    assert "Nøglebokse" not in listing and keys not in listing
    sorting = only(chat.type("/samskab bøvl sorter"), "kun til dig").body
    assert "Nøglebokse" not in sorting
    # (A title typed after `bøvl tilføj` is filled in.)
    chat.type("/as Bo Sørensen")
    posts = chat.type("/samskab bøvl tilføj Nøgleboksene går i stykker")
    assert "Titel (Kort: højst 80 tegn.) [Nøgleboksene går i stykker]: " in chat.last_text
    assert "Ligner" not in chat.last_text and "#2" in only(posts, "kun til dig").body

    # The collection ends (midnight): the sweep shows it, with the board saying it ended.
    clock.set(datetime(2026, 11, 26, 22, 59, tzinfo=UTC))
    assert remind_hassle(deps, clock.now) == 0
    clock.set(datetime(2026, 11, 26, 23, 0, tzinfo=UTC))
    assert remind_hassle(deps, clock.now) == 1
    board = only(chat.deliver(), "#odder · opdateret").body
    assert f"  • {keys} Nøglebokse virker ikke" in board
    assert "Indsamlingen sluttede torsdag den 26. november." in board
    assert "Anna" not in board


def test_a_long_board_is_cut_visibly_and_the_whole_list_is_one_command_away(
    deps: Deps, tmp_path: Path
) -> None:
    mette = person(FACILITATOR)
    people = [person(f"Kollega {n}") for n in range(1, 6)]
    odder = channel("odder", [mette, *people])
    set_up(deps, odder, mette)
    outcome = submit_form(
        deps,
        mette,
        odder,
        "hassle.start",
        {},
        {"question": QUESTION, "collect_until": "2026-12-10", "audience": "members"},
    )
    assert outcome.ok, outcome.errors
    with deps.db.transaction() as session:
        process = process_for_channel(session, odder)
        assert process is not None
        hassle_round = latest_round(session, process)
        assert hassle_round is not None
        round_id = hassle_round.id
    # Titles alike enough would be offered as look-alikes: each is a number spelled apart.
    for n in range(1, 36):
        outcome = submit_form(
            deps,
            people[n % 5],
            None,
            "hassle.add",
            {"round": str(round_id), "checked": "1"},
            {"title": f"Emne {n:03d} {'x' * (n % 7)}", "description": "", "anonymous": "named"},
        )
        assert outcome.ok and outcome.reply.message is not None, outcome
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    # The channel's board, whichever order the console printed the DMs and it in.
    board = [p for p in chat.deliver() if p.label.startswith("#odder")][-1].body
    assert "Bøvl indtil videre (35):" in board
    assert "#30 Emne 030" in board and "#31 Emne" not in board
    assert "(… og 5 mere – se hele listen med /samskab bøvl liste)" in board
    chat.type("/as " + FACILITATOR)
    listing = only(chat.type("/samskab bøvl liste"), "kun til dig").body
    assert "#35 Emne 035" in listing and "#1 Emne 001" in listing


def test_mydata_lists_ones_own_bøvl_only_and_forget_me_unlinks_them(
    deps: Deps, tmp_path: Path
) -> None:
    mette, anna, bo, gitte = (
        person(n) for n in (FACILITATOR, "Anna Holm", "Bo Sørensen", "Gitte Møller")
    )
    odder = channel("odder", [mette, anna, bo, gitte])
    set_up(deps, odder, mette, name="Odder")
    start: FormValues = {"question": QUESTION, "collect_until": "2026-12-03", "audience": "members"}
    assert submit_form(deps, mette, odder, "hassle.start", {}, start).ok
    with deps.db.transaction() as session:
        process = process_for_channel(session, odder)
        assert process is not None
        hassle_round = latest_round(session, process)
        assert hassle_round is not None
        round_id = str(hassle_round.id)
    for who, title, anonymous in (
        (anna, "Vagtplanen kommer for sent", "named"),
        (gitte, "Nøglebokse virker ikke", "anonymous"),
        (bo, "IT-systemet er langsomt", "named"),
    ):
        values: FormValues = {"title": title, "description": "", "anonymous": anonymous}
        assert submit_form(deps, who, None, "hassle.add", {"round": round_id}, values).ok

    # Anna's data: her own bøvl, her part in the round; nobody else's, and no counts.
    chat = ConsoleDriver(deps, channel="odder", as_name="Anna Holm", export_dir=tmp_path)
    chat.deliver()
    readable = only(chat.type("/samskab mydata"), "DM til Anna Holm").body
    assert "Bøvl, du har tilføjet (1):" in readable
    assert "#1 · Odder · med dit navn: “Vagtplanen kommer for sent”" in readable
    assert "Nøglebokse" not in readable and "IT-systemet" not in readable
    [saved] = tmp_path.glob("*.json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    [item] = data["hassle_items"]
    assert (item["title"], item["reference"], item["supports"]) == (
        "Vagtplanen kommer for sent",
        "1",
        None,
    ), "no count of support before the round closes"
    [part] = data["hassle_participation"]
    assert (part["asked"], part["added"], part["supported"]) == (True, True, False)
    assert data["hassle_rounds_started"] == []

    # Gitte forgets herself: her anonymous bøvl stays on the list, linked to nobody; her part in
    # the round stays with her membership's blank stand-in, so the round's figures keep their
    # numbers.
    outcome = submit_form(deps, gitte, None, "forget-me", {}, {"confirm": "erase"})
    assert outcome.ok and outcome.reply.message is not None
    assert "Bøvl, der bevares uden forbindelse til dig: 1" in outcome.reply.message.text
    with deps.db.transaction() as session:
        kept = session.scalars(
            select(HassleItem).where(HassleItem.title == "Nøglebokse virker ikke")
        ).one()
        assert kept.author_member_id is None and kept.anonymous and kept.shown_at is not None
        participants = session.scalars(select(HassleParticipant)).all()
        assert len(participants) == 4, "Mette, Anna, Bo and Gitte's stand-in"
