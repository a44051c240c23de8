"""Replays and retries answered once: a signed ``/rag`` sent twice inside Slack's window, an Events API
retry with ``X-Slack-Retry-Num``, a form submitted twice; and the claim is in the database, so a
second planbot process serving the same database drops it too."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from sqlalchemy.engine import Engine
from support import interaction
from support.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from support.interaction import form_values, submit_view
from support.serving import serving
from support.slash import post, signed_headers, slash_fields
from support.workspace import OWNER, stored_updates
from test_http import replies
from test_plan_command import event_body
from test_update_modal import open_modal

from bot.slack.app import build_app


def _command(fake_slack: FakeSlack, text: str) -> str:
    """One slash command's body (its own trigger_id), to be posted more than once."""
    return urlencode(slash_fields(text, user_id=OWNER.id, response_url=fake_slack.response_url("r")))


def test_replayed_slash_command_is_stored_and_answered_once(events_url, fake_slack, engine):
    body = urlencode(
        slash_fields("V9 amber Awaiting the CPS", user_id=OWNER.id, response_url=fake_slack.response_url("r"))
    )
    headers = signed_headers(body)

    first, replay = post(events_url, body, headers), post(events_url, body, headers)

    assert (200, 200) == (first.status, replay.status)
    assert "V9 updated" in replies(fake_slack)[0]["text"]
    fake_slack.wait_for("chat.postMessage")
    time.sleep(0.5)  # room for a wrongly accepted replay's answer to arrive
    assert 1 == len(fake_slack.calls_to("response"))
    assert 1 == len(fake_slack.calls_to("chat.postMessage"))
    assert ["Awaiting the CPS"] == [u.reason for u in stored_updates(engine)]


def test_replay_to_a_second_process_on_the_same_database_is_dropped(container, events_url, fake_slack, engine):
    """Two servers (two processes behind a load balancer) share the claim through the database."""
    body = urlencode(
        slash_fields("V9 green Back on track", user_id=OWNER.id, response_url=fake_slack.response_url("r"))
    )
    headers = signed_headers(body)
    with serving(build_app(container)) as second_url:
        assert 200 == post(events_url, body, headers).status
        replies(fake_slack)
        assert 200 == post(second_url, body, headers).status
        time.sleep(0.5)
    assert 1 == len(fake_slack.calls_to("response"))
    assert ["G"] == [u.status for u in stored_updates(engine)]


def test_events_api_retry_is_answered_once(events_url, fake_slack):
    event = {
        "type": "app_mention",
        "user": OWNER.id,
        "text": f"<@{BOT_USER_ID}> overdue",
        "ts": "1529000000.000200",
        "channel": "C0PLAN0001",
    }
    body = event_body(event, event_id="Ev0RETRY0001")
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    retry = {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}

    assert 200 == post(events_url, body, headers).status
    assert 200 == post(events_url, body, retry).status

    fake_slack.wait_for("chat.postMessage")
    time.sleep(0.5)
    threads = {call.params.get("thread_ts") for call in fake_slack.calls_to("chat.postMessage")}
    headlines = [c for c in fake_slack.calls_to("chat.postMessage") if "overdue action(s)" in c.params["text"]]
    assert {"1529000000.000200"} == threads
    assert 1 == len(headlines)


def test_form_submitted_twice_is_stored_once(events_url, fake_slack, engine, monkeypatch):
    """The same view_submission (same trigger_id) delivered twice: one row, one confirmation."""
    view = open_modal(events_url, fake_slack)
    monkeypatch.setattr(interaction, "_trigger", lambda: f"77.{TEAM_ID}.{'f' * 32}")
    values = form_values("V9", "A", "Waiting on the CPS")

    first = submit_view(events_url, OWNER, view, values)
    replay = submit_view(events_url, OWNER, view, values)

    assert "update" == json.loads(first.body)["response_action"]
    assert "" == replay.body
    assert ["Waiting on the CPS"] == [u.reason for u in stored_updates(engine)]


@contextmanager
def writer_holding_the_database(engine: Engine) -> Iterator[None]:
    """Another unit of work holding the write lock planbot's claims need (SQLite's one writer, or
    the receipts table on PostgreSQL), as an update being stored does."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("LOCK TABLE receivedrequest IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            connection.exec_driver_sql("ROLLBACK")


def test_slash_commands_are_acknowledged_at_once_while_the_database_is_busy_and_answered_once(
    events_url, fake_slack, engine
):
    """Slack shows an error if a command is not acknowledged within 3 seconds: the acknowledgement
    (and a replay's) never waits for a write; the work waits, then happens once."""
    body = _command(fake_slack, "V9 amber Awaiting the CPS")
    headers = signed_headers(body)
    with writer_holding_the_database(engine):
        first, replay = post(events_url, body, headers), post(events_url, body, headers)
        time.sleep(0.3)
        assert [] == fake_slack.calls_to("response"), "nothing is answered while the database is held"

    assert (200, 200) == (first.status, replay.status)
    assert first.seconds < 1 and replay.seconds < 1, (first.seconds, replay.seconds)
    assert "V9 updated" in replies(fake_slack)[0]["text"]
    time.sleep(0.5)  # room for a wrongly accepted replay's answer to arrive
    assert 1 == len(fake_slack.calls_to("response"))
    assert ["Awaiting the CPS"] == [u.reason for u in stored_updates(engine)]
