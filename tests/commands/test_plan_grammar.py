"""``/plan`` words and plain questions to the bot, read into requests (no database needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from commands.errors import ParseError
from commands.plan_grammar import (
    AdminReprofileRequest,
    AssignRequest,
    CadenceRequest,
    CloseRequest,
    DelegateRequest,
    DigestRequest,
    HelpRequest,
    HistoryRequest,
    ListSubscriptionsRequest,
    OverdueRequest,
    QuarterRequest,
    SubscribeRequest,
    SummaryRequest,
    UndelegateRequest,
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
        ("admin subscribe weekly", SubscribeRequest("", "weekly")),  # the channel it is typed in (Teams)
        ("admin unsubscribe quarterly", UnsubscribeRequest("", "quarterly")),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "admin assign \u201cHead of Criminal Justice\u201d <@U999|jo>",
            AssignRequest("Head of Criminal Justice", "<@U999|jo>"),
        ),
        (
            'admin assign "Victims\' Lead (OPCC)" kate@example.org',
            AssignRequest("Victims' Lead (OPCC)", "kate@example.org"),
        ),
        ("admin assign Head of Custody ruth@example.org", AssignRequest("Head of Custody", "ruth@example.org")),
        ("admin delegate v9 <@U1>", DelegateRequest("V9", "<@U1>")),
        ("admin undelegate V9 sam@example.org", UndelegateRequest("V9", "sam@example.org")),
        (
            'admin reprofile V9 2019-03-31 "BCB 13/09/2018"',
            AdminReprofileRequest("V9", dt.date(2019, 3, 31), "BCB 13/09/2018"),
        ),
        ("admin close V9 Panel 1 Feb 2019", CloseRequest("V9", "Panel 1 Feb 2019")),
        ("admin cadence V9 Fortnightly", CadenceRequest("V9", "fortnightly")),
    ],
)
def test_admin_commands(text, expected):
    assert expected == parse_plan(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("admin reprofile V9 31/03/2019 BCB", '"31/03/2019" is not a date'),
        ('admin close V9 ""', "Say who approved it"),
        ("admin cadence V9 daily", '"daily" is not an update cadence'),
        ("admin delegate V9", "is not an admin command I know"),
        (f"admin close V9 {'x' * 301}", "keep it to 300"),
    ],
)
def test_malformed_admin_commands_show_the_admin_forms(text, expected):
    with pytest.raises(ParseError) as refused:
        parse_plan(text)
    assert expected in refused.value.message
    assert '/plan admin assign "ROLE" @person' in refused.value.reply_text()
