"""The tables. Import models from here."""

from storage.models.base import Base, UTCDateTime
from storage.models.delivery import OutboxMessage, ProcessedEvent
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
    "Input",
    "InputRequest",
    "Invitation",
    "ItemChange",
    "Member",
    "OutboxMessage",
    "Person",
    "Process",
    "ProcessedEvent",
    "Pulse",
    "PulseAnswer",
    "StepChange",
    "Subscription",
    "Summary",
    "SummaryItem",
    "TeamsReference",
    "Track",
    "UTCDateTime",
    "Workshop",
]
