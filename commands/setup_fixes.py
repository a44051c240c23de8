"""What an admin must do when a platform refuses planbot because of how it is set up, worded once.

A digest that never arrives because nobody added planbot to the channel is invisible to the people
waiting for it, so each such refusal becomes an instruction a non-developer can follow. The
problems are the same on every platform (not in the channel, channel gone, archived, a missing
permission, credentials no longer accepted); the platform supplies only its own terms (how to
invite the bot, where permissions are granted, how to reinstall), in ``SetupTerms``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SetupProblem(Enum):
    NOT_IN_CHANNEL = "not in channel"
    CHANNEL_NOT_FOUND = "channel not found"
    ARCHIVED = "archived"
    MISSING_PERMISSION = "missing permission"
    CREDENTIALS_REJECTED = "credentials rejected"


@dataclass(frozen=True)
class SetupTerms:
    """A platform's names for its set-up steps.

    ``invite`` is what to type in a channel to add planbot (``/invite @planbot``); ``permissions`` is
    where permissions are granted; ``reinstall`` how to get new credentials in place; ``unsubscribe``
    the command that stops posting to a channel.
    """

    platform: str
    invite: str
    permissions: str
    reinstall: str
    unsubscribe: str


def instruction(problem: SetupProblem, terms: SetupTerms, where: str, detail: str | None = None) -> str:
    """The fix for ``problem`` at ``where`` (a channel as people know it); ``detail`` names the missing
    permission or the platform's error code."""
    match problem:
        case SetupProblem.NOT_IN_CHANNEL:
            return f"Invite @planbot to {where}: open the channel and type {terms.invite}."
        case SetupProblem.CHANNEL_NOT_FOUND:
            return (
                f"planbot cannot find {where}: it was deleted, or it is private and planbot is not in it. "
                f"Invite @planbot to it ({terms.invite}), or stop sending to it with {terms.unsubscribe}."
            )
        case SetupProblem.ARCHIVED:
            return f"{where} is archived: unarchive it, or stop sending to it with {terms.unsubscribe}."
        case SetupProblem.MISSING_PERMISSION:
            scope = f"the {detail} scope" if detail else "the missing scope"
            return f"Add {scope} in {terms.permissions}, then {terms.reinstall}."
    return (
        f"{terms.platform} no longer accepts planbot's bot token ({detail}): {terms.reinstall}. "
        "planbot doctor checks it."
    )


def not_installed_for(name: str, terms: SetupTerms) -> str:
    """The fix when planbot cannot message a person because it is not installed for them (or they
    blocked it): only an admin's app setup policy lets planbot start a chat with someone."""
    return (
        f"planbot is not installed for {name}: add it to the app setup policy for action leads in {terms.permissions}."
    )


def removed_from(where: str, terms: SetupTerms) -> str:
    """The fix when a platform says planbot is no longer in a channel it posts to (removed from the team)."""
    return f"planbot is not in {where}: add it there ({terms.invite}), or stop sending to it with {terms.unsubscribe}."


def admin_alert(fix: str) -> str:
    """The direct message every admin gets about a set-up problem."""
    return f"planbot needs a set-up fix. {fix}"


def platform_answered(platform: str, code: str) -> str:
    """What a check says when the platform refused for a reason planbot has no instruction for."""
    return f"{platform} answered {code}."
