"""Refusals: a use case says no with a message id; the caller translates it for the person."""

from __future__ import annotations


class Refused(Exception):
    """A person asked for something we will not do. Nothing has been written."""

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params
