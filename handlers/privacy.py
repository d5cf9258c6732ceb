"""A person's own data: `/samskab mydata`, `/samskab forget-me`; and closing a process."""

from __future__ import annotations

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.messages import FormOutcome, FormValues, Reply


def my_data(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    raise NotImplementedError


def forget_me_form(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    raise NotImplementedError


def submit_forget_me(
    deps: Deps, actor: PersonRef, metadata: dict[str, str], values: FormValues
) -> FormOutcome:
    raise NotImplementedError


def close_process(deps: Deps, actor: PersonRef, channel: ChannelRef, arg: str) -> Reply:
    raise NotImplementedError
