"""When something fails on our side, the person who acted is told so, briefly, in their
language, where Slack lets us: in the answer Slack still waits for, or privately after. Telling
never raises: a failure there only adds a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Coroutine
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import follow
from bot.slack.blocks import render_message
from bot.slack.replies import notice_modal, tell, view_title
from bot.slack.services import SlackServices, team_of
from handlers.errors import APOLOGY
from handlers.i18n import Translator
from handlers.messages import Message

log = logging.getLogger(__name__)


def after_ack(
    services: SlackServices,
    client: AsyncWebClient,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    work: Coroutine[Any, Any, None],
) -> None:
    """Runs what a listener does once it has acked, beside the request rather than in it:
    bolt has answered Slack already, and turns a listener that fails just after its ack into a
    500 for a request it had acked. A failure is logged and the person told."""

    async def run() -> None:
        try:
            await work
        except Exception as error:  # the adapter's one place for errors after the ack
            log.error("error in a Slack listener after its ack", exc_info=error)
            await apologise(services, client, body, respond)

    follow(services.background, run())


def apology_for(services: SlackServices, body: dict[str, Any]) -> tuple[str, Message] | None:
    """Who to tell and what, or None when nobody waits for an answer (an event)."""
    user = user_of(body)
    if user is None or body.get("type") == "event_callback":
        return None
    known = services.directory.known(team_of(body), user)
    tr = Translator((known.locale if known else None) or services.deps.language)
    return user, Message(tr._(APOLOGY), language=tr.language)


async def apologise(
    services: SlackServices,
    client: AsyncWebClient,
    body: dict[str, Any],
    respond: AsyncRespond | None,
) -> None:
    """Privately: as an ephemeral answer where the request brought a response_url, else in the
    person's DM with the app (modals and App Home have no response_url)."""
    told = apology_for(services, body)
    if told is None:
        return
    user, apology = told
    try:
        usable = respond if isinstance(body.get("response_url"), str) else None
        await tell(apology, client=client, user_id=user, channel_id=None, respond=usable)
    except Exception as failure:  # telling failed too; the error itself is logged
        log.warning("could not tell %s about the error: %s", user, type(failure).__name__)


def apology_response(body: dict[str, Any], apology: Message) -> BoltResponse:
    """The answer Slack is still waiting for: the apology in the modal, or as the command's
    private reply; a button's answer is only an acknowledgement, so it shows nothing."""
    if body.get("type") == "view_submission":
        answer = {
            "response_action": "update",
            "view": notice_modal(view_title(body.get("view")), apology),
        }
    elif "command" in body:
        answer = {"response_type": "ephemeral", **render_message(apology)}
    else:
        return BoltResponse(status=200, body="")
    return BoltResponse(
        status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
    )


def user_of(body: dict[str, Any]) -> str | None:
    """Who acted, where the body says so as Slack writes it."""
    user = body.get("user")
    candidates = [body.get("user_id"), user.get("id") if isinstance(user, dict) else user]
    return next((c for c in candidates if isinstance(c, str) and c), None)
