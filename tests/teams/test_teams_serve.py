"""``planbot serve --http`` as a whole process serving Teams alone: no Slack variable, an empty migrated
database, inbound tokens checked against the JWKS, outbound tokens from a real MSAL client talking to
a local HTTPS authority (``support.fake_authority``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fake_authority import FakeAuthority
from support.fake_teams import APP_ID, OWNER, TENANT_ID, FakeBotConnector, TokenSigner, card_texts, personal_message

from tests.teams.conftest import TeamsClient

SECRET = "a-client-secret-for-the-test"
START_SECONDS = 30.0


@pytest.fixture
def authority() -> Iterator[FakeAuthority]:
    fake = FakeAuthority(APP_ID, SECRET).start()
    yield fake
    fake.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ctrl_c_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_teams_alone_is_served_answered_and_stopped(
    tmp_path: Path, authority, signer: TokenSigner, connector: FakeBotConnector
) -> None:
    connector.accepts = authority.issued.__contains__
    port = _free_port()
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
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_healthy(f"{base}/healthz", process)
        teams = TeamsClient(f"{base}/api/messages", signer, connector)

        unsigned, _ = teams.post(personal_message(OWNER, "rag V9", connector.service_url), token=None)
        answered, _ = teams.post(personal_message(OWNER, "rag help", connector.service_url))

        assert (401, 202) == (unsigned, answered)
        (sent,) = connector.sent()
        assert "/rag" in card_texts(sent.body), "the help, in the chat"
        assert 1 == len(authority.issued), "one token from the authority, reused"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
        assert 0 == process.returncode, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _wait_until_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"planbot exited early: {process.stderr.read() if process.stderr else ''}"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"{url} did not answer within {START_SECONDS}s: {process.communicate()[1][-3000:]}")
