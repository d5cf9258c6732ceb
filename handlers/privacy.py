"""A person's own data: `/samskab mydata`, `/samskab forget-me`; and closing a process."""

from __future__ import annotations

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.messages import Attachment, FormOutcome, FormValues, Reply


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


def submit_close(
    deps: Deps, actor: PersonRef, channel: ChannelRef, values: FormValues
) -> FormOutcome:
    raise NotImplementedError


def my_data_file(deps: Deps, person_id: int, language: str) -> Attachment | None:
    """The person's data as a JSON file, made again for a download link; None if they are gone."""
    raise NotImplementedError
