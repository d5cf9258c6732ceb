"""The whole bøvl round in Microsoft Teams with 30 colleagues: signed activities to our real server,
a fake Bot Framework over real HTTP, a real SQLite file. Started on a card, asked in each 1:1 chat,
bøvl added on cards (some anonymously, one look-alike answered both ways), the board one channel
activity updated in place, three duplicates merged from the sorting list's buttons, dots given on
a card with a multi-select (changed, refused beyond the limit, replayed), closed, the results
posted, one challenge made a track. Every card valid Adaptive Card 1.5 within Teams' size; no
count before the close and no anonymous author's name in the channel."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select

from bot.teams.card_blocks import ACTIVITY_BYTES, activity_bytes
from handlers.context import Deps
from storage.models import HassleItem, Track
from tests.builders import row_counts, with_ballot_key
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.scenarios.test_hassle_collect import COLLEAGUES, FACILITATOR, JOURNAL, MORE, QUESTION
from tests.teams_harness import TeamsHarness, actions_of, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import assert_valid, validator  # noqa: F401 (a fixture)
from tests.waiting import eventually

METTE = TeamsUser.make(FACILITATOR)
PEOPLE = {name: TeamsUser.make(name) for name in COLLEAGUES}
EVERYONE = [METTE, *PEOPLE.values()]
ANONYMOUS_AUTHORS = [name for name, _title, anonymous in MORE if anonymous] + ["Gitte Møller"]
COUNTS = re.compile(r"– \d+ prik|\d+ (støtte|stemme)")  # a count as the results write it
# A count as a log line would write it: "supports=25", "totals {1: 25}", "3 votes", "prikker: 4".
LOGGED_COUNT = re.compile(
    r"(support|dot|prik|stemme|ballot|vote|total)\w*\W{0,3}\d|\d\W{0,3}(support|dot|prik|vote)",
    re.IGNORECASE,
)


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(with_ballot_key(deps), EVERYONE) as harness:
        harness.bf.page_size = 50  # this test is about the round, not about paging
        yield harness


def logged_lines(records: list[logging.LogRecord]) -> list[str]:
    """The log as the bot writes it: our own lines at every level, the libraries' from INFO
    (at DEBUG, the Slack SDK echoes each request body, which the tests read as sent)."""
    ours = {"bot", "handlers", "schedules", "storage"}
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.INFO or r.name.partition(".")[0] in ours
    ]


def chat_of(bot: TeamsHarness, user: TeamsUser) -> str:
    return bot.bf.conversation_for(user.id) or ""


def in_chat(bot: TeamsHarness, user: TeamsUser, text: str) -> dict[str, Any]:
    """The newest activity in the person's 1:1 chat that says `text`."""
    found = [a for a in bot.bf.activities(chat_of(bot, user)) if text in text_of(a)]
    assert found, text
    return found[-1]


def board(bot: TeamsHarness) -> dict[str, Any]:
    """The board: a post of its own in the channel (the forms and answers are replies)."""
    [found] = [
        a
        for a in bot.bf.activities(teams.CHANNEL_ID)
        if "Bøvl-runden" in text_of(a) and not a.get("replyToId")
    ]
    return found


def reference_in(text: str) -> str:
    match = re.search(r"(#\d+|B-[A-Z]{3,})", text)
    assert match, text
    return match.group(1)


def checked(card_activity: dict[str, Any], schema: jsonschema.Draft6Validator) -> None:
    """Valid Adaptive Card 1.5, within the size bot.teams.card_blocks keeps to."""
    assert_valid(card_of(card_activity), schema)
    assert activity_bytes(card_activity) <= ACTIVITY_BYTES


def answer_to(bot: TeamsHarness, card_activity: dict[str, Any]) -> str:
    """What a submitted card turned into (the card is updated in place with the outcome)."""
    [now] = [
        a
        for a in bot.bf.activities(card_activity["conversation"]["id"])
        if a["id"] == card_activity["id"]
    ]
    return text_of(now)


def form_in_channel(bot: TeamsHarness, user: TeamsUser, words: str) -> dict[str, Any]:
    """@Samskab <words> in the channel; the form card it answers with."""
    asked = bot.say(user, words)
    [card] = bot.replies_to(asked)
    assert card.get("attachments"), text_of(card)
    return card


