"""Which channels receive the scheduled reports: ``plan admin subscribe #channel weekly|quarterly|nudges``.

Channels configured in the environment always receive their reports; subscriptions made in chat
add to them and are kept in the database, so they survive restarts and are shared by every bot
process. Only admins may change them, and every change is audited.
"""

from __future__ import annotations

import datetime as dt
import re

from commands.command_words import command_words
from commands.errors import ParseError
from commands.model import Actor, Line, Reply, Section
from commands.permissions import require_admin
from commands.ports import SLACK, TEAMS, Target
from commands.rag_views import plain_text
from commands.rules import word_list
from storage.models import ChannelSubscription
from storage.repository import PlanRepository


def subscribe_usage() -> str:
    """How to subscribe a channel, in the reader's platform's words."""
    return (
        f"Usage: {command_words().plan} admin subscribe #channel weekly|quarterly|nudges (unsubscribe works the same "
        "way); in a Teams channel, @planbot plan admin subscribe weekly|quarterly|nudges subscribes that channel."
    )


SAY_WHICH_CHANNEL = "Say which channel: name it (#channel) in Slack, or type this in the Teams channel itself."
PLATFORM_NAMES = {SLACK: "Slack", TEAMS: "Teams"}
DESCRIPTIONS: dict[str, str] = {  # what each subscription word sends, in the order lists show them
    "weekly": "the weekly digest",
    "quarterly": "the quarterly summary",
    "nudges": "the daily list of nudges and escalations",
}
_SLACK_REFERENCE = re.compile(r"^<#(?P<id>[CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_CHANNEL_NAME = re.compile(r"^#[a-z0-9][a-z0-9_-]{0,79}$")


def parse_channel(text: str, here: Target | None = None) -> Target:
    """The channel to store: the id from ``<#C123|name>`` or ``C123``, else ``#name`` as written; with
    no channel named, ``here``, the conversation the command was typed in.

    Named channels are Slack's ways of naming one, so such a target is on Slack whichever surface the
    command was typed on. Teams has no way to name a channel in a message: an admin types the command
    in the channel itself (``here`` is then its ``channelData.channel.id``).

    Raises:
        ParseError: the text is not a channel reference, or none was named outside a channel.
    """
    cleaned = text.strip()
    if not cleaned:
        if here is None:
            raise ParseError(SAY_WHICH_CHANNEL, subscribe_usage())
        return here
    reference = _SLACK_REFERENCE.match(cleaned)
    if reference:
        return Target(SLACK, reference["id"])
    if _CHANNEL_ID.match(cleaned) or _CHANNEL_NAME.match(cleaned):
        return Target(SLACK, cleaned)
    raise ParseError(f'"{cleaned}" is not a channel: name it as #channel.', subscribe_usage())


def parse_job(text: str) -> str:
    """The subscription word ("weekly", "quarterly" or "nudges"), in any case.

    Raises:
        ParseError: any other word.
    """
    word = text.strip().lower()
    if word not in DESCRIPTIONS:
        raise ParseError(
            f'"{text.strip()}" is not something a channel can receive: use {word_list(list(DESCRIPTIONS))}.',
            subscribe_usage(),
        )
    return word


def subscribe(
    actor: Actor,
    repo: PlanRepository,
    channel_text: str,
    job_text: str,
    now: dt.datetime,
    here: Target | None = None,
) -> Reply:
    """Send a report to a channel (audited); subscribing twice changes nothing. ``here`` is the channel
    the command was typed in, subscribed when ``channel_text`` is empty.

    The channel receives the next run, and also a run still within its grace window (see
    docs/scheduling.md), since each pass makes sure every target of such a run has it.

    Raises:
        NotAuthorised: the actor is not an admin (the message names who is).
        ParseError: the channel or the job word is not understood.
    """
    require_admin(actor, repo, "change which channels receive reports")
    channel, job = parse_channel(channel_text, here), parse_job(job_text)
    if repo.subscription(channel.platform, channel.address, job) is not None:
        return Reply(text=f"{_show(channel)} already receives {DESCRIPTIONS[job]}; nothing changed.")
    repo.add(
        ChannelSubscription(
            platform=channel.platform, channel=channel.address, job=job, created_at=now, created_by=actor.email
        )
    )
    _audit(repo, actor, channel, job, "add", now)
    return Reply(text=f"{_show(channel)} will receive {DESCRIPTIONS[job]}.")


def unsubscribe(
    actor: Actor,
    repo: PlanRepository,
    channel_text: str,
    job_text: str,
    now: dt.datetime,
    here: Target | None = None,
) -> Reply:
    """Stop a subscription made in chat (audited); channels set in the environment stay until it changes.
    ``here`` is as for ``subscribe``.

    Raises:
        NotAuthorised: the actor is not an admin.
        ParseError: the channel or the job word is not understood.
    """
    require_admin(actor, repo, "change which channels receive reports")
    channel, job = parse_channel(channel_text, here), parse_job(job_text)
    existing = repo.subscription(channel.platform, channel.address, job)
    if existing is None:
        return Reply(text=f"{_show(channel)} was not subscribed to {DESCRIPTIONS[job]}; nothing changed.")
    repo.delete(existing)
    _audit(repo, actor, channel, job, "remove", now)
    return Reply(text=f"{_show(channel)} will no longer receive {DESCRIPTIONS[job]}.")


def subscribed_channels(repo: PlanRepository, job: str, configured: tuple[str, ...] = ()) -> list[Target]:
    """Where a job's report goes: configured channels (Slack ids, from the environment) first, then
    subscriptions on any platform, each once."""
    chosen = list(dict.fromkeys(Target(SLACK, channel) for channel in configured))
    for subscription in repo.subscriptions():
        target = Target(subscription.platform, subscription.channel)
        if subscription.job == job and target not in chosen:
            chosen.append(target)
    return chosen


def list_subscriptions(repo: PlanRepository, configured: dict[str, tuple[str, ...]]) -> Reply:
    """Every channel each report goes to, marking those set in the environment."""
    lines = []
    for job, description in DESCRIPTIONS.items():
        from_env = configured.get(job, ())
        channels = [
            f"{_show(c, listed=True)} (configured)" if c.platform == SLACK and c.address in from_env else _show(c, True)
            for c in subscribed_channels(repo, job, from_env)
        ]
        lines.append(Line(f"{description[0].upper()}{description[1:]}: {', '.join(channels) or 'no channel'}"))
    sections = (Section("Channel subscriptions", tuple(lines)),)
    return Reply(text=plain_text(sections), sections=sections)


def _audit(repo: PlanRepository, actor: Actor, channel: Target, job: str, change: str, now: dt.datetime) -> None:
    repo.audit(
        at=now,
        actor=actor.email,
        entity="channel_subscription",
        key=f"{channel.address}:{job}",
        change=change,
        detail={"platform": channel.platform, "channel": channel.address, "job": job},
    )


def _show(channel: Target, listed: bool = False) -> str:
    """A stored channel in plain words (renderers may turn a Slack id into a link), with its platform
    when ``listed`` (the list of every target) or when it is not on Slack."""
    shown = channel.address if channel.address.startswith("#") else f"channel {channel.address}"
    if channel.platform == SLACK and not listed:
        return shown
    return f"{shown} on {PLATFORM_NAMES.get(channel.platform, channel.platform)}"
