"""Requests that are not Slack's: refused with 401 before anything is parsed, logged below ERROR, and
never the cause of an outbound call; and Slack's own bodies read by their fields (the "payload" word)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy.engine import Engine
from support.fake_slack import FakeSlack
from support.serving import serving
from support.slash import SIGNING_SECRET, post, send_slash, signed_headers, slash_fields
from support.workspace import OWNER, stored_updates
from test_http import rag, replies

from bot.slack.app import build_app

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def elsewhere() -> Iterator[FakeSlack]:
    """A server standing for any address a stranger might name as ``response_url``: reached as
    ``localhost``, a host that is neither hooks.slack.com nor SLACK_API_URL's 127.0.0.1."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def _stranger_url(elsewhere: FakeSlack) -> str:
    return elsewhere.response_url("x").replace("127.0.0.1", "localhost")


def _body(elsewhere: FakeSlack) -> str:
    return urlencode(slash_fields("V9 red Forged", user_id=OWNER.id, response_url=_stranger_url(elsewhere)))


def _sign(body: str | bytes, stamp: str) -> str:
    """Slack's signature over any bytes (slack_sdk's generator only takes UTF-8)."""
    raw = body if isinstance(body, bytes) else body.encode()
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256)
    return f"v0={digest.hexdigest()}"


def _now() -> str:
    return str(int(time.time()))


def _headers(**values: str) -> dict[str, str]:
    return {"Content-Type": FORM, **{name.replace("_", "-"): value for name, value in values.items()}}


# Each case: (headers for the body, body) built from the fixed slash-command body ``b``.
MALFORMED = {
    "no headers at all": lambda b: ({"Content-Type": FORM}, b),
    "timestamp 'soon'": lambda b: (_headers(X_Slack_Request_Timestamp="soon", X_Slack_Signature=_sign(b, _now())), b),
    "empty timestamp": lambda b: (_headers(X_Slack_Request_Timestamp="", X_Slack_Signature=_sign(b, _now())), b),
    "negative timestamp": lambda b: (_headers(X_Slack_Request_Timestamp="-5", X_Slack_Signature=_sign(b, "-5")), b),
    "fractional timestamp": lambda b: (
        _headers(X_Slack_Request_Timestamp=f"{_now()}.5", X_Slack_Signature=_sign(b, f"{_now()}.5")),
        b,
    ),
    "exponent timestamp": lambda b: (_headers(X_Slack_Request_Timestamp="1e9", X_Slack_Signature=_sign(b, "1e9")), b),
    "huge timestamp": lambda b: (_headers(X_Slack_Request_Timestamp="9" * 40, X_Slack_Signature=_sign(b, "9" * 40)), b),
    "two timestamps": lambda b: (
        _headers(X_Slack_Request_Timestamp=f"{_now()}, {_now()}", X_Slack_Signature=_sign(b, _now())),
        b,
    ),
    "stale timestamp": lambda b: (signed_headers(b, timestamp=int(time.time()) - 400), b),
    "future timestamp": lambda b: (signed_headers(b, timestamp=int(time.time()) + 400), b),
    "no signature": lambda b: (_headers(X_Slack_Request_Timestamp=_now()), b),
    "empty signature": lambda b: (_headers(X_Slack_Request_Timestamp=_now(), X_Slack_Signature=""), b),
    "bare v0=": lambda b: (_headers(X_Slack_Request_Timestamp=_now(), X_Slack_Signature="v0="), b),
    "v1 scheme": lambda b: (
        _headers(X_Slack_Request_Timestamp=_now(), X_Slack_Signature=_sign(b, _now()).replace("v0=", "v1=")),
        b,
    ),
    "short signature": lambda b: (
        _headers(X_Slack_Request_Timestamp=_now(), X_Slack_Signature=_sign(b, _now())[:40]),
        b,
    ),
    "non-hex signature": lambda b: (_headers(X_Slack_Request_Timestamp=_now(), X_Slack_Signature="v0=" + "z" * 64), b),
    "signature of another body": lambda b: (signed_headers("text=hello"), b),
    "wrong secret": lambda b: (signed_headers(b, secret="not-the-secret"), b),
    "truncated JSON": lambda b: ({**signed_headers("{}"), "Content-Type": "application/json"}, '{"type": "event_cal'),
    "JSON list": lambda b: ({"Content-Type": "application/json"}, "[1, 2, 3]"),
    "broken payload form": lambda b: ({"Content-Type": FORM}, "payload=%7B%22type"),
    "empty body": lambda b: (_headers(X_Slack_Request_Timestamp="soon"), ""),
}


