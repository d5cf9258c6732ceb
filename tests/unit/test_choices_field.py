"""A field of several choices ("dots": pick at most N): the neutral check that refuses too many
and unknown picks in the form's language, Slack's multi-select, Teams' multi-select ChoiceSet
within the card's size limit, and each platform's answer read back as a list of option values."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from bot.slack.modals import read_modal_values, render_modal
from bot.teams.activities import form_activity
from bot.teams.card_blocks import ACTIVITY_BYTES, activity_bytes
from bot.teams.cards import errors_card, read_card_values, render_form_card
from handlers.form_reading import FormReader, Invalid
from handlers.i18n import Translator
from handlers.messages import Form, FormField, FormValues, Option
from tests.unit.test_slack_blocks import assert_within_slack_limits
from tests.unit.test_teams_cards import assert_valid, validator  # noqa: F401 (a fixture)


def hassles(n: int, label: str = "Bøvl nummer {i}") -> tuple[Option, ...]:
    return tuple(Option(str(i), label.format(i=i)) for i in range(1, n + 1))


def dots(
    n: int = 12,
    *,
    max_selected: int | None = 3,
    initial: tuple[str, ...] | None = ("12", "3"),
    required: bool = False,
    label: str = "Bøvl nummer {i}",
) -> FormField:
    return FormField(
        "dots",
        "Hvilket bøvl fylder mest?",
        "choices",
        options=hassles(n, label),
        max_selected=max_selected,
        initial=initial,
        required=required,
    )


def a_form(field: FormField, language: str = "da") -> Form:
    return Form("hassle.vote", "Bøvlrunden", "Sæt prikker", (field,), language=language)


def read(values: FormValues, field: FormField, language: str = "da") -> list[str] | str:
    """The picks, or the refusal as the person reads it (as handlers.interactions words it)."""
    reader = FormReader(values)
    picks = reader.choices_of(field)
    try:
        reader.check()
    except Invalid as invalid:
        message, params = invalid.errors[field.id]
        return Translator(language)._(message).format(**params)
    return picks


# --- The neutral field and its check ---------------------------------------------------------


def test_a_maximum_below_one_or_an_option_value_with_a_comma_is_the_forms_mistake() -> None:
    with pytest.raises(ValueError, match="max_selected"):
        dots(max_selected=0)
    with pytest.raises(ValueError, match="comma"):
        FormField("dots", "Bøvl", "choices", options=(Option("1,2", "Et og to"),))
    # A single choice may still hold one: its answer is never split.
    assert FormField("one", "Bøvl", "choice", options=(Option("1,2", "Et og to"),))


@pytest.mark.parametrize(
    ("language", "said"), [("da", "Vælg højst 3."), ("en", "Choose at most 3.")]
)
def test_more_picks_than_the_maximum_are_refused_in_the_forms_language(
    language: str, said: str
) -> None:
    assert read({"dots": ["1", "2", "3", "4"]}, dots(), language) == said
    assert read({"dots": ["1", "2", "3"]}, dots(), language) == ["1", "2", "3"]


def test_without_a_maximum_any_number_of_options_may_be_picked() -> None:
    every = [str(i) for i in range(1, 13)]
    assert read({"dots": every}, dots(max_selected=None)) == every


@pytest.mark.parametrize("unknown", ["13", "0", "Bøvl nummer 1", "9" * 10_000, "-1"])
def test_a_value_that_is_no_option_is_refused(unknown: str) -> None:
    assert read({"dots": ["1", unknown]}, dots()) == "Vælg blandt mulighederne."


def test_an_optional_field_left_empty_is_no_picks_and_a_required_one_is_refused() -> None:
    assert read({"dots": []}, dots()) == []
    assert read({}, dots()) == []
    assert read({"dots": ["", "  "]}, dots()) == []
    assert read({"dots": []}, dots(required=True)) == "Vælg mindst én af mulighederne."


def test_each_pick_counts_once_and_a_lone_string_is_one_pick() -> None:
    # Slack never sends a pick twice; a crafted answer that does is not refused as "too many".
    assert read({"dots": ["3", "3", " 12 ", "3"]}, dots()) == ["3", "12"]
    # A platform that sent a string (a crafted answer) is read as one pick, and checked.
    assert read({"dots": "12"}, dots()) == ["12"]
    assert read({"dots": "12,3"}, dots()) == "Vælg blandt mulighederne."


# --- Slack -------------------------------------------------------------------------------------


def modal(field: FormField, language: str = "da") -> dict[str, Any]:
    view = render_modal(a_form(field, language), private_metadata="{}", close_label="Luk")
    assert_within_slack_limits(view)
    return view


def test_slack_shows_a_multi_select_that_allows_at_most_the_maximum() -> None:
    (block,) = modal(dots())["blocks"]
    element = block["element"]
    assert element["type"] == "multi_static_select" and element["action_id"] == "dots"
    assert element["max_selected_items"] == 3
    assert [o["value"] for o in element["options"]] == [str(i) for i in range(1, 13)]
    assert element["options"][0]["text"] == {
        "type": "plain_text",
        "text": "Bøvl nummer 1",
        "emoji": True,
    }
    # In the options' order, each exactly one of the options (Slack refuses the view otherwise).
    assert [o["value"] for o in element["initial_options"]] == ["3", "12"]
    assert all(o in element["options"] for o in element["initial_options"])
    assert block["optional"] is True
    assert block["hint"]["text"] == "Vælg op til 3."
    (required,) = modal(dots(required=True, initial=None, max_selected=None))["blocks"]
    assert "optional" not in required and "hint" not in required
    assert "initial_options" not in required["element"]
    assert "max_selected_items" not in required["element"]


def test_slack_says_the_maximum_in_english_for_an_english_form() -> None:
    (block,) = modal(dots(max_selected=1), "en")["blocks"]
    assert block["hint"]["text"] == "Choose up to 1."


def test_slack_offers_100_options_keeping_the_chosen_and_says_how_many_more() -> None:
    (block,) = modal(dots(150, initial=("140", "2")))["blocks"]
    element = block["element"]
    values = [o["value"] for o in element["options"]]
    assert len(values) == 100 and values[:2] == ["1", "2"] and values[-1] == "140"
    assert [o["value"] for o in element["initial_options"]] == ["2", "140"]
    assert block["hint"]["text"] == "Vælg op til 3. … og 50 mere"


def test_slack_cuts_a_long_option_to_75_characters_visibly() -> None:
    field = FormField(
        "dots", "Bøvl", "choices", options=(Option("v" * 200, "æ" * 200), Option("2", "Kort"))
    )
    (block,) = modal(field)["blocks"]
    first = block["element"]["options"][0]
    assert first["text"]["text"] == "æ" * 74 + "…"
    assert first["value"] == "v" * 150


def test_slack_never_preselects_more_than_the_maximum() -> None:
    (block,) = modal(dots(initial=("1", "2", "3", "4")))["blocks"]
    assert len(block["element"]["initial_options"]) == 3


def test_a_slack_answer_reads_back_as_the_picked_values() -> None:
    """The modal's own initial picks, as Slack sends them on submit, pass the check unchanged."""
    (block,) = modal(dots())["blocks"]
    element = block["element"]
    state = {
        block["block_id"]: {
            element["action_id"]: {
                "type": "multi_static_select",
                "selected_options": element["initial_options"],
            }
        }
    }
    values = read_modal_values(state)
    assert values == {"dots": ["3", "12"]}
    assert read(values, dots()) == ["3", "12"]
    cleared = {"dots": {"dots": {"type": "multi_static_select", "selected_options": []}}}
    assert read_modal_values(cleared) == {"dots": []}


