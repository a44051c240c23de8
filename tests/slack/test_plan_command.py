"""``/plan``, mentions and direct messages over HTTP, end to end: signed requests to the real waitress
server, answers through response_url and chat.postMessage on the fake Slack server."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from support.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from support.slash import CHANNEL_ID, post, send_slash, signed_headers
from support.workspace import ADMIN, OWNER
from test_http import ACK_SECONDS, all_text

from bot.slack.limits import check_message
from storage.db import session_scope
from storage.models import AuditEntry, ChannelSubscription, JobRun


def plan(events_url: str, fake_slack: FakeSlack, text: str, user_id: str = OWNER.id) -> dict:
    """Type ``/plan text``; Slack gets its 200 at once, and the answer reaches response_url."""
    answer = send_slash(
        events_url, text, user_id=user_id, response_url=fake_slack.response_url(user_id), command="/plan"
    )
    assert 200 == answer.status
    assert answer.seconds < ACK_SECONDS
    reply = fake_slack.wait_for("response", len(fake_slack.calls_to("response")) + 1)[-1].params
    assert "ephemeral" == reply["response_type"]
    assert [] == check_message(reply.get("blocks"), reply["text"])
    return reply


def event_body(event: dict, event_id: str | None = None) -> str:
    """An Events API callback as Slack delivers it (a fresh ``event_id`` unless one is given)."""
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "APLANBOT",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
    )


def send_event(events_url: str, event: dict) -> None:
    """An Events API callback, signed and posted as JSON the way Slack delivers it."""
    body = event_body(event)
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    answer = post(events_url, body, headers)
    assert 200 == answer.status
    assert answer.seconds < ACK_SECONDS


class TestReports:
    def test_summary_of_a_theme_by_name_in_any_case(self, events_url, fake_slack):
        reply = plan(events_url, fake_slack, "summary victims")
        assert "PCP 2017-20: summary of Victims as of 15 Jun 2018" in reply["text"]
        assert ":white_circle: Not yet reported" in all_text(reply)

    def test_overdue(self, events_url, fake_slack):
        reply = plan(events_url, fake_slack, "overdue")
        assert "overdue action(s) as of 15 Jun 2018, oldest first" in reply["text"]

    @pytest.mark.parametrize(
        ("typed", "quarter"),
        [
            ("2018/19 Q3", "2018/19 Q3"),
            ("Q3 2018-19", "2018/19 Q3"),
            ("last quarter", "2017/18 Q4"),
            ("Q3", "2017/18 Q3"),
        ],
    )
    def test_quarter_as_people_write_it(self, events_url, fake_slack, typed, quarter):
        reply = plan(events_url, fake_slack, f"quarter {typed}")
        assert f"PCP 2017-20: quarterly summary {quarter}" in reply["text"]

    def test_unknown_theme_suggests_the_nearest(self, events_url, fake_slack):
        reply = plan(events_url, fake_slack, "summary victmis")
        assert 'There is no theme "victmis" in PCP 2017-20. Did you mean Victims?' in reply["text"]

    def test_digest_preview_claims_nothing(self, events_url, fake_slack, engine: Engine):
        reply = plan(events_url, fake_slack, "digest")
        assert "PCP 2017-20: weekly digest" in reply["text"]
        with session_scope(engine) as session:
            assert [] == list(session.exec(select(JobRun)))

    def test_nonsense_shows_the_usage(self, events_url, fake_slack):
        reply = plan(events_url, fake_slack, "frobnicate")
        assert "Usage: /plan summary [THEME]" in reply["text"]


class TestQuestions:
    def test_mention_is_answered_in_its_thread(self, events_url, fake_slack):
        asked = "1529000123.000200"
        send_event(
            events_url,
            {
                "type": "app_mention",
                "user": OWNER.id,
                "text": f"<@{BOT_USER_ID}> how is Offenders doing?",
                "ts": asked,
                "channel": CHANNEL_ID,
                "event_ts": asked,
            },
        )

        answer = fake_slack.wait_for("chat.postMessage")[0].params
        assert CHANNEL_ID == answer["channel"]
        assert asked == answer["thread_ts"]
        assert "PCP 2017-20: summary of Offenders as of" in answer["text"]
        assert "Full detail: /plan summary Offenders in a direct message with me." in answer["text"]

    def test_direct_message_is_answered_in_the_conversation(self, events_url, fake_slack):
        asked = "1529000124.000300"
        send_event(
            events_url,
            {
                "type": "message",
                "channel_type": "im",
                "user": OWNER.id,
                "text": "what is overdue?",
                "ts": asked,
                "channel": "D0OLLIE001",
                "event_ts": asked,
            },
        )

        answer = fake_slack.wait_for("chat.postMessage")[0].params
        assert "D0OLLIE001" == answer["channel"]
        assert "overdue action(s) as of" in answer["text"]
        assert "Full detail" not in answer["text"]


class TestSubscriptions:
    def test_admin_subscribes_a_channel_and_it_is_audited(self, events_url, fake_slack, engine: Engine):
        reply = plan(events_url, fake_slack, "admin subscribe #pcp-coordination weekly", user_id=ADMIN.id)

        assert "#pcp-coordination will receive the weekly digest." == reply["text"]
        with session_scope(engine) as session:
            [subscription] = session.exec(select(ChannelSubscription))
            audit = list(session.exec(select(AuditEntry).where(AuditEntry.entity == "channel_subscription")))
        assert ("#pcp-coordination", "weekly", ADMIN.email) == (
            subscription.channel,
            subscription.job,
            subscription.created_by,
        )
        assert ["#pcp-coordination:weekly"] == [entry.entity_key for entry in audit]

    def test_someone_else_is_refused_and_told_who_can(self, events_url, fake_slack, engine: Engine):
        reply = plan(events_url, fake_slack, "admin subscribe #pcp-coordination weekly")

        assert reply["text"].startswith("Only admins can change which channels receive reports; ask emily.carter@")
        with session_scope(engine) as session:
            assert [] == list(session.exec(select(ChannelSubscription)))
