"""Reports as Slack messages: a 300-action plan's reports stay within Slack's limits, split into a
headline and thread replies, and never let a typed reason ping a channel or forge a link."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, PlainTextObject, SectionBlock
from support.big_plan import HOSTILE, HOSTILE_ESCAPED, load_big_plan
from support.teams_cards import big_digest, big_quarterly, with_exceptions

from bot.slack.layout_mrkdwn import outline
from bot.slack.limits import check_message
from bot.slack.report_messages import Message, first_message, render_channel_report, render_report
from commands.channel_layout import CHANNEL_MESSAGES
from commands.periods import Quarter
from commands.report_builders import history, overdue_list, quarterly_summary, theme_summary, weekly_digest
from commands.report_layout import report_layout
from storage.repository import PlanRepository

FIRST_UPDATE = dt.datetime(2018, 12, 3, 10, 0)
DIGEST_AT = dt.datetime(2018, 12, 24, 9, 0)
AFTER_CUT_OFF = dt.datetime(2019, 1, 20, 10, 0)


@pytest.fixture
def big_reports(repo: PlanRepository) -> dict[str, list[Message]]:
    """The generated plan's reports as messages, built once per test."""
    load_big_plan(repo, FIRST_UPDATE)
    return reports(repo)


def everything(message: Message) -> str:
    """All a message carries, as Slack receives it: fallback text and block JSON."""
    return message.text + json.dumps([block.to_dict() for block in message.blocks], ensure_ascii=False)


def reports(repo: PlanRepository) -> dict[str, list[Message]]:
    return {
        "digest": render_report(weekly_digest(repo, DIGEST_AT, since=FIRST_UPDATE - dt.timedelta(days=1))),
        "quarterly summary": render_report(quarterly_summary(repo, Quarter(2018, 3), AFTER_CUT_OFF)),
        "summary": render_report(theme_summary(repo, AFTER_CUT_OFF)),
        "overdue": render_report(overdue_list(repo, AFTER_CUT_OFF)),
    }


def test_every_message_of_a_300_action_plan_is_within_slacks_limits(big_reports):
    """Digest and quarterly summary each become a headline plus replies, every one of them valid."""
    for name, messages in big_reports.items():
        assert len(messages) > 1, name
        for number, message in enumerate(messages):
            assert [] == check_message(message.blocks, message.text), f"{name} message {number}"
            assert message.text.strip()
    digest, quarterly = big_reports["digest"], big_reports["quarterly summary"]
    assert isinstance(digest[0].blocks[0], HeaderBlock)
    assert "GEN 2018-21: weekly digest, 2 Dec 2018 to 24 Dec 2018" == digest[0].blocks[0].text.text
    assert "GEN 2018-21: quarterly summary 2018/19 Q3" == quarterly[0].blocks[0].text.text


def test_headline_counts_colours_and_directions_per_theme(big_reports):
    headline = big_reports["quarterly summary"][0].text
    assert "*A Theme A &amp; &lt;Partners&gt;*: :red_circle: Red 10 (+10)" in headline
    assert "★ 30 New" in headline
    assert "*Whole plan*:" in headline
    digest_headline = big_reports["digest"][0].text
    assert "*Theme J*: 30 updated (" in digest_headline
    assert " re-profile request(s) awaiting approval" in digest_headline
    requests = [m.text for m in big_reports["digest"] if m.text.startswith("*Re-profile requests awaiting approval*")]
    assert requests and all("proposed" in text and "by Emily Carter · on" in text for text in requests)


def test_every_theme_has_its_own_thread_replies(big_reports):
    replies = big_reports["quarterly summary"][1:]
    opening = [m.text.split("\n", 1)[0] for m in replies]
    for code in "ABCDEFGHIJ":
        assert f"*{code} Theme {code} &amp; &lt;Partners&gt; (SRO: Deputy Chief Constable)*" in opening


