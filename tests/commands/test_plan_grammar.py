"""``/plan`` words and plain questions to the bot, read into requests (no database needed)."""

from __future__ import annotations

import pytest

from commands.errors import ParseError
from commands.plan_grammar import (
    DigestRequest,
    HelpRequest,
    HistoryRequest,
    ListSubscriptionsRequest,
    OverdueRequest,
    QuarterRequest,
    SubscribeRequest,
    SummaryRequest,
    UnsubscribeRequest,
    parse_plan,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("summary", SummaryRequest()),
        ("summary victims", SummaryRequest("victims")),
        ("Summary  Criminal   Justice", SummaryRequest("Criminal Justice")),
        ("overdue", OverdueRequest()),
        ("digest", DigestRequest()),
        ("quarter", QuarterRequest("")),
        ("quarter 2018/19 Q3", QuarterRequest("2018/19 Q3")),
        ("quarter Q3 2018-19", QuarterRequest("Q3 2018-19")),
        ("quarter last quarter", QuarterRequest("last quarter")),
        ("history V9", HistoryRequest("V9")),
        ("help", HelpRequest()),
        ("", HelpRequest()),
        ("admin subscribe #pcp-coordination weekly", SubscribeRequest("#pcp-coordination", "weekly")),
        ("admin unsubscribe <#C123|pcp> nudges", UnsubscribeRequest("<#C123|pcp>", "nudges")),
        ("admin subscriptions", ListSubscriptionsRequest()),
    ],
)
def test_plan_commands(text, expected):
    assert expected == parse_plan(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("summary victims", SummaryRequest("victims")),
        ("how is Offenders doing?", SummaryRequest("Offenders")),
        ("How are Communities getting on?", SummaryRequest("Communities")),
        ("how is the plan doing?", SummaryRequest()),
        ("how are we doing", SummaryRequest()),
        ("what is overdue", OverdueRequest()),
        ("What's overdue?", OverdueRequest()),
        ("which actions are overdue?", OverdueRequest()),
        ("history of V9", HistoryRequest("V9")),
        ("show the history of v9", HistoryRequest("V9")),
        ("quarter Q3 2018-19", QuarterRequest("Q3 2018-19")),
        ("<@UPLANBOT> how is Victims doing?", SummaryRequest("Victims")),
        ("<@UPLANBOT|planbot>, please summary offenders", SummaryRequest("offenders")),
        ("hi, what is overdue? thanks", OverdueRequest()),
    ],
)
def test_plain_questions(text, expected):
    assert expected == parse_plan(text)


@pytest.mark.parametrize("text", ["frobnicate", "what is the weather", "admin", "admin subscribe #pcp", "admin rename"])
def test_unknown_words_are_refused_with_the_usage(text):
    with pytest.raises(ParseError) as refused:
        parse_plan(text)
    assert "Usage: /plan summary [THEME]" in refused.value.reply_text()
