"""The Adaptive Card renderer: every card is valid Adaptive Card 1.5, every activity fits in a
Teams message, cuts are visible, a person's words never become a link, and a submitted card reads
back as neutral values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.teams.card_blocks import ACTIVITY_BYTES, activity_bytes
from bot.teams.cards import (
    activity_for,
    errors_card,
    read_card_values,
    render_card,
    render_form_card,
)
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

# Kept in the repository with its licence (tests/schemas/LICENSE-adaptive-cards.txt).
SCHEMA_PATH = Path(__file__).parents[1] / "schemas" / "adaptive-card-1.5.json"
TEAMS_LIMIT = 27_000  # UTF-8 bytes of the activity's JSON: 28 KB less a margin
ZWSP = "\u200b"
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\s*[(\[]")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft6Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema)


def assert_valid(card: dict[str, Any], validator: jsonschema.Draft6Validator) -> None:
    """Valid Adaptive Card 1.5 once Teams' own `msteams` property, which lies outside the
    schema, is taken off the root."""
    assert card["msteams"] == {"width": "Full"}
    content = {key: value for key, value in card.items() if key != "msteams"}
    errors = list(validator.iter_errors(content))
    assert not errors, jsonschema.exceptions.best_match(errors)
    assert content["version"] == "1.5" and content["type"] == "AdaptiveCard"
    assert content["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    return card


def assert_fits(activity: dict[str, Any]) -> None:
    size = len(json.dumps(activity).encode("utf-8"))
    assert size == activity_bytes(activity) <= ACTIVITY_BYTES < TEAMS_LIMIT, size
    # What the connector sends (unescaped UTF-8) counted as Teams counts it, in UTF-16.
    assert len(json.dumps(activity, ensure_ascii=False).encode("utf-16-le")) <= 40_000


def texts(card: dict[str, Any]) -> list[str]:
    """Every Markdown text on the card: TextBlocks and FactSet titles and values."""
    found: list[str] = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            found.append(element["text"])
        for fact in element.get("facts", []):
            found += [fact["title"], fact["value"]]
    return found


def test_the_schema_check_is_not_vacuous(validator: jsonschema.Draft6Validator) -> None:
    good = render_card(Message("x", (Paragraph("Hej"),)))
    assert_valid(good, validator)
    assert not validator.is_valid(good), "msteams is Teams-only: the schema must refuse it"
    bad = {k: v for k, v in good.items() if k != "msteams"}
    bad["body"] = [{"type": "TextBlock", "text": "x", "size": "Huge"}]
    assert not validator.is_valid(bad)
    bad["body"] = [{"type": "FactSet"}]
    assert not validator.is_valid(bad)


# --- Messages ---------------------------------------------------------------------------------


def summary_like(language: str = "da") -> Message:
    return Message(
        text="Opsamling fra workshoppen",
        language=language,
        blocks=(
            Heading("Opsamling fra workshoppen »Ny visitationsmodel«"),
            Progress(step=3, total=6, label="Trin 3 af 6: Udvikle løsninger"),
            Paragraph("Vi tegnede et første udkast.\nDernæst: bestillingen."),
            Fields((("Dato", "3. december"), ("Deltagere", "5"), ("", ""))),
            BulletList("Beslutninger", ("Fælles opstartsmøde", "Bestillingen\ni egne ord")),
            Buttons((Button("Tilføj input", "input.open", "42", "primary"), Button("Nej", "x"))),
            Buttons((Button("Slet", "delete", "42", "danger"),)),
            Context("Skrevet af Mette"),
            Divider(),
            Link("Se opsamlingen"),
            Context("Svar inden fredag"),
        ),
    )


def test_a_summary_like_message_maps_each_block(validator: jsonschema.Draft6Validator) -> None:
    card = render_card(summary_like(), link_url="https://teams.microsoft.com/l/message/1?a=1&b=2")
    assert_valid(card, validator)
    heading, progress, paragraph, facts, title, items, context, after_divider = card["body"]
    assert heading == {
        "type": "TextBlock",
        "text": "Opsamling fra workshoppen »Ny visitationsmodel«",
        "wrap": True,
        "size": "Large",
        "weight": "Bolder",
        "style": "heading",
    }
    assert progress["text"] == "▰▰▰▱▱▱  Trin 3 af 6: Udvikle løsninger"
    assert progress["isSubtle"] is True
    # Outside a list Teams breaks a line only at a blank line.
    assert paragraph["text"] == "Vi tegnede et første udkast.\n\nDernæst: bestillingen."
    assert facts == {
        "type": "FactSet",
        "facts": [
            {"title": "Dato", "value": "3. december"},
            {"title": "Deltagere", "value": "5"},
        ],
    }
    assert title["text"] == "Beslutninger" and title["weight"] == "Bolder"
    assert items["text"] == "- Fælles opstartsmøde\n- Bestillingen i egne ord"
    assert context["isSubtle"] is True and context["size"] == "Small"
    assert after_divider["text"] == "Svar inden fredag" and after_divider["separator"] is True
    assert not any("separator" in e for e in card["body"][:-1])
    primary, plain, danger, link = card["actions"]
    assert primary == {
        "type": "Action.Submit",
        "title": "Tilføj input",
        "data": {"action_id": "input.open", "value": "42"},
        "style": "positive",
    }
    assert "style" not in plain and plain["data"] == {"action_id": "x", "value": ""}
    assert danger["style"] == "destructive"
    assert link == {
        "type": "Action.OpenUrl",
        "title": "Se opsamlingen",
        "url": "https://teams.microsoft.com/l/message/1?a=1&b=2",
    }


def test_a_link_without_a_url_is_left_out_and_no_actions_means_no_actions_key(
    validator: jsonschema.Draft6Validator,
) -> None:
    card = render_card(Message("x", (Paragraph("Hej"), Link("Se opsamlingen"))))
    assert_valid(card, validator)
    assert "actions" not in card
    assert "Se opsamlingen" not in json.dumps(card, ensure_ascii=False)


def test_empty_texts_and_dividers_with_nothing_below_are_left_out(
    validator: jsonschema.Draft6Validator,
) -> None:
    message = Message(
        "x", (Divider(), Heading(""), Paragraph(" "), Context(""), BulletList("", ()), Divider())
    )
    card = render_card(message)
    assert_valid(card, validator)
    assert card["body"] == []


def test_the_activity_carries_the_card_and_the_notification_line(
    validator: jsonschema.Draft6Validator,
) -> None:
    activity = activity_for(summary_like(), link_url="https://example.org/p/1")
    assert_fits(activity)
    assert activity["type"] == "message"
    assert activity["summary"] == "Opsamling fra workshoppen"
    # Teams would post a `text` beside a card as a message of its own.
    assert "text" not in activity
    card = card_of(activity)
    assert_valid(card, validator)
    assert card == render_card(summary_like(), link_url="https://example.org/p/1")


def test_a_20000_character_paragraph_is_cut_visibly_to_fit(
    validator: jsonschema.Draft6Validator,
) -> None:
    long = ("Vi drøftede visitationen grundigt. " * 600)[:20_000]
    message = Message("Referat", (Heading("Referat"), Paragraph(long), Context("Mette")))
    activity = activity_for(message)
    assert_fits(activity)
    card = card_of(activity)
    assert_valid(card, validator)
    heading, paragraph, context = card["body"]
    assert heading["text"] == "Referat" and context["text"] == "Mette"
    assert paragraph["text"].endswith("…") and long.startswith(paragraph["text"][:-1])
    assert len(paragraph["text"]) > 15_000, "the room is used, not left half empty"


def test_2000_list_items_show_what_fits_and_count_the_rest_in_danish(
    validator: jsonschema.Draft6Validator,
) -> None:
    items = tuple(f"Åbent spørgsmål nummer {i}" for i in range(2000))
    message = Message(
        "Spørgsmål",
        (
            Heading("Åbne spørgsmål"),
            BulletList("Åbne spørgsmål", items),
            Buttons((Button("Svar", "answer", "7", "primary"),)),
        ),
    )
    activity = activity_for(message)
    assert_fits(activity)
    card = card_of(activity)
    assert_valid(card, validator)
    _, title, listed, marker = card["body"]
    assert title == {
        "type": "TextBlock",
        "text": "Åbne spørgsmål",
        "wrap": True,
        "weight": "Bolder",
    }
    shown = listed["text"].split("\n")
    assert shown == [f"- {item}" for item in items[: len(shown)]]
    more = re.fullmatch(r"… og (\d+) mere", marker["text"])
    assert more is not None, marker["text"]
    assert int(more.group(1)) + len(shown) == 2000
    assert len(shown) > 300, "the room is used, not left half empty"
    assert card["actions"][0]["data"] == {"action_id": "answer", "value": "7"}


def test_the_marker_is_in_english_for_an_english_message(
    validator: jsonschema.Draft6Validator,
) -> None:
    paragraphs = tuple(Paragraph(f"Part {i}: " + "x" * 250) for i in range(200))
    message = Message("Long", (*paragraphs, Buttons((Button("Answer", "answer"),))), "en")
    activity = activity_for(message)
    assert_fits(activity)
    card = card_of(activity)
    assert_valid(card, validator)
    *kept, marker = card["body"]
    assert [k["text"] for k in kept] == [p.text for p in paragraphs[: len(kept)]]
    assert marker["text"] == f"… and {200 - len(kept)} more"
    assert card["actions"][0]["title"] == "Answer", "the way to answer is never cut"


def test_a_message_of_nothing_but_giant_buttons_still_fits(
    validator: jsonschema.Draft6Validator,
) -> None:
    buttons = Buttons(tuple(Button("B" * 500, f"a{i}", "v" * 500) for i in range(100)))
    activity = activity_for(Message("Knapper", (Heading("H" * 50_000), buttons)))
    assert_fits(activity)
    card = card_of(activity)
    assert_valid(card, validator)
    assert card["body"][-1]["text"].startswith("… og ")


def test_what_a_person_wrote_never_becomes_a_link(validator: jsonschema.Draft6Validator) -> None:
    raw = "Se [klik](https://evil.example) og [her][1]\n[1]: https://evil.example"
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
    card = card_of(activity_for(message))
    assert_valid(card, validator)
    found = texts(card)
    assert len(found) == 8
    for text in found:
        assert not MARKDOWN_LINK.search(text), text
        assert "https://evil.example" in text, "the words are shown, only the link is gone"
        shown = text.replace(ZWSP, "")
        assert "[klik](https://evil.example)" in shown


# --- Forms --------------------------------------------------------------------------------------


def people(n: int) -> tuple[Option, ...]:
    return tuple(Option(f"29:user-{i}", f"Person {i}") for i in range(n))


def every_kind() -> Form:
    return Form(
        callback_id="summary",
        title="Opsamling fra workshoppen",
        submit_label="Gem opsamlingen",
        intro="Skriv det vigtigste – se [guiden](https://evil.example)",
        fields=(
            FormField("title", "Titel", "text", initial="Ny model", max_length=200),
            FormField("text", "Referat", "long_text", required=False, hint="Kort", max_length=0),
            FormField(
                "who", "Hvem", "people", initial=("29:user-0", "29:user-2"), options=people(3)
            ),
            FormField("lead", "Ansvarlig", "person", initial="29:user-1", options=people(3)),
            FormField(
                "anon",
                "Synlighed",
                "choice",
                initial="b",
                options=(Option("a", "A"), Option("b", "B")),
            ),
            FormField("day", "Dag", "date", initial="2026-12-03"),
            FormField("at", "Klokken", "time", initial="09:00:00"),
            FormField("when", "Hvornår", "datetime", initial="2026-12-03T13:00"),
            FormField("where", "Kanal", "channel", required=False),
        ),
    )


def test_every_field_kind_becomes_an_input(validator: jsonschema.Draft6Validator) -> None:
    card = render_form_card(every_kind(), metadata={"w": "7"}, submit_data={"c": "19:abc"})
    assert_valid(card, validator)
    title, intro, *inputs = card["body"]
    assert title["text"] == "Opsamling fra workshoppen"
    assert title["size"] == "Large" and title["weight"] == "Bolder"
    assert intro["text"] == f"Skriv det vigtigste – se [guiden]{ZWSP}(https://evil.example)"
    by_id = {element["id"]: element for element in inputs}
    assert list(by_id) == [
        "title",
        "text",
        "who",
        "lead",
        "anon",
        "day",
        "at",
        "when__date",
        "when__time",
        "where",
    ]
    assert by_id["title"] == {
        "type": "Input.Text",
        "id": "title",
        "label": "Titel",
        "isRequired": True,
        "value": "Ny model",
        "maxLength": 200,
    }
    assert by_id["text"] == {
        "type": "Input.Text",
        "id": "text",
        "label": "Referat",
        "placeholder": "Kort",
        "isMultiline": True,
    }
    who = by_id["who"]
    assert who["type"] == "Input.ChoiceSet" and who["isMultiSelect"] is True
    assert who["style"] == "compact" and who["value"] == "29:user-0,29:user-2"
    assert who["choices"][1] == {"title": "Person 1", "value": "29:user-1"}
    lead = by_id["lead"]
    assert lead["value"] == "29:user-1" and lead["style"] == "filtered"
    assert "isMultiSelect" not in lead
    assert by_id["anon"]["style"] == "compact" and by_id["anon"]["value"] == "b"
    assert by_id["day"] == {
        "type": "Input.Date",
        "id": "day",
        "label": "Dag",
        "isRequired": True,
        "value": "2026-12-03",
    }
    assert by_id["at"]["type"] == "Input.Time" and by_id["at"]["value"] == "09:00"
    assert by_id["when__date"]["type"] == "Input.Date"
    assert by_id["when__date"]["value"] == "2026-12-03"
    assert by_id["when__time"]["type"] == "Input.Time" and by_id["when__time"]["value"] == "13:00"
    assert by_id["when__date"]["label"] == by_id["when__time"]["label"] == "Hvornår"
    assert by_id["where"] == {"type": "Input.Text", "id": "where", "label": "Kanal"}
    (submit,) = card["actions"]
    assert submit["type"] == "Action.Submit" and submit["title"] == "Gem opsamlingen"
    assert submit["data"] == {
        "callback_id": "summary",
        "metadata": {"w": "7"},
        "fields": {
            "title": "text",
            "text": "long_text",
            "who": "people",
            "lead": "person",
            "anon": "choice",
            "day": "date",
            "at": "time",
            "when": "datetime",
            "where": "channel",
        },
        "c": "19:abc",
    }


def test_an_input_id_that_the_card_data_uses_is_refused() -> None:
    form = Form("setup", "Opsætning", "Gem", (FormField("c", "Kanal", "text"),))
    with pytest.raises(ValueError, match="'c'"):
        render_form_card(form, metadata={}, submit_data={"c": "19:abc"})
    form = Form("setup", "Opsætning", "Gem", (FormField("metadata", "Data", "text"),))
    with pytest.raises(ValueError, match="metadata"):
        render_form_card(form, metadata={}, submit_data={})


def teams_submission() -> dict[str, Any]:
    """A message activity as Teams sends it when the form card's button is pressed: the inputs
    that hold a value, by id, merged into the button's data; a multi-select is one string."""
    card = render_form_card(every_kind(), metadata={"w": "7"}, submit_data={"c": "19:abc"})
    inputs = {
        "title": "Ny visitationsmodel",
        "who": "29:user-0,29:user-1,29:user-2",
        "lead": "29:user-1",
        "anon": "a",
        "day": "2026-12-04",
        "at": "10:30",
        "when__date": "2026-12-05",
        "when__time": "14:15",
        # "text" and "where" were left empty, so Teams leaves them out.
    }
    return {
        "type": "message",
        "id": "1700000000001",
        "replyToId": "1699999999999",
        "channelId": "msteams",
        "from": {"id": "29:user-1", "name": "Mette"},
        "conversation": {"id": "a:1xyz", "conversationType": "personal"},
        "value": {**card["actions"][0]["data"], **inputs},
    }


