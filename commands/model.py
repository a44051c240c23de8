"""Neutral value types passed between platforms and the core.

A platform adapter builds an ``Invocation`` from its payload; the core answers with a ``Reply``
holding plain, unescaped text. Renderers (Slack blocks, rich console, later Teams cards) escape and
decorate it; the core never formats for a platform.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person acting, as the core sees them after the platform has identified them."""

    person_id: int
    name: str
    email: str
    is_admin: bool = False


@dataclass(frozen=True)
class Invocation:
    """One typed command: who typed it, the text after the command word, where it came from.

    ``private`` is the platform's word that only the asker and planbot read the conversation (a
    direct message); internal reports go only there or to governance channels (docs/permissions.md).
    ``shared`` says the reply itself is read by everyone in the conversation (Teams has no private
    reply in a channel, where Slack answers ``/rag`` ephemerally): a restricted reason is then never shown.
    """

    actor: Actor
    text: str
    platform: str = "console"
    channel: str | None = None
    source_ref: str | None = None
    private: bool = False
    shared: bool = False


@dataclass(frozen=True)
class Line:
    """One row of a reply: an optional status code (for the colour emoji) and plain text."""

    text: str
    status: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled group of lines, rendered as a block or a console panel."""

    title: str
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Notice:
    """A direct message to someone a change affects, sent by the platform once the change is stored."""

    person_id: int
    email: str
    name: str
    text: str


@dataclass(frozen=True)
class Reply:
    """What the core answers.

    ``text`` is the complete plain-text answer (Slack's fallback text, the console's output and
    what tests compare); ``sections`` give renderers structure; ``announcement``, when set, is
    posted where the command was typed once the update is stored; ``notices`` go by direct message
    to the people an admin change affects (a new role holder, a delegate, an action's owner).
    """

    text: str
    ok: bool = True
    status: str | None = None
    sections: tuple[Section, ...] = ()
    announcement: str | None = None
    notices: tuple[Notice, ...] = ()
    stored: bool = False
    """An update was recorded (what a platform redraws after: Teams' home card)."""
