"""Domain errors that views turn into messages on the form field they concern."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; `field` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class MoveNotAllowed(DomainError):
    """The pipeline does not allow this move from the application's current state."""


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a business rule (duplicate, impossible pair...)."""


class NotFound(DomainError):
    """The object does not exist (or the user may not know that it does)."""
