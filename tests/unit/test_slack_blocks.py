"""The Block Kit renderer: every payload stays within Slack's documented limits, cuts visibly,
escapes what a person wrote, and reads modal answers back as neutral values."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.slack.blocks import render_home, render_message
from bot.slack.modals import modal_errors, read_modal_values, render_modal
from handlers.messages import (
    BulletList,
    Button,
    Buttons,
    Context,
    Divider,
    Fields,
    Form,
    FormField,
    Heading,
    Link,
    Message,
    Option,
    Paragraph,
    Progress,
)

# --- The checker: Slack's documented limits, walked over any payload ---------------------------

_LINK = re.compile(r"<https?://[^|<>]+\|[^<>]*>")
_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def _text(obj: dict[str, Any], limit: int, *, kind: str | None = None) -> str:
    assert obj["type"] in ((kind,) if kind else ("plain_text", "mrkdwn")), obj
    text = obj["text"]
    assert 0 < len(text) <= limit, (len(text), limit, text[:80])
    if obj["type"] == "mrkdwn":
        # Only our own links may use < >; everything a person wrote is escaped.
        rest = _LINK.sub("", text)
        assert "<" not in rest and ">" not in rest, rest[:200]
        assert not _ENTITY.search(rest), rest[:200]
    return str(text)


def _option(option: dict[str, Any]) -> None:
    _text(option["text"], 75, kind="plain_text")
    assert 0 < len(option["value"]) <= 150


def _element(element: dict[str, Any]) -> None:
    assert len(element.get("action_id", "")) <= 255
    if "placeholder" in element:
        _text(element["placeholder"], 150, kind="plain_text")
    kind = element["type"]
    if kind == "button":
        _text(element["text"], 75, kind="plain_text")
        assert len(element.get("value", "")) <= 2000
        assert element.get("style", "primary") in ("primary", "danger")
    if kind in ("static_select", "multi_static_select"):
        assert 0 < len(element["options"]) <= 100
        for option in element["options"]:
            _option(option)
        for chosen in [*element.get("initial_options", []), element.get("initial_option")]:
            assert chosen is None or chosen in element["options"]
    if kind == "plain_text_input" and "max_length" in element:
        assert 1 <= element["max_length"] <= 3000


def _block(block: dict[str, Any]) -> None:
    assert len(block.get("block_id", "")) <= 255
    kind = block["type"]
    if kind == "header":
        _text(block["text"], 150, kind="plain_text")
    elif kind == "section":
        assert "text" in block or "fields" in block
        if "text" in block:
            _text(block["text"], 3000)
        assert len(block.get("fields", [])) <= 10
        for field in block.get("fields", []):
            _text(field, 2000)
    elif kind == "context":
        assert 0 < len(block["elements"]) <= 10
        for element in block["elements"]:
            _text(element, 3000)
    elif kind == "actions":
        assert 0 < len(block["elements"]) <= 25
        action_ids = [element["action_id"] for element in block["elements"]]
        assert len(set(action_ids)) == len(action_ids), f"an action_id twice in {action_ids}"
        for element in block["elements"]:
            _element(element)
    elif kind == "input":
        _text(block["label"], 2000, kind="plain_text")
        if "hint" in block:
            _text(block["hint"], 2000, kind="plain_text")
        _element(block["element"])
    else:
        assert kind == "divider", kind


def assert_within_slack_limits(payload: dict[str, Any]) -> None:
    """Every limit we rely on, for a message, a modal or an App Home view."""
    surface = payload.get("type", "message")
    assert len(payload["blocks"]) <= (50 if surface == "message" else 100)
    if surface == "message":
        assert 0 < len(payload["text"]) <= 3000
        assert "<" not in payload["text"] and ">" not in payload["text"]
    if surface == "modal":
        # A modal that only shows something has no submit button, callback id or metadata.
        inputs = any(block["type"] == "input" for block in payload["blocks"])
        for key in ("title", "submit", "close") if inputs else ("title", "close"):
            _text(payload[key], 24, kind="plain_text")
        assert len(payload.get("private_metadata", "")) <= 3000
        assert len(payload.get("callback_id", "")) <= 255
    for block in payload["blocks"]:
        _block(block)


def _texts(payload: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for block in payload["blocks"]:
        for obj in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                found.append(obj["text"])
    return found


# --- Messages -----------------------------------------------------------------------------------


def summary_like(language: str = "da") -> Message:
    return Message(
        text="Opsamling fra workshoppen",
        language=language,
        blocks=(
            Heading("Opsamling fra workshoppen »Ny visitationsmodel«"),
            Progress(step=3, total=6, label="Trin 3 af 6: Udvikle løsninger"),
            Paragraph("Vi tegnede et første udkast til en fælles visitationsmodel."),
            Fields((("Dato", "3. december"), ("Deltagere", "5"))),
            BulletList("Beslutninger", ("Fælles opstartsmøde", "Bestillingen i egne ord")),
            BulletList("", ("Uden titel",)),
            Buttons((Button("Tilføj input", "input.open", "42", "primary"), Button("Nej", "x"))),
            Context("Skrevet af Mette"),
            Divider(),
            Link("Se opsamlingen"),
        ),
    )


def test_a_summary_like_message_maps_each_block_within_the_limits() -> None:
    payload = render_message(summary_like(), link_url="https://x.slack.com/archives/C1/p1?a=1&b=2")
    assert_within_slack_limits(payload)
    kinds = [b["type"] for b in payload["blocks"]]
    assert kinds == [
        "header",
        "context",
        "section",
        "section",
        "section",
        "section",
        "actions",
        "context",
        "divider",
        "context",
    ]
    assert payload["text"] == "Opsamling fra workshoppen"
    progress, fields = payload["blocks"][1], payload["blocks"][3]
    assert progress["elements"][0]["text"] == "▰▰▰▱▱▱  Trin 3 af 6: Udvikle løsninger"
    assert fields["fields"][0]["text"] == "*Dato*\n3. december"
    assert payload["blocks"][4]["text"]["text"] == (
        "*Beslutninger*\n• Fælles opstartsmøde\n• Bestillingen i egne ord"
    )
    assert payload["blocks"][5]["text"]["text"] == "• Uden titel"
    primary, plain = payload["blocks"][6]["elements"]
    assert primary == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Tilføj input", "emoji": True},
        "action_id": "input.open",
        "value": "42",
        "style": "primary",
    }
    assert "style" not in plain and "value" not in plain
    link = payload["blocks"][-1]["elements"][0]["text"]
    assert link == "<https://x.slack.com/archives/C1/p1?a=1&amp;b=2|Se opsamlingen>"


def test_a_link_without_a_url_is_left_out() -> None:
    payload = render_message(summary_like())
    assert payload["blocks"][-1]["type"] == "divider"
    assert "Se opsamlingen" not in str(payload)


def test_a_message_of_80_blocks_keeps_49_and_says_how_many_more() -> None:
    message = Message("Lang", tuple(Paragraph(f"Afsnit {i}") for i in range(80)))
    payload = render_message(message)
    assert_within_slack_limits(payload)
    assert len(payload["blocks"]) == 50
    assert payload["blocks"][48]["text"]["text"] == "Afsnit 48"
    assert payload["blocks"][49] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "… og 31 mere"}],
    }


def test_the_truncation_marker_is_in_english_for_an_english_message() -> None:
    message = Message("Long", tuple(Paragraph(f"Part {i}") for i in range(60)), language="en")
    payload = render_message(message)
    assert payload["blocks"][-1]["elements"][0]["text"] == "… and 11 more"


def test_a_paragraph_of_5000_characters_is_cut_visibly() -> None:
    payload = render_message(Message("x" * 5000, (Paragraph("y" * 5000),)))
    assert_within_slack_limits(payload)
    section = payload["blocks"][0]["text"]["text"]
    assert len(section) == 3000 and section.endswith("y…")
    assert len(payload["text"]) == 3000 and payload["text"].endswith("…")


def test_a_cut_never_leaves_half_an_escape() -> None:
    payload = render_message(Message("&" * 5000, (Paragraph("&" * 5000),)))
    assert_within_slack_limits(payload)
    assert payload["blocks"][0]["text"]["text"].endswith("&amp;…")
    assert payload["text"].endswith("&amp;…")


def test_a_bullet_list_of_400_items_shows_what_fits_and_counts_the_rest_in_danish() -> None:
    items = tuple(f"Punkt {i:03d} " + "x" * 30 for i in range(400))
    assert all(len(item) == 40 for item in items)
    payload = render_message(Message("Liste", (BulletList("Åbne spørgsmål", items),)))
    assert_within_slack_limits(payload)
    text = payload["blocks"][0]["text"]["text"]
    lines = text.split("\n")
    shown = [line for line in lines if line.startswith("• ")]
    assert lines[0] == "*Åbne spørgsmål*"
    assert shown == [f"• {item}" for item in items[: len(shown)]]
    more = re.fullmatch(r"… og (\d+) mere", lines[-1])
    assert more is not None, lines[-1]
    assert int(more.group(1)) + len(shown) == 400
    assert len(shown) > 60, "the section is used, not left half empty"


def test_more_than_ten_field_pairs_go_into_further_sections() -> None:
    pairs = tuple((f"Felt {i}", "v" * 2500) for i in range(23))
    payload = render_message(Message("Felter", (Fields(pairs),)))
    assert_within_slack_limits(payload)
    assert [len(b["fields"]) for b in payload["blocks"]] == [10, 10, 3]
    assert payload["blocks"][0]["fields"][0]["text"].endswith("…")


def test_a_header_of_300_characters_is_cut_to_150() -> None:
    payload = render_message(Message("Overskrift", (Heading("H" * 300),)))
    assert_within_slack_limits(payload)
    assert payload["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "H" * 149 + "…",
        "emoji": True,
    }


def test_a_button_label_of_200_characters_is_cut_to_75() -> None:
    buttons = Buttons((Button("B" * 200, "input.open", "1"),))
    payload = render_message(Message("Knap", (buttons,)))
    assert_within_slack_limits(payload)
    assert payload["blocks"][0]["elements"][0]["text"]["text"] == "B" * 74 + "…"


def test_more_than_25_buttons_go_into_further_actions_blocks() -> None:
    buttons = Buttons(tuple(Button(f"Knap {i}", f"a{i}") for i in range(30)))
    payload = render_message(Message("Knapper", (buttons,)))
    assert_within_slack_limits(payload)
    assert [len(b["elements"]) for b in payload["blocks"]] == [25, 5]


def test_what_a_person_wrote_cannot_ping_or_link() -> None:
    raw = "<!channel> & <@U123> *fed*"
    message = Message(
        raw,
        (
            Heading(raw),
            Paragraph(raw),
            Fields(((raw, raw),)),
            BulletList(raw, (raw,)),
            Context(raw),
            Progress(1, 2, raw),
        ),
    )
    payload = render_message(message)
    assert_within_slack_limits(payload)
    escaped = "&lt;!channel&gt; &amp; &lt;@U123&gt; *fed*"
    assert payload["text"] == escaped
    assert payload["blocks"][0]["text"]["text"] == raw, "plain_text is shown as it is"
    assert payload["blocks"][1]["text"]["text"] == escaped
    assert payload["blocks"][2]["fields"][0]["text"] == f"*{escaped}*\n{escaped}"
    assert payload["blocks"][3]["text"]["text"] == f"*{escaped}*\n• {escaped}"
    assert payload["blocks"][4]["elements"][0]["text"] == escaped
    assert payload["blocks"][5]["elements"][0]["text"].endswith(escaped)


def test_the_fallback_text_is_never_empty() -> None:
    assert render_message(Message("", (Paragraph("Noget at sige"),)))["text"] == "Noget at sige"
    assert render_message(Message(""))["text"] == "…"


def test_empty_texts_are_left_out_because_slack_rejects_them() -> None:
    message = Message(
        "x", (Heading(""), Paragraph(" "), Context(""), BulletList("", ()), Fields((("", ""),)))
    )
    assert render_message(message)["blocks"] == []


# --- App Home -----------------------------------------------------------------------------------


def test_home_puts_a_divider_between_messages_and_stops_at_100_blocks() -> None:
    small = render_home([summary_like(), summary_like()])
    assert_within_slack_limits(small)
    assert small["type"] == "home"
    assert [b["type"] for b in small["blocks"]].count("divider") == 3  # two own, one between
    many = [Message(f"M{i}", tuple(Paragraph(f"{i}.{j}") for j in range(30))) for i in range(5)]
    payload = render_home(many)
    assert_within_slack_limits(payload)
    assert len(payload["blocks"]) == 100
    assert payload["blocks"][-1]["elements"][0]["text"] == f"… og {5 * 30 + 4 - 99} mere"


# --- Modals -------------------------------------------------------------------------------------


def form(*fields: FormField, intro: str = "") -> Form:
    return Form("summary", "Opsamling fra workshoppen", "Gem opsamlingen", fields, intro=intro)


def options(n: int) -> tuple[Option, ...]:
    return tuple(Option(f"U{i:04d}", f"Person {i}") for i in range(n))


def test_a_modal_maps_every_field_kind_to_an_input() -> None:
    view = render_modal(
        form(
            FormField("title", "Titel", "text", initial="Ny model", max_length=200),
            FormField("text", "Referat", "long_text", required=False, hint="Kort", max_length=9000),
            FormField("who", "Hvem", "people", initial=("U0001",), options=options(3)),
            FormField("lead", "Ansvarlig", "person", initial="U0002", options=options(3)),
            FormField("owner", "Ejer", "person", initial="U9"),
            FormField(
                "anon",
                "Synlighed",
                "choice",
                initial="b",
                options=(Option("a", "A"), Option("b", "B")),
            ),
            FormField("day", "Dag", "date", initial="2026-12-03"),
            FormField("at", "Klokken", "time", initial="09:00"),
            FormField("when", "Hvornår", "datetime", initial="2026-12-03T13:00"),
            intro="Skriv <det vigtigste> & kort",
        ),
        private_metadata='{"c":"C1"}',
        close_label="Annullér",
    )
    assert_within_slack_limits(view)
    assert view["callback_id"] == "summary" and view["close"]["text"] == "Annullér"
    assert view["title"]["text"] == "Opsamling fra workshopp…"
    intro, *inputs = view["blocks"]
    assert intro["text"]["text"] == "Skriv &lt;det vigtigste&gt; &amp; kort"
    by_id = {b["block_id"]: b for b in inputs}
    assert list(by_id) == [
        "title",
        "text",
        "who",
        "lead",
        "owner",
        "anon",
        "day",
        "at",
        "when__date",
        "when__time",
    ]
    elements = {block_id: b["element"] for block_id, b in by_id.items()}
    assert elements["title"] == {
        "type": "plain_text_input",
        "action_id": "title",
        "initial_value": "Ny model",
        "max_length": 200,
    }
    assert elements["text"]["multiline"] is True and elements["text"]["max_length"] == 3000
    assert by_id["text"]["optional"] is True and by_id["text"]["hint"]["text"] == "Kort"
    assert "optional" not in by_id["title"]
    assert elements["who"]["type"] == "multi_static_select"
    assert [o["value"] for o in elements["who"]["initial_options"]] == ["U0001"]
    assert elements["lead"]["type"] == "static_select"
    assert elements["lead"]["initial_option"]["value"] == "U0002"
    assert elements["owner"] == {"type": "users_select", "action_id": "owner", "initial_user": "U9"}
    assert elements["anon"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "B", "emoji": True},
        "value": "b",
    }
    assert elements["day"] == {
        "type": "datepicker",
        "action_id": "day",
        "initial_date": "2026-12-03",
    }
    assert elements["at"] == {"type": "timepicker", "action_id": "at", "initial_time": "09:00"}
    assert elements["when__date"] == {
        "type": "datepicker",
        "action_id": "date",
        "initial_date": "2026-12-03",
    }
    assert elements["when__time"] == {
        "type": "timepicker",
        "action_id": "time",
        "initial_time": "13:00",
    }
    assert by_id["when__date"]["label"]["text"] == by_id["when__time"]["label"]["text"] == "Hvornår"


def test_a_choice_of_200_options_offers_100_and_keeps_the_chosen_one() -> None:
    field = FormField("pick", "Vælg", "choice", initial="U0150", options=options(200))
    view = render_modal(form(field), private_metadata="{}", close_label="Luk")
    assert_within_slack_limits(view)
    element = view["blocks"][0]["element"]
    assert len(element["options"]) == 100
    assert element["initial_option"]["value"] == "U0150"
    assert element["options"][0]["value"] == "U0000"


def test_a_people_field_with_150_options_becomes_a_users_select() -> None:
    field = FormField("who", "Hvem", "people", initial=("U0001", "U0002"), options=options(150))
    view = render_modal(form(field), private_metadata="{}", close_label="Luk")
    assert_within_slack_limits(view)
    assert view["blocks"][0]["element"] == {
        "type": "multi_users_select",
        "action_id": "who",
        "initial_users": ["U0001", "U0002"],
    }


def test_long_option_texts_and_values_are_cut_to_slacks_limits() -> None:
    field = FormField("pick", "Vælg", "choice", options=(Option("v" * 200, "t" * 200),))
    view = render_modal(form(field), private_metadata="{}", close_label="Luk" * 20)
    assert_within_slack_limits(view)


def test_a_modal_of_more_than_100_blocks_says_how_many_more() -> None:
    fields = tuple(FormField(f"f{i}", f"Felt {i}", "text") for i in range(120))
    view = render_modal(form(*fields), private_metadata="{}", close_label="Luk")
    assert_within_slack_limits(view)
    assert view["blocks"][-1]["elements"][0]["text"] == "… og 21 mere"


def test_private_metadata_over_3000_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="private_metadata"):
        render_modal(form(), private_metadata="x" * 3001, close_label="Luk")
    assert render_modal(form(), private_metadata="x" * 3000, close_label="Luk")


# --- Answers ------------------------------------------------------------------------------------


def _selected(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def test_modal_answers_are_read_back_as_neutral_values() -> None:
    # view["state"]["values"] as Slack sends it: block_id → action_id → element state.
    state = {
        "title": {"title": {"type": "plain_text_input", "value": "Ny model"}},
        "text": {"text": {"type": "plain_text_input", "value": None}},
        "who": {"who": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "team": {
            "team": {
                "type": "multi_static_select",
                "selected_options": [_selected("U3", "Bo"), _selected("U4", "Carl")],
            }
        },
        "lead": {"lead": {"type": "static_select", "selected_option": _selected("U5", "Anna")}},
        "anon": {"anon": {"type": "static_select", "selected_option": None}},
        "owner": {"owner": {"type": "users_select", "selected_user": None}},
        "day": {"day": {"type": "datepicker", "selected_date": "2026-12-03"}},
        "at": {
            "at": {"type": "timepicker", "selected_time": "09:00", "timezone": "Europe/Copenhagen"}
        },
        "when__date": {"date": {"type": "datepicker", "selected_date": "2026-12-03"}},
        "when__time": {"time": {"type": "timepicker", "selected_time": "13:00"}},
        "half__date": {"date": {"type": "datepicker", "selected_date": "2026-12-04"}},
        "half__time": {"time": {"type": "timepicker", "selected_time": None}},
        "file": {"file": {"type": "file_input", "files": []}},
    }
    assert read_modal_values(state) == {
        "title": "Ny model",
        "text": "",
        "who": ["U1", "U2"],
        "team": ["U3", "U4"],
        "lead": "U5",
        "anon": "",
        "owner": "",
        "day": "2026-12-03",
        "at": "09:00",
        "when": "2026-12-03T13:00",
        "half": "",
    }


def test_a_rendered_modal_reads_back_its_own_initial_values() -> None:
    view = render_modal(
        form(FormField("when", "Hvornår", "datetime", initial="2026-12-03T13:00")),
        private_metadata="{}",
        close_label="Luk",
    )
    state = {
        b["block_id"]: {
            b["element"]["action_id"]: {
                "type": b["element"]["type"],
                "selected_date": b["element"].get("initial_date"),
                "selected_time": b["element"].get("initial_time"),
            }
        }
        for b in view["blocks"]
    }
    assert read_modal_values(state) == {"when": "2026-12-03T13:00"}


def test_errors_are_placed_on_the_blocks_that_show_the_fields() -> None:
    the_form = form(
        FormField("title", "Titel", "text"),
        FormField("when", "Hvornår", "datetime"),
    )
    errors = modal_errors(
        the_form,
        {"when": "Tidspunktet er passeret.", "process": "Forløbet er lukket.", "title": "E" * 900},
    )
    assert errors["when__date"] == "Tidspunktet er passeret."
    # An error on something the modal does not show still reaches the person, on the first input.
    assert errors["title"].startswith("Forløbet er lukket. EEE")
    assert len(errors["title"]) <= 300 and errors["title"].endswith("…")
    assert set(errors) == {"when__date", "title"}
