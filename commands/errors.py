"""Errors the core raises, each carrying a message written for the person who typed the command.

Kept in one small module so every layer can import them without import loops.
"""

from __future__ import annotations


class PlanBotError(Exception):
    """Base of every planbot error."""


class UserError(PlanBotError):
    """Something the user can fix; ``message`` is shown to them as it is, ``usage`` after it."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def reply_text(self) -> str:
        """The whole reply: what was wrong, then the correct form when there is one."""
        return f"{self.message}\n{self.usage}" if self.usage else self.message


class ParseError(UserError):
    """The command's words could not be understood."""


class BadDate(ParseError):
    """A date typed by a person is not a YYYY-MM-DD calendar date."""


class UnknownAction(UserError):
    """No action of the plan has that id."""


class InvalidStatus(UserError):
    """The colour word, reason or other part of an update breaks the RAG rules."""


class NotAuthorised(UserError):
    """The person may not do this; the message names who can."""


class UnknownPerson(UserError):
    """The chat user could not be matched to anyone the plan knows."""


class UnknownRole(UserError):
    """No role of the plan has that title."""


class UnknownTheme(UserError):
    """No theme of the plan has that code or name."""


class InvalidMeasure(UserError):
    """A strategic measure, its value or its quarter could not be accepted."""


class NothingToCorrect(InvalidStatus):
    """An update was marked as correcting the last one, but the action has none yet."""


class UnsafeText(UserError):
    """Typed or imported text holds a character planbot will not store (a control character, a
    direction override); the message names it."""


APOLOGY = (
    "Sorry, something went wrong on planbot's side and I couldn't finish that. "
    "It has been logged for the admins; please try again in a few minutes."
)
"""What a person is told when planbot fails on its own side (the details go to the log, never to chat)."""


class InvalidLeave(UserError):
    """A leave cannot be set or ended as asked (a past date, a cover who is the person on leave)."""
