"""Which command a typed line is for, on platforms where people type plain lines (the console, Teams).

Slack tells planbot the command (``/rag``, ``/plan``); elsewhere a line is read the way a person
means it: a first word ``rag`` or ``plan`` (with or without its slash, any case) names the command;
otherwise a line the ``/plan`` grammar reads ("what is overdue", "how is Victims doing?") is a
question, and anything else is a ``/rag`` command ("V9 red Waiting on the CJS review"). Each
platform may add words of its own (Teams' ``home``), and handles an unknown ``/word`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.errors import ParseError
from commands.leave_grammar import AwayRequest, BackRequest
from commands.plan_grammar import (
    AdminReprofileRequest,
    AssignRequest,
    CadenceRequest,
    CloseRequest,
    DelegateRequest,
    SubscribeRequest,
    UndelegateRequest,
    UnsubscribeRequest,
    parse_plan,
)
from commands.rag_grammar import UpdateRequest, parse_rag
from commands.rules import DEFAULT_SCHEME, RagScheme

RAG = "rag"
PLAN = "plan"
RAG_FIRST_WORDS = frozenset({"help", "mine"})
"""First words that always mean ``/rag`` when typed without a command word."""


@dataclass(frozen=True)
class Routed:
    """The command a line is for (``None``: an unknown ``/word``) and the text that command reads."""

    command: str | None
    text: str


def route_line(line: str, extra: frozenset[str] = frozenset()) -> Routed:
    """The command ``line`` is for: ``rag``, ``plan``, one of ``extra``, or ``None`` for another ``/word``."""
    line = line.strip()
    head, rest = [*line.split(maxsplit=1), "", ""][:2]
    word = head.lower().removeprefix("/")
    if word in (RAG, PLAN) or word in extra:
        return Routed(word, rest.strip())
    if head.startswith("/"):
        return Routed(None, line)
    return Routed(PLAN if is_question(line) else RAG, line)


def is_question(text: str) -> bool:
    """A plain line is a question for ``/plan`` ("what is overdue") unless it reads as a ``/rag`` command."""
    words = text.split()
    if not words or words[0].lower() in RAG_FIRST_WORDS:
        return False
    try:
        parse_plan(text)
    except ParseError:
        return False
    return True


CHANGES = (
    AssignRequest,
    AwayRequest,
    BackRequest,
    CadenceRequest,
    CloseRequest,
    DelegateRequest,
    AdminReprofileRequest,
    SubscribeRequest,
    UndelegateRequest,
    UnsubscribeRequest,
)
"""The requests that change the plan, its deliveries or who is on leave (``plan admin``, ``rag away``)."""


def only_looks(routed: Routed, scheme: RagScheme = DEFAULT_SCHEME) -> bool:
    """Whether the command only reads: someone planbot cannot identify (no email on their platform) may
    still look at the plan, but never update it. A line neither grammar reads only looks (its answer is
    the grammar's own explanation)."""
    try:
        if routed.command == RAG:
            return not isinstance(parse_rag(routed.text, scheme), (UpdateRequest, *CHANGES))
        if routed.command == PLAN:
            return not isinstance(parse_plan(routed.text), CHANGES)
    except ParseError:
        return True
    return True
