"""Fixtures for the Slack tests: the fake Slack servers, a container on the test database, the app.

Every server listens on 127.0.0.1 and is stopped at the end of its test; each test also checks
that planbot sent Slack nothing Slack would have rejected.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack, FakeSocketMode
from support.serving import serving
from support.slash import SIGNING_SECRET
from support.workspace import ADMIN, BOT, OWNER, STRANGER, TickingClock

from bot.config import Settings
from bot.container import Container
from bot.slack.app import build_app
from storage.models import Plan


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """Slack's Web API and response_url endpoints; fails the test if planbot sent something Slack rejects."""
    fake = FakeSlack(users={user.id: user for user in (OWNER, ADMIN, STRANGER, BOT)}).start()
    yield fake
    fake.stop()
    assert [] == fake.violations


@pytest.fixture
def fake_socket_mode(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    """A Socket Mode server, handed out by the fake's apps.connections.open."""
    server = FakeSocketMode().start()
    fake_slack.socket_mode_url = server.url
    yield server
    server.stop()


@pytest.fixture
def settings(db_url: str, fake_slack: FakeSlack) -> Settings:
    return Settings(
        database_url=db_url,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.api_url,
    )


@pytest.fixture
def container(settings: Settings, engine: Engine, plan: Plan, session: Session) -> Container:
    """The app's container on the test database, with the sample plan committed so its sessions see it."""
    session.commit()
    return Container(settings, engine, TickingClock())


@pytest.fixture
def events_url(container: Container) -> Iterator[str]:
    """planbot's full app behind the real waitress server; yields the URL Slack would post to."""
    with serving(build_app(container)) as url:
        yield url
