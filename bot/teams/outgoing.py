"""An Adaptive Card as the activity that carries it, for replies, proactive posts and edits alike."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import CardFactory, MessageFactory


def card_activity(card: dict[str, Any]) -> Activity:
    """One card as its own message: Teams splits a message holding text and a card, losing its id."""
    return MessageFactory.attachment(CardFactory.adaptive_card(card))
