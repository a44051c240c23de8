"""Who a chat user is in the plan: matched by email once, then remembered, on any platform.

Plans name people by email, platforms by their own ids (a Slack user id, later a Teams object id).
The first time someone acts, the platform's ``ProfileLookup`` is asked for their email and name
(one API call); the match is then kept as a ``PlatformIdentity`` so later commands ask nothing.
A platform that lists people in bulk (a Teams team's roster) has them matched the same way (``learn``),
ahead of their first message, but only people the plan already knows.
Someone whose email the plan does not know still gets a ``Person`` row: they hold no role, so they
can read the plan but not update it. Looking up and remembering are separate, short units of work
(the caller's ``units`` opens them), so no database transaction stays open while a platform answers.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from commands.errors import UnknownPerson
from commands.model import Actor
from storage.models import Person, PlatformIdentity
from storage.repository import PlanRepository

MAX_NAME = 200
logger = logging.getLogger(__name__)

Units = Callable[[], AbstractContextManager[PlanRepository]]


@dataclass(frozen=True)
class Profile:
    """What a platform says about one of its users: the email the plan knows them by, and a name."""

    email: str
    name: str


class ProfileLookup(Protocol):
    """Each platform's way to read a user's profile (Slack ``users.info``, Teams the roster)."""

    def profile(self, external_id: str) -> Profile | None:
        """The user's profile, or ``None`` when the platform gives no email for them (a bot, a guest,
        a missing permission); raises only on an outage."""
        ...


def no_email_text(platform: str, permission: str) -> str:
    """What someone is told when their platform gave no email for them."""
    return (
        f"I couldn't read your email address from {platform}, so I can't tell which plan roles you hold. "
        f"Ask an admin to check planbot has {permission}."
    )


def unknown_mention_text(label: str | None, platform: str) -> str:
    """What the asker is told when a person they mentioned has no email on their platform."""
    who = f"@{label}" if label else "someone you mentioned"
    return f"I couldn't read {who}'s email from {platform}, so I can't tell who they are in the plan."


@dataclass(frozen=True)
class Identities:
    """Identity linking for one platform.

    Args:
        platform: the identity's platform key (``slack``).
        platform_name: how people name it in a sentence (``Slack``).
        permission: what an admin must grant for emails to be readable (``the users:read.email scope``).
        lookup: the platform's profile reader.
        units: opens one unit of work per call.
        clock: naive UTC now.
    """

    platform: str
    platform_name: str
    permission: str
    lookup: ProfileLookup
    units: Units
    clock: Callable[[], dt.datetime]

    def actor(self, external_id: str) -> Actor:
        """The person behind a platform user id, asking the platform only the first time.

        Raises:
            UnknownPerson: the platform gave no email for the user.
        """
        with self.units() as repo:
            person = self._remembered(repo, external_id)
        if person is None:
            profile = self.lookup.profile(external_id)
            if profile is None or not profile.email.strip():
                raise UnknownPerson(no_email_text(self.platform_name, self.permission))
            person = self._remember(external_id, Profile(profile.email.strip().lower(), profile.name[:MAX_NAME]))
        assert person.id is not None  # read from the table
        return Actor(person_id=person.id, name=person.name, email=person.email, is_admin=person.is_admin)

    def learn(self, external_ids: Iterable[str]) -> int:
        """Link each of ``external_ids`` (members a platform listed, a team's roster) whose email is a plan
        person's, so planbot can message them before they ever write to it. Nobody is created: a member
        the plan does not know is left alone, as is one already linked or a person who already has an id
        on the platform. Answers how many were linked.
        """
        profiles: dict[str, Profile] = {}
        for external_id in external_ids:
            profile = self.lookup.profile(external_id)
            if profile is not None and profile.email.strip():
                profiles[external_id] = Profile(profile.email.strip().lower(), profile.name[:MAX_NAME])
        if not profiles:
            return 0
        with self.units() as repo:
            linked = repo.linked_external_ids(self.platform, profiles)
            people = repo.people_by_emails(p.email for p in profiles.values())
            known = repo.external_ids(self.platform, [p.id for p in people.values() if p.id is not None])
        new: dict[str, tuple[str, Profile]] = {}  # one link per person, if they are listed twice
        for external_id, profile in profiles.items():
            person = people.get(profile.email)
            if external_id not in linked and person is not None and person.id not in known:
                new.setdefault(profile.email, (external_id, profile))
        for external_id, profile in new.values():
            self._remember(external_id, profile)
        return len(new)

    def replace_mentions(self, text: str, mention: re.Pattern[str], skip: str | None = None) -> str:
        """``text`` with each mention (a match of ``mention`` with groups ``id`` and ``label``) replaced by
        the person's email, which is how the core knows people; a mention of ``skip`` (the bot) is kept.

        Raises:
            UnknownPerson: no email is known for someone mentioned.
        """

        def email(match: re.Match[str]) -> str:
            if match["id"] == skip:
                return match[0]
            try:
                return self.actor(match["id"]).email
            except UnknownPerson as error:
                raise UnknownPerson(unknown_mention_text(match["label"], self.platform_name)) from error

        return mention.sub(email, text)

    def _remembered(self, repo: PlanRepository, external_id: str) -> Person | None:
        return repo.person_by_identity(self.platform, external_id)

    def _remember(self, external_id: str, profile: Profile) -> Person:
        """Link the user to the person with their email, creating a viewer when the plan lacks them.

        Two first commands from the same person can race (a double-typed command); the loser's insert
        breaks a unique constraint, and the winner's link is the answer.
        """
        try:
            with self.units() as repo:
                return self._link(repo, external_id, profile)
        except IntegrityError:
            with self.units() as repo:
                person = self._remembered(repo, external_id)
            if person is None:
                raise
            return person

    def _link(self, repo: PlanRepository, external_id: str, profile: Profile) -> Person:
        person = repo.person_by_email(profile.email)
        if person is None:
            person = Person(email=profile.email, name=profile.name)
            repo.add(person)
            logger.info("%s user %s is not in the plan; added them as a viewer", self.platform, external_id)
        assert person.id is not None  # flushed by repo.add or loaded from the table
        repo.add(
            PlatformIdentity(
                platform=self.platform,
                external_id=external_id,
                person_id=person.id,
                display_name=profile.name,
                seen_at=self.clock(),
            )
        )
        return person
