"""One rule for a command typed in the person's own chat with the bot, in Slack and in Teams:
it concerns the one process they are in; with none (or several) they are told to write in the
process's channel; and no process is ever set up in such a chat."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.context import Deps
from tests.builders import row_counts
from tests.fakes import teams_activities as teams
from tests.scenarios import test_slack_robustness as slack_case
from tests.scenarios import test_teams_robustness as teams_case
from tests.slack_harness import SlackHarness, slack_bot
from tests.slack_harness import text_of as slack_text
from tests.teams_harness import APP_ID, TeamsHarness, teams_bot
from tests.teams_harness import text_of as teams_text

NOT_HERE = "Her i vores chat kan jeg ikke se, hvilket forløb du mener"


@pytest.fixture
def slack(deps: Deps) -> Iterator[SlackHarness]:
    with slack_bot(deps, slack_case.USERS, slack_case.MEMBERS) as harness:
        yield harness


@pytest.fixture
def teams_bot_(deps: Deps) -> Iterator[TeamsHarness]:
    with teams_bot(deps, teams_case.EVERYONE) as harness:
        yield harness


def test_slack_status_in_the_dm_is_the_persons_process(slack: SlackHarness, deps: Deps) -> None:
    slack_case.set_up(deps)
    answer = slack.response(slack.command(slack_case.ANNA, "status", channel="D0ANNA"))
    assert "Trin 3 af 6: Udvikle løsninger" in slack_text(answer)


def test_slack_dm_of_someone_in_no_process_says_where_to_write(
    slack: SlackHarness, deps: Deps
) -> None:
    answer = slack.response(slack.command(slack_case.ANNA, "status", channel="D0ANNA"))
    assert NOT_HERE in slack_text(answer)


def test_slack_setup_in_the_dm_is_refused_and_sets_nothing_up(
    slack: SlackHarness, deps: Deps
) -> None:
    before = row_counts(deps)
    answer = slack.response(slack.command(slack_case.ANNA, "opsætning", channel="D0ANNA"))
    assert "Et forløb sættes op i sin egen kanal" in slack_text(answer)
    assert not slack.slack.calls_to("views.open")
    assert row_counts(deps)["processes"] == before["processes"] == 0


def _chat(bot: TeamsHarness, text: str) -> str:
    bot.bf.add_channel("a:1emil", members=[teams_case.EMIL])
    chat = teams.personal_message(
        text,
        user=teams_case.EMIL,
        conversation_id="a:1emil",
        service_url=bot.bf.service_url,
        bot_app_id=APP_ID,
    )
    assert bot.post(chat).status_code == 200
    bot.bf.wait_for(lambda bf: bool(bf.activities("a:1emil")))
    return teams_text(bot.bf.activities("a:1emil")[-1])


def test_teams_chat_of_someone_in_no_process_says_where_to_write(
    teams_bot_: TeamsHarness, deps: Deps
) -> None:
    assert NOT_HERE in _chat(teams_bot_, "status")


def test_teams_setup_in_the_one_to_one_chat_is_refused(
    teams_bot_: TeamsHarness, deps: Deps
) -> None:
    assert "Et forløb sættes op i sin egen kanal" in _chat(teams_bot_, "opsætning")
    assert row_counts(deps)["processes"] == 0
