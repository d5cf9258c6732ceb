"""What became of an input: facilitators mark it considered, used or not used, with a note."""

from __future__ import annotations

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.messages import FormOutcome, FormValues, Reply


def list_inputs(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    raise NotImplementedError


def mark_command(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    raise NotImplementedError


def mark_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    raise NotImplementedError


def submit_mark(
    deps: Deps, actor: PersonRef, metadata: dict[str, str], values: FormValues
) -> FormOutcome:
    raise NotImplementedError
