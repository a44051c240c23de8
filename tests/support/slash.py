"""Slash commands shaped, encoded and signed exactly as Slack sends them, posted over real sockets."""

from __future__ import annotations

import http.client
import itertools
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

from support.fake_slack import TEAM_ID

SIGNING_SECRET = "planbot-test-signing-secret"
CHANNEL_ID = "C0PLAN0001"
CHANNEL_NAME = "plan-delivery"
TIMEOUT_SECONDS = 10.0

_triggers = itertools.count(1)


def slack_escape(text: str) -> str:
    """What Slack does to the typed text before sending it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slash_fields(
    text: str, *, user_id: str, response_url: str, channel_id: str = CHANNEL_ID, command: str = "/rag"
) -> dict[str, str]:
    """Every field Slack posts for a slash command, the text escaped as Slack escapes it."""
    trigger = next(_triggers)
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "opcc",
        "channel_id": channel_id,
        "channel_name": CHANNEL_NAME if channel_id == CHANNEL_ID else "directmessage",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": slack_escape(text),
        "api_app_id": "APLANBOT",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{trigger}.{TEAM_ID}.{trigger:032x}",
    }


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack adds: the request timestamp and its HMAC signature over ``v0:ts:body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


@dataclass(frozen=True)
class Answer:
    """Slack's view of the request: the status, the body and how long the app took to answer."""

    status: int
    body: str
    seconds: float


def post(url: str, body: str, headers: dict[str, str], connection: http.client.HTTPConnection | None = None) -> Answer:
    """POST like Slack does and time it until the whole response has arrived.

    Args:
        connection: a kept-alive connection to reuse; a new one (closed afterwards) when absent.
    """
    parts = urlsplit(url)
    conn = connection or http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    started = time.perf_counter()
    try:
        conn.request("POST", parts.path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        return Answer(response.status, text, time.perf_counter() - started)
    finally:
        if connection is None:
            conn.close()


def send_slash(url: str, text: str, **fields: str) -> Answer:
    """Send ``/rag text`` signed with the test secret."""
    body = urlencode(slash_fields(text, **fields))
    return post(url, body, signed_headers(body))
