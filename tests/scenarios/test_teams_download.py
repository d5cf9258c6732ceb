"""Files in Teams: the record (and a person's own data) as an Adaptive Card with a signed download
link to our server, valid for a day. Downloading it over real HTTP gives the file; an altered link
gets 403, an expired one 410, a link to what no longer exists 404, and none of them changes
anything. A person's own data goes to their 1:1 chat, never the channel's thread."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import jwt
import pytest

from bot.downloads import DownloadLinks, LinkAltered
from handlers.context import Deps
from tests.builders import row_counts
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.teams_harness import TeamsHarness, actions_of, card_of, teams_bot, text_of
from tests.unit.test_teams_cards import assert_valid, validator  # noqa: F401 (a fixture)
from tests.waiting import eventually

METTE = TeamsUser.make("Mette Lund")
ANNA = TeamsUser.make("Anna Holm")
EMIL = TeamsUser.make("Emil Vestergaard")
EVERYONE = [METTE, ANNA, EMIL]


@pytest.fixture
def bot(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, EVERYONE) as harness:
        asked = harness.say(METTE, "opsætning")
        form = harness.replies_to(asked)[0]
        harness.submit(METTE, form, asked["conversation"]["id"], {"name": "Odder", "step": "3"})
        eventually(lambda: row_counts(deps)["members"] == len(EVERYONE))
        yield harness


def base_url(bot: TeamsHarness) -> str:
    return bot.url.removesuffix("/api/messages")


def download_card(activities: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The one card among `activities` with a download link, and the link."""
    found = [
        (card_of(a), action["url"])
        for a in activities
        if a.get("attachments")
        for action in actions_of(card_of(a))
        if action.get("type") == "Action.OpenUrl"
    ]
    assert len(found) == 1, activities
    return found[0]


def test_the_record_comes_as_a_card_with_a_link_that_downloads_it(
    bot: TeamsHarness,
    deps: Deps,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    asked = bot.say(ANNA, "eksport csv")
    replies = bot.replies_to(asked)
    assert any(
        "Dokumentationen for »Odder« er klar: samskab-export-1-2026-11-23.csv" in text_of(a)
        for a in replies
    )
    card, url = download_card(replies)
    assert_valid(card, validator)
    texts = json.dumps(card, ensure_ascii=False)
    assert "samskab-export-1-2026-11-23.csv" in texts and "Hent filen" in texts
    assert "Linket virker i 24 timer" in texts
    # Without SAMSKAB_PUBLIC_URL, the link points to where Teams reached us.
    assert url.startswith(base_url(bot) + "/downloads/")

    before = row_counts(deps)
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="samskab-export-1-2026-11-23.csv"'
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"\xef\xbb\xbfType;Spor;Workshop;")
    assert "Forløb;;;2026-11-23;Odder;aktivt" in response.content.decode("utf-8")
    assert row_counts(deps) == before


def test_an_altered_link_is_refused_and_an_expired_one_is_gone(
    bot: TeamsHarness, deps: Deps, clock: Clock
) -> None:
    _, url = download_card(bot.replies_to(bot.say(METTE, "eksport")))
    head, token = url.rsplit("/", 1)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["ref"] == "export:1:md"
    before = row_counts(deps)

    # Someone points the link at another process, keeping the signature; or cuts it short.
    claims["ref"] = "export:2:md"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for altered in (f"{header}.{forged}.{signature}", token[:-6], "not-a-token"):
        response = httpx.get(f"{head}/{altered}")
        assert response.status_code == 403, altered
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        page = response.text
        assert "Dette downloadlink er ikke gyldigt" in page
        assert "This download link is not valid" in page
        assert page.index("Dette downloadlink") < page.index("This download link")

    # Within the day the link works; once the day is over it is gone.
    clock.advance(hours=23, minutes=59)
    assert httpx.get(url).status_code == 200
    clock.advance(minutes=1)
    response = httpx.get(url)
    assert response.status_code == 410
    assert "Dette downloadlink er udløbet" in response.text
    assert "This download link has expired" in response.text
    assert "Bed om filen igen i chatten." in response.text
    assert row_counts(deps) == before


def test_a_link_to_what_no_longer_exists_finds_nothing(bot: TeamsHarness, clock: Clock) -> None:
    # A link we signed (the harness's app password is "secret") to a process that is not there.
    url = DownloadLinks("secret", clock, base_url(bot)).url("export:99:md", "da")
    response = httpx.get(url)
    assert response.status_code == 404
    assert "Filen findes ikke længere" in response.text
    assert "The file no longer exists" in response.text


def test_a_persons_own_data_goes_to_their_personal_chat_never_the_channel(
    bot: TeamsHarness,
    validator: jsonschema.Draft6Validator,  # noqa: F811
) -> None:
    asked = bot.say(ANNA, "minedata")
    in_thread = bot.replies_to(asked)
    assert any("Du har fået dine data i en direkte besked." in text_of(a) for a in in_thread)
    assert not any("Action.OpenUrl" in json.dumps(a) for a in in_thread), "no link in the thread"

    chat = bot.bf.conversation_for(ANNA.id)
    assert chat is not None
    bot.bf.wait_for(lambda bf: bool(bf.activities(chat)))
    card, url = download_card(bot.bf.activities(chat))
    assert_valid(card, validator)
    assert not any(
        "Action.OpenUrl" in json.dumps(a) for a in bot.bf.activities(teams.CHANNEL_ID)
    ), "no link in the channel"

    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="samskab-mydata'
    )
    assert response.json()["person"]["name"] == "Anna Holm"


def test_links_point_to_the_public_address_and_trust_only_our_key(clock: Clock) -> None:
    ours = DownloadLinks("secret", clock, "https://samskab.example.org/")
    url = ours.url("export:1:csv", "da")
    assert url.startswith("https://samskab.example.org/downloads/")
    token = url.rsplit("/", 1)[1]
    assert ours.read(token).ref == "export:1:csv"
    # The app password never signs a link itself, and another password's links are not ours.
    with pytest.raises(LinkAltered):
        DownloadLinks("another secret", clock).read(token)
    with warnings.catch_warnings(), pytest.raises(jwt.InvalidSignatureError):
        warnings.simplefilter("ignore")  # PyJWT rightly warns that "secret" is a short key
        jwt.decode(token, "secret", algorithms=["HS256"], options={"verify_aud": False})
