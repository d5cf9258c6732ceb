"""What may reach our Teams listeners: a body of a sane size that parses as an activity, and,
once its token is verified, an activity whose fields have the types and sizes the listeners read.

Teams' own activities are at most ~28 KB, plus the answers of a card; anything else is refused
(413, 400) before it is read, or, verified but meaningless, answered 200 and left alone. The
reasons given are for the log: they never hold the body or anything from it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.bodies import Refusal

MAX_BODY = 256 * 1024

# Sizes the database holds (persons.user_id, processes.channel_id, teams_references.*) and Teams
# stays far below: a Teams id is some tens of characters, a 1:1 chat's id some hundred.
Id = Annotated[str, Field(min_length=1, max_length=200)]
ActivityId = Annotated[str, Field(min_length=1, max_length=100)]
TenantId = Annotated[str, Field(max_length=100)]
ObjectId = Annotated[str, Field(max_length=100)]
ServiceUrl = Annotated[str, Field(min_length=1, max_length=500)]
Word = Annotated[str, Field(max_length=50)]


def parse_activity(body: bytes) -> dict[str, Any] | Refusal:
    """The activity in `body`, or a 400: not UTF-8, not JSON (nested too deep counts), or not an
    object with a type."""
    try:
        activity = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        return Refusal(400, f"the body does not parse ({type(error).__name__})")
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        return Refusal(400, "the body is not an activity")
    return activity


def meaningless(activity: dict[str, Any]) -> str | None:
    """Why a verified activity cannot be acted on (a field of the wrong type or size, a missing
    id), or None. Every field the listeners read is in the model below: read a new one, add it."""
    try:
        Activity.model_validate(activity)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        return f"{first['type']} at {_where(first['loc'])}"
    except RecursionError:  # json.loads stops well before this; kept for any other caller
        return "too deeply nested"
    return None


def _where(loc: tuple[int | str, ...]) -> str:
    """The path to a field, up to the first key the sender chose (a card's metadata key)."""
    parts: list[str] = []
    for part in loc:
        if not (isinstance(part, int) or part in _FIELD_NAMES):
            parts.append("…")
            break
        parts.append(str(part))
    return ".".join(parts) or "the top"


# --- the fields our listeners read ----------------------------------------------------------


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Account(_Shape):
    """`from`, and each of `membersAdded` / `membersRemoved`."""

    id: Id
    name: str | None = None
    aadObjectId: ObjectId | None = None


class Conversation(_Shape):
    id: Id
    conversationType: Word | None = None
    tenantId: TenantId | None = None


class Reference(_Shape):
    """`channelData.team` and `.channel`: their `id` is what we read."""

    id: Id | None = None


class Tenant(_Shape):
    id: TenantId | None = None


class ChannelData(_Shape):
    tenant: Tenant | None = None
    team: Reference | None = None
    channel: Reference | None = None


class CardValue(_Shape):
    """A card's Action.Submit: our data (a form's `callback_id`, `metadata` and `fields`, or a
    button's `action_id` and `value`) beside the inputs, which are read as answers, not here."""

    callback_id: Word | None = None
    metadata: dict[str, str] | None = None
    fields: dict[str, str] | None = None
    action_id: Word | None = None
    value: str | None = None


class Activity(_Shape):
    type: Annotated[str, Field(min_length=1, max_length=50)]
    id: ActivityId | None = None
    serviceUrl: ServiceUrl
    channelId: Word | None = None
    from_: Account = Field(alias="from")
    conversation: Conversation
    channelData: ChannelData | None = None
    locale: Word | None = None
    text: str | None = None
    replyToId: ActivityId | None = None
    value: CardValue | None = None
    membersAdded: list[Account] | None = None
    membersRemoved: list[Account] | None = None


_FIELD_NAMES = {
    (info.alias or name)
    for model in (Account, Conversation, Reference, Tenant, ChannelData, CardValue, Activity)
    for name, info in model.model_fields.items()
}
