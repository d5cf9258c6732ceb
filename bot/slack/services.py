"""What the Slack listeners are handed: the use-case dependencies and the Slack-side helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.inbox import Inbox
from bot.slack.blocks import PageUrl
from bot.slack.directory import SLACK, SlackDirectory
from bot.slack.roster import RosterReads
from bot.web.access import StatusLinks
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.messages import Form


@dataclass
class SlackServices:
    deps: Deps
    directory: SlackDirectory
    inbox: Inbox  # acked requests, kept until their work is done
    nudge: Callable[[], None] = lambda: None  # wakes the delivery worker after a use case
    background: set[Any] = field(default_factory=set)  # tasks kept alive until they finish
    rosters: RosterReads = field(default_factory=RosterReads)  # channels being read now
    status_links: StatusLinks | None = None  # the personal links to the status page

    def page_url(self, team_id: str, user_id: str) -> PageUrl | None:
        """How the messages shown to this person link to a process's status page."""
        links = self.status_links
        if links is None:
            return None
        person = PersonRef(SLACK, team_id, user_id)
        return lambda process_id: links.url(person, process_id)


def channel_ref(team_id: str, channel_id: str, name: str = "") -> ChannelRef:
    """A Slack conversation; a `D…` id is the person's DM with the app."""
    return ChannelRef(SLACK, team_id, channel_id, name, direct=channel_id.startswith("D"))


def modal_metadata(channel_id: str | None, form: Form) -> str:
    """Ids only: where the form was opened and the form's own ids (never content)."""
    return json.dumps({"c": channel_id or "", "m": form.metadata}, separators=(",", ":"))


def read_metadata(private_metadata: str) -> tuple[str | None, dict[str, str]]:
    try:
        data = json.loads(private_metadata or "{}")
    except json.JSONDecodeError:
        return None, {}
    metadata = data.get("m") if isinstance(data.get("m"), dict) else {}
    return (data.get("c") or None), {str(k): str(v) for k, v in metadata.items()}


def team_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or "")
