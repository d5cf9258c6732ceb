"""Where the platform differs: Slack's setup modal and Teams' setup card carry who is asked for
input and the other facilitators, and what is chosen there is stored (the form proposes it the
next time, and it acts). And a Slack whose client says Danish gives way to a person's choice of
English."""

from __future__ import annotations

from typing import Any

from handlers.context import Deps
from tests.builders import row_counts
from tests.conftest import Clock
from tests.fakes import teams_activities as teams
from tests.fakes.teams_activities import TeamsUser
from tests.slack_harness import CHANNEL, SlackHarness, slack_bot
from tests.slack_harness import text_of as slack_text
from tests.teams_harness import card_of, teams_bot
from tests.teams_harness import text_of as teams_text
from tests.waiting import eventually

AUDIENCES = ["inviterede, der ikke deltog (standard)", "alle i kanalen, der ikke deltog"]

# --- Slack -------------------------------------------------------------------------------------

METTE, ANNA, BO, CARL = "U0METTE", "U0ANNA", "U0BO", "U0CARL"
USERS = {  # every Slack here says Danish
    METTE: ("Mette Lund", "da-DK"),
    ANNA: ("Anna Holm", "da-DK"),
    BO: ("Bo Berg", "da-DK"),
    CARL: ("Carl Ek", "da-DK"),
}


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _slack_set_up(bot: SlackHarness, deps: Deps, answers: dict[str, Any]) -> None:
    view = bot.open_form(METTE, "opsætning")
    answer = bot.submit(METTE, view, {"name": "Odder"} | answers)
    assert "Forløbet »Odder« er sat op." in slack_text(answer["view"])
    eventually(lambda: row_counts(deps)["members"] == len(USERS))


def test_the_slack_setup_modal_asks_who_is_asked_and_who_else_facilitates(deps: Deps) -> None:
    with slack_bot(deps, USERS, list(USERS)) as bot:
        view = bot.open_form(METTE, "opsætning")
        audience = _block(view, "input_audience")
        assert audience["label"]["text"] == "Bed om input fra"
        assert audience["element"]["type"] == "static_select"
        assert [o["text"]["text"] for o in audience["element"]["options"]] == AUDIENCES
        assert audience["element"]["initial_option"]["value"] == "invited"
        others = _block(view, "facilitators")
        assert others["label"]["text"] == "Andre facilitatorer" and others["optional"]
        assert others["element"]["type"] in ("multi_users_select", "multi_static_select")

        answer = bot.submit(
            METTE, view, {"name": "Odder", "input_audience": "channel", "facilitators": [ANNA]}
        )
        assert "Forløbet »Odder« er sat op." in slack_text(answer["view"])
        eventually(lambda: row_counts(deps)["members"] == len(USERS))

        view = bot.open_form(METTE, "opsætning")
        assert _block(view, "input_audience")["element"]["initial_option"]["value"] == "channel"
        chosen = _block(view, "facilitators")["element"]
        assert ANNA in chosen.get("initial_users", []) + [
            o["value"] for o in chosen.get("initial_options", [])
        ]
        status = bot.response(bot.command(BO, "status"))
        assert "Facilitatorer: Mette Lund og Anna Holm" in slack_text(status)
        # Anna may now use a facilitators' command.
        assert bot.open_form(ANNA, "workshop")["callback_id"] == "workshop"


def test_in_slack_a_chosen_language_wins_over_a_danish_client(deps: Deps, clock: Clock) -> None:
    with slack_bot(deps, USERS, list(USERS)) as bot:
        _slack_set_up(bot, deps, {})
        reply = bot.response(bot.command(BO, "sprog en"))
        assert "Samskab now writes to you in English." in slack_text(reply)

        view = bot.open_form(METTE, "workshop")
        bot.submit(METTE, view, {"title": "Visitation", "starts_at": "2026-11-25T13:00"})
        clock.set(clock.now.replace(day=25, hour=16))
        view = bot.open_form(METTE, "referat")
        bot.submit(METTE, view, {"attendees": [METTE, ANNA], "text": "Kort."})
        bot.slack.wait_for(lambda s: bool(s.dm_channel_of(BO) and s.dm_channel_of(CARL)))
        bot.slack.wait_for(lambda s: bool(s.messages(s.dm_channel_of(BO) or "")))
        bot.slack.wait_for(lambda s: bool(s.messages(s.dm_channel_of(CARL) or "")))
        assert "You were not at “Visitation”" in slack_text(bot.dm(BO)[0])
        assert "Du var ikke med til »Visitation«" in slack_text(bot.dm(CARL)[0])
        summary = [m for m in bot.posts(CHANNEL) if "Opsamling fra workshoppen" in slack_text(m)]
        assert len(summary) == 1, "the channel's post stays Danish"


# --- Teams -------------------------------------------------------------------------------------

T_METTE = TeamsUser.make("Mette Lund")
T_ANNA = TeamsUser.make("Anna Holm")
T_BO = TeamsUser.make("Bo Berg")
MEMBERS = [T_METTE, T_ANNA, T_BO]


def _choice_set(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    return next(e for e in card["body"] if e.get("id") == input_id)


def test_the_teams_setup_card_asks_who_is_asked_and_who_else_facilitates(deps: Deps) -> None:
    with teams_bot(deps, MEMBERS) as bot:
        asked = bot.say(T_METTE, "opsætning")
        form = bot.replies_to(asked)[0]
        audience = _choice_set(card_of(form), "input_audience")
        assert audience["type"] == "Input.ChoiceSet" and audience["label"] == "Bed om input fra"
        assert [c["title"] for c in audience["choices"]] == AUDIENCES
        assert audience["value"] == "invited"
        others = _choice_set(card_of(form), "facilitators")
        assert others["type"] == "Input.ChoiceSet" and others["isMultiSelect"]
        assert {c["title"] for c in others["choices"]} >= {"Anna Holm", "Bo Berg"}

        bot.submit(
            T_METTE,
            form,
            asked["conversation"]["id"],
            {"name": "Odder", "input_audience": "channel", "facilitators": [T_ANNA.id]},
        )
        eventually(lambda: row_counts(deps)["members"] == len(MEMBERS))
        # Anna's name is not known until the team's people are read, after the setup: the post
        # that announces the process names the facilitators it can, never an id.
        bot.bf.wait_for(
            lambda bf: any("Facilitator" in teams_text(a) for a in bf.activities(teams.CHANNEL_ID))
        )
        assert not any(T_ANNA.id in teams_text(a) for a in bot.bf.activities(teams.CHANNEL_ID))

        asked = bot.say(T_METTE, "opsætning")
        card = card_of(bot.replies_to(asked)[0])
        assert _choice_set(card, "input_audience")["value"] == "channel"
        assert T_ANNA.id in _choice_set(card, "facilitators")["value"].split(",")
        asked = bot.say(T_BO, "status")
        bot.bf.wait_for(lambda bf: bool(bot.replies_to(asked)))
        assert "Facilitatorer: Mette Lund og Anna Holm" in teams_text(bot.replies_to(asked)[0])
