"""The floor for bench.memory: a minimal slack-bolt app (one command that acks, and a health
check) served by uvicorn. It imports nothing of ours, so its memory is what slack-bolt, uvicorn
and Python cost alone.

    SLACK_SIGNING_SECRET=… SLACK_API_URL=… python -m bench.floor_app --host H --port P
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args()
    client = AsyncWebClient("xoxb-floor", base_url=os.environ["SLACK_API_URL"])  # auth.test
    bolt = AsyncApp(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

    @bolt.command("/samskab")
    async def on_command(ack: AsyncAck) -> None:
        await ack("ok")

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)]
    uvicorn.run(Starlette(routes=routes), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
