"""``planbot serve --http`` as a whole process serving Teams alone: no Slack variable, an empty migrated
database, inbound tokens checked against the JWKS, outbound tokens from a real MSAL client talking to
a local HTTPS authority (``support.fake_authority``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fake_authority import FakeAuthority
from support.fake_teams import APP_ID, OWNER, TENANT_ID, FakeBotConnector, TokenSigner, card_texts, personal_message
from support.processes import ctrl_c_as_in_a_terminal, free_port, wait_until_healthy

from tests.teams.conftest import TeamsClient

SECRET = "a-client-secret-for-the-test"


@pytest.fixture
def authority() -> Iterator[FakeAuthority]:
    fake = FakeAuthority(APP_ID, SECRET).start()
    yield fake
    fake.stop()


def test_teams_alone_is_served_answered_and_stopped(
    tmp_path: Path, authority, signer: TokenSigner, connector: FakeBotConnector
) -> None:
    connector.accepts = authority.issued.__contains__
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PLANBOT_"))}
    env |= authority.trust_env() | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'planbot.db'}",  # empty: planbot migrates it at start
        "PLANBOT_TEAMS_APP_ID": APP_ID,
        "PLANBOT_TEAMS_APP_PASSWORD": SECRET,
        "PLANBOT_TEAMS_TENANT_ID": TENANT_ID,
        "PLANBOT_TEAMS_AUTHORITY": authority.url,
        "PLANBOT_TEAMS_JWKS_URL": connector.jwks_url,
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("planbot")),
            "serve",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-scheduler",
        ],
        cwd=tmp_path,
        env=env,
        text=True,
        stderr=subprocess.PIPE,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(f"{base}/healthz", process)
        teams = TeamsClient(f"{base}/api/messages", signer, connector)

        unsigned, _ = teams.post(personal_message(OWNER, "rag V9", connector.service_url), token=None)
        answered, _ = teams.post(personal_message(OWNER, "rag help", connector.service_url))

        assert (401, 202) == (unsigned, answered)
        (sent,) = connector.wait_for_sent(1)
        assert "Using rag\nrag V9 red" in card_texts(sent.body), "the help, in the chat, in Teams words"
        assert 1 == len(authority.issued), "one token from the authority, reused"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
        assert 0 == process.returncode, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
