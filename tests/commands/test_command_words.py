"""The core names its commands as the reader types them: ``/rag V9 …`` where the platform has slash
commands (Slack, the console), ``rag V9 …`` in Teams; the same answer otherwise."""

from __future__ import annotations

import pytest
from support.rag_support import ADMIN_EMAILS, NOW, V9_OWNER, actor_for

from commands.channel_layout import channel_layout
from commands.command_words import BARE, DEFAULT, SLASH, CommandWords, command_words, speaking
from commands.home import more_text
from commands.layout import Note, more_in_thread
from commands.model import Invocation, Reply
from commands.nudges import NUDGE, nudges_and_escalations
from commands.plan_dispatch import handle_plan
from commands.rag import handle_rag
from commands.report_builders import weekly_digest
from commands.rules import DEFAULT_SCHEME
from storage.models import Plan
from storage.repository import PlanRepository

BOTH = pytest.mark.parametrize("words", [SLASH, BARE], ids=["slash", "bare"])
NUDGE_PASS = NOW.replace(day=26)  # Monday 26 November 2018, 10:00: the sample plan has updates due


def rag(repo: PlanRepository, text: str, words: CommandWords, email: str = V9_OWNER["email"]) -> Reply:
    with speaking(words):
        return handle_rag(Invocation(actor=actor_for(repo, email), text=text), repo, NOW)


def plan_text(repo: PlanRepository, text: str, words: CommandWords) -> str:
    with speaking(words):
        answer = handle_plan(Invocation(actor=actor_for(repo, ADMIN_EMAILS[0]), text=text), repo, NOW)
    assert isinstance(answer, Reply)
    return answer.text


@BOTH
def test_help_shows_the_commands_as_typed_there(repo: PlanRepository, plan: Plan, words: CommandWords) -> None:
    reply = rag(repo, "help", words)

    assert f"Using {words.rag}" == reply.sections[0].title
    assert f"\n{words.rag} V9 red Waiting on CJS review" in f"\n{reply.text}"
    assert f"{words.rag} mine · your actions" in reply.text


@BOTH
def test_a_refused_update_suggests_the_command_as_typed_there(
    repo: PlanRepository, plan: Plan, words: CommandWords
) -> None:
    reply = rag(repo, "red V9 Waiting on CJS review", words)

    assert not reply.ok
    assert reply.text.startswith(f"Put the action id first: {words.rag} V9 red Waiting on CJS review\n")
    assert f"Usage: {words.rag} ACTION STATUS" in reply.text


@BOTH
def test_the_plan_usage_names_plan_as_typed_there(repo: PlanRepository, plan: Plan, words: CommandWords) -> None:
    text = plan_text(repo, "help", words)

    assert text.startswith(f"Usage: {words.plan} summary [THEME] · {words.plan} overdue")
    assert f'Admins: {words.plan} admin assign "ROLE" @person' in text


@BOTH
def test_the_digest_points_to_its_full_detail_as_typed_there(
    repo: PlanRepository, plan: Plan, words: CommandWords
) -> None:
    digest = weekly_digest(repo, NOW)
    with speaking(words):
        notes = [item.text for item in channel_layout(digest).headline if isinstance(item, Note)]

    assert f"Full detail: {words.plan} digest in a direct message with me (the digest as it stands then), " in notes[0]


@BOTH
def test_a_nudge_asks_for_the_update_in_the_readers_words(
    repo: PlanRepository, plan: Plan, words: CommandWords
) -> None:
    nudges = [
        m
        for m in nudges_and_escalations(
            repo, NUDGE_PASS.date().isoformat(), NUDGE_PASS, DEFAULT_SCHEME, lambda _person: words
        )
        if m.job == NUDGE
    ]

    assert nudges, "the sample plan has updates due on 26 November 2018"
    for message in nudges:
        assert f"Please post an update: {words.rag} {message.action_code} red|amber|green|blue <reason>." in (
            message.reply.text
        )


def test_each_person_is_nudged_in_the_words_of_the_platform_that_reaches_them(repo: PlanRepository, plan: Plan) -> None:
    """A nudge pass reaches some people on Slack and some on Teams: each text is theirs."""
    key, now = NUDGE_PASS.date().isoformat(), NUDGE_PASS
    everyone = [m for m in nudges_and_escalations(repo, key, now, DEFAULT_SCHEME) if m.job == NUDGE]
    on_teams = {everyone[0].recipient.person_id}

    mixed = nudges_and_escalations(repo, key, now, DEFAULT_SCHEME, lambda person: BARE if person in on_teams else SLASH)

    for message in (m for m in mixed if m.job == NUDGE):
        words = BARE if message.recipient.person_id in on_teams else SLASH
        assert f"Please post an update: {words.rag} {message.action_code} " in message.reply.text


@BOTH
def test_the_notes_under_a_cut_answer_name_the_command_as_typed_there(words: CommandWords) -> None:
    with speaking(words):
        assert f"({words.plan} summary THEME)" in more_in_thread()
        assert more_text(4).endswith(f"; {words.rag} mine lists them all.")


TYPED_RAG = [
    "",
    "help",
    "mine",
    "mine V9",
    "back now",
    "away",
    "V9",
    "V99 red Waiting",
    "red V9 Waiting",
    "red Waiting",
    "V9 purple Waiting",
    "V9 --restricted",
    "V9 red Waiting --urgent",
    "away until 2000-01-01",
]
TYPED_PLAN = [
    "help",
    "what is the weather",
    "admin",
    "admin frobnicate",
    "admin assign",
    "admin assign nobody@example.org",
    "admin close V9",
    "admin cadence V9 hourly",
    "admin subscribe #general hourly",
    "admin away not-an-email until 2027-01-04",
    "report theme",
    "report Q3 docx xlsx",
]


@pytest.mark.parametrize("typed", TYPED_RAG)
def test_no_rag_answer_in_teams_names_a_slash_command(repo: PlanRepository, plan: Plan, typed: str) -> None:
    """Whatever is typed, a Teams answer never tells anyone to type ``/rag`` or ``/plan``."""
    text = rag(repo, typed, BARE).text

    assert "/rag" not in text and "/plan" not in text


@pytest.mark.parametrize("typed", TYPED_PLAN)
def test_no_plan_refusal_in_teams_names_a_slash_command(repo: PlanRepository, plan: Plan, typed: str) -> None:
    text = plan_text(repo, typed, BARE)

    assert "/rag" not in text and "/plan" not in text


def test_outside_any_platform_the_words_are_the_slash_form_every_platform_accepts() -> None:
    assert SLASH == DEFAULT == command_words()


def test_the_words_are_the_platforms_only_while_it_speaks_even_when_its_work_fails() -> None:
    with pytest.raises(RuntimeError), speaking(BARE):
        assert BARE == command_words()
        with speaking(SLASH):
            assert SLASH == command_words()
        assert BARE == command_words()
        raise RuntimeError("the platform's work failed")
    assert DEFAULT == command_words()
