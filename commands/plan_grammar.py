"""Reads ``/plan`` commands and plain questions ("how is Offenders doing?") into typed requests.

The same questions reach planbot as a slash command, as a mention in a channel and as a direct
message, so one parser serves all three: the command words first, then a few plain-English forms.
Themes, actions and quarters are kept as typed; the handler resolves them against the plan (themes
by code or name with "did you mean", quarters by ``parse_quarter``), so this module needs no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from commands.errors import ParseError

USAGE = (
    "Usage: /plan summary [THEME] · /plan overdue · /plan digest · /plan quarter [QUARTER] · "
    "/plan history ACTION · /plan admin subscribe|unsubscribe #channel weekly|quarterly|nudges · "
    "/plan admin subscriptions\n"
    'In a mention or a direct message, plain words work too: "summary victims", "how is Offenders doing?", '
    '"what is overdue", "history of V9", "quarter Q3 2018-19".'
)


@dataclass(frozen=True)
class SummaryRequest:
    """A theme's summary, or the whole plan's when ``theme`` is ``None``."""

    theme: str | None = None


@dataclass(frozen=True)
class OverdueRequest:
    """Open actions past their due date."""


@dataclass(frozen=True)
class DigestRequest:
    """A preview of the next weekly digest, for the asker only."""


@dataclass(frozen=True)
class QuarterRequest:
    """A quarterly summary; ``text`` is the quarter as typed ("" means the last completed one)."""

    text: str = ""


@dataclass(frozen=True)
class HistoryRequest:
    """Every update of one action."""

    action: str


@dataclass(frozen=True)
class SubscribeRequest:
    """Send a scheduled report to a channel (admins only)."""

    channel: str
    job: str


@dataclass(frozen=True)
class UnsubscribeRequest:
    """Stop sending a scheduled report to a channel (admins only)."""

    channel: str
    job: str


@dataclass(frozen=True)
class ListSubscriptionsRequest:
    """Which channels receive which scheduled reports."""


@dataclass(frozen=True)
class HelpRequest:
    """What ``/plan`` can do."""


PlanRequest = (
    SummaryRequest
    | OverdueRequest
    | DigestRequest
    | QuarterRequest
    | HistoryRequest
    | SubscribeRequest
    | UnsubscribeRequest
    | ListSubscriptionsRequest
    | HelpRequest
)

_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*")
_POLITE = re.compile(r"^(?:please|pls|hi|hello|hey)\b[\s,]*|[\s,]*\b(?:please|thanks|thank you)$")
_HOW_IS = re.compile(
    r"^how(?:'s| is| are)\s+(?:the\s+)?(?P<theme>.+?)(?:\s+(?:doing|going|getting on|looking))?$", re.I
)
_OVERDUE = re.compile(
    r"^(?:what(?:'s| is| are)\s+|which\s+(?:actions\s+)?are\s+|show\s+|list\s+)?(?:the\s+)?overdue(?:\s+actions)?$"
)
_HISTORY = re.compile(r"^(?:show\s+)?(?:the\s+)?history(?:\s+of|\s+for)?\s+(?P<action>[A-Za-z]+\d+)$", re.I)
_WHOLE_PLAN = frozenset({"plan", "everything", "things", "we", "it", "all"})
_ADMIN_JOBS = {"subscribe": SubscribeRequest, "unsubscribe": UnsubscribeRequest}


def parse_plan(text: str) -> PlanRequest:
    """Turn the words after ``/plan``, or a question to the bot, into a request.

    Args:
        text: the typed text, already unescaped by the platform; a leading mention of the bot
            (``<@U123>``) and trailing question marks are ignored.

    Raises:
        ParseError: the words are neither a /plan command nor a question planbot understands.
    """
    cleaned = _clean(text)
    words = cleaned.split()
    if not words:
        return HelpRequest()
    head, rest = words[0].lower(), words[1:]
    if head in ("help", "?"):
        return HelpRequest()
    if head in ("summary", "summarise", "summarize", "status"):
        theme = " ".join(rest)
        return SummaryRequest(None if theme.lower() in _WHOLE_PLAN or not theme else theme)
    if head == "digest":
        return DigestRequest()
    if head == "quarter":
        return QuarterRequest(" ".join(rest))
    if head == "admin":
        return _admin(rest)
    return _question(cleaned)


def _question(text: str) -> PlanRequest:
    """The plain-English forms: "what is overdue", "how is Offenders doing", "history of V9"."""
    lowered = text.lower()
    if _OVERDUE.match(lowered):
        return OverdueRequest()
    history = _HISTORY.match(text)
    if history:
        return HistoryRequest(history["action"].upper())
    how = _HOW_IS.match(text)
    if how:
        theme = how["theme"].strip()
        return SummaryRequest(None if theme.lower() in _WHOLE_PLAN else theme)
    raise ParseError(f'I don\'t understand "{text}".', USAGE)


def _admin(words: list[str]) -> PlanRequest:
    if not words:
        raise ParseError("Say what to do after /plan admin.", USAGE)
    verb = words[0].lower()
    if verb in ("subscriptions", "list"):
        return ListSubscriptionsRequest()
    request = _ADMIN_JOBS.get(verb)
    if request is None or len(words) != 3:
        raise ParseError(f'"/plan admin {" ".join(words)}" is not an admin command I know.', USAGE)
    return request(channel=words[1], job=words[2])


def _clean(text: str) -> str:
    """Drop a leading bot mention, greetings and closing punctuation, and collapse spaces."""
    cleaned = _MENTION.sub("", text).strip().rstrip("?!. ")
    return " ".join(_POLITE.sub("", cleaned).rstrip("?!. ").split())
