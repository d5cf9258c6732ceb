"""Who the bot is in its workspace (auth.test), learnt once.

bolt asks on the first request and answers 500 when Slack cannot be reached, so after a restart
during an outage every click failed. Here such a request goes on with the configured token, and
the question is asked again with the next one."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

log = logging.getLogger(__name__)


def bot_identity(client: AsyncWebClient) -> Callable[..., Awaitable[AuthorizeResult]]:
    """bolt's `authorize` function for our one workspace and its token (`client`'s); bolt
    passes arguments by name, so a plain function."""
    identity = _Identity(str(client.token))

    async def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        return await identity.authorize(enterprise_id, team_id, user_id, client)

    return authorize


class _Identity:
    def __init__(self, token: str) -> None:
        self.token = token
        self._answer: AsyncSlackResponse | None = None

    async def authorize(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        client: AsyncWebClient,
    ) -> AuthorizeResult:
        if self._answer is None:
            try:
                self._answer = await client.auth_test()
            except (aiohttp.ClientError, TimeoutError, SlackApiError) as error:
                status = error.response.status_code if isinstance(error, SlackApiError) else 0
                if 0 < status < 429:
                    raise  # a token Slack refuses: bolt tells the person to install the app
                log.warning("auth.test failed (%s); going on", status or type(error).__name__)
                return AuthorizeResult(
                    enterprise_id=enterprise_id,
                    team_id=team_id,
                    user_id=user_id,
                    bot_token=self.token,
                )
        answer = self._answer
        return AuthorizeResult(
            enterprise_id=answer.get("enterprise_id"),
            team_id=answer.get("team_id"),
            user_id=user_id,
            bot_id=answer.get("bot_id"),
            bot_user_id=answer.get("user_id"),
            bot_token=self.token,
        )
