"""What the service layer refuses, in words for the person who asked. Every channel (pages,
API, command line, intake) turns these into its own answer: a GOV.UK error, a problem+json
body, a message on stderr."""

from __future__ import annotations

from datetime import datetime


class CaseworkError(Exception):
    """A request the service refuses; the message is for the person who asked."""


class NotFound(CaseworkError):
    pass


class Forbidden(CaseworkError):
    pass


class Conflict(CaseworkError):
    """Somebody else got there first; ``by`` and ``at`` say who and when, where known, and
    ``element`` the task's element id when it was a task they did."""

    def __init__(self, message: str, by: str | None = None, at: datetime | None = None, element: str | None = None):
        super().__init__(message)
        self.by = by
        self.at = at
        self.element = element


class InvalidAnswers(CaseworkError):
    """Answers (or a referral) that do not fit: ``messages`` holds the messages per field."""

    def __init__(self, messages: dict):
        super().__init__("the answers are not valid")
        self.messages = messages


class StepFailed(CaseworkError):
    """The engine could not finish the step (a model error); nothing of it was saved."""