EXPECTED_VALUES = {
    "title": "Ny visitationsmodel",
    "text": "",
    "who": ["29:user-0", "29:user-1", "29:user-2"],
    "lead": "29:user-1",
    "anon": "a",
    "day": "2026-12-04",
    "at": "10:30",
    "when": "2026-12-05T14:15",
    "where": "",
}


def test_a_submitted_card_reads_back_as_neutral_values() -> None:
    value = teams_submission()["value"]
    assert read_card_values(value) == EXPECTED_VALUES
    assert read_card_values(value, {f.id: f.kind for f in every_kind().fields}) == EXPECTED_VALUES


def test_the_kinds_the_adapter_passes_override_and_its_data_is_left_out() -> None:
    value = teams_submission()["value"] | {"kinds": json.dumps({"who": "people"})}
    values = read_card_values(value, {"who": "people", "when": "datetime"})
    assert values == EXPECTED_VALUES
    assert not {"callback_id", "metadata", "fields", "c", "kinds"} & set(values)


def test_a_date_time_with_one_half_missing_is_empty() -> None:
    value = {"when__date": "2026-12-05"}
    assert read_card_values(value, {"when": "datetime"}) == {"when": ""}
    assert read_card_values({}, {"who": "people", "t": "text"}) == {"who": [], "t": ""}


