"""The Slack fakes behave as Slack does, as seen through the real slack_sdk and slack_bolt."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_api import FakeSlack

SECRET = "test-signing-secret"
CHANNEL = "C0PROCESS"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U0ANNA", "anna", real_name="Anna Jensen", display_name="Anna")
        fake.add_user("U0BO", "bo", real_name="Bo Holm", locale="en-GB")
        fake.add_user("U0GONE", "gone", real_name="Gone Person", deleted=True)
        fake.add_channel(CHANNEL, members=["U0ANNA", "U0BO", fake.bot_user_id])
        yield fake


def client_for(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


def api_error(call: Any) -> SlackApiError:
    """Run one client coroutine that must fail, and return slack_sdk's error."""
    with pytest.raises(SlackApiError) as caught:
        asyncio.run(call)
    return caught.value


def test_posted_message_is_updated_and_read_back_from_history(slack: FakeSlack) -> None:
    async def scenario() -> tuple[Any, Any, Any]:
        client = client_for(slack)
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hej*"}}]
        metadata = {"event_type": "summary_posted", "event_payload": {"summary_id": 7}}
        posted = await client.chat_postMessage(
            channel=CHANNEL, text="Hej", blocks=blocks, metadata=metadata
        )
        await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="Hej igen")
        await client.chat_postMessage(channel=CHANNEL, text="Second")
        with_metadata = await client.conversations_history(
            channel=CHANNEL, include_all_metadata=True
        )
        plain = await client.conversations_history(channel=CHANNEL, limit=1)
        return posted, with_metadata, plain

    posted, with_metadata, plain = asyncio.run(scenario())

    assert posted["channel"] == CHANNEL and posted["message"]["text"] == "Hej"
    newest, oldest = with_metadata["messages"]
    assert newest["text"] == "Second"
    assert oldest["ts"] == posted["ts"] and oldest["text"] == "Hej igen"
    assert oldest["metadata"]["event_payload"] == {"summary_id": 7}
    assert "metadata" not in plain["messages"][0] and plain["has_more"] is True
    first = slack.messages(CHANNEL)[0]
    assert first["text"] == "Hej igen" and first["blocks"][0]["type"] == "section"
    assert "edited" in first
    assert slack.calls_to("chat.postMessage")[0].params["metadata"]["event_type"] == (
        "summary_posted"
    )


