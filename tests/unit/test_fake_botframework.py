"""The Bot Framework fakes behave as Azure AD, the Bot Connector and Teams do, seen through httpx
and PyJWT over real HTTP on an ephemeral port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from tests.fakes import teams_activities as teams
from tests.fakes.botframework import ISSUER, SCOPE, FakeBotFramework
from tests.fakes.teams_activities import TeamsUser

APP_ID, PASSWORD, TENANT = "app-123", "secret", teams.TENANT_ID
ANNA = TeamsUser.make("Anna Jensen")
BO = TeamsUser.make("Bo Holm", locale="en-GB")


@pytest.fixture
def bf() -> Iterator[FakeBotFramework]:
    with FakeBotFramework(app_id=APP_ID, app_password=PASSWORD) as fake:
        yield fake


def token_form(secret: str = PASSWORD, client_id: str = APP_ID) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": client_id}
    return form | {"client_secret": secret, "scope": SCOPE}


def bearer(bf: FakeBotFramework) -> dict[str, str]:
    reply = httpx.post(bf.token_url, data=token_form())
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def connector(bf: FakeBotFramework) -> httpx.Client:
    """A client the way a bot uses the Connector: serviceUrl as base, its token on every call."""
    return httpx.Client(base_url=bf.service_url, headers=bearer(bf))


def open_personal_chat(client: httpx.Client, user: TeamsUser) -> str:
    body = {"bot": {"id": f"28:{APP_ID}"}, "members": [{"id": user.id}]}
    reply = client.post("v3/conversations", json=body | {"channelData": {"tenant": {"id": TENANT}}})
    assert reply.status_code == 201
    return str(reply.json()["id"])


def test_token_is_issued_for_client_credentials_and_every_request_counted(
    bf: FakeBotFramework,
) -> None:
    first = httpx.post(bf.token_url, data=token_form())
    second = httpx.post(bf.token_url, data=token_form())

    assert bf.token_url.endswith("/botframework.com/oauth2/v2.0/token")
    assert first.status_code == 200
    body = first.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == body["ext_expires_in"] == 3599
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert bf.token_requests == 2  # what a bot that caches its token must keep at 1
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == ISSUER and claims["appid"] == APP_ID
    assert second.json()["access_token"] != body["access_token"]


def test_wrong_secret_or_unknown_app_is_refused_as_azure_ad_does(bf: FakeBotFramework) -> None:
    bad_secret = httpx.post(bf.token_url, data=token_form(secret="wrong"))
    unknown_app = httpx.post(bf.token_url, data=token_form(client_id="someone-else"))
    as_json = httpx.post(bf.token_url, json=token_form())

    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    assert bad_secret.json()["error_codes"] == [7000215]
    assert bad_secret.json()["error_description"].startswith("AADSTS7000215: Invalid client secret")
    assert unknown_app.status_code == 400 and unknown_app.json()["error"] == "unauthorized_client"
    assert "not found in the directory 'Bot Framework'" in unknown_app.json()["error_description"]
    assert as_json.status_code == 400 and as_json.json()["error_codes"] == [900144]
    assert bf.token_requests == 3


def test_single_tenant_bot_gets_tokens_only_from_its_own_tenant() -> None:
    home = "0b5c7e2a-1111-4c4c-9d9d-5e5e5e5e5e5e"
    with FakeBotFramework(app_id=APP_ID, app_password=PASSWORD, tenant_id=home) as bf:
        shared = httpx.post(bf.token_url, data=token_form())
        own = httpx.post(bf.tenant_token_url(home), data=token_form())

    assert shared.status_code == 400 and shared.json()["error_codes"] == [700016]
    assert own.status_code == 200 and own.json()["access_token"]


def test_connector_refuses_calls_without_a_live_token(bf: FakeBotFramework) -> None:
    bf.add_channel(teams.CHANNEL_ID, [ANNA])
    path = f"v3/conversations/{teams.CHANNEL_ID}/pagedmembers"
    with connector(bf) as client:
        assert client.get(path).status_code == 200
        bf.expire_tokens()
        expired = client.get(path)
    anonymous = httpx.get(bf.service_url + path)
    forged = httpx.get(bf.service_url + path, headers={"Authorization": "Bearer not-issued"})

    for reply in (expired, anonymous, forged):
        assert reply.status_code == 401
        assert reply.json() == {"message": "Authorization has been denied for this request."}
    assert [c.status for c in bf.calls] == [200, 401, 401, 401]


def test_personal_chat_is_created_once_then_sent_replied_to_updated_and_read_back(
    bf: FakeBotFramework,
) -> None:
    with connector(bf) as client:
        cid = open_personal_chat(client, ANNA)
        again = open_personal_chat(client, ANNA)
        card = {"contentType": "application/vnd.microsoft.card.adaptive", "content": {}}
        body = {"type": "message", "attachments": [card]}
        sent = client.post(f"v3/conversations/{cid}/activities", json=body)
        sent_id = sent.json()["id"]
        replied = client.post(
            f"v3/conversations/{cid}/activities/{sent_id}", json={"type": "message", "text": "Tak!"}
        )
        updated = client.put(
            f"v3/conversations/{cid}/activities/{sent_id}",
            json={"type": "message", "text": "Svar modtaget"},
        )

    assert cid.startswith("a:") and again == cid == bf.conversation_for(ANNA.id)
    assert sent.status_code == replied.status_code == 201
    assert updated.status_code == 200 and updated.json() == {"id": sent_id}
    first, reply = bf.activities(cid)
    assert (
        first["id"] == sent_id and first["text"] == "Svar modtaget" and "attachments" not in first
    )
    assert reply["replyToId"] == sent_id and reply["text"] == "Tak!"
    assert [c.method for c in bf.calls_to(r"/v3/conversations/a:[^/]+/activities")] == [
        "POST",
        "POST",
        "PUT",
    ]
    assert bf.calls[0].json["members"] == [{"id": ANNA.id}]


def test_unknown_conversation_or_activity_gives_teams_404_codes(bf: FakeBotFramework) -> None:
    with connector(bf) as client:
        cid = open_personal_chat(client, BO)
        no_activity = client.put(f"v3/conversations/{cid}/activities/123", json={"type": "message"})
        no_conversation = client.post(
            "v3/conversations/a:nope/activities", json={"type": "message"}
        )
        group = client.post("v3/conversations", json={"isGroup": True, "members": [{"id": BO.id}]})

    assert no_activity.status_code == 404
    assert no_activity.json()["error"]["code"] == "ActivityNotFoundInConversation"
    assert no_conversation.json() == {
        "error": {"code": "ConversationNotFound", "message": "Conversation not found."}
    }
    assert group.status_code == 400 and group.json()["error"]["code"] == "BadArgument"


def test_channel_thread_replies_land_in_the_channel(bf: FakeBotFramework) -> None:
    bf.add_channel(teams.CHANNEL_ID, [ANNA])
    thread = f"{teams.CHANNEL_ID};messageid=1700000000000"
    with connector(bf) as client:
        reply = client.post(f"v3/conversations/{thread}/activities", json={"type": "message"})

    assert reply.status_code == 201
    assert bf.activities(teams.CHANNEL_ID)[0]["conversation"] == {"id": thread}


def test_paged_members_must_be_followed_to_the_end(bf: FakeBotFramework) -> None:
    people = [TeamsUser.make(f"Person {n} Test") for n in range(5)]
    bf.add_channel(teams.CHANNEL_ID, people)
    pages: list[dict[str, Any]] = []
    with connector(bf) as client:
        params: dict[str, str | int] = {"pageSize": 100}
        while True:
            page = client.get(f"v3/conversations/{teams.CHANNEL_ID}/pagedmembers", params=params)
            pages.append(page.json())
            if "continuationToken" not in page.json():
                break
            params["continuationToken"] = page.json()["continuationToken"]

    assert [len(p["members"]) for p in pages] == [2, 2, 1]
    members = [m for p in pages for m in p["members"]]
    assert [m["id"] for m in members] == [p.id for p in people]
    assert members[0]["aadObjectId"] == people[0].aad_object_id
    assert {"name", "email", "userPrincipalName", "tenantId", "userRole"} <= set(members[0])
    assert members[0]["tenantId"] == TENANT and members[0]["userRole"] == "user"


def test_injected_throttling_and_forbidden_answer_as_teams_does(bf: FakeBotFramework) -> None:
    bf.fail(r"^POST /v3/conversations/[^/]+/activities$", status=429, retry_after=3)
    bf.fail(r"^POST /v3/conversations$", status=403, code="ConversationBlockedByUser")
    with connector(bf) as client:
        blocked = client.post("v3/conversations", json={"members": [{"id": ANNA.id}]})
        cid = open_personal_chat(client, ANNA)
        throttled = client.post(f"v3/conversations/{cid}/activities", json={"type": "message"})
        retried = client.post(f"v3/conversations/{cid}/activities", json={"type": "message"})

    assert blocked.status_code == 403
    assert blocked.json()["error"]["code"] == "ConversationBlockedByUser"
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert throttled.json()["error"]["code"] == "Throttled"
    assert retried.status_code == 201 and len(bf.activities(cid)) == 1


def test_oversized_activity_is_refused_with_413(bf: FakeBotFramework) -> None:
    with connector(bf) as client:
        cid = open_personal_chat(client, ANNA)
        big = client.post(
            f"v3/conversations/{cid}/activities", json={"type": "message", "text": "x" * 40_000}
        )

    assert big.status_code == 413 and big.json()["error"]["code"] == "MessageSizeTooBig"


def test_wait_for_sees_a_call_made_from_another_thread(bf: FakeBotFramework) -> None:
    headers = bearer(bf)
    url = bf.service_url + "v3/conversations"
    body = {"members": [{"id": ANNA.id}], "channelData": {"tenant": {"id": TENANT}}}
    worker = threading.Thread(target=lambda: httpx.post(url, json=body, headers=headers))
    worker.start()
    bf.wait_for(lambda fake: fake.conversation_for(ANNA.id) is not None, timeout=5)
    worker.join()
    with pytest.raises(AssertionError, match="Condition not met"):
        bf.wait_for(lambda fake: False, timeout=0.05)


# -- inbound: OpenID metadata -> JWKS -> the activity's JWT ---------------------------------------


def signed_message(bf: FakeBotFramework, **options: Any) -> tuple[dict[str, Any], str]:
    activity = teams.personal_message(
        "hej", user=ANNA, conversation_id="a:1x", service_url=bf.service_url, bot_app_id=APP_ID
    )
    header = bf.sign_activity(activity, **options)["Authorization"]
    assert header.startswith("Bearer ")
    return activity, header.removeprefix("Bearer ")


def verify(bf: FakeBotFramework, token: str, activity: dict[str, Any]) -> dict[str, Any]:
    """What the Bot Framework auth article asks of a bot, done with PyJWT: metadata, then the
    JWKS it names, the key by kid, the claims, the channel endorsement and the serviceurl."""
    metadata = httpx.get(bf.openid_metadata_url).json()
    jwks = httpx.get(metadata["jwks_uri"]).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next((key for key in jwks if key["kid"] == kid), None)
    if jwk is None:
        raise LookupError(f"no published key {kid}")
    claims: dict[str, Any] = jwt.decode(
        token,
        jwt.PyJWK(jwk).key,
        algorithms=metadata["id_token_signing_alg_values_supported"],
        audience=APP_ID,
        issuer=metadata["issuer"],
        leeway=300,  # the article's 5-minute clock skew
        options={"require": ["exp", "nbf", "iss", "aud"]},
    )
    if activity["channelId"] not in jwk["endorsements"]:
        raise PermissionError("key not endorsed for this channel")
    if claims["serviceurl"] != activity["serviceUrl"]:
        raise PermissionError("serviceurl claim does not match the activity")
    return claims


def test_openid_metadata_points_at_jwks_whose_keys_are_endorsed(bf: FakeBotFramework) -> None:
    metadata = httpx.get(bf.openid_metadata_url).json()
    jwks = httpx.get(metadata["jwks_uri"]).json()

    assert metadata["issuer"] == ISSUER == "https://api.botframework.com"
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    key = jwks["keys"][-1]
    assert {"kty", "use", "kid", "n", "e"} <= set(key) and key["kty"] == "RSA"
    assert "msteams" in key["endorsements"]
    assert any("msteams" not in k["endorsements"] for k in jwks["keys"])
    assert bf.metadata_requests == 1 and bf.jwks_requests == 1


def test_signed_activity_verifies_against_the_published_keys(bf: FakeBotFramework) -> None:
    activity, token = signed_message(bf)

    claims = verify(bf, token, activity)

    assert claims["aud"] == APP_ID and claims["iss"] == ISSUER
    assert claims["serviceurl"] == bf.service_url and claims["exp"] > claims["nbf"]
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"key": "foreign"}, LookupError),
        ({"kid": "kid-of-nobody"}, LookupError),
        ({"expires_in": -600}, jwt.ExpiredSignatureError),
        ({"not_before_offset": 600}, jwt.ImmatureSignatureError),
        ({"audience": "another-bot"}, jwt.InvalidAudienceError),
        ({"issuer": "https://sts.windows.net/evil/"}, jwt.InvalidIssuerError),
        ({"service_url": "https://attacker.example/"}, PermissionError),
        ({"channel_endorsement": False}, PermissionError),
    ],
    ids=[
        "foreign key",
        "unknown kid",
        "expired",
        "not yet valid",
        "wrong audience",
        "wrong issuer",
        "other serviceUrl",
        "not endorsed for msteams",
    ],
)
def test_each_kind_of_bad_token_fails_verification(
    bf: FakeBotFramework, options: dict[str, Any], error: type[Exception]
) -> None:
    activity, token = signed_message(bf, **options)

    with pytest.raises(error):
        verify(bf, token, activity)


def test_token_naming_one_key_but_signed_by_another_has_a_bad_signature(
    bf: FakeBotFramework,
) -> None:
    unendorsed_kid = httpx.get(bf.jwks_url).json()["keys"][0]["kid"]
    activity, token = signed_message(bf, kid=unendorsed_kid)

    with pytest.raises(jwt.InvalidSignatureError):
        verify(bf, token, activity)


def test_rotated_key_gets_a_new_kid_that_a_refetch_finds(bf: FakeBotFramework) -> None:
    # Caches the set, as a bot would. PyJWT refetches on an unknown kid only after
    # cooldown_duration (30 s by default) since its last fetch; 0 lets the test see it now.
    keys = jwt.PyJWKClient(bf.jwks_url, cooldown_duration=0)
    activity, before = signed_message(bf)
    old_kid = keys.get_signing_key_from_jwt(before).key_id

    new_kid = bf.rotate_key()
    _, after = signed_message(bf)
    found = keys.get_signing_key_from_jwt(after)  # unknown kid: PyJWKClient fetches again

    assert new_kid != old_kid and jwt.get_unverified_header(after)["kid"] == new_kid
    assert found.key_id == new_kid and bf.jwks_requests == 2
    listed = [k["kid"] for k in httpx.get(bf.jwks_url).json()["keys"]]
    assert old_kid in listed and new_kid in listed  # the old key stays during a rollover
    assert verify(bf, before, activity)["aud"] == APP_ID


# -- what Teams POSTs ------------------------------------------------------------------------------


def test_channel_message_mentions_the_bot_as_teams_sends_it(bf: FakeBotFramework) -> None:
    activity = teams.channel_message(
        "status?", user=ANNA, service_url=bf.service_url, bot_app_id=APP_ID
    )

    assert activity["text"] == "<at>Samskab</at> status?"
    mention = next(e for e in activity["entities"] if e["type"] == "mention")
    assert mention == {
        "type": "mention",
        "text": "<at>Samskab</at>",
        "mentioned": {"id": f"28:{APP_ID}", "name": "Samskab"},
    }
    assert activity["recipient"]["id"] == f"28:{APP_ID}" and activity["channelId"] == "msteams"
    assert activity["from"] == {
        "id": ANNA.id,
        "name": "Anna Jensen",
        "aadObjectId": ANNA.aad_object_id,
    }
    assert activity["conversation"]["id"] == f"{teams.CHANNEL_ID};messageid={activity['id']}"
    assert activity["conversation"]["conversationType"] == "channel"
    assert activity["channelData"]["channel"]["id"] == teams.CHANNEL_ID
    assert activity["channelData"]["tenant"]["id"] == activity["conversation"]["tenantId"]
    assert activity["locale"] == "da-DK" and activity["serviceUrl"] == bf.service_url


def test_card_submit_and_membership_events_have_teams_shapes(bf: FakeBotFramework) -> None:
    common: dict[str, Any] = {"service_url": bf.service_url, "bot_app_id": APP_ID}
    submit = teams.card_submit(
        {"answer": "ja"}, user=BO, conversation_id="a:1x", reply_to_id="1700000000001", **common
    )
    bot_added = teams.conversation_update_members_added([], by=ANNA, bot_added=True, **common)
    joined = teams.conversation_update_members_added([BO], by=ANNA, **common)
    left = teams.members_removed([BO], by=ANNA, **common)
    installed = teams.installation_update(user=BO, conversation_id="a:1x", **common)

    assert submit["type"] == "message" and "text" not in submit
    assert submit["value"] == {"answer": "ja"} and submit["replyToId"] == "1700000000001"
    assert submit["locale"] == "en-GB"
    assert bot_added["membersAdded"] == [{"id": f"28:{APP_ID}"}]
    assert bot_added["channelData"]["settings"]["selectedChannel"]["id"] == teams.CHANNEL_ID
    assert joined["membersAdded"] == [{"id": BO.id, "aadObjectId": BO.aad_object_id}]
    assert joined["conversation"]["id"] == teams.TEAM_ID
    assert joined["channelData"]["eventType"] == "teamMemberAdded"
    assert left["channelData"]["eventType"] == "teamMemberRemoved"
    assert left["membersRemoved"][0]["id"] == BO.id
    assert installed["type"] == "installationUpdate" and installed["action"] == "add"
    assert installed["conversation"]["conversationType"] == "personal"
