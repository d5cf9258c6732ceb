"""The tables. Import models from here."""

from storage.models.base import Base, UTCDateTime
from storage.models.canvas import StatusCanvas
from storage.models.delivery import OutboxMessage, PaceBucket, ProcessedEvent, WorkerBeat
from storage.models.hassle import HassleBallot, HassleItem, HassleParticipant, HassleRound
from storage.models.inbox import InboxEntry
from storage.models.process import (
    AuditEntry,
    DigestRun,
    Member,
    Person,
    Process,
    StepChange,
    Subscription,
    Track,
)
from storage.models.pulse import Pulse, PulseAnswer
from storage.models.teams import TeamsReference
from storage.models.workshop import (
    Input,
    InputRequest,
    Invitation,
    ItemChange,
    Summary,
    SummaryItem,
    Workshop,
)

__all__ = [
    "AuditEntry",
    "Base",
    "DigestRun",
    "HassleBallot",
    "HassleItem",
    "HassleParticipant",
    "HassleRound",
    "InboxEntry",
    "Input",
    "InputRequest",
    "Invitation",
    "ItemChange",
    "Member",
    "OutboxMessage",
    "PaceBucket",
    "Person",
    "Process",
    "ProcessedEvent",
    "Pulse",
    "PulseAnswer",
    "StatusCanvas",
    "StepChange",
    "Subscription",
    "Summary",
    "SummaryItem",
    "TeamsReference",
    "Track",
    "UTCDateTime",
    "WorkerBeat",
    "Workshop",
]
