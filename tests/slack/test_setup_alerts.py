"""A post Slack refuses because of set-up reaches the admins as a fix they can follow, once a day."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.errors import SlackApiError
from support.fake_slack import BOT_TOKEN, FakeSlack
from support.slash import CHANNEL_ID, send_slash
from support.workspace import ADMIN, OWNER

from bot.container import Container
from bot.slack.app import build_client
from bot.slack.notifier import SlackNotifier
from bot.slack.setup_alerts import instruction
from commands.model import Reply
from commands.report_builders import weekly_digest

COORDINATION = "C0PCPCOORD"
JO = ("jo.haynes@example.org", "U0JOHAYNES")


@pytest.fixture
def notifier(container: Container, settings, fake_slack: FakeSlack) -> SlackNotifier:
    fake_slack.emails.update({ADMIN.email: ADMIN.id, JO[0]: JO[1]})
    fake_slack.channels[COORDINATION] = {"name": "pcp-coordination", "is_member": False}
    return SlackNotifier(build_client(settings, BOT_TOKEN), container, min_interval=0)


def dms(fake_slack: FakeSlack) -> dict[str, str]:
    return {p["channel"]: p["text"] for p in fake_slack.posted if p["channel"].startswith("D")}


def test_digest_refused_with_not_in_channel_tells_every_admin_once_a_day(notifier, container, fake_slack, caplog):
    fake_slack.channel_failures[COORDINATION] = {"error": "not_in_channel"}
    with container.unit_of_work() as repo:
        digest = weekly_digest(repo, container.clock())

    with caplog.at_level(logging.WARNING), pytest.raises(SlackApiError):
        notifier.post_to_channel(COORDINATION, digest)

    fix = "Invite @planbot to #pcp-coordination: open the channel and type /invite @planbot."
    assert {f"D{ADMIN.id}", f"D{JO[1]}"} == set(dms(fake_slack))
    assert all(text == f"planbot needs a set-up fix. {fix}" for text in dms(fake_slack).values())
    assert fix in caplog.text and "not_in_channel" in caplog.text

    with pytest.raises(SlackApiError):
        notifier.post_to_channel(COORDINATION, digest)
    assert 2 == len(dms(fake_slack)), "the same failure on the same day is logged, not sent again"


def test_missing_scope_names_the_scope(notifier, fake_slack):
    fake_slack.channel_failures[COORDINATION] = {"error": "missing_scope", "needed": "chat:write.public"}
    with pytest.raises(SlackApiError):
        notifier.post_to_channel(COORDINATION, Reply(text="digest"))
    fix = "Add the chat:write.public scope in the app settings (OAuth &amp; Permissions"  # as Slack receives it
    assert fix in dms(fake_slack)[f"D{ADMIN.id}"]


def test_other_errors_are_not_set_up_problems():
    assert instruction("msg_too_long", "#x") is None
    assert "reinstall the app" in (instruction("invalid_auth", "#x") or "")


def test_rag_announcement_refused_tells_the_person_and_the_admins(events_url, fake_slack):
    fake_slack.emails.update({ADMIN.email: ADMIN.id, JO[0]: JO[1]})
    fake_slack.channel_failures[CHANNEL_ID] = {"error": "not_in_channel"}

    send_slash(
        events_url, "V9 amber Waiting on the CJS review", user_id=OWNER.id, response_url=fake_slack.response_url("r")
    )

    fake_slack.wait_for("chat.postMessage", 3)  # the refused announcement, then one DM per admin
    reply = fake_slack.wait_for("response", 2)[-1].params
    assert "Your update is saved, but I couldn't announce it" in reply["text"]
    assert f"Invite @planbot to channel {CHANNEL_ID}: open the channel" in dms(fake_slack)[f"D{ADMIN.id}"]
