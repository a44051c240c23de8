"""Fixtures for the Teams tests: the fake Bot Connector, the token signer, planbot's gateway served over HTTP.

Teams' requests are signed with a key made for the test and verified by the SDK's own JWT validation
against the JWKS the fake serves (``PLANBOT_TEAMS_JWKS_URL``); planbot's outbound calls carry a token
from a stub provider, which the fake checks. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from support.fake_teams import (
    ADMIN,
    APP_ID,
    GUEST,
    OUTBOUND_TOKEN,
    OWNER,
    STRANGER,
    TENANT_ID,
    FakeBotConnector,
    TokenSigner,
)
from support.serving import serving_routes
from support.workspace import TickingClock

from bot.config import Settings
from bot.container import Container
from bot.teams.gateway import MESSAGES_PATH, TeamsGateway
from bot.teams_settings import teams_from_env
from storage.models import Plan


class StubTokens:
    """An outbound token provider that needs no authority: every call gets ``OUTBOUND_TOKEN``."""

    def __init__(self, configuration: Any) -> None:
        self._configuration = configuration

    @property
    def configuration(self) -> Any:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN

    def get_token_credential(self) -> Any:
        raise NotImplementedError("planbot asks for tokens only through get_access_token")


@pytest.fixture
def signer() -> TokenSigner:
    return TokenSigner()


@pytest.fixture
def connector(signer: TokenSigner) -> Iterator[FakeBotConnector]:
    fake = FakeBotConnector(people={p.user_id: p for p in (OWNER, ADMIN, STRANGER, GUEST)}, jwks=signer.jwks()).start()
    yield fake
    fake.stop()


@pytest.fixture
def teams_settings(db_url: str, connector: FakeBotConnector) -> Settings:
    teams = teams_from_env(
        {
            "PLANBOT_TEAMS_APP_ID": APP_ID,
            "PLANBOT_TEAMS_APP_PASSWORD": "not-a-real-secret",
            "PLANBOT_TEAMS_TENANT_ID": TENANT_ID,
            "PLANBOT_TEAMS_JWKS_URL": connector.jwks_url,
        }
    )
    return Settings(database_url=db_url, teams=teams)


@pytest.fixture
def container(teams_settings: Settings, engine: Engine, plan: Plan, session: Session) -> Container:
    """planbot's container on the test database, with the sample plan committed so its sessions see it."""
    session.commit()
    return Container(teams_settings, engine, TickingClock())


@dataclass
class TeamsClient:
    """Posts activities to planbot's /api/messages as Teams would, signed by ``signer``."""

    url: str
    signer: TokenSigner
    connector: FakeBotConnector
    gateway: TeamsGateway | None = None
    """When served in this process, each post waits until planbot has finished the turn it started."""

    def post(self, activity: dict[str, Any], token: str | None = "sign", **claims: Any) -> tuple[int, Any]:
        """The HTTP status and JSON answer; ``token="sign"`` signs a valid token, ``None`` sends no header."""
        headers = {"Content-Type": "application/json"}
        if token == "sign":
            token = self.signer.token(activity.get("serviceUrl") or self.connector.service_url, **claims)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url, data=json.dumps(activity).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                answer = response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None
        if self.gateway is not None:
            self.gateway.wait_idle()
        return answer


@pytest.fixture
def teams(container: Container, signer: TokenSigner, connector: FakeBotConnector) -> Iterator[TeamsClient]:
    """planbot's Teams endpoint behind the real waitress server, as ``planbot serve --http`` runs it."""
    assert container.settings.teams is not None
    gateway = TeamsGateway(container, container.settings.teams, providers=StubTokens)
    try:
        with serving_routes({MESSAGES_PATH: gateway}) as base_url:
            yield TeamsClient(f"{base_url}{MESSAGES_PATH}", signer, connector, gateway)
    finally:
        gateway.stop()
