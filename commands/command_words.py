"""How people type planbot's two commands where they are: ``/rag`` and ``/plan``, or ``rag`` and ``plan``.

Slack has slash commands, so its people type ``/rag V9 green …``; Teams has none, and its people type
``rag V9 green …`` (planbot reads both there, but shows the bare word); the console reads ``/rag``.
Every hint, usage line and reminder the core writes names a command, so it names it the way the
reader types it: the platform says which, and the core asks ``command_words()`` while it writes.

Why a context variable rather than a parameter: the words are needed wherever a refusal is written,
and refusals are raised deep inside the grammars and handlers (``parse_rag`` and its helpers, the
admin grammar, leave, subscriptions, finding a person or a role): threading a parameter
through would change some fifty signatures, and every one of them would only pass it on. So the
platform sets the words once where its work enters the core (``speaking``: Teams' worker pool,
Slack's listener runner, the console's loop, each notifier's scheduled posts) and the core reads them
where it writes; nothing between sees them. The one place a reader's platform is chosen inside a core
call (a nudge goes to each person on the platform they last used) takes the words as a parameter.

The default, for work no platform started (``planbot report`` in the terminal, tests of the core), is
``DEFAULT``: the slash form, the console's, which every platform accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandWords:
    """The words that start a ``rag`` and a ``plan`` command on one platform."""

    rag: str
    plan: str


SLASH = CommandWords(rag="/rag", plan="/plan")
"""Slack's slash commands, and the console's."""

BARE = CommandWords(rag="rag", plan="plan")
"""Teams', which has no slash commands."""

DEFAULT = SLASH
"""The words when no platform has said: typed as shown, they work on every platform."""

_CURRENT: ContextVar[CommandWords] = ContextVar("planbot_command_words", default=DEFAULT)


def command_words() -> CommandWords:
    """The command words of the platform whose work is running (``DEFAULT`` outside any)."""
    return _CURRENT.get()


@contextmanager
def speaking(spoken: CommandWords) -> Iterator[None]:
    """Write the core's text in ``spoken`` until the block ends (also on an exception)."""
    token = _CURRENT.set(spoken)
    try:
        yield
    finally:
        _CURRENT.reset(token)
