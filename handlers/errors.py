"""Refusals: a use case says no with a message id; the caller translates it for the person."""

from __future__ import annotations

from handlers.i18n import N_

# What a person is told when something fails on our side, in every adapter.
APOLOGY = N_("Sorry, something went wrong on our side. Please try again in a moment.")


class Refused(Exception):
    """A person asked for something we will not do. Nothing has been written."""

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


def no_arguments(command: str, argument: str) -> None:
    """A command that takes no arguments was given some."""
    if argument:
        raise Refused(N_("“{command}” takes no arguments."), command=command)
