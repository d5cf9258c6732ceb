"""The closed sets the tables store as text, as types the type checker knows: a typo in
`request.status = "declind"` is an error before it is a row. The database's CHECK constraints
say the same for what reaches it by other ways."""

from __future__ import annotations

from typing import Literal

Platform = Literal["slack", "teams", "console"]
ProcessStatus = Literal["active", "closed", "erased"]
Role = Literal["facilitator", "participant"]
WorkshopStatus = Literal["planned", "held", "cancelled"]
ItemKind = Literal["decision", "open_question", "next_step"]
ItemStatus = Literal["open", "answered", "changed"]  # answered: open questions; changed: decisions
RequestStatus = Literal["pending", "delivered", "answered", "declined", "expired", "failed"]
InputStatus = Literal["received", "considered", "used", "not_used"]
# Who is asked for input after a workshop: the invitees who did not attend, or everyone in the
# channel who did not attend.
InputAudience = Literal["invited", "channel"]
OutboxStatus = Literal["pending", "sending", "sent", "failed"]
TargetKind = Literal["channel", "person"]
HasslePhase = Literal["collecting", "voting", "closed"]
HassleAudience = Literal["members", "not_attended"]  # everyone, or who attended no workshop yet
HassleItemStatus = InputStatus  # an item's fate follows the input lifecycle