def _post_bytes(url: str, body: bytes, headers: dict[str, str]) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", parts.path, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize("case", MALFORMED)
def test_unsigned_or_malformed_request_is_refused_quietly(
    case, container, fake_slack: FakeSlack, elsewhere: FakeSlack, engine: Engine, caplog
):
    """401, nothing stored, nothing at ERROR, and neither Slack's API nor the named response_url hears of it."""
    headers, body = MALFORMED[case](_body(elsewhere))
    with serving(build_app(container)) as url:
        before = len(fake_slack.calls)
        with caplog.at_level(logging.INFO):
            answer = post(url, body, headers)
            time.sleep(0.2)  # room for a wrongly started background reply to arrive
    assert 401 == answer.status
    assert [] == stored_updates(engine)
    assert [] == [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert before == len(fake_slack.calls)
    assert [] == elsewhere.calls


def test_bytes_that_are_not_text_are_refused(container, fake_slack, elsewhere, engine, caplog):
    """Invalid UTF-8 cannot be Slack's, signed or not: a 401, not a traceback (slack_sdk's verifier would
    raise decoding it) and no outbound call."""
    raw = b"text=\xff\xfe&response_url=" + _stranger_url(elsewhere).encode()
    stamp = _now()
    with serving(build_app(container)) as url, caplog.at_level(logging.INFO):
        before = len(fake_slack.calls)
        unsigned = _post_bytes(url, raw, {"Content-Type": FORM, "X-Slack-Request-Timestamp": "soon"})
        signed = _post_bytes(
            url, raw, {"Content-Type": FORM, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": _sign(raw, stamp)}
        )
    assert (401, 401) == (unsigned, signed)
    assert [] == [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert before == len(fake_slack.calls)
    assert [] == elsewhere.calls


@pytest.mark.parametrize("body", ['{"type": "event_cal', "[1, 2]", "payload=%7Bnot-json"])
def test_signed_but_unreadable_body_is_a_quiet_400(body, container, fake_slack, engine, caplog):
    """Even correctly signed, a body planbot cannot read is refused without a traceback."""
    content = "application/json" if not body.startswith("payload") else FORM
    with serving(build_app(container)) as url, caplog.at_level(logging.INFO):
        answer = post(url, body, {**signed_headers(body), "Content-Type": content})
    assert 400 == answer.status
    assert [] == [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_word_payload_in_an_update_is_an_update(events_url, fake_slack, engine: Engine):
    """bolt's parse_body took any form body containing "payload" for an interaction; planbot reads fields."""
    rag(events_url, fake_slack, "V9 amber Waiting on the payload spec from the supplier")

    assert "V9 updated" in replies(fake_slack)[0]["text"]
    assert ["Waiting on the payload spec from the supplier"] == [u.reason for u in stored_updates(engine)]


def test_apology_goes_only_to_slacks_own_hosts(container, fake_slack, elsewhere, engine, caplog):
    """A verified request whose response_url is not Slack's: the failure is logged, but no apology is sent there."""
    fake_slack.post_error = "fatal_error"
    with serving(build_app(container)) as url, caplog.at_level(logging.INFO):
        answer = send_slash(url, "V9 green On track", user_id=OWNER.id, response_url=_stranger_url(elsewhere))
        elsewhere.wait_for("response")  # the confirmation, sent through the listener's own respond()
        fake_slack.wait_for("chat.postMessage")
        time.sleep(0.3)
    assert 200 == answer.status
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    texts = [json.dumps(call.params) for call in elsewhere.calls]
    assert not any("something went wrong" in text for text in texts), texts
