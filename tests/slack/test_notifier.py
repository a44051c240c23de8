"""Scheduled posts through ``SlackNotifier`` to the fake Slack Web API: threads, limits, pacing, 429s, DMs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from support.big_plan import HOSTILE, HOSTILE_ESCAPED, load_big_plan
from support.fake_slack import BOT_TOKEN, FakeSlack
from support.workspace import TickingClock

from bot.config import Settings
from bot.container import Container
from bot.slack.app import build_client
from bot.slack.limits import check_message
from bot.slack.notifier import SlackNotifier
from commands.model import Reply
from commands.periods import Quarter
from commands.ports import Recipient
from commands.report_builders import quarterly_summary, weekly_digest
from storage.repository import PlanRepository

CHANNEL = "C0DIGEST01"
FIRST_UPDATE = dt.datetime(2018, 12, 3, 10, 0)


class FakeTime:
    """A monotonic clock that only moves when the notifier sleeps, so pacing costs no real time."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def big_container(settings: Settings, engine: Engine, repo: PlanRepository, session: Session):
    """A container on the generated 300-action plan."""
    load_big_plan(repo, FIRST_UPDATE)
    session.commit()
    return Container(settings, engine, TickingClock())


@pytest.fixture
def notifier(big_container: Container, settings: Settings, fake_time: FakeTime) -> SlackNotifier:
    """The notifier as the scheduler gets it: the app's client (with its retry handlers), paced."""
    client = build_client(settings, BOT_TOKEN)
    return SlackNotifier(client, big_container, clock=fake_time.clock, sleep=fake_time.sleep)


def posts(fake_slack: FakeSlack) -> list[dict]:
    return [call.params for call in fake_slack.calls_to("chat.postMessage")]


def big_report(container: Container, report: str) -> object:
    with container.unit_of_work() as repo:
        return (
            weekly_digest(repo, dt.datetime(2018, 12, 24, 9), since=FIRST_UPDATE - dt.timedelta(days=1))
            if report == "digest"
            else quarterly_summary(repo, Quarter(2018, 3), dt.datetime(2019, 1, 20, 10))
        )


@pytest.mark.parametrize("report", ["digest", "quarterly summary"])
def test_big_report_in_a_channel_is_its_summary_in_at_most_five_messages(report, notifier, big_container, fake_slack):
    ts = notifier.post_to_channel(CHANNEL, big_report(big_container, report))

    headline, *replies = posts(fake_slack)
    assert len(replies) <= 4
    assert "Full detail: /plan " in headline["text"]
    assert {ts} >= {reply["thread_ts"] for reply in replies}
    for message in (headline, *replies):
        assert [] == check_message(message["blocks"], message["text"])
        assert not any(raw in message["text"] + json.dumps(message["blocks"]) for raw in HOSTILE[:3])


@pytest.mark.parametrize("report", ["digest", "quarterly summary"])
def test_big_report_sent_whole_is_a_headline_with_valid_replies_in_its_thread(
    report, notifier, big_container, fake_slack
):
    """A direct message with planbot carries the whole report, however many messages it takes."""
    ts = notifier.post_report(CHANNEL, big_report(big_container, report), whole=True)

    headline, *replies = posts(fake_slack)
    assert len(replies) > 5
    assert "thread_ts" not in headline or headline["thread_ts"] is None
    assert {ts} == {reply["thread_ts"] for reply in replies}
    assert {CHANNEL} == {message["channel"] for message in (headline, *replies)}
    seen = set()
    for message in (headline, *replies):
        assert [] == check_message(message["blocks"], message["text"])
        text = message["text"] + json.dumps(message["blocks"])
        assert not any(raw in text for raw in HOSTILE[:3])
        seen.update(escaped for escaped in HOSTILE_ESCAPED if escaped in text)
    assert set(HOSTILE_ESCAPED) == seen


def test_posts_to_one_channel_are_a_second_apart(notifier, fake_slack, fake_time):
    notifier.post_to_channel(CHANNEL, Reply(text="first"))
    notifier.post_to_channel(CHANNEL, Reply(text="second"))
    notifier.post_to_channel("C0OTHER001", Reply(text="elsewhere, straight away"))

    assert ["first", "second", "elsewhere, straight away"] == [p["text"] for p in posts(fake_slack)]
    assert [1.0] == fake_time.sleeps


def test_pacing_with_the_real_clock(big_container, settings, fake_slack):
    """Without an injected clock, the second post to a channel leaves at least a second after the first."""
    notifier = SlackNotifier(build_client(settings, BOT_TOKEN), big_container)
    notifier.post_to_channel(CHANNEL, Reply(text="one"))
    notifier.post_to_channel(CHANNEL, Reply(text="two"))

    first, second = fake_slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 0.99


def test_rate_limited_post_is_retried_after_retry_after_and_posted_once(notifier, fake_slack):
    fake_slack.rate_limited_posts = 1

    ts = notifier.post_to_channel(CHANNEL, Reply(text="Weekly digest"))

    refused, accepted = fake_slack.calls_to("chat.postMessage")
    assert accepted.at - refused.at >= 1.0
    assert "1529000000.000001" == ts
    assert 1 == len(fake_slack.posted)


def test_direct_message_opens_the_conversation_by_email(notifier, fake_slack, big_container):
    recipient = Recipient(person_id=1, email="owner.a1@example.org", name="Owner A1")
    fake_slack.emails["owner.a1@example.org"] = "U0OWNERA01"

    notifier.send_direct(recipient, Reply(text="V9's update is due on 3 Dec 2018"))

    assert "owner.a1@example.org" == fake_slack.calls_to("users.lookupByEmail")[0].params["email"]
    assert "U0OWNERA01" == fake_slack.calls_to("conversations.open")[0].params["users"]
    [post] = posts(fake_slack)
    assert "DU0OWNERA01" == post["channel"]
    assert "V9's update is due on 3 Dec 2018" == post["text"]