def test_errors_show_under_their_fields_and_keep_what_was_written(
    validator: jsonschema.Draft6Validator,
) -> None:
    card = render_form_card(every_kind(), metadata={}, submit_data={})
    value = teams_submission()["value"] | {"title": "", "text": "Mit [udkast](https://evil)"}
    errors = {
        "title": "Udfyld venligst dette.",
        "when": "Tidspunktet er passeret.",
        "nowhere": "Processen findes ikke længere.",
    }
    shown = errors_card(card, errors, values=value)
    assert_valid(shown, validator)
    ids = [element.get("id") for element in shown["body"]]
    assert ids == [
        "error:nowhere",
        None,
        None,
        "title",
        "error:title",
        "text",
        "who",
        "lead",
        "anon",
        "day",
        "at",
        "when__date",
        "when__time",
        "error:when",
        "where",
    ]
    by_id = {element.get("id"): element for element in shown["body"]}
    assert by_id["error:title"]["text"] == "Udfyld venligst dette."
    assert by_id["error:title"]["color"] == "Attention" and by_id["error:title"]["wrap"] is True
    assert "value" not in by_id["title"], "the person emptied it"
    assert by_id["text"]["value"] == "Mit [udkast](https://evil)", "an input shows it as written"
    assert by_id["who"]["value"] == "29:user-0,29:user-1,29:user-2"
    assert card["body"][2].get("value") == "Ny model", "the form card itself is not changed"

    again = errors_card(shown, {"who": "Vælg mindst én person."})
    assert_valid(again, validator)
    assert [e["id"] for e in again["body"] if e.get("id", "").startswith("error:")] == ["error:who"]
    assert again["actions"] == card["actions"]


def test_an_error_cannot_make_a_link_or_grow_without_end(
    validator: jsonschema.Draft6Validator,
) -> None:
    card = render_form_card(every_kind(), metadata={}, submit_data={})
    shown = errors_card(card, {"title": "[klik](https://evil) " + "x" * 1000})
    assert_valid(shown, validator)
    error = next(e for e in shown["body"] if e.get("id") == "error:title")
    assert not MARKDOWN_LINK.search(error["text"])
    assert len(error["text"]) <= 301 and error["text"].endswith("…")