def test_hostile_reasons_are_escaped_in_every_message(big_reports):
    """Reasons typed with <!channel>, <!here>, a forged link or an entity reach Slack only escaped."""
    seen = set()
    for name, messages in big_reports.items():
        for message in messages:
            text = everything(message)
            for raw in HOSTILE[:3]:
                assert raw not in text, name
            assert "&amp;D" in text or "R&D" not in text
            seen.update(escaped for escaped in HOSTILE_ESCAPED if escaped in text)
    assert set(HOSTILE_ESCAPED) == seen


def test_a_small_report_is_one_message(repo, plan):
    [message] = render_report(theme_summary(repo, AFTER_CUT_OFF, "victims"))
    assert [] == check_message(message.blocks, message.text)
    assert "PCP 2017-20: summary of Victims as of 20 Jan 2019" in message.text
    assert ":white_circle: Not yet reported" in message.text


def test_first_message_holds_what_fits_and_says_the_rest_did_not(big_reports):
    message = first_message(big_reports["quarterly summary"])
    assert [] == check_message(message.blocks, message.text)
    assert isinstance(message.blocks[-1], ContextBlock)
    assert "did not fit in one message" in message.text


@pytest.mark.parametrize(
    ("blocks", "text", "problem"),
    [
        ([], "", "message without fallback text"),
        ([], "x" * 40_001, "fallback text of 40,001 characters"),
        ([SectionBlock(text="x")] * 51, "t", "51 blocks (limit 50)"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "t", "section text of 3,001"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "t", "header text of 151"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}], "t", "context with 11 elements"),
        ([ContextBlock(elements=[MarkdownTextObject(text="x")] * 11)], "t", "cannot exceed 10 elements"),
        ("not json", "t", "blocks are not JSON"),
    ],
)
def test_check_message_names_each_broken_limit(blocks, text, problem):
    assert any(problem in found for found in check_message(blocks, text))


def test_check_message_accepts_a_valid_message():
    header = HeaderBlock(text=PlainTextObject(text="Weekly digest"))
    assert [] == check_message([header, SectionBlock(text="ok")], "Weekly digest")


@pytest.mark.parametrize("actions", [300, 3000, 10_000])
@pytest.mark.parametrize("kind", ["digest", "quarterly summary"])
def test_a_report_posted_to_a_channel_takes_at_most_five_messages_at_any_size(kind, actions):
    """The scheduled digest and quarterly summary as a channel gets them: the core's summary, each message
    within Slack's limits, with the whole report's headline lines (the same counts) and the way to the rest."""
    content = big_digest(actions) if kind == "digest" else with_exceptions(big_quarterly(actions))

    messages = render_channel_report(content)

    assert 1 <= len(messages) <= CHANNEL_MESSAGES
    for message in messages:
        assert [] == check_message(message.blocks, message.text)
    whole = outline(report_layout(content))
    assert all(line in messages[0].text for line in whole.headline)
    assert "Full detail: /plan " in messages[0].text
    assert "more " in "\n".join(message.text for message in messages)


def test_a_300_action_plans_channel_reports_keep_the_headline(repo):
    load_big_plan(repo, FIRST_UPDATE)
    digest = weekly_digest(repo, DIGEST_AT, since=FIRST_UPDATE - dt.timedelta(days=1))
    quarterly = quarterly_summary(repo, Quarter(2018, 3), AFTER_CUT_OFF)
    for content in (digest, quarterly, theme_summary(repo, AFTER_CUT_OFF), overdue_list(repo, AFTER_CUT_OFF)):
        messages = render_channel_report(content)
        assert len(messages) <= CHANNEL_MESSAGES < len(render_report(content))
        assert all([] == check_message(m.blocks, m.text) for m in messages)
        assert all(line in messages[0].text for line in outline(report_layout(content)).headline)


def test_an_actions_history_in_a_channel_is_shown_as_it_is(repo, plan):
    content = history(repo, "V9")
    assert render_report(content) == render_channel_report(content)
