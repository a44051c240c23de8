"""Reads ``/plan`` commands and plain questions ("how is Offenders doing?") into typed requests.

The same questions reach planbot as a slash command, as a mention in a channel and as a direct
message, so one parser serves all three: the command words first, then a few plain-English forms.
Themes, actions and quarters are kept as typed; the handler resolves them against the plan (themes
by code or name with "did you mean", quarters by ``parse_quarter``), so this module needs no database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from commands.command_words import command_words
from commands.errors import ParseError
from commands.leave_grammar import AwayRequest, BackRequest, parse_away
from commands.panel import ANNUAL, EXPORT_FORMATS, QUARTERLY, THEME
from commands.rules import CADENCES, parse_date, word_list
from commands.text import clean_text


def admin_usage() -> str:
    """The admin commands, in the reader's platform's words."""
    admin = f"{command_words().plan} admin"
    return (
        f'Admins: {admin} assign "ROLE" @person · {admin} delegate|undelegate ACTION @person · '
        f'{admin} reprofile ACTION YYYY-MM-DD "approved by" · {admin} close ACTION "approved by" · '
        f"{admin} cadence ACTION {'|'.join(CADENCES)} · "
        f"{admin} subscribe|unsubscribe #channel weekly|quarterly|nudges · {admin} subscriptions · "
        f"{admin} away @person until YYYY-MM-DD [cover @person] · {admin} back @person"
    )


def usage() -> str:
    """How to ask for a report, and the admin commands, in the reader's platform's words."""
    plan = command_words().plan
    return (
        f"Usage: {plan} summary [THEME] · {plan} overdue · {plan} digest · {plan} quarter [QUARTER] · "
        f"{plan} report [QUARTER] [docx|xlsx|csv|html|md] [public] · "
        f"{plan} report annual [YEAR] [FORMAT] [public] · {plan} report theme THEME [QUARTER] [FORMAT] [public] · "
        f"{plan} history ACTION\n"
        f"{admin_usage()}\n"
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
class ReportRequest:
    """A Panel document as a file: ``quarter`` as typed ("" means the last completed one; for the
    annual report, the financial year as typed, "" meaning the last one ended), ``fmt`` one of
    ``EXPORT_FORMATS``, ``public`` for the version with role titles only; ``report`` is the
    quarterly appendix, the annual report or a deep dive into ``theme`` (as typed)."""

    quarter: str = ""
    fmt: str = "docx"
    public: bool = False
    report: str = QUARTERLY
    theme: str = ""


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
class AssignRequest:
    """Give a role to a person (admins only); ``person`` is an email, or a mention the platform resolves."""

    role: str
    person: str


@dataclass(frozen=True)
class DelegateRequest:
    """Name a delegate for an action (its owner or an admin)."""

    action: str
    person: str


@dataclass(frozen=True)
class UndelegateRequest:
    """Remove a delegate from an action (its owner or an admin)."""

    action: str
    person: str


@dataclass(frozen=True)
class AdminReprofileRequest:
    """Move an action's due date, with who approved it and where ("BCB 13/09/2018")."""

    action: str
    due: dt.date
    approval: str


@dataclass(frozen=True)
class CloseRequest:
    """Close an action with the approval that allowed it."""

    action: str
    approval: str


@dataclass(frozen=True)
class CadenceRequest:
    """How often an action's owner is expected to report."""

    action: str
    cadence: str


@dataclass(frozen=True)
class HelpRequest:
    """What ``/plan`` can do."""


