"""The fake Slack's canvas methods, called as slack_sdk calls them over HTTP: the shapes and the
documented errors the bot relies on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_canvases import Canvas

CHANNEL = "C0CANVAS"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_channel(CHANNEL)
        yield fake


def call(slack: FakeSlack, method: str, **arguments: Any) -> Any:
    async def run() -> Any:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        return (await getattr(client, method)(**arguments)).data

    return asyncio.run(run())


def error_of(slack: FakeSlack, method: str, **arguments: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call(slack, method, **arguments)
    return str(raised.value.response["error"])


def canvas(slack: FakeSlack) -> Canvas:
    found = slack.canvas_in(CHANNEL)
    assert found is not None
    return found


def markdown(text: str) -> dict[str, str]:
    return {"type": "markdown", "markdown": text}


def test_a_channel_canvas_is_made_once_and_its_sections_found_by_heading(
    slack: FakeSlack,
) -> None:
    made = call(
        slack,
        "conversations_canvases_create",
        channel_id=CHANNEL,
        title="Hvor er vi?",
        document_content=markdown("## Trin\nTrin 3\n\n## Spor\n- Visitation"),
    )
    canvas_id = made["canvas_id"]
    assert canvas(slack).title == "Hvor er vi?"
    again = {"channel_id": CHANNEL, "document_content": markdown("x")}
    assert error_of(slack, "conversations_canvases_create", **again) == (
        "channel_canvas_already_exists"
    )

    found = call(
        slack,
        "canvases_sections_lookup",
        canvas_id=canvas_id,
        criteria={"section_types": ["h2"], "contains_text": "Spor"},
    )
    assert len(found["sections"]) == 1
    section = found["sections"][0]["id"]
    change = {
        "operation": "replace",
        "section_id": section,
        "document_content": markdown("## Spor\n- Budget"),
    }
    call(slack, "canvases_edit", canvas_id=canvas_id, changes=[change])
    text = canvas(slack).markdown
    assert "- Budget" in text and "- Visitation" not in text and "Trin 3" in text

    info = call(slack, "conversations_info", channel=CHANNEL)
    assert info["channel"]["properties"]["canvas"]["file_id"] == canvas_id


def test_the_documented_errors(slack: FakeSlack) -> None:
    lookup = {"canvas_id": "F0NOPE", "criteria": {"section_types": ["h2"]}}
    assert error_of(slack, "canvases_sections_lookup", **lookup) == "canvas_not_found"
    edit = {
        "canvas_id": "F0NOPE",
        "changes": [{"operation": "insert_at_end", "document_content": markdown("x")}],
    }
    assert error_of(slack, "canvases_edit", **edit) == "canvas_not_found"
    create = {"channel_id": "C0GONE", "document_content": markdown("x")}
    assert error_of(slack, "conversations_canvases_create", **create) == "channel_not_found"

    slack.refuse_canvases("canvas_disabled_user_team")
    create = {"channel_id": CHANNEL, "document_content": markdown("x")}
    assert error_of(slack, "conversations_canvases_create", **create) == (
        "canvas_disabled_user_team"
    )
    assert slack.canvas_in(CHANNEL) is None


def test_one_change_per_edit_as_slack_allows(slack: FakeSlack) -> None:
    made = call(
        slack,
        "conversations_canvases_create",
        channel_id=CHANNEL,
        document_content=markdown("## A\na"),
    )
    two = [
        {"operation": "insert_at_end", "document_content": markdown("## B\nb")},
        {"operation": "insert_at_end", "document_content": markdown("## C\nc")},
    ]
    assert error_of(slack, "canvases_edit", canvas_id=made["canvas_id"], changes=two) == (
        "invalid_arguments"
    )
