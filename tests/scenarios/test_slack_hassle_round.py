"""The whole bøvl round in a Slack workspace of 30 colleagues: signed requests to our real server,
the fake Slack Web API over real HTTP, a real SQLite file. Started from a modal, asked by DM with a
button, 25 bøvl added (some anonymously, one look-alike answered both ways), the board one channel
message updated in place, three duplicates merged from the sorting list's buttons, dots given in a
multi-select modal (changed, refused beyond the limit, replayed), closed, the results posted, and
one challenge made a track. Nothing Slack shows gives a count before the close, or the name of an
anonymous author."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Deps
from storage.models import HassleItem, Track
from tests.builders import row_counts, with_ballot_key
from tests.conftest import Clock
from tests.fakes import slack_payloads as payloads
from tests.scenarios.test_hassle_collect import COLLEAGUES, FACILITATOR, JOURNAL, MORE, QUESTION
from tests.scenarios.test_teams_hassle_round import LOGGED_COUNT, logged_lines
from tests.slack_harness import CHANNEL, SlackHarness, slack_bot, text_of
from tests.unit.test_slack_blocks import assert_within_slack_limits
from tests.waiting import eventually

METTE = "U0METTE"
IDS = {name: f"U{n:03d}" for n, name in enumerate(COLLEAGUES, start=1)}
USERS = {METTE: (FACILITATOR, "da-DK")} | {uid: (name, "da-DK") for name, uid in IDS.items()}
ANONYMOUS_AUTHORS = [name for name, _title, anonymous in MORE if anonymous] + ["Gitte Møller"]
# A count of support as the results write it ("#1 … – 25 prikker"); "Du har 3 prikker" is not one.
COUNTS = re.compile(r"– \d+ prik|\d+ (støtte|stemme)")


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    # Pages of 100: this test is about the round, not about following cursors.
    with slack_bot(with_ballot_key(deps), USERS, list(USERS), page_size=100) as harness:
        yield harness


def uid(name: str) -> str:
    return METTE if name == FACILITATOR else IDS[name]


def said(answer: dict[str, Any]) -> str:
    """What a modal answered with `response_action: update` says."""
    assert answer.get("response_action") == "update", answer
    return text_of(answer["view"])


def next_step(view: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The modal as Slack shows it after `response_action: update`: the same id, a new hash."""
    assert answer.get("response_action") == "update", answer
    return dict(answer["view"]) | {"id": view["id"], "hash": view["hash"] + "-next"}


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def click_into_modal(
    bot: SlackHarness, user: str, button: dict[str, Any], message: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Presses a button (in a DM or an ephemeral list) and returns the modal it opened."""
    before = len(bot.slack.calls_to("views.open"))
    channel = bot.slack.dm_channel_of(user) if message is not None else CHANNEL
    bot.click(
        user,
        button["action_id"],
        button["value"],
        channel=channel,
        message_ts=message["ts"] if message is not None else None,
    )
    view = bot.opened_view(before)
    assert_within_slack_limits(view)
    return view


def boards(bot: SlackHarness) -> list[dict[str, Any]]:
    """The channel's posts of the board, known by the key the app gives every message it sends
    (a digest that mentions the round is no board)."""
    return [
        m
        for m in bot.posts(CHANNEL)
        if str(m.get("metadata", {}).get("event_payload", {}).get("key", "")).startswith(
            "hassle-board"
        )
    ]


def board_versions(bot: SlackHarness, ts: str) -> list[dict[str, Any]]:
    """The board's later versions, as the app sent them with chat.update."""
    return [c.params for c in bot.slack.calls_to("chat.update") if c.params.get("ts") == ts]


def reference_in(text: str) -> str:
    match = re.search(r"(#\d+|B-[A-Z]{3,})", text)
    assert match, text
    return match.group(1)


def add(bot: SlackHarness, name: str, title: str, *, anonymous: bool = False) -> str:
    """`/samskab bøvl` as `name`, the modal filled in; what the modal says afterwards."""
    view = bot.open_form(uid(name), "bøvl")
    assert view["callback_id"] == "hassle.add"
    kind = "anonymous" if anonymous else "named"
    return said(bot.submit(uid(name), view, {"title": title, "anonymous": kind}))


def sorting_button(bot: SlackHarness, reference: str, label: str) -> dict[str, Any]:
    """The button `label` beside bøvl `reference` in the facilitator's sorting list."""
    for page in ("1", "2"):
        listing = bot.response(bot.command(METTE, "bøvl sorter " + page))
        assert listing["response_type"] == "ephemeral"
        blocks: list[dict[str, Any]] = listing["blocks"]
        for n, block in enumerate(blocks[:-1]):
            if block["type"] != "context":
                continue
            texts = " ".join(e["text"] for e in block["elements"])
            if texts.startswith(f"{reference} "):
                found: list[dict[str, Any]] = [
                    e for e in blocks[n + 1]["elements"] if e["text"]["text"] == label
                ]
                assert found, blocks[n + 1]
                return found[0]
    raise AssertionError(f"{reference} is not in the sorting list")


def test_a_whole_bøvl_round_in_slack(
    bot: SlackHarness, deps: Deps, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []  # every text Slack shows before the close, for the leak checks

    view = bot.open_form(METTE, "setup")
    said(bot.submit(METTE, view, {"name": "Odder", "step": "2", "language": "da"}))
    eventually(lambda: row_counts(deps)["members"] == 30)

    # Only a facilitator starts a round.
    refused = bot.response(bot.command(IDS["Anna Holm"], "bøvl start"))
    assert "Det kan kun forløbets facilitatorer." in text_of(refused)

    view = bot.open_form(METTE, "bøvl start")
    assert view["callback_id"] == "hassle.start"
    assert_within_slack_limits(view)
    started = said(bot.submit(METTE, view, {"collect_until": "2026-12-03"}))
    assert "30 kolleger bliver spurgt indtil torsdag den 3. december" in started

    # Everyone gets a DM with the question and the button; the board is in the channel.
    bot.slack.wait_for(lambda s: all(any(QUESTION in text_of(m) for m in bot.dm(u)) for u in USERS))
    asked = {u: next(m for m in bot.dm(u) if QUESTION in text_of(m)) for u in USERS}
    for dm in asked.values():
        assert_within_slack_limits(dm)
        assert [b["text"]["text"] for b in buttons(dm)] == ["Tilføj bøvl"]
    [board] = boards(bot)
    assert_within_slack_limits(board)
    assert "Ingen bøvl endnu" in text_of(board)

    # Gitte's anonymous bøvl waits: no board update tells that it came.
    thanks = add(bot, "Gitte Møller", JOURNAL, anonymous=True)
    assert "når mindst 3 kolleger har tilføjet bøvl" in thanks
    journal = reference_in(thanks)
    assert journal.startswith("B-")

    # Anna adds hers with the DM's button.
    anna = IDS["Anna Holm"]
    view = click_into_modal(bot, anna, buttons(asked[anna])[0], asked[anna])
    assert view["callback_id"] == "hassle.add" and QUESTION in text_of(view)
    thanks = said(bot.submit(anna, view, {"title": "Vagtplanen kommer for sent"}))
    assert "Dit bøvl #1 »Vagtplanen kommer for sent« står nu på listen" in thanks
    bot.slack.wait_for(lambda s: len(board_versions(bot, board["ts"])) == 1)
    assert journal not in text_of(board_versions(bot, board["ts"])[0])

    # Bo's is the third colleague's: Gitte's is shown now, without her name.
    add(bot, "Bo Sørensen", "IT-systemet er langsomt")
    bot.slack.wait_for(lambda s: len(board_versions(bot, board["ts"])) == 2)
    assert f"{journal} {JOURNAL}" in text_of(board_versions(bot, board["ts"])[-1])

    # A look-alike is offered in the same modal; "the same" adds nothing …
    camilla = IDS["Camilla Friis"]
    view = bot.open_form(camilla, "bøvl")
    answer = bot.submit(camilla, view, {"title": "dobbelt registrering i journal"})
    step = next_step(view, answer)
    assert step["callback_id"] == "hassle.add"
    assert f"Ligner {journal} »{JOURNAL}« – støt den i stedet?" in text_of(step)
    assert_within_slack_limits(step)
    done = said(bot.submit(camilla, step, {"similar": "same:" + journal}))
    assert f"Der er ikke tilføjet noget: {journal} »{JOURNAL}« står allerede på listen." in done
    # … and "add mine anyway" adds it, with the title typed in the first step.
    dorte = IDS["Dorte Bach"]
    view = bot.open_form(dorte, "bøvl")
    answer = bot.submit(dorte, view, {"title": "Vagtplanerne bliver lagt for sent"})
    step = next_step(view, answer)
    assert "Ligner #1 »Vagtplanen kommer for sent«" in text_of(step)
    done = said(bot.submit(dorte, step, {"similar": "add"}))
    assert "Dit bøvl #3 »Vagtplanerne bliver lagt for sent«" in done

    references = {JOURNAL: journal, "Vagtplanerne bliver lagt for sent": "#3"}
    for name, title, anonymous in MORE:
        thanks = add(bot, name, title, anonymous=anonymous)
        assert ("uden dit navn" in thanks) == anonymous
        references[title] = reference_in(thanks)
    with deps.db.transaction() as session:
        assert len(session.scalars(select(HassleItem)).all()) == 25

    # All along, the board is one message, updated in place; it lists all 25 (so far).
    bot.slack.wait_for(
        lambda s: "Bøvl indtil videre (25)" in text_of(board_versions(bot, board["ts"])[-1]),
        timeout=3,
    )
    assert [m["ts"] for m in boards(bot)] == [board["ts"]]
    assert {c.params["ts"] for c in bot.slack.calls_to("chat.update")} == {board["ts"]}
    latest = board_versions(bot, board["ts"])[-1]
    assert_within_slack_limits(latest)

    # Three duplicates merged from the sorting list's buttons.
    merges = [
        ("#3", "#1"),
        (references["Lang ventetid når man ringer til visitation"],
         references["Telefonkø til visitationen"]),
        (references["Utydelig ansvarsfordeling"], references["Uklare beslutninger fra ledelsen"]),
    ]  # fmt: skip
    for merged, into in merges:
        view = click_into_modal(bot, METTE, sorting_button(bot, merged, "Slå sammen"))
        assert view["callback_id"] == "hassle.merge"
        target = into.removeprefix("#")
        done = said(bot.submit(METTE, view, {"into": target}))
        assert f"{merged} er slået sammen med {into}" in done
    bot.slack.wait_for(
        lambda s: text_of(board_versions(bot, board["ts"])[-1]).count("slået sammen med") == 3
    )
    dorte_told = [m for m in bot.dm(dorte) if "er slået sammen" in text_of(m)]
    assert dorte_told and "Når afstemningen åbner, kan du støtte #1." in text_of(dorte_told[0])

    # Voting opens: 3 dots each until Friday 4 December.
    clock.set(clock.now.replace(day=28, hour=9))
    caplog.set_level(logging.DEBUG)  # every log line from here to the close, read below
    view = bot.open_form(METTE, "bøvl afstemning")
    assert view["callback_id"] == "hassle.open_voting"
    opened = said(bot.submit(METTE, view, {"dots": "3", "vote_until": "2026-12-04"}))
    assert "Afstemningen er åben indtil fredag den 4. december, med 3 prikker" in opened
    bot.slack.wait_for(
        lambda s: all(any("Giv dine prikker" in text_of(m) for m in bot.dm(u)) for u in USERS)
    )
    vote_dm = {u: next(m for m in bot.dm(u) if "Giv dine prikker" in text_of(m)) for u in USERS}

    def dots_view(user: str) -> dict[str, Any]:
        dm = vote_dm[user]
        [button] = [b for b in buttons(dm) if b["action_id"] == "hassle.dots"]
        return click_into_modal(bot, user, button, dm)

    # The dots modal: one multi-select of the 22 bøvl left, at most 3 to pick.
    view = dots_view(anna)
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    menu = field["element"]
    assert menu["type"] == "multi_static_select" and menu["max_selected_items"] == 3
    assert len(menu["options"]) == 22 <= 100
    assert "Du har 3 prikker. Du har brugt 0." in text_of(view)
    saved = said(bot.submit(anna, view, {"items": ["1", "2"]}))
    assert "Dine prikker er gemt: #1, #2." in saved
    seen += [text_of(view), saved]

    # Twenty-four more give their dots: #1 the most, then #2 and Gitte's anonymous one.
    voters = [u for u in USERS if u != anna][:24]
    for n, user in enumerate(voters):
        choice = ["1", "2", journal] if n < 12 else ["1", "4"] if n < 20 else ["1"]
        view = dots_view(user)
        seen.append(said(bot.submit(user, view, {"items": choice})))
    # Bo changes his mind: #4 instead of Gitte's; the modal holds his earlier choice.
    bo = IDS["Bo Sørensen"]
    assert bo in voters[:12]
    view = dots_view(bo)
    initial = [o["value"] for o in view["blocks"][-1]["element"].get("initial_options", [])]
    assert sorted(initial) == sorted(["1", "2", journal])
    assert "Du har brugt 3." in text_of(view)
    said(bot.submit(bo, view, {"items": ["1", "2", "4"]}))
    # More than allowed (Slack's menu would stop it; a crafted request does not): the error is
    # beside the field, and nothing is saved.
    view = dots_view(IDS["Claus Riis"])
    refused = bot.submit(IDS["Claus Riis"], view, {"items": ["1", "2", "4", journal]})
    assert refused["response_action"] == "errors"
    assert refused["errors"] == {"items": "Du har valgt 4, men du har kun 3 prikker. Vælg højst 3."}
    # The same modal submitted twice (a double click, a replay) counts once.
    view = dots_view(IDS["Dina Storm"])
    said(bot.submit(IDS["Dina Storm"], view, {"items": ["2"]}))
    assert bot.submit(IDS["Dina Storm"], view, {"items": ["4"]}) == {}
    with deps.db.transaction() as session:
        supports = {
            i.reference: i.supports for i in session.scalars(select(HassleItem)) if i.supports
        }
    assert supports == {"1": 25, "2": 14, "4": 9, journal: 11}

    # Before the close: nothing Slack shows carries a count (App Homes opened now, too).
    for user in (METTE, anna):
        bot.event(payloads.app_home_opened(user), "EvHome" + user)
    bot.slack.wait_for(lambda s: METTE in s.home_views and anna in s.home_views)
    status = bot.response(bot.command(anna, "status"))
    seen.append(text_of(status))
    seen += [text_of(m) for m in bot.posts(CHANNEL)]
    seen += [text_of(v) for v in board_versions(bot, board["ts"])]
    seen += [text_of(r) for rs in bot.slack.responses.values() for r in rs]
    seen += [text_of(c.params) for c in bot.slack.calls_to("chat.postEphemeral")]
    seen += [text_of(v) for v in bot.slack.home_views.values()]
    for text in seen:
        assert not COUNTS.search(text), COUNTS.search(text)
    # Nor any log line the bot writes (ours at any level, libraries' from INFO, as it runs).
    logged = logged_lines(caplog.records)
    assert logged  # the log was read (the HTTP client logs each request at INFO)
    for line in logged:
        assert not LOGGED_COUNT.search(line), line

    # Mette closes voting: the results go to the channel, and the board shows the top.
    view = bot.open_form(METTE, "bøvl luk")
    assert view["callback_id"] == "hassle.close"
    said(bot.submit(METTE, view, {"confirm": "close"}))
    bot.slack.wait_for(
        lambda s: any("Resultatet af bøvl-runden" in text_of(m) for m in bot.posts(CHANNEL))
    )
    [results] = [m for m in bot.posts(CHANNEL) if "Resultatet af bøvl-runden" in text_of(m)]
    assert_within_slack_limits(results)
    assert "1. #1 Vagtplanen kommer for sent – 25 prikker" in text_of(results)
    assert f"{journal} {JOURNAL} – 11 prikker" in text_of(results)
    bot.slack.wait_for(lambda s: "25 prikker" in text_of(board_versions(bot, board["ts"])[-1]))
    assert_within_slack_limits(board_versions(bot, board["ts"])[-1])

    # #1 becomes a track: `/samskab bøvl vælg`.
    view = bot.open_form(METTE, "bøvl vælg")
    assert view["callback_id"] == "hassle.choose"
    assert_within_slack_limits(view)
    said(bot.submit(METTE, view, {"chosen": ["1", "2"], "tracks": ["1"]}))
    bot.slack.wait_for(lambda s: any("et nyt spor" in text_of(m) for m in bot.dm(anna)), timeout=10)
    with deps.db.transaction() as session:
        track = session.scalar(select(Track).where(Track.name == "Vagtplanen kommer for sent"))
        assert track is not None

    # No anonymous author's name anywhere Slack shows: channel, board, ephemerals, homes …
    everywhere = [text_of(m) for m in bot.posts(CHANNEL)]
    everywhere += [text_of(c.params) for c in bot.slack.calls_to("chat.update")]
    everywhere += [text_of(r) for rs in bot.slack.responses.values() for r in rs]
    everywhere += [text_of(c.params) for c in bot.slack.calls_to("chat.postEphemeral")]
    everywhere += [text_of(v) for v in bot.slack.home_views.values()]
    for name in ANONYMOUS_AUTHORS:
        # … and in nobody else's DMs (the author's own tell them what became of theirs).
        others = [text_of(m) for u in USERS if u != uid(name) for m in bot.dm(u)]
        for trace in (name, uid(name)):
            assert not any(trace in text for text in everywhere + others), trace