def test_update_of_unknown_message_is_message_not_found(slack: FakeSlack) -> None:
    error = api_error(client_for(slack).chat_update(channel=CHANNEL, ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"


def test_member_pagination_collects_everyone_across_cursors(slack: FakeSlack) -> None:
    slack.add_channel("C0BIG", members=[f"U{n:04d}" for n in range(5)])

    async def collect() -> list[str]:
        members: list[str] = []
        async for page in await client_for(slack).conversations_members(channel="C0BIG"):
            members += page["members"]
        return members

    assert asyncio.run(collect()) == [f"U{n:04d}" for n in range(5)]
    assert len(slack.calls_to("conversations.members")) == 3  # pages of 2, 2 and 1


def test_conversations_open_gives_a_stable_dm_and_posting_to_the_user_lands_there(
    slack: FakeSlack,
) -> None:
    async def scenario() -> tuple[str, str, str]:
        client = client_for(slack)
        first = await client.conversations_open(users="U0ANNA")
        again = await client.conversations_open(users=["U0ANNA"])
        posted = await client.chat_postMessage(channel="U0ANNA", text="Hej Anna")
        return first["channel"]["id"], again["channel"]["id"], posted["channel"]

    first, again, posted_in = asyncio.run(scenario())

    assert first.startswith("D") and first == again == posted_in
    assert slack.dm_channel_of("U0ANNA") == first
    assert [m["text"] for m in slack.messages(first)] == ["Hej Anna"]


def test_deactivated_user_cannot_be_opened_but_posting_to_their_id_succeeds(
    slack: FakeSlack,
) -> None:
    error = api_error(client_for(slack).conversations_open(users="U0GONE"))
    assert error.response["error"] == "user_disabled"
    # Slack keeps a deactivated person's conversations, so chat.postMessage still says ok.
    posted = asyncio.run(client_for(slack).chat_postMessage(channel="U0GONE", text="Hej"))
    assert posted["ok"] is True


def test_users_info_gives_locale_only_when_asked(slack: FakeSlack) -> None:
    async def scenario() -> tuple[Any, Any]:
        client = client_for(slack)
        with_locale = await client.users_info(user="U0BO", include_locale=True)
        without = await client.users_info(user="U0ANNA")
        return with_locale["user"], without["user"]

    bo, anna = asyncio.run(scenario())

    assert bo["locale"] == "en-GB" and bo["profile"]["real_name"] == "Bo Holm"
    assert bo["deleted"] is False and bo["is_bot"] is False
    assert "locale" not in anna and anna["profile"]["display_name"] == "Anna"


def test_rate_limit_is_a_429_with_retry_after_then_the_call_succeeds(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", retry_after=30)
    client = client_for(slack)

    error = api_error(client.chat_postMessage(channel=CHANNEL, text="Hej"))
    asyncio.run(client.chat_postMessage(channel=CHANNEL, text="Hej"))

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "30"
    assert error.response["error"] == "ratelimited"
    assert [c.failed for c in slack.calls_to("chat.postMessage")] == [True, False]
    assert len(slack.messages(CHANNEL)) == 1


def test_unknown_channel_is_channel_not_found(slack: FakeSlack) -> None:
    error = api_error(client_for(slack).chat_postMessage(channel="C0NOPE", text="Hej"))
    assert error.response.status_code == 200
    assert error.response["error"] == "channel_not_found"


def test_injected_api_error_hits_only_matching_calls(slack: FakeSlack) -> None:
    slack.add_channel("C0OTHER", members=[slack.bot_user_id])
    slack.fail("chat.postMessage", error="not_in_channel", when=lambda p: p["channel"] == CHANNEL)
    client = client_for(slack)

    asyncio.run(client.chat_postMessage(channel="C0OTHER", text="fine"))
    error = api_error(client.chat_postMessage(channel=CHANNEL, text="refused"))

    assert error.response["error"] == "not_in_channel"
    assert [m["text"] for m in slack.messages("C0OTHER")] == ["fine"]
    assert slack.messages(CHANNEL) == []


def test_server_outage_surfaces_as_slack_api_error_with_its_status(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", status=503, times=2)
    error = api_error(client_for(slack).chat_postMessage(channel=CHANNEL, text="Hej"))
    assert error.response.status_code == 503


def test_form_encoded_json_fields_are_decoded_and_unknown_methods_refused(
    slack: FakeSlack,
) -> None:
    auth = {"Authorization": "Bearer xoxb-test"}
    blocks = [{"type": "divider"}]
    form = {"channel": CHANNEL, "text": "form", "blocks": json.dumps(blocks)}
    posted = httpx.post(slack.api_url + "chat.postMessage", data=form, headers=auth).json()
    unknown = httpx.post(slack.api_url + "chat.teleport", headers=auth).json()
    anonymous = httpx.post(slack.api_url + "auth.test").json()

    assert posted["ok"] is True and slack.calls[0].params["blocks"] == blocks
    assert unknown == {"ok": False, "error": "unknown_method"}
    assert anonymous == {"ok": False, "error": "not_authed"}


def test_views_are_given_ids_and_home_tabs_recorded(slack: FakeSlack) -> None:
    view = {"type": "modal", "callback_id": "input", "title": {"type": "plain_text", "text": "T"}}

    async def scenario() -> tuple[Any, Any]:
        client = client_for(slack)
        opened = await client.views_open(trigger_id="1.2.3", view=view)
        updated = await client.views_update(view_id=opened["view"]["id"], view=view)
        await client.views_publish(user_id="U0ANNA", view={"type": "home", "blocks": []})
        return opened["view"], updated["view"]

    opened, updated = asyncio.run(scenario())

    assert opened["id"].startswith("V") and updated["id"] == opened["id"]
    assert opened["callback_id"] == "input" and updated["hash"] != opened["hash"]
    assert slack.home_views["U0ANNA"]["type"] == "home"


def test_response_url_records_what_respond_sends(slack: FakeSlack) -> None:
    hook = AsyncWebhookClient(slack.response_url("cmd"))
    asyncio.run(hook.send(text="Modtaget", response_type="ephemeral"))
    assert slack.responses["cmd"] == [{"text": "Modtaget", "response_type": "ephemeral"}]


def test_wait_for_names_the_calls_it_saw_when_it_gives_up(slack: FakeSlack) -> None:
    asyncio.run(client_for(slack).auth_test())
    with pytest.raises(AssertionError, match=r"auth\.test"):
        slack.wait_for(lambda s: bool(s.calls_to("chat.postMessage")), timeout=0.05)


def test_signatures_are_accepted_by_slack_sdk_verifier() -> None:
    verifier = SignatureVerifier(SECRET)
    event = payloads.member_joined_channel("U0ANNA", CHANNEL)
    bodies = [
        payloads.slash_command("status", user_id="U0ANNA", channel_id=CHANNEL),
        payloads.block_actions("confirm", "42", user_id="U0ANNA", channel_id=CHANNEL),
        payloads.view_submission("input", {"b": {"a": payloads.text_input("æøå")}}, user_id="U0"),
        payloads.event_callback(event, event_id="Ev0001"),
        payloads.url_verification("challenge-token"),
    ]
    for body, _ in bodies:
        headers = payloads.sign(body, SECRET)
        timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
        assert verifier.is_valid(body, timestamp, signature)
        assert verifier.is_valid_request(body.encode(), headers)
        assert not SignatureVerifier("other-secret").is_valid(body, timestamp, signature)


def test_payload_builders_use_slacks_encodings() -> None:
    command, command_type = payloads.slash_command("help", user_id="U0ANNA", channel_id="D0ANNA")
    fields = {k: v[0] for k, v in parse_qs(command).items()}
    click, click_type = payloads.block_actions(
        "confirm", "42", user_id="U0ANNA", view={"id": "V0001", "type": "home"}
    )
    action = json.loads(parse_qs(click)["payload"][0])
    event, event_type = payloads.event_callback(payloads.app_home_opened("U0ANNA"), event_id="Ev1")

    assert command_type == click_type == "application/x-www-form-urlencoded"
    assert fields["command"] == "/samskab" and fields["channel_name"] == "directmessage"
    assert {"token", "team_id", "user_id", "text", "response_url", "trigger_id"} <= set(fields)
    assert action["container"] == {"type": "view", "view_id": "V0001"}
    assert action["actions"][0]["type"] == "button" and "response_url" not in action
    assert event_type == "application/json"
    assert json.loads(event)["event"]["type"] == "app_home_opened"


def test_bolt_app_handles_every_builder_against_the_fake(slack: FakeSlack) -> None:
    """The builders and the fake together are enough for a real AsyncApp to run end to end."""
    app = AsyncApp(client=client_for(slack), signing_secret=SECRET)
    seen: list[str] = []

    @app.command("/samskab")
    async def on_command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"status for {command['user_id']}")

    @app.action("confirm")
    async def on_confirm(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_update(channel=CHANNEL, ts=body["container"]["message_ts"], text="Ok")

    @app.view("input")
    async def on_input(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen.append(view["state"]["values"]["b"]["a"]["value"])

    @app.event("member_joined_channel")
    async def on_join(event: dict[str, Any]) -> None:
        seen.append(event["user"])

    async def scenario() -> list[int]:
        posted = await client_for(slack).chat_postMessage(channel=CHANNEL, text="Bekræft?")
        requests = [
            payloads.slash_command(
                "status", user_id="U0BO", channel_id=CHANNEL, response_url=slack.response_url("c")
            ),
            payloads.block_actions(
                "confirm", "1", user_id="U0BO", channel_id=CHANNEL, message_ts=posted["ts"]
            ),
            payloads.view_submission(
                "input", {"b": {"a": payloads.text_input("ja")}}, user_id="U0BO"
            ),
            payloads.event_callback(
                payloads.member_joined_channel("U0NEW", CHANNEL), event_id="Ev1"
            ),
        ]
        statuses = []
        for body, content_type in requests:
            headers: dict[str, Any] = payloads.signed_headers(body, content_type, SECRET)
            response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
            statuses.append(response.status)
        await slack.wait_for_async(lambda s: bool(s.responses["c"]) and len(seen) == 2)
        await slack.wait_for_async(lambda s: s.messages(CHANNEL)[0]["text"] == "Ok")
        return statuses

    assert asyncio.run(scenario()) == [200, 200, 200, 200]
    assert slack.responses["c"][0]["text"] == "status for U0BO"
    assert sorted(seen) == ["U0NEW", "ja"]
