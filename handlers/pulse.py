"""The pulse: "Føler du dig opdateret om, hvor forløbet er?" (1–5, optional comment)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.messages import FormOutcome, FormValues, Reply
from storage.models import Process


def start_pulse(
    session: Session, deps: Deps, process: Process, *, reason: str, key: str, now: datetime
) -> bool:
    """Ask every active member, once per `key`. Called in the step change's transaction."""
    raise NotImplementedError


def pulse_command(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    raise NotImplementedError


def answer_pulse(deps: Deps, actor: PersonRef, value: str) -> Reply:
    raise NotImplementedError


def comment_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    raise NotImplementedError


def submit_comment(
    deps: Deps, actor: PersonRef, metadata: dict[str, str], values: FormValues
) -> FormOutcome:
    raise NotImplementedError
