"""What the core needs from the outside world but does not implement: delivery and report content.

The Slack adapter implements ``Notifier`` with ``chat.postMessage`` (a Teams adapter would do the
same with proactive messages); tests use ``commands.testing.RecordingNotifier``. Content is passed
through untouched: the notifier's renderer knows the report types, the scheduler does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from commands.command_words import CommandWords
from commands.periods import Quarter
from storage.repository import PlanRepository

SLACK = "slack"
"""The platform of Slack channel ids (``C0123ABC``) and of every row stored before targets named their platform."""
TEAMS = "teams"
"""The platform of Microsoft Teams conversations (``19:…@thread.tacv2``, ``a:…``); identities are Entra object ids."""


@dataclass(frozen=True, order=True)
class Target:
    """Where a scheduled post goes: a platform and an address on it (a Slack channel id, later a Teams
    conversation), so the runtime can hand the post to that platform's notifier."""

    platform: str
    address: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.address}"


class Undeliverable(Exception):
    """The platform says this target cannot be reached (planbot not installed there, removed, blocked,
    the conversation deleted): trying the same post again cannot help until someone fixes it, so the
    scheduler records the run as failed at once instead of retrying it."""


@dataclass(frozen=True)
class Recipient:
    """A person a direct message goes to; the platform finds their account by id or email."""

    person_id: int
    email: str
    name: str


class Notifier(Protocol):
    """Delivers scheduled messages on one platform and answers with its message id (Slack's ``ts``).

    The runtime keeps one per configured platform (``Notifiers``) and picks by the target's platform.
    """

    words: CommandWords
    """How people on this platform type planbot's commands: what a message it delivers asks them to type."""

    def post_to_channel(self, channel: str, content: object, key: str | None = None, resuming: bool = False) -> str:
        """Post ``content`` to a channel id (or ``#name``); raises when the platform refuses it.

        ``key`` is the run's delivery key, kept with the post on the platform so a lost answer or a
        resumed run (``resuming``) finds what was posted instead of posting it again.
        """
        ...

    def send_direct(self, recipient: Recipient, content: object, key: str | None = None, resuming: bool = False) -> str:
        """Send ``content`` to one person by direct message; raises when the platform refuses it."""
        ...


@runtime_checkable
class PostsInParts(Protocol):
    """A notifier that can post a report message by message (Slack: the headline, then each thread
    reply), so that delivery makes each message a step of its own and resumes at the first one not
    yet delivered. ``parts`` must return plain data (it is kept in the delivery engine's tables)."""

    def parts(self, content: object) -> list[object]:
        """The messages ``content`` is posted as, the headline first."""
        ...

    def post_part(self, channel: str, part: object, key: str, thread: str | None, resuming: bool) -> str:
        """Post one message (in ``thread`` when given) tagged with ``key``; answers with its id.
        When ``resuming``, first look for a post already tagged with ``key``."""
        ...


Notifiers = Mapping[str, Notifier]
"""The notifier of each configured platform, by platform name (``{"slack": SlackNotifier(...)}``)."""


class ReportSource(Protocol):
    """Builds the content of the channel reports; called only once a run has been claimed."""

    def weekly_digest(self, repo: PlanRepository, now: dt.datetime, channel: Target | None = None) -> object:
        """The digest as it stands at ``now``: what changed since ``channel`` last received one."""
        ...

    def quarterly_summary(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> object:
        """The summary of a quarter that has just ended."""
        ...

    def run_quarter_freeze(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> bool:
        """Freeze the quarter's snapshot once its cut-off has passed; ``False`` if it has not yet."""
        ...
