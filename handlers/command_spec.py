"""How a chat command is declared: once, beside its use case, with everything the routers and
the help are derived from (its name and Danish words, its help line, who may use it, its forms
and its buttons). `handlers.commands.COMMANDS` lists the declarations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.messages import FormOutcome, FormValues, Reply

CommandRoute = Callable[[Deps, PersonRef, ChannelRef], Reply]
ArgumentRoute = Callable[[Deps, PersonRef, ChannelRef, str], Reply]
FormRoute = Callable[[Deps, PersonRef, ChannelRef | None, dict[str, str], FormValues], FormOutcome]
ButtonRoute = Callable[[Deps, PersonRef, str], Reply]


class Role(StrEnum):
    """Who may use a command. The use case checks it; the help says it."""

    MEMBER = "member"  # anyone in the process (or, for their own data, anyone at all)
    FACILITATOR = "facilitator"


@dataclass(frozen=True)
class FormSpec:
    """A form a command opens: its callback id, and the use case its submission goes to. Most
    forms belong to the channel they were opened in, and are refused without it."""

    callback_id: str
    submit: FormRoute
    needs_channel: bool = True


@dataclass(frozen=True)
class ButtonSpec:
    """A button a command's messages carry: its action id, and the use case a press goes to,
    with the button's value (the ids it names)."""

    action_id: str
    press: ButtonRoute


@dataclass(frozen=True)
class CommandSpec:
    """`/samskab <name> [argument]`. Exactly one of `run` (a command without arguments: any are
    refused) and `run_with` (the rest of the line is its argument)."""

    name: str
    help: str | None  # the help line's message id; None when another command's line covers it
    role: Role = Role.MEMBER
    aliases: tuple[str, ...] = ()
    run: CommandRoute | None = None
    run_with: ArgumentRoute | None = None
    forms: tuple[FormSpec, ...] = ()
    buttons: tuple[ButtonSpec, ...] = ()

    def __post_init__(self) -> None:
        if (self.run is None) == (self.run_with is None):
            raise ValueError(f"command {self.name!r} needs exactly one of run and run_with")
