"""The fake Slack server rejects what Slack rejects, so the other tests' clean runs mean something."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from support.fake_slack import BOT_TOKEN, FakeSlack


def test_message_slack_would_refuse_is_refused_and_recorded(fake_slack: FakeSlack) -> None:
    """A post without fallback text and with 51 blocks fails as in Slack, and the test run is told."""
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51

    with pytest.raises(SlackApiError) as refused, pytest.warns(UserWarning, match="top-level `text`"):
        client.chat_postMessage(channel="C0PLAN0001", text="", blocks=blocks)

    assert "invalid_blocks" == refused.value.response["error"]
    assert ["chat.postMessage: message without fallback text", "chat.postMessage: 51 blocks (limit 50)"] == (
        fake_slack.violations
    )
    fake_slack.violations.clear()  # seen: the fixture's own check would fail the test otherwise


def test_wrong_token_is_refused(fake_slack: FakeSlack) -> None:
    """Calls with anything but the bot token fail with invalid_auth, as they would in Slack."""
    client = WebClient(token="xoxb-someone-else", base_url=fake_slack.api_url)

    with pytest.raises(SlackApiError) as refused:
        client.auth_test()

    assert "invalid_auth" == refused.value.response["error"]
    fake_slack.violations.clear()
