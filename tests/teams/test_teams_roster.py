"""planbot learns plan people's Teams identities from their team's roster, so it can nudge someone who
never wrote to it: over signed HTTP, against the fake Bot Connector's paged roster (``pagedmembers``).

The fake's roster gives two members a page, so a team of four is two pages joined by a continuation
token. Ollie (V9's owner) and Emily (an admin) are plan people; Vic is not in the plan and the guest
has no email.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support.fake_teams import (
    ADMIN,
    APP_ID,
    GUEST,
    OWNER,
    STRANGER,
    TEAM_ID,
    TENANT_ID,
    FakeBotConnector,
    Fault,
    bot_added_to_channel,
    card_texts,
    channel_mention,
    team_installation,
)
from support.workspace import TickingClock

from bot.config import Settings
from bot.container import Container
from bot.teams.delivery import TeamsPoster
from bot.teams.notifier import TeamsNotifier
from commands.model import Reply
from commands.ports import TEAMS, Recipient
from storage.models import Person, Plan, PlatformIdentity
from tests.teams.conftest import TeamsClient

TEAM = [STRANGER, OWNER, GUEST, ADMIN]


class MovableClock(TickingClock):
    """The tests' ticking clock, which a test can move on (``later``) to let a day pass."""

    def __init__(self) -> None:
        super().__init__()
        self.later = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return super().__call__() + self.later


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def container(teams_settings: Settings, engine: Engine, plan: Plan, session: Session, clock: MovableClock) -> Container:
    """planbot's container on the sample plan, on a clock the test can move on."""
    session.commit()
    return Container(teams_settings, engine, clock)


@pytest.fixture
def team(connector: FakeBotConnector) -> list[str]:
    """The team's roster at the fake, two members a page."""
    connector.rosters[TEAM_ID] = TEAM
    connector.roster_page = 2
    return [member.aad_object_id for member in TEAM]


def teams_identities(container: Container) -> dict[str, str]:
    """Each Entra object id planbot knows, with the email of the plan person it is linked to."""
    with container.unit_of_work() as repo:
        rows = repo.session.exec(select(PlatformIdentity, Person).where(PlatformIdentity.person_id == Person.id))
        return {identity.external_id: person.email for identity, person in rows if identity.platform == TEAMS}


def pages_read(connector: FakeBotConnector) -> list[tuple[str, str]]:
    """The page size and continuation token of each request for a page of the team's roster."""
    reads = connector.roster_reads(TEAM_ID)
    return [(c.query.get("pageSize", ""), c.query.get("continuationToken", "")) for c in reads]


def recipient(container: Container, email: str) -> Recipient:
    with container.unit_of_work() as repo:
        person = repo.person_by_email(email)
        assert person is not None and person.id is not None
        return Recipient(person.id, person.email, person.name)


def notifier(teams: TeamsClient, container: Container) -> TeamsNotifier:
    assert teams.gateway is not None
    poster = TeamsPoster(teams.gateway.adapter, APP_ID, teams.gateway.loop, wait=lambda _: None, jitter=lambda: 0.0)
    return TeamsNotifier(poster, container, TENANT_ID)


def test_planbot_added_to_a_team_reads_every_page_and_links_only_the_plan_people(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, team: list[str]
) -> None:
    status, _ = teams.post(team_installation(ADMIN, connector.service_url))

    assert 202 == status
    assert [("500", ""), ("500", "2")] == pages_read(connector)
    assert {OWNER.aad_object_id: OWNER.email.lower(), ADMIN.aad_object_id: ADMIN.email} == teams_identities(container)
    with container.unit_of_work() as repo:
        assert repo.person_by_email(STRANGER.email) is None, "a member the plan does not know is not added"


def test_a_nudge_to_someone_who_never_wrote_creates_a_chat_by_object_id_then_reuses_it(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, team: list[str]
) -> None:
    teams.post(team_installation(ADMIN, connector.service_url))
    ollie = recipient(container, OWNER.email)

    notifier(teams, container).send_direct(ollie, Reply(text="V9 is due"))
    notifier(teams, container).send_direct(ollie, Reply(text="V9 is still due"))

    created = [c for c in connector.calls if c.method == "POST" and c.path.endswith("/v3/conversations")]
    assert [[{"id": OWNER.aad_object_id}]] == [c.body["members"] for c in created], "one chat, by Entra object id"
    with container.unit_of_work() as repo:
        chat = repo.teams_personal_chat(ollie.person_id)
    assert chat is not None
    delivered = [card_texts(c.body) for c in connector.delivered(chat.conversation_id)]
    assert 2 == len(delivered)
    assert "V9 is due" in delivered[0] and "V9 is still due" in delivered[1]


def test_a_channel_message_reads_a_team_not_read_for_a_day_and_a_second_message_does_not(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, team: list[str], clock: MovableClock
) -> None:
    teams.post(channel_mention(ADMIN, "plan help", connector.service_url))
    first = len(pages_read(connector))
    teams.post(channel_mention(ADMIN, "plan help", connector.service_url))
    second = len(pages_read(connector))
    clock.later = dt.timedelta(hours=24, minutes=1)
    teams.post(channel_mention(ADMIN, "plan help", connector.service_url))

    assert (2, 2, 4) == (first, second, len(pages_read(connector)))
    assert OWNER.aad_object_id in teams_identities(container), "Ollie is known without ever writing"
    assert 3 == len(connector.sent()), "every message answered"


def test_a_members_added_event_reads_the_team_again_within_the_day(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, team: list[str]
) -> None:
    connector.rosters[TEAM_ID] = [ADMIN]
    teams.post(channel_mention(ADMIN, "plan help", connector.service_url))
    connector.rosters[TEAM_ID] = [ADMIN, OWNER]
    teams.post(bot_added_to_channel(ADMIN, connector.service_url))

    assert 2 == len(pages_read(connector))
    assert OWNER.aad_object_id in teams_identities(container)


def test_the_answer_does_not_wait_for_a_slow_roster(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, team: list[str]
) -> None:
    connector.slow[TEAM_ID] = 2.0
    teams.post(channel_mention(ADMIN, "plan help", connector.service_url))

    (answer,) = connector.sent()
    first_page = connector.roster_reads(TEAM_ID)[0]
    assert answer.at < first_page.at + 2.0, "answered while the roster was still being read"
    assert OWNER.aad_object_id in teams_identities(container)


def test_a_refused_roster_is_logged_without_personal_data_and_the_message_is_answered(
    teams: TeamsClient,
    container: Container,
    connector: FakeBotConnector,
    team: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    connector.inject(Fault(403, "Forbidden", path="/pagedmembers"))
    with caplog.at_level(logging.WARNING, logger="bot.teams.roster"):
        teams.post(channel_mention(ADMIN, "plan help", connector.service_url))

    (answer,) = connector.sent()
    assert "plan" in card_texts(answer.body).lower()
    warnings = [r for r in caplog.records if r.name == "bot.teams.roster"]
    assert [(logging.WARNING, f"Could not read the roster of Teams team {TEAM_ID} (403)")] == [
        (r.levelno, r.getMessage()) for r in warnings
    ]
    assert OWNER.aad_object_id not in teams_identities(container)
    for member in TEAM:
        assert member.name not in caplog.text and member.aad_object_id not in caplog.text
