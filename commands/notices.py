"""Telling the people an admin change affects, for any platform.

An admin change (a new role holder, a delegate, a re-profile) comes back as a ``Reply`` carrying
``Notice`` values. The platform only knows how to send one direct message; which notices go out
and what the admin is told when some could not be delivered is decided here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from commands.model import Notice, Reply

Answer = TypeVar("Answer")


def unreached_text(names: list[str], platform: str) -> str:
    """What the admin is told about the people a notice could not reach."""
    return f"I couldn't message {', '.join(names)} in {platform}; please tell them."


def tell_people(answer: Answer, send: Callable[[Notice], bool], platform: str) -> Answer:
    """Send each notice of an admin change with ``send`` (which answers whether it was delivered).

    Returns:
        ``answer`` itself, or when some notice was not delivered the reply with a last line naming
        those people, so the admin can tell them another way.
    """
    if not isinstance(answer, Reply) or not answer.notices:
        return answer
    missed = [notice.name for notice in answer.notices if not send(notice)]
    if not missed:
        return answer
    return replace(answer, text=f"{answer.text}\n{unreached_text(missed, platform)}")


def not_announced_in_direct_message(command: str) -> str:
    """An update typed in someone else's direct conversation is saved but cannot be announced there."""
    return (
        "Your update is saved. I couldn't announce it here because this is a direct message I'm not part of; "
        f"type {command} in a channel to have updates announced to everyone there."
    )


def not_announced_in_channel(channel: str, bot: str, invite: str) -> str:
    """An update typed in a channel planbot is not in: saved, and how to have the next one announced."""
    return (
        f"Your update is saved, but I couldn't announce it in {channel} because I'm not in that channel. "
        f"To have updates announced there, invite {bot} to {channel}: type `{invite}` in the channel."
    )