# --- Teams -------------------------------------------------------------------------------------


def choice_set(card: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The card's one ChoiceSet, and the texts of the lines that follow it."""
    body = card["body"]
    index = next(i for i, e in enumerate(body) if e["type"] == "Input.ChoiceSet")
    return body[index], [e["text"] for e in body[index + 1 :] if e["type"] == "TextBlock"]


def test_teams_shows_few_options_as_boxes_to_tick_and_says_the_maximum(
    validator: jsonschema.Draft6Validator,  # noqa: F811 (the fixture)
) -> None:
    card = render_form_card(a_form(dots(10)), metadata={}, submit_data={})
    assert_valid(card, validator)
    element, notes = choice_set(card)
    assert element["isMultiSelect"] is True and element["style"] == "expanded"
    assert element["value"] == "12,3"
    assert element["choices"][0] == {"title": "Bøvl nummer 1", "value": "1"}
    assert "isRequired" not in element
    # Teams lets a person tick more than the maximum, so the card says it.
    assert notes == ["Vælg op til 3."]
    assert card["actions"][0]["data"]["fields"] == {"dots": "choices"}


def test_teams_shows_many_options_as_a_compact_list(
    validator: jsonschema.Draft6Validator,  # noqa: F811 (the fixture)
) -> None:
    field = dots(11, max_selected=None, initial=None, required=True)
    card = render_form_card(a_form(field), metadata={}, submit_data={})
    assert_valid(card, validator)
    element, notes = choice_set(card)
    assert element["style"] == "compact" and element["isRequired"] is True
    assert "value" not in element and notes == []


def test_a_teams_answer_is_split_at_its_commas() -> None:
    value = {"callback_id": "hassle.vote", "fields": {"dots": "choices"}, "dots": "12,3"}
    assert read_card_values(value) == {"dots": ["12", "3"]}
    assert read_card_values({"fields": {"dots": "choices"}}) == {"dots": []}
    # Four ticked where three may be: refused on submit, as Teams let it through.
    four = read_card_values({"fields": {"dots": "choices"}, "dots": "1,2,3,4"})
    assert read(four, dots()) == "Vælg højst 3."


def test_a_teams_card_with_100_options_keeps_them_all_within_the_size_limit(
    validator: jsonschema.Draft6Validator,  # noqa: F811 (the fixture)
) -> None:
    """100 options of 75 characters, as a round of hassles might have."""
    field = dots(100, label="Bøvl {i}: " + "vi venter på svar fra forvaltningen om " * 2)
    activity = form_activity(a_form(field))
    assert activity_bytes(activity) <= ACTIVITY_BYTES
    card = activity["attachments"][0]["content"]
    assert_valid(card, validator)
    element, notes = choice_set(card)
    assert [c["value"] for c in element["choices"]] == [str(i) for i in range(1, 101)]
    assert element["choices"][0]["title"] == field.options[0].label, "nothing was cut"
    assert notes == ["Vælg op til 3."]


def test_a_teams_card_of_200_long_options_cuts_their_titles_before_leaving_any_out(
    validator: jsonschema.Draft6Validator,  # noqa: F811 (the fixture)
) -> None:
    """A round of 200 hassles, in two fields of 100 as Slack's menus hold them."""
    label = "Bøvl {i}: " + "vi venter på svar fra forvaltningen om " * 3
    first, second = dots(100, label=label), dots(200, label=label)
    second = FormField("more", "Flere", "choices", options=second.options[100:], max_selected=3)
    form = Form("hassle.vote", "Bøvlrunden", "Sæt prikker", (first, second))
    activity = form_activity(form)
    assert activity_bytes(activity) <= ACTIVITY_BYTES
    card = activity["attachments"][0]["content"]
    assert_valid(card, validator)
    sets = [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    assert [len(e["choices"]) for e in sets] == [100, 100]
    titles = [c["title"] for e in sets for c in e["choices"]]
    assert all(len(t) <= 75 and t.endswith("…") for t in titles)
    assert titles[0].startswith("Bøvl 1: vi venter")


def test_a_teams_card_too_big_for_teams_is_cut_visibly_keeping_the_chosen(
    validator: jsonschema.Draft6Validator,  # noqa: F811 (the fixture)
) -> None:
    field = dots(100, initial=("99", "2"), label="{i} " + "æøå" * 100)
    card = render_form_card(a_form(field), metadata={}, submit_data={})
    assert activity_bytes(form_activity(a_form(field))) <= ACTIVITY_BYTES
    assert_valid(card, validator)
    element, notes = choice_set(card)
    values = [c["value"] for c in element["choices"]]
    assert 10 < len(values) < 100
    assert values[:2] == ["1", "2"] and values[-1] == "99", "the chosen stay, in order"
    assert all(len(c["title"]) <= 40 and c["title"].endswith("…") for c in element["choices"])
    assert element["value"] == "99,2"
    assert notes == [f"Vælg op til 3. … og {100 - len(values)} mere"]


def test_teams_errors_keep_the_ticked_options(
    validator: jsonschema.Draft6Validator,  # noqa: F811 (the fixture)
) -> None:
    card = render_form_card(a_form(dots()), metadata={}, submit_data={})
    submitted = {"fields": {"dots": "choices"}, "dots": "1,2,3,4"}
    shown = errors_card(card, {"dots": "Vælg højst 3."}, values=read_card_values(submitted))
    assert_valid(shown, validator)
    element, notes = choice_set(shown)
    assert element["value"] == "1,2,3,4"
    assert notes[0] == "Vælg højst 3."