PlanRequest = (
    SummaryRequest
    | OverdueRequest
    | DigestRequest
    | QuarterRequest
    | ReportRequest
    | HistoryRequest
    | SubscribeRequest
    | UnsubscribeRequest
    | ListSubscriptionsRequest
    | AssignRequest
    | DelegateRequest
    | UndelegateRequest
    | AdminReprofileRequest
    | CloseRequest
    | CadenceRequest
    | AwayRequest
    | BackRequest
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
_ADMIN_JOBS: dict[str, type[SubscribeRequest | UnsubscribeRequest]] = {
    "subscribe": SubscribeRequest,
    "unsubscribe": UnsubscribeRequest,
}
_DELEGATION: dict[str, type[DelegateRequest | UndelegateRequest]] = {
    "delegate": DelegateRequest,
    "undelegate": UndelegateRequest,
}
# Straight and typographic double quotes group words ("Head of Criminal Justice"); an apostrophe
# (Victims' Lead) is part of a word, so single quotes never group.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})
_TOKEN = re.compile(r'"(?P<quoted>[^"]*)"|(?P<word>[^\s"]+)')
MAX_APPROVAL = 300


def parse_plan(text: str) -> PlanRequest:
    """Turn the words after ``/plan``, or a question to the bot, into a request.

    Args:
        text: the typed text, already unescaped by the platform; a leading mention of the bot
            (``<@U123>``) and trailing question marks are ignored.

    Raises:
        ParseError: the words are neither a plan command nor a question planbot understands.
        UnsafeText: a control character or direction override was typed (``commands.text``).
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
    if head == "report":
        return _report(rest)
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
    raise ParseError(f'I don\'t understand "{text}".', usage())


def _report(words: list[str]) -> ReportRequest:
    """ "report Q3 2018-19 html public", "report annual 2018/19 xlsx", "report theme Victims Q3": the
    format and "public" may come in any order after the quarter or year; a theme of several words
    is quoted ("report theme "Safer roads" Q3")."""
    kind = words[0].lower() if words else ""
    report, theme = QUARTERLY, ""
    if kind == "annual":
        report, words = ANNUAL, words[1:]
    elif kind == "theme":
        tokens = _tokens(" ".join(words[1:]))
        if not tokens or tokens[0].lower() in (*EXPORT_FORMATS, "public"):
            raise ParseError(
                f"Say which theme to look at in depth: {command_words().plan} report theme Victims "
                "[QUARTER] [FORMAT] [public].",
                usage(),
            )
        report, theme, words = THEME, tokens[0], tokens[1:]
    formats = [w.lower() for w in words if w.lower() in EXPORT_FORMATS]
    public = any(w.lower() == "public" for w in words)
    quarter = [w for w in words if w.lower() not in (*EXPORT_FORMATS, "public")]
    if len(formats) > 1:
        raise ParseError(f"Choose one format, not {word_list(formats, 'and')}.", usage())
    return ReportRequest(" ".join(quarter), formats[0] if formats else "docx", public, report, theme)


def _admin(words: list[str]) -> PlanRequest:
    if not words:
        raise ParseError(f"Say what to do after {command_words().plan} admin.", usage())
    verb = words[0].lower()
    tokens = _tokens(" ".join(words[1:]))
    if verb in ("subscriptions", "list"):
        return ListSubscriptionsRequest()
    if verb in _ADMIN_JOBS and (len(words) == 3 or (len(words) == 2 and not words[1].startswith(("#", "<#")))):
        return _ADMIN_JOBS[verb](channel=" ".join(words[1:-1]), job=words[-1])  # no channel: where it is typed
    if verb == "assign" and len(tokens) >= 2:
        return AssignRequest(role=" ".join(tokens[:-1]), person=tokens[-1])
    if verb in _DELEGATION and len(tokens) == 2:
        return _DELEGATION[verb](action=tokens[0].upper(), person=tokens[1])
    if verb == "reprofile" and len(tokens) >= 3:
        return AdminReprofileRequest(
            action=tokens[0].upper(), due=parse_date(tokens[1], usage()), approval=_approval(tokens[2:])
        )
    if verb == "close" and len(tokens) >= 2:
        return CloseRequest(action=tokens[0].upper(), approval=_approval(tokens[1:]))
    if verb == "cadence" and len(tokens) == 2:
        return CadenceRequest(action=tokens[0].upper(), cadence=_cadence(tokens[1]))
    if verb == "away" and tokens:
        return parse_away(tokens[1:], person=tokens[0])
    if verb == "back" and len(tokens) == 1:
        return BackRequest(person=tokens[0])
    raise ParseError(f'"{command_words().plan} admin {" ".join(words)}" is not an admin command I know.', usage())


def _tokens(text: str) -> list[str]:
    """Words, with a double-quoted phrase (straight or typographic quotes) kept as one."""
    return [
        m["quoted"].strip() if m["quoted"] is not None else m["word"] for m in _TOKEN.finditer(text.translate(_QUOTES))
    ]


def _approval(tokens: list[str]) -> str:
    """Who approved a change and where; boards cite it, so it must be there and fit its column."""
    approval = clean_text(" ".join(tokens), "The approval")
    if not approval:
        raise ParseError('Say who approved it, in quotes: e.g. "BCB 13/09/2018".', usage())
    if len(approval) > MAX_APPROVAL:
        raise ParseError(f"The approval is {len(approval)} characters; keep it to {MAX_APPROVAL}.", usage())
    return approval


def _cadence(text: str) -> str:
    word = text.lower()
    if word not in CADENCES:
        raise ParseError(f'"{text}" is not an update cadence: use {word_list(list(CADENCES))}.', usage())
    return word


def _clean(text: str) -> str:
    """Drop a leading bot mention, greetings and closing punctuation, and collapse spaces."""
    cleaned = _MENTION.sub("", clean_text(text, "Your command")).strip().rstrip("?!. ")
    return " ".join(_POLITE.sub("", cleaned).rstrip("?!. ").split())
