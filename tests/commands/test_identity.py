"""Identity linking in the core: any platform's user matched to the plan by email, once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from commands.errors import UnknownPerson
from commands.identity import Identities, Profile
from storage.db import session_scope
from storage.repository import PlanRepository

NOW = dt.datetime(2018, 12, 3, 9, 0)
MENTION = re.compile(r"@\[(?P<id>\w+)(?:\|(?P<label>[^\]]*))?\]")


class Profiles:
    """A platform's profile reader that counts how often it is asked."""

    def __init__(self, known: dict[str, Profile]) -> None:
        self.known = known
        self.asked: list[str] = []

    def profile(self, external_id: str) -> Profile | None:
        self.asked.append(external_id)
        return self.known.get(external_id)


@pytest.fixture
def units(engine: Engine, plan) -> object:
    """Fresh units of work on the test's database, which holds the sample plan."""

    @contextmanager
    def unit() -> Iterator[PlanRepository]:
        with session_scope(engine) as session:
            yield PlanRepository(session)

    return unit


def linking(units, known: dict[str, Profile]) -> tuple[Identities, Profiles]:
    profiles = Profiles(known)
    return Identities("chat", "Chat", "the email permission", profiles, units, lambda: NOW), profiles


def test_a_user_is_matched_by_email_once_then_remembered(units, session) -> None:
    session.commit()
    identities, profiles = linking(units, {"u1": Profile(" Ollie.Kerr@example.org ", "Ollie K")})

    first = identities.actor("u1")
    again = identities.actor("u1")

    assert ("ollie.kerr@example.org", "Ollie Kerr") == (first.email, first.name)
    assert first == again
    assert ["u1"] == profiles.asked


def test_someone_the_plan_does_not_know_becomes_a_viewer(units, session) -> None:
    session.commit()
    identities, _ = linking(units, {"u2": Profile("new.person@example.org", "New Person")})

    actor = identities.actor("u2")

    assert ("new.person@example.org", "New Person", False) == (actor.email, actor.name, actor.is_admin)
    with units() as repo:
        assert repo.person_by_email("new.person@example.org") is not None


def test_no_email_is_refused_with_what_an_admin_must_check(units, session) -> None:
    session.commit()
    identities, _ = linking(units, {})

    with pytest.raises(UnknownPerson) as refused:
        identities.actor("bot")

    assert (
        "I couldn't read your email address from Chat, so I can't tell which plan roles you hold. "
        "Ask an admin to check planbot has the email permission."
    ) == str(refused.value)
    with units() as repo:
        assert repo.person_by_identity("chat", "bot") is None


def test_mentions_become_emails_and_the_bot_is_left_alone(units, session) -> None:
    session.commit()
    identities, _ = linking(units, {"u1": Profile("ollie.kerr@example.org", "Ollie")})

    text = identities.replace_mentions('assign "Head" @[u1|ollie] @[bot]', MENTION, skip="bot")

    assert 'assign "Head" ollie.kerr@example.org @[bot]' == text
    with pytest.raises(UnknownPerson, match="I couldn't read @jo's email from Chat"):
        identities.replace_mentions("delegate V9 @[u9|jo]", MENTION)


def test_a_roster_links_plan_people_once_each_and_creates_nobody(units, session) -> None:
    """A bulk listing (a team's roster) links each plan person it names by one id, skipping someone
    already known, a second account with the same email, a stranger and a member with no email."""
    session.commit()
    ollie, emily = Profile("Ollie.Kerr@example.org", "Ollie"), Profile("emily.carter@example.org", "Emily")
    listed = {
        "u-ollie": ollie,
        "u-ollie-2": ollie,
        "u-emily": emily,
        "u-stranger": Profile("vic@example.net", "Vic"),
        "u-guest": Profile("", "A Guest"),
    }
    identities, _ = linking(units, listed)
    identities.actor("u-emily")  # Emily wrote to planbot before

    linked = identities.learn([*listed, "u-unlisted"])

    assert 1 == linked
    with units() as repo:
        assert repo.person_by_email("vic@example.net") is None
        people = repo.people_by_emails(["ollie.kerr@example.org", "emily.carter@example.org"])
        ids = repo.external_ids("chat", [p.id for p in people.values() if p.id is not None])
        assert {"u-ollie", "u-emily"} == set(ids.values())
        assert {"u-ollie", "u-emily"} == repo.linked_external_ids("chat", listed)
    assert 0 == identities.learn(listed), "nobody new the second time"


def test_a_remembered_person_is_read_with_one_statement(units, session, engine: Engine) -> None:
    """Every command a person sends starts by asking who they are; once linked, that is one query."""
    session.commit()
    identities, _ = linking(units, {"u1": Profile("ollie.kerr@example.org", "Ollie K")})
    identities.actor("u1")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        actor = identities.actor("u1")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "ollie.kerr@example.org" == actor.email
    assert 1 == len(statements), statements
