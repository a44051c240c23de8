"""Slack slash-command payloads into the core's neutral ``Invocation``.

Slack sends the typed text with ``&``, ``<`` and ``>`` encoded as HTML entities; the core works on
what the person actually typed, so they are decoded here and encoded again only by ``render``.
"""

from __future__ import annotations

from collections.abc import Mapping

from commands.command_words import SLASH
from commands.model import Actor, Invocation

PLATFORM = "slack"
PLATFORM_NAME = "Slack"  # how people name the platform in a sentence
COMMAND_WORDS = SLASH  # Slack's slash commands, which the core's hints name


def unescape(text: str) -> str:
    """Undo Slack's three entities; ``&amp;`` last, so ``&amp;lt;`` stays the literal text ``&lt;``."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def source_ref(command: Mapping[str, str]) -> str:
    """Where an update came from, so a stored row can be traced to the invocation that wrote it."""
    return f"{PLATFORM}:{command.get('channel_id', '')}:{command.get('trigger_id', '')}"[:200]


def to_invocation(command: Mapping[str, str], actor: Actor) -> Invocation:
    """The typed command as the core expects it.

    Args:
        command: the slash-command payload (bolt's ``command`` argument).
        actor: the person ``identity`` matched to the Slack user.

    Returns:
        The invocation, its text decoded and trimmed.
    """
    return Invocation(
        actor=actor,
        text=unescape(command.get("text", "")).strip(),
        platform=PLATFORM,
        channel=command.get("channel_id"),
        source_ref=source_ref(command),
        private=is_direct_message(command.get("channel_id")),
    )


def is_direct_message(channel_id: str | None) -> bool:
    """A one-to-one conversation with planbot: Slack's direct-message ids start with D (a group DM's do not)."""
    return bool(channel_id) and str(channel_id).startswith("D")
