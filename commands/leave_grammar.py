"""Reads "away until 2027-01-04 [cover @person]" and "back": the words of a leave, typed after
``rag`` about oneself or after ``plan admin away @person`` about someone else.

One reader serves both grammars, so the two forms cannot drift apart; platforms have already turned
a mention into the person's email.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commands.command_words import command_words
from commands.errors import ParseError
from commands.rules import parse_date

AWAY = "away"
UNTIL = "until"
COVER = "cover"


def away_usage() -> str:
    """How to go on leave and come back, in the reader's platform's words."""
    rag, admin = command_words().rag, f"{command_words().plan} admin"
    return (
        f"Usage: {rag} away until YYYY-MM-DD [cover @person] · {rag} back\n"
        f"Admins, for someone else: {admin} away @person until YYYY-MM-DD [cover @person] · {admin} back @person"
    )


@dataclass(frozen=True)
class AwayRequest:
    """Go on leave up to and including ``until``; ``cover`` (an email) is nudged instead meanwhile.
    ``person`` is ``None`` for the asker themselves, else the email of whom an admin sets it for."""

    until: dt.date
    cover: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class BackRequest:
    """End a leave early: the asker's own (``person`` ``None``), or, for an admin, someone else's."""

    person: str | None = None


def names_people(text: str) -> bool:
    """Whether a ``/rag`` line names people (a leave's cover), whose mentions a platform turns into
    emails; an update's reason keeps its mentions as typed."""
    return [word.lower() for word in text.split()[:1]] == [AWAY]


def parse_away(words: list[str], person: str | None = None) -> AwayRequest:
    """The words after "away": "until 2027-01-04", then optionally "cover jo@example.org".

    Raises:
        ParseError: "until" or its date is missing, or something else follows.
        BadDate: the date is not YYYY-MM-DD.
    """
    lowered = [word.lower() for word in words]
    if not words or lowered[0] != UNTIL or len(words) < 2:
        raise ParseError("Say until when the leave lasts: away until 2027-01-04 [cover @person].", away_usage())
    until = parse_date(words[1], away_usage())
    rest, cover = words[2:], None
    if rest and rest[0].lower() == COVER:
        if len(rest) != 2:
            raise ParseError("Name one person after cover: cover @person.", away_usage())
        cover, rest = rest[1], []
    if rest:
        raise ParseError(f'"{" ".join(rest)}" is not part of a leave.', away_usage())
    return AwayRequest(until, cover, person)