def add(bot: TeamsHarness, name: str, title: str, *, anonymous: bool = False) -> str:
    """@Samskab bøvl as `name`, the card filled in; what the card says afterwards."""
    user = PEOPLE[name]
    if anonymous:  # from the 1:1 chat's button: nobody in the channel sees who asked for a form
        pressed = bot.press(user, in_chat(bot, user, QUESTION), chat_of(bot, user), "hassle.add")
        [card] = bot.replies_to(pressed)
    else:
        card = form_in_channel(bot, user, "bøvl")
    kind = "anonymous" if anonymous else "named"
    bot.submit(user, card, card["conversation"]["id"], {"title": title, "anonymous": kind})
    return answer_to(bot, card)


def press_value(
    bot: TeamsHarness, user: TeamsUser, card_activity: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """Presses the card's button whose data is `data`; the activity sent."""
    activity = teams.card_submit(
        data,
        user=user,
        conversation_id=card_activity["conversation"]["id"],
        reply_to_id=card_activity["id"],
        service_url=bot.bf.service_url,
        bot_app_id="app-123",
    )
    assert bot.post(activity).status_code == 200
    return activity


def merge_button(bot: TeamsHarness, reference: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sorting list (the page holding `reference`) and the data of its "Slå sammen" button
    beside that bøvl."""
    for page in ("1", "2"):
        asked = bot.say(METTE, "bøvl sorter " + page)
        [listing] = bot.replies_to(asked)
        for action in actions_of(card_of(listing)):
            data = action.get("data") or {}
            if data.get("action_id") == "hassle.merge" and data["value"].endswith(
                ":" + reference.removeprefix("#")
            ):
                assert action["title"] == "Slå sammen"
                return listing, data
    raise AssertionError(f"no merge button for {reference}")


def test_a_whole_bøvl_round_in_teams(
    bot: TeamsHarness,
    deps: Deps,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    card = form_in_channel(bot, METTE, "opsætning")
    bot.submit(METTE, card, card["conversation"]["id"], {"name": "Odder", "step": "2"})
    eventually(lambda: row_counts(deps)["members"] == 30)

    # The round starts from a card; everyone is asked in their 1:1 chat.
    card = form_in_channel(bot, METTE, "bøvl start")
    checked(card, validator)
    bot.submit(METTE, card, card["conversation"]["id"], {"collect_until": "2026-12-03"})
    assert "30 kolleger bliver spurgt indtil torsdag den 3. december" in answer_to(bot, card)
    bot.bf.wait_for(
        lambda bf: all(
            any(QUESTION in text_of(a) for a in bf.activities(chat_of(bot, u))) for u in EVERYONE
        )
    )
    for user in EVERYONE:
        dm = in_chat(bot, user, QUESTION)
        checked(dm, validator)
        assert [a["title"] for a in actions_of(card_of(dm))] == ["Tilføj bøvl"]
    bot.bf.wait_for(
        lambda bf: any(
            "Bøvl-runden" in text_of(a) and not a.get("replyToId")
            for a in bf.activities(teams.CHANNEL_ID)
        )
    )
    first = board(bot)
    assert "Ingen bøvl endnu" in text_of(first)

    # Gitte adds hers anonymously with her chat's button: it waits, and the board is untouched.
    thanks = add(bot, "Gitte Møller", JOURNAL, anonymous=True)
    assert "når mindst 3 kolleger har tilføjet bøvl" in thanks
    journal = reference_in(thanks)

    add(bot, "Anna Holm", "Vagtplanen kommer for sent")
    bot.bf.wait_for(lambda bf: "#1 Vagtplanen kommer for sent" in text_of(board(bot)))
    assert journal not in text_of(board(bot))
    add(bot, "Bo Sørensen", "IT-systemet er langsomt")
    bot.bf.wait_for(lambda bf: f"{journal} {JOURNAL}" in text_of(board(bot)))

    # A look-alike: the card turns into the second step; "the same" adds nothing …
    camilla = PEOPLE["Camilla Friis"]
    card = form_in_channel(bot, camilla, "bøvl")
    bot.submit(
        camilla, card, card["conversation"]["id"], {"title": "dobbelt registrering i journal"}
    )
    [step] = [a for a in bot.bf.activities(card["conversation"]["id"]) if a["id"] == card["id"]]
    assert f"Ligner {journal} »{JOURNAL}« – støt den i stedet?" in text_of(step)
    checked(step, validator)
    bot.submit(camilla, step, card["conversation"]["id"], {"similar": "same:" + journal})
    assert "Der er ikke tilføjet noget" in answer_to(bot, card)
    # … and "add mine anyway" adds it.
    dorte = PEOPLE["Dorte Bach"]
    card = form_in_channel(bot, dorte, "bøvl")
    bot.submit(
        dorte, card, card["conversation"]["id"], {"title": "Vagtplanerne bliver lagt for sent"}
    )
    [step] = [a for a in bot.bf.activities(card["conversation"]["id"]) if a["id"] == card["id"]]
    assert "Ligner #1 »Vagtplanen kommer for sent«" in text_of(step)
    bot.submit(dorte, step, card["conversation"]["id"], {"similar": "add"})
    assert "Dit bøvl #3 »Vagtplanerne bliver lagt for sent«" in answer_to(bot, card)

    references = {JOURNAL: journal}
    for name, title, anonymous in MORE:
        thanks = add(bot, name, title, anonymous=anonymous)
        assert ("uden dit navn" in thanks) == anonymous, thanks
        references[title] = reference_in(thanks)
    with deps.db.transaction() as session:
        assert len(session.scalars(select(HassleItem)).all()) == 25
    bot.bf.wait_for(lambda bf: "Bøvl indtil videre (25)" in text_of(board(bot)))
    assert board(bot)["id"] == first["id"], "one activity, updated in place"
    checked(board(bot), validator)

    # Three duplicates merged with the sorting list's buttons.
    merges = [
        ("#3", "#1"),
        (references["Lang ventetid når man ringer til visitation"],
         references["Telefonkø til visitationen"]),
        (references["Utydelig ansvarsfordeling"], references["Uklare beslutninger fra ledelsen"]),
    ]  # fmt: skip
    for merged, into in merges:
        listing, data = merge_button(bot, merged)
        checked(listing, validator)
        pressed = press_value(bot, METTE, listing, data)
        [form] = bot.replies_to(pressed)
        bot.submit(METTE, form, form["conversation"]["id"], {"into": into.removeprefix("#")})
        assert f"{merged} er slået sammen med {into}" in answer_to(bot, form)
    bot.bf.wait_for(lambda bf: text_of(board(bot)).count("slået sammen med") == 3)

    # Voting opens with 3 dots; everyone gets a card in their chat.
    clock.set(clock.now.replace(day=28, hour=9))
    caplog.set_level(logging.DEBUG)  # every log line from here to the close, read below
    calls_before_voting = len(bot.bf.calls)
    card = form_in_channel(bot, METTE, "bøvl afstemning")
    bot.submit(METTE, card, card["conversation"]["id"], {"dots": "3", "vote_until": "2026-12-04"})
    assert "Afstemningen er åben indtil fredag den 4. december" in answer_to(bot, card)
    bot.bf.wait_for(
        lambda bf: all(
            any("Giv dine prikker" in text_of(a) for a in bf.activities(chat_of(bot, u)))
            for u in EVERYONE
        )
    )

    submitted: dict[str, str] = {}  # a dots card's id → the chat of the person it was for

    def dots_card(user: TeamsUser) -> dict[str, Any]:
        dm = in_chat(bot, user, "Du har 3 prikker til at støtte")
        pressed = bot.press(user, dm, chat_of(bot, user), "hassle.dots")
        [form] = bot.replies_to(pressed)
        submitted[form["id"]] = chat_of(bot, user)
        return form

    anna = PEOPLE["Anna Holm"]
    form = dots_card(anna)
    checked(form, validator)
    [choices] = [e for e in card_of(form)["body"] if e.get("type") == "Input.ChoiceSet"]
    assert choices["isMultiSelect"] is True and len(choices["choices"]) == 22
    assert "Vælg op til 3" in text_of(form)
    bot.submit(anna, form, chat_of(bot, anna), {"items": ["1", "2"]})
    assert "Dine prikker er gemt: #1, #2." in answer_to(bot, form)

    voters = [u for u in EVERYONE if u != anna][:24]
    for n, user in enumerate(voters):
        choice = ["1", "2", journal] if n < 12 else ["1", "4"] if n < 20 else ["1"]
        form = dots_card(user)
        bot.submit(user, form, chat_of(bot, user), {"items": choice})
        assert "Dine prikker er gemt" in answer_to(bot, form)
    # Bo changes his: the card holds his earlier choice.
    bo = PEOPLE["Bo Sørensen"]
    assert bo in voters[:12]
    form = dots_card(bo)
    [choices] = [e for e in card_of(form)["body"] if e.get("type") == "Input.ChoiceSet"]
    assert sorted(choices["value"].split(",")) == sorted(["1", "2", journal])
    bot.submit(bo, form, chat_of(bot, bo), {"items": ["1", "2", "4"]})
    # More than allowed: Teams lets four be ticked; the answer says why nothing was saved.
    claus = PEOPLE["Claus Riis"]
    form = dots_card(claus)
    sent = bot.submit(claus, form, chat_of(bot, claus), {"items": ["1", "2", "4", journal]})
    assert sent.status_code == 200
    refusal = [a for a in bot.bf.activities(chat_of(bot, claus)) if "Vælg højst 3" in text_of(a)]
    assert refusal and "Du har valgt 4, men du har kun 3 prikker." in text_of(refusal[-1])
    # The same card submitted twice (a double click, a retry) counts once.
    dina = PEOPLE["Dina Storm"]
    form = dots_card(dina)
    bot.submit(dina, form, chat_of(bot, dina), {"items": ["2"]})
    bot.submit(dina, form, chat_of(bot, dina), {"items": ["4"]})
    with deps.db.transaction() as session:
        supports = {
            i.reference: i.supports for i in session.scalars(select(HassleItem)) if i.supports
        }
    assert supports == {"1": 25, "2": 14, "4": 9, journal: 11}

    # Before the close: no count in the channel, nor in anyone's chat.
    asked = bot.say(anna, "status")
    shown = [text_of(a) for a in bot.bf.activities(teams.CHANNEL_ID)]
    shown += [text_of(a) for u in EVERYONE for a in bot.bf.activities(chat_of(bot, u))]
    shown += [text_of(a) for a in bot.replies_to(asked)]
    for text in shown:
        assert not COUNTS.search(text), COUNTS.search(text)
    # No card was changed for anyone but the person who submitted it (the board aside), and
    # none of the cards changed says a count.
    updates = [c for c in bot.bf.calls[calls_before_voting:] if c.method == "PUT"]
    assert updates
    for update in updates:
        conversation, activity_id = re.findall(
            r"/conversations/([^/]+)/activities/([^/]+)", update.path
        )[0]
        if not conversation.startswith(teams.CHANNEL_ID):
            assert submitted.get(activity_id) == conversation, update.path
        assert not COUNTS.search(text_of(update.json)), text_of(update.json)
    # Nor any log line the bot writes (ours at any level, libraries' from INFO, as it runs).
    logged = logged_lines(caplog.records)
    assert logged  # the log was read (the HTTP client logs each request at INFO)
    for line in logged:
        assert not LOGGED_COUNT.search(line), line

    # Closed: the results in the channel, the board with the top.
    card = form_in_channel(bot, METTE, "bøvl luk")
    bot.submit(METTE, card, card["conversation"]["id"], {"confirm": "close"})
    bot.bf.wait_for(
        lambda bf: any(
            "Resultatet af bøvl-runden" in text_of(a) for a in bf.activities(teams.CHANNEL_ID)
        )
    )
    [results] = [
        a for a in bot.bf.activities(teams.CHANNEL_ID) if "Resultatet af bøvl-runden" in text_of(a)
    ]
    checked(results, validator)
    assert "1. #1 Vagtplanen kommer for sent – 25 prikker" in text_of(results)
    assert f"{journal} {JOURNAL} – 11 prikker" in text_of(results)
    bot.bf.wait_for(lambda bf: "25 prikker" in text_of(board(bot)))
    checked(board(bot), validator)

    # #1 becomes a track.
    card = form_in_channel(bot, METTE, "bøvl vælg")
    checked(card, validator)
    bot.submit(METTE, card, card["conversation"]["id"], {"chosen": ["1", "2"], "tracks": ["1"]})
    bot.bf.wait_for(
        lambda bf: any("et nyt spor" in text_of(a) for a in bf.activities(chat_of(bot, anna)))
    )
    with deps.db.transaction() as session:
        assert session.scalar(select(Track).where(Track.name == "Vagtplanen kommer for sent"))

    # No anonymous author's name in the channel, nor in anyone else's chat.
    channel = [text_of(a) for a in bot.bf.activities(teams.CHANNEL_ID)]
    for name in ANONYMOUS_AUTHORS:
        author = PEOPLE[name]
        others = [
            text_of(a) for u in EVERYONE if u != author for a in bot.bf.activities(chat_of(bot, u))
        ]
        for text in channel + others:
            assert name not in text and author.id not in text, name
