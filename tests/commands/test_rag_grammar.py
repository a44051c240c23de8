"""The /rag grammar: the forms people type, and how a wrong one is explained."""

from __future__ import annotations

import dataclasses

import pytest

from commands.errors import InvalidStatus, ParseError, UserError
from commands.rag_grammar import (
    HelpRequest,
    MineRequest,
    RagRequest,
    ShowRequest,
    UpdateRequest,
    parse_rag,
    usage,
)
from commands.rules import DEFAULT_SCHEME, Need, RagScheme

M = " --mitigation LCJB"
VALID = [
    ("V9 red Waiting on CJS review" + M, UpdateRequest("V9", "R", "Waiting on CJS review", mitigation="LCJB")),
    ("v9 R reason" + M, UpdateRequest("V9", "R", "reason", mitigation="LCJB")),
    ("V9 🔴 reason" + M, UpdateRequest("V9", "R", "reason", mitigation="LCJB")),
    ("V9 :red_circle: reason" + M, UpdateRequest("V9", "R", "reason", mitigation="LCJB")),
    ("V9 green", UpdateRequest("V9", "G", "")),
    ("V9: amber Slipped", UpdateRequest("V9", "A", "Slipped")),
    ("V9:amber Slipped", UpdateRequest("V9", "A", "Slipped")),
    ("“V9” ‘red’ Waiting" + M, UpdateRequest("V9", "R", "Waiting", mitigation="LCJB")),
    ('"v9" "green"', UpdateRequest("V9", "G", "")),
    (
        "\u00a0 V9\u00a0red\u00a0 Waiting   on\u202fCJS  " + M,
        UpdateRequest("V9", "R", "Waiting on CJS", mitigation="LCJB"),
    ),
    ("V9 red - Waiting on CJS" + M, UpdateRequest("V9", "R", "Waiting on CJS", mitigation="LCJB")),
    ("V9 red, Waiting on CJS" + M, UpdateRequest("V9", "R", "Waiting on CJS", mitigation="LCJB")),
    ("V9 amber Slipped --restricted", UpdateRequest("V9", "A", "Slipped", restricted=True)),
    ("V9 amber --restricted Slipped a month", UpdateRequest("V9", "A", "Slipped a month", restricted=True)),
    ("V9 amber Slipped —Restricted", UpdateRequest("V9", "A", "Slipped", restricted=True)),
    (
        "V9 red “Quoted” -- it's <fine> & kept" + M,
        UpdateRequest("V9", "R", "“Quoted” -- it's <fine> & kept", mitigation="LCJB"),
    ),
    ("T10 ✅", UpdateRequest("T10", "B", "")),
    (
        'V9 red Waiting --mitigation "Escalated to LCJB"',
        UpdateRequest("V9", "R", "Waiting", mitigation="Escalated to LCJB"),
    ),
    (
        "V9 red --mitigation “Escalated to LCJB” Waiting on CJS",
        UpdateRequest("V9", "R", "Waiting on CJS", mitigation="Escalated to LCJB"),
    ),
    (
        "V9 red Waiting —mitigation Escalated to LCJB —restricted",
        UpdateRequest("V9", "R", "Waiting", True, mitigation="Escalated to LCJB"),
    ),
    ("V9 amber Slipped --Mitigation 'Weekly checks'", UpdateRequest("V9", "A", "Slipped", mitigation="Weekly checks")),
    ('V2 blue --outcome "88% compliant" Audit done', UpdateRequest("V2", "B", "Audit done", outcome="88% compliant")),
    ("V2 done --outcome Hub live", UpdateRequest("V2", "B", "", outcome="Hub live")),
    ("V9", ShowRequest("V9")),
    (" ‘v9’: ", ShowRequest("V9")),
    ("mine", MineRequest()),
    ("MINE", MineRequest()),
    ("help", HelpRequest()),
    ("help me please", HelpRequest()),
]


@pytest.mark.parametrize(("text", "request_"), VALID)
def test_accepted_forms(text: str, request_: RagRequest) -> None:
    """Lower-case ids, colons, smart quotes, odd spaces and emoji all parse; the reason keeps its words."""
    assert request_ == parse_rag(text)


ERRORS = [
    ("", ParseError),
    ("   ", ParseError),
    ("🔴", ParseError),
    ("red V9 Waiting", ParseError),
    ("V-9 red x", ParseError),
    ("mine V9", ParseError),
    ("V9 --restricted", ParseError),
    ("V9 green --urgent", ParseError),
    ("V9 purple reason", InvalidStatus),
    ("V9 red", InvalidStatus),
    ("V9 amber --restricted", InvalidStatus),
    ("V9 red Waiting --mitigation", ParseError),
    ("V9 red Waiting --mitigation a --mitigation b", ParseError),
    ("V9 --outcome Done", ParseError),
]


@pytest.mark.parametrize(("text", "error"), ERRORS)
def test_refused_forms_show_the_usage(text: str, error: type[UserError]) -> None:
    """Malformed commands say what was wrong and always show the correct form."""
    with pytest.raises(error) as raised:
        parse_rag(text)
    assert usage() == raised.value.usage


def test_scheme_decides_which_words_are_colours() -> None:
    """A deployment without blue refuses "done" and lists only its own colours."""
    no_blue = RagScheme(statuses=tuple(s for s in DEFAULT_SCHEME.statuses if s.code != "B"))
    with pytest.raises(InvalidStatus) as raised:
        parse_rag("V9 done", no_blue)
    assert '"done" is not a status. Use red, amber or green (or r, a, g).' == raised.value.message


def test_scheme_decides_which_colours_need_a_reason() -> None:
    """Where amber needs no reason, a bare amber is an update."""
    relaxed = RagScheme(
        statuses=tuple(
            dataclasses.replace(s, reason_required=False) if s.code == "A" else s for s in DEFAULT_SCHEME.statuses
        )
    )
    assert UpdateRequest("V9", "A", "") == parse_rag("V9 amber", relaxed)


def test_scheme_decides_which_colours_take_a_mitigation_or_an_outcome() -> None:
    """A Dorset-style scheme may require an outcome for blue and no mitigation for red."""
    strict = RagScheme(
        statuses=tuple(
            dataclasses.replace(s, outcome=Need.REQUIRED)
            if s.code == "B"
            else dataclasses.replace(s, mitigation=Need.NONE)
            if s.code == "R"
            else s
            for s in DEFAULT_SCHEME.statuses
        )
    )
    blue, red = strict.status("B"), strict.status("R")
    assert strict.mitigation_problem(red, "") is None
    assert "Blue (complete) needs an outcome: say what was delivered and what difference it made." == (
        strict.outcome_problem(blue, " ")
    )
    assert "Red takes no mitigation; a mitigation goes with Amber." == strict.mitigation_problem(red, "LCJB")
    assert DEFAULT_SCHEME.outcome_problem(DEFAULT_SCHEME.status("B"), "") is None, "asked for, not required"
