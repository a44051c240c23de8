"""``/rag`` over Socket Mode, end to end: planbot opens the WebSocket the way ``planbot run`` does,
the fake Socket Mode server pushes a slash-command envelope, and the answer comes back."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy.engine import Engine
from support.fake_slack import APP_TOKEN, FakeSlack, FakeSocketMode
from support.serving import finish_work
from support.slash import slash_fields
from support.workspace import OWNER, stored_updates

from bot.config import Settings
from bot.container import Container
from bot.slack.app import build_app
from bot.slack.runner import build_socket_mode_handler

CONNECT_SECONDS = 10.0


@pytest.fixture
def connected(
    container: Container, settings: Settings, fake_socket_mode: FakeSocketMode
) -> Iterator[SocketModeHandler]:
    """planbot connected to the fake Socket Mode server, disconnected at the end."""
    app = build_app(container)
    handler = build_socket_mode_handler(app, settings)
    connecting = threading.Thread(target=handler.connect, name="socket-mode-connect", daemon=True)
    connecting.start()
    connecting.join(timeout=CONNECT_SECONDS)
    try:
        assert fake_socket_mode.connected.wait(CONNECT_SECONDS), "planbot did not connect"
        yield handler
    finally:
        handler.close()
        finish_work(app)


def test_slash_command_over_socket_mode(
    connected: SocketModeHandler, fake_socket_mode: FakeSocketMode, fake_slack: FakeSlack, engine: Engine
) -> None:
    """A /rag envelope is acknowledged by id, the update is stored and the reply reaches response_url."""
    payload = slash_fields("V9 amber Awaiting CPS file", user_id=OWNER.id, response_url=fake_slack.response_url("s"))

    envelope_id = fake_socket_mode.send("slash_commands", payload)

    assert envelope_id == fake_socket_mode.next_ack(timeout=3.0)["envelope_id"]
    reply = fake_slack.wait_for("response")[0].params
    assert "V9 updated" in reply["text"]
    assert [("A", "Awaiting CPS file")] == [(u.status, u.reason) for u in stored_updates(engine)]
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert APP_TOKEN == opened.token
