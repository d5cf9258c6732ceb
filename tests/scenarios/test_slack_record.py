"""The record in Slack: `/samskab eksport` (and `eksport csv`) put the file in the channel through
files.getUploadURLExternal and files.completeUploadExternal; someone outside the process gets a
refusal and no file; a person's own data goes to their DM with the app, never the channel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace

import pytest

from handlers.context import ChannelRef, Deps, PersonRef
from tests import builders
from tests.builders import row_counts
from tests.slack_harness import CHANNEL, TEAM, SlackHarness, slack_bot, text_of

METTE, ANNA, EMIL, FRIDA, OUTSIDER = "U0METTE", "U0ANNA", "U0EMIL", "U0FRIDA", "U0ULLA"
USERS = {
    METTE: ("Mette Lund", "da-DK"),
    ANNA: ("Anna Holm", "da-DK"),
    EMIL: ("Emil Vestergaard", "da-DK"),
    FRIDA: ("Frida Juhl", "en-US"),
    OUTSIDER: ("Ulla Udenfor", "da-DK"),
}
MEMBERS = [METTE, ANNA, EMIL, FRIDA]
WHERE = ChannelRef("slack", TEAM, CHANNEL, "odder")


def ref(user: str) -> PersonRef:
    name, locale = USERS[user]
    return PersonRef("slack", TEAM, user, name, "da" if locale.startswith("da") else None)


@pytest.fixture
def bot(deps: Deps) -> Iterator[SlackHarness]:
    """Odder, with one held workshop that Emil and Frida missed."""
    # Ulla is in the Slack channel, but not in the process (she joined before the bot).
    with slack_bot(deps, USERS, [*MEMBERS, OUTSIDER]) as harness:
        roster = replace(WHERE, roster=tuple(ref(u) for u in MEMBERS))
        builders.set_up(deps, roster, ref(METTE), step="3", name="Odder", tracks="Visitation")
        invitees = [ref(u) for u in MEMBERS]
        workshop = builders.plan(
            deps, WHERE, ref(METTE), invitees, title="Ny visitationsmodel", when="2026-11-23 08:00"
        )
        builders.summarise(deps, WHERE, ref(METTE), workshop, [ref(METTE), ref(ANNA)])
        yield harness


def test_the_record_arrives_as_files_in_the_channel(bot: SlackHarness) -> None:
    name = bot.command(ANNA, "eksport")
    assert "Dokumentationen for »Odder« er klar: samskab-export-1-2026-11-23.md" in text_of(
        bot.response(name)
    )
    bot.slack.wait_for(lambda s: len(s.files) == 1)
    bot.command(ANNA, "eksport csv")
    bot.slack.wait_for(lambda s: len(s.files) == 2)

    # The upload flow of files_upload_v2: an upload URL per file, then shared in the channel.
    asked = [c.params["filename"] for c in bot.slack.calls_to("files.getUploadURLExternal")]
    assert asked == ["samskab-export-1-2026-11-23.md", "samskab-export-1-2026-11-23.csv"]
    completed = bot.slack.calls_to("files.completeUploadExternal")
    assert [c.params["channel_id"] for c in completed] == [CHANNEL, CHANNEL]

    markdown, table = bot.slack.files
    assert markdown["channel_id"] == CHANNEL and markdown["title"].endswith(".md")
    record = markdown["content"].decode("utf-8")
    assert record.startswith("# Odder\n")
    assert "### Ny visitationsmodel (mandag den 23. november 2026 kl. 08:00, holdt)" in record
    assert "Deltog: 2 af 4 inviterede" in record
    assert "- Spurgt om input: 2 kolleger, der ikke deltog\n" in record
    assert "- Har svaret: 0 kolleger\n- Har ikke svaret: 2 kolleger\n" in record

    assert table["channel_id"] == CHANNEL
    assert table["content"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(table["content"].decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Type", "Spor", "Workshop"]
    attended = next(r for r in rows if r[0] == "Fremmøde" and r[4] == "Deltog")
    where = ["Fremmøde", "Visitation", "Ny visitationsmodel", "2026-11-23 08:00"]
    assert attended == [*where, "Deltog", "", "", "", "", "2"]  # no status, note, author, reference


def test_someone_outside_the_process_gets_a_refusal_and_no_file(
    bot: SlackHarness, deps: Deps
) -> None:
    bot.slack.wait_for(lambda s: bool(s.messages(CHANNEL)))  # the summary has been posted
    before, uploads = row_counts(deps), len(bot.slack.calls_to("files.getUploadURLExternal"))
    name = bot.command(OUTSIDER, "eksport")
    answer = bot.response(name)
    assert answer["response_type"] == "ephemeral"
    assert "Du er ikke med i forløbet »Odder«." in text_of(answer)
    assert len(bot.slack.calls_to("files.getUploadURLExternal")) == uploads
    assert not bot.slack.files
    assert row_counts(deps) == before


def test_a_persons_own_data_goes_to_their_dm_never_the_channel(bot: SlackHarness) -> None:
    name = bot.command(ANNA, "minedata")
    bot.response(name)
    bot.slack.wait_for(lambda s: bool(s.files))
    (shared,) = bot.slack.files
    dm = bot.slack.dm_channel_of(ANNA)
    assert dm is not None and shared["channel_id"] == dm != CHANNEL
    assert shared["filename"].endswith(".json") and "Anna Holm" in shared["content"].decode()
