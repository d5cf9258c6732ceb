"""The bøvl round where people read about the process: `/samskab status`, the digest in the
channel, App Home and the record (Markdown and CSV), through a round from its start to the fate of
the chosen challenges, in Danish as a person reads it.

And the secrecy: before the close, none of them changes when dots are given (so no count of
support is in any of them), and no anonymous bøvl's author or time appears in any of them."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, func, select

from bot.console.render import render_text
from handlers.commands import handle_command
from handlers.context import ChannelRef, Deps
from handlers.interactions import submit_form
from handlers.status.digest import post_digest
from handlers.status.home import home_for
from schedules.jobs import Runtime, run_hassle_closing
from storage.models import HassleItem, Process
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
COLLEAGUES = ["Anna Holm", "Bo Sørensen", "Emil Vestergaard", "Frida Juhl", "Gitte Møller"]
HIDDEN_AUTHOR = "Hans Kruse"  # writes the one anonymous bøvl
EVERYONE = [FACILITATOR, *COLLEAGUES, HIDDEN_AUTHOR]
CHANNEL = "bovl-status"
ANONYMOUS_TITLE = "Nøgler der forsvinder"
# When the anonymous bøvl is written: nothing else happens on that day, so neither its date nor
# its minute may appear anywhere.
ANONYMOUS_AT = datetime(2026, 11, 24, 13, 37, tzinfo=UTC)  # 14:37 in Copenhagen
ANONYMOUS_TRACES = ("24. november", "2026-11-24", "14:37", "14.37", HIDDEN_AUTHOR)
SECTION = "Bøvl-runden"


def _only(posts: list[Post], label: str) -> Post:
    found = [p for p in posts if p.label == label]
    assert len(found) == 1, [p.label for p in posts]
    return found[0]


def _process_id(deps: Deps) -> int:
    with deps.db.transaction() as session:
        found: int | None = session.scalar(select(Process.id))
        assert found is not None
        return found


def _set_up(deps: Deps, chat: ConsoleDriver) -> None:
    chat.type("/join " + ", ".join(EVERYONE[1:]))
    chat.type(
        "/samskab setup",
        {"Forløbets navn": "Bøvl i Odder", "Nuværende trin": "2", "Sprog": "Dansk"},
    )


def _dots(deps: Deps, name: str, round_id: str, refs: list[str]) -> None:
    outcome = submit_form(
        deps, person(name), None, "hassle.dots", {"round": round_id}, {"items": refs}
    )
    assert outcome.errors == {}


def status(chat: ConsoleDriver) -> str:
    chat.type("/as " + FACILITATOR)
    return _only(chat.type("/samskab status"), "kun til dig").body


def home(deps: Deps, name: str) -> str:
    return "\n\n".join(render_text(m) for m in home_for(deps, person(name)))


def section(text: str) -> list[str]:
    """The lines of the status about the bøvl round: its headings and their bullets."""
    lines = text.splitlines()
    out: list[str] = []
    for n, line in enumerate(lines):
        if line.startswith(SECTION) or line.startswith("De udfordringer, vi arbejder videre med"):
            out.append(line)
            for following in lines[n + 1 :]:
                if not following.startswith("  • "):
                    break
                out.append(following.removeprefix("  • "))
    return out


def digest(deps: Deps, chat: ConsoleDriver, period: str) -> str:
    """The digest as the channel reads it, posted for `period`."""
    assert post_digest(deps, _process_id(deps), period)
    return _only(chat.deliver(), f"#{CHANNEL}").body


def exports(chat: ConsoleDriver, tmp_path: Path) -> dict[str, str]:
    """The record in Markdown and CSV, as a member gets it."""
    for path in tmp_path.glob("samskab-*"):
        path.unlink()
    chat.type("/as " + FACILITATOR)
    chat.type("/samskab eksport")
    chat.type("/samskab eksport csv")
    return {p.suffix: p.read_text(encoding="utf-8-sig") for p in tmp_path.glob("samskab-*")}


def test_status_digest_home_and_record_through_a_round(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = with_ballot_key(deps)
    chat = ConsoleDriver(deps, channel=CHANNEL, as_name=FACILITATOR, export_dir=tmp_path)
    _set_up(deps, chat)
    # Never a round: no section anywhere.
    assert SECTION not in status(chat)
    assert SECTION not in home(deps, "Anna Holm")
    assert "Bøvl-runden" not in exports(chat, tmp_path)[".md"]

    round_id = start_hassle_round(
        deps, channel(CHANNEL), person(FACILITATOR), question="Hvad bøvler i din hverdag?"
    )
    chat.deliver()
    collecting = "Vi samler bøvl indtil fredag den 27. november · 0 bøvl indtil videre"
    assert section(status(chat)) == [SECTION + ":", collecting]
    assert section(home(deps, "Anna Holm")) == [SECTION + ":", collecting]

    # Bøvl come in; the count is of those on the board.
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    add_hassle(deps, person("Emil Vestergaard"), round_id, "Dobbeltregistrering i journalen")
    add_hassle(
        deps,
        person("Frida Juhl"),
        round_id,
        "Langsom IT om morgenen",
        description="Det tager 20 minutter at logge på.",
    )
    add_hassle(deps, person("Gitte Møller"), round_id, "For mange møder uden dagsorden")
    add_hassle(deps, person("Anna Holm"), round_id, "Vagtplanen kommer for sent")
    text = status(chat)
    assert "Vi samler bøvl indtil fredag den 27. november · 4 bøvl indtil videre" in section(text)

    # The collection ends; the facilitators sort.
    clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    assert section(status(chat))[1] == (
        "Indsamlingen sluttede fredag den 27. november med 4 bøvl · facilitatorerne sorterer "
        "listen og åbner derefter afstemningen"
    )

    # Voting: its deadline and how to give dots, in the status, the digest and App Home.
    opened = submit_form(
        deps,
        person(FACILITATOR),
        channel(CHANNEL),
        "hassle.open_voting",
        {"round": round_id},
        {"dots": "2", "stacking": "no", "vote_until": "2026-12-02"},
    )
    assert opened.ok, opened.errors
    chat.deliver()
    voting = "Afstemning indtil onsdag den 2. december · giv dine prikker med /samskab bøvl prikker"
    assert section(status(chat)) == [SECTION + ":", voting]
    assert section(digest(deps, chat, "2026-W48")) == [SECTION + ":", voting]
    assert section(home(deps, "Bo Sørensen")) == [SECTION + ":", voting]
    for name, refs in {
        "Anna Holm": ["1", "2"],
        "Bo Sørensen": ["1", "3"],
        "Emil Vestergaard": ["1", "2"],
        "Frida Juhl": ["2"],
    }.items():
        _dots(deps, name, round_id, refs)

    # The deadline passes: the top bøvl with their dots, and nothing chosen yet.
    clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert asyncio.run(run_hassle_closing(Runtime(deps))) == 1
    chat.deliver()
    top = [
        "Bøvl-runden · mest støttede først:",
        "1. #1 Dobbeltregistrering i journalen – 3 prikker",
        "2. #2 Langsom IT om morgenen – 3 prikker",
        "3. #3 For mange møder uden dagsorden – 1 prik",
        "4. #4 Vagtplanen kommer for sent – 0 prikker",
    ]
    text = status(chat)
    assert section(text) == top
    assert "Facilitatorerne har ikke valgt udfordringerne endnu." in text

    # #1 becomes a track, #2 a workshop topic; later #1 is used.
    chosen = submit_form(
        deps,
        person(FACILITATOR),
        channel(CHANNEL),
        "hassle.choose",
        {"round": round_id},
        {"chosen": ["1", "2"], "tracks": ["1"]},
    )
    assert chosen.ok, chosen.errors
    chat.type("/samskab bøvl marker 1 brugt Én fælles journalskabelon.")
    chat.deliver()
    fates = [
        "De udfordringer, vi arbejder videre med:",
        "#1 Dobbeltregistrering i journalen – et nyt spor · brugt · Én fælles journalskabelon.",
        "#2 Langsom IT om morgenen – et emne for en workshop · overvejet",
    ]
    assert section(status(chat)) == top + fates
    assert section(digest(deps, chat, "2026-W49")) == top + fates
    assert section(home(deps, "Gitte Møller")) == top + fates

    # The record: the round's question and dates, its bøvl ranked with their dots, author and
    # fate, and who took part.
    files = exports(chat, tmp_path)
    md = files[".md"]
    part = md[md.index("## Bøvl-runden: Hvad bøvler i din hverdag?") :]
    part = part[: part.index("\n## ", 1)]
    assert "- Påbegyndt: mandag den 23. november 2026" in part
    assert "- Indsaml bøvl indtil: fredag den 27. november 2026" in part
    assert "- Afstemning åbnet: lørdag den 28. november 2026" in part
    assert "- Afstemning indtil: onsdag den 2. december 2026" in part
    assert "- Afstemningen lukket: torsdag den 3. december 2026" in part
    assert (
        "- #1 **Dobbeltregistrering i journalen** – 3 prikker · Emil Vestergaard "
        "(onsdag den 25. november 2026)\n"
        "  Status: brugt · valgt: et nyt spor · Én fælles journalskabelon." in part
    )
    assert (
        "- #2 **Langsom IT om morgenen** – 3 prikker · Frida Juhl (onsdag den 25. november 2026)\n"
        "  Det tager 20 minutter at logge på.\n"
        "  Status: overvejet · valgt: et emne for en workshop" in part
    )
    assert part.index("#3 **For mange") < part.index("#4 **Vagtplanen")
    assert "- Alle: 7 spurgt · 4 tilføjede bøvl · 4 gav prikker" in part

    rows = list(csv.DictReader(io.StringIO(files[".csv"]), delimiter=";"))
    hassles = {r["Reference"]: r for r in rows if r["Type"] == "Bøvl"}
    assert hassles["#1"]["Værdi"] == "3"
    assert hassles["#1"]["Afsender"] == "Emil Vestergaard"
    assert hassles["#1"]["Dato"] == "2026-11-25"
    assert hassles["#1"]["Status"] == "brugt"
    assert hassles["#1"]["Note"] == "valgt: et nyt spor · Én fælles journalskabelon."
    assert hassles["#4"]["Værdi"] == "0"
    dates = {r["Tekst"]: r["Dato"] for r in rows if r["Type"] == "Bøvl-runde, datoer"}
    assert dates == {
        "Påbegyndt": "2026-11-23",
        "Indsaml bøvl indtil": "2026-11-27",
        "Afstemning åbnet": "2026-11-28",
        "Afstemning indtil": "2026-12-02",
        "Afstemningen lukket": "2026-12-03",
    }
    took_part = [
        (r["Tekst"], r["Note"], r["Værdi"])
        for r in rows
        if r["Type"] == "Bøvl-runde, deltagelse" and r["Note"] == "Alle"
    ]
    assert took_part == [("Spurgt", "Alle", "7"), ("Tilføjede bøvl", "Alle", "4"),
                         ("Gav prikker", "Alle", "4")]  # fmt: skip


def views(deps: Deps, chat: ConsoleDriver, tmp_path: Path, period: str) -> dict[str, str]:
    """Everything a person reads about the process now."""
    return {
        "status": status(chat),
        "digest": digest(deps, chat, period),
        "home": home(deps, "Anna Holm"),
        "home of the anonymous author": home(deps, HIDDEN_AUTHOR),
        **exports(chat, tmp_path),
    }


def test_before_the_close_no_view_has_a_count_of_dots_or_an_anonymous_author(
    deps: Deps, clock: Clock, tmp_path: Path
) -> None:
    deps = with_ballot_key(deps)
    chat = ConsoleDriver(deps, channel=CHANNEL, as_name=FACILITATOR, export_dir=tmp_path)
    _set_up(deps, chat)
    round_id = start_hassle_round(
        deps, channel(CHANNEL), person(FACILITATOR), question="Hvad bøvler i din hverdag?"
    )
    chat.deliver()

    # The first bøvl is anonymous: it waits for two more colleagues' bøvl, and until then
    # nothing anyone reads changes (its count included).
    clock.set(ANONYMOUS_AT)
    before = {k: v for k, v in views(deps, chat, tmp_path, "a").items() if k != "digest"}
    add_hassle(deps, person(HIDDEN_AUTHOR), round_id, ANONYMOUS_TITLE, anonymous="anonymous")
    chat.deliver()
    after = {k: v for k, v in views(deps, chat, tmp_path, "b").items() if k != "digest"}
    assert after == before
    assert "0 bøvl indtil videre" in after["status"]

    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    for name, title in (
        ("Emil Vestergaard", "Dobbeltregistrering i journalen"),
        ("Frida Juhl", "Langsom IT om morgenen"),
    ):
        add_hassle(deps, person(name), round_id, title)
    assert "3 bøvl indtil videre" in status(chat)  # the anonymous one is shown now
    with deps.db.transaction() as session:
        anonymous = session.scalar(select(HassleItem).where(HassleItem.anonymous.is_(True)))
        assert anonymous is not None and anonymous.shown_at is not None
        letters = anonymous.reference

    clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    opened = submit_form(
        deps,
        person(FACILITATOR),
        channel(CHANNEL),
        "hassle.open_voting",
        {"round": round_id},
        {"dots": "2", "stacking": "no", "vote_until": "2026-12-02"},
    )
    assert opened.ok, opened.errors
    chat.deliver()
    before = views(deps, chat, tmp_path, "2026-W48")
    for name in COLLEAGUES:
        _dots(deps, name, round_id, ["1", letters])
    chat.deliver()
    after = views(deps, chat, tmp_path, "2026-W48b")
    # The digest of a later period reads as the earlier one, but for nothing.
    assert after == before
    with deps.db.transaction() as session:
        assert session.scalar(select(func.sum(HassleItem.supports))) == 10  # the dots are there

    for name, text in after.items():
        assert not re.search(r"\d+ prik(ker)?\b", text), name
        for trace in ANONYMOUS_TRACES:
            assert trace not in text, (name, trace)
    # The anonymous bøvl is in the record, by its letters, without author or date.
    md_line = next(line for line in after[".md"].splitlines() if ANONYMOUS_TITLE in line)
    assert md_line == f"- {letters} **{ANONYMOUS_TITLE}** · En anonym kollega"
    csv_rows = list(csv.DictReader(io.StringIO(after[".csv"]), delimiter=";"))
    row = next(r for r in csv_rows if r["Reference"] == letters)
    assert (row["Dato"], row["Afsender"], row["Værdi"]) == ("", "En anonym kollega", "")
    assert "Prikkerne vises, når afstemningen er lukket." in after[".md"]


class Queries:
    """Counts the SQL statements the engine runs while it is in use."""

    def __init__(self, deps: Deps) -> None:
        self.engine = deps.db.engine
        self.n = 0

    def _seen(self, *args: object) -> None:
        self.n += 1

    def __enter__(self) -> Queries:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _status_queries(deps: Deps, where: ChannelRef) -> int:
    with Queries(deps) as queries:
        reply = handle_command(deps, person(FACILITATOR), where, "status")
    assert reply.message is not None and SECTION in render_text(reply.message)
    return queries.n


def test_the_status_makes_as_many_queries_for_a_large_round_as_for_a_small_one(
    deps: Deps, clock: Clock
) -> None:
    deps = with_ballot_key(deps)
    counts: dict[str, list[int]] = {"collecting": [], "voting": [], "closed": []}
    for size in (3, 40):
        clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        where = channel(f"runde-{size}", [person(n) for n in EVERYONE])
        set_up(deps, where, person(FACILITATOR))
        round_id = start_hassle_round(deps, where, person(FACILITATOR))
        for n in range(size):
            anonymous = "anonymous" if n % 4 == 3 else "named"
            add_hassle(
                deps, person(EVERYONE[n % 7]), round_id, f"Bøvl {n + 1}", anonymous=anonymous
            )
        counts["collecting"].append(_status_queries(deps, where))
        clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
        opened = submit_form(
            deps,
            person(FACILITATOR),
            where,
            "hassle.open_voting",
            {"round": round_id},
            {"dots": "2", "stacking": "no", "vote_until": "2026-12-02"},
        )
        assert opened.ok, opened.errors
        for name in COLLEAGUES:
            _dots(deps, name, round_id, ["1", "2"])
        counts["voting"].append(_status_queries(deps, where))
        clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
        assert asyncio.run(run_hassle_closing(Runtime(deps))) == 1
        chosen = submit_form(
            deps,
            person(FACILITATOR),
            where,
            "hassle.choose",
            {"round": round_id},
            {"chosen": ["1", "2"], "tracks": ["1"]},
        )
        assert chosen.ok, chosen.errors
        counts["closed"].append(_status_queries(deps, where))
    assert {phase: len(set(n)) for phase, n in counts.items()} == {
        "collecting": 1,
        "voting": 1,
        "closed": 1,
    }, counts
