"""Reminders in Teams: the card with "Still <colour>" (a Universal Action) and "Update…", and the click,
over signed HTTP against planbot's /api/messages with the fake Bot Connector.

"Still <colour>" records one re-confirmation per reminder, for whoever clicked if they may update the
action (the core's rules, as Slack's button); the answer replaces the card for the clicker and a stored
re-confirmation edits the message for everyone. A second click and a stranger's store nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session
from support.fake_teams import GUEST, OWNER, STRANGER, card_action, card_texts, personal_message
from support.teams_cards import schema_problems
from support.workspace import stored_updates

from bot.teams.cards import CARD_CONTENT_TYPE
from bot.teams.dialog import UPDATE_DIALOG
from bot.teams.reminder_cards import ACTION, REMINDER, STATUS, STILL_VERB, reminder_card
from commands.errors import APOLOGY
from commands.model import Reply
from commands.nudges import NUDGE, DirectMessage, nudges_and_escalations, quarter_close_reminders
from commands.periods import Quarter
from commands.ports import Recipient
from commands.rules import DEFAULT_SCHEME
from storage.repository import PlanRepository

KEY = "V9:2018-06-15"
MESSAGE_ID = "1000000000042"
"""The id Teams gave the reminder's message when planbot sent it (what an edit names)."""
STILL_AMBER = {REMINDER: KEY, ACTION: "V9", STATUS: "A"}


def nudge(status: str | None = "A") -> DirectMessage:
    return DirectMessage(NUDGE, Recipient(1, "ollie.kerr@example.org", "Ollie Kerr"), KEY, Reply("Due"), "V9", status)


class TestReminderCard:
    def test_a_one_action_reminder_has_still_as_a_universal_action_and_update(self) -> None:
        card = reminder_card(nudge())

        still, update = card["actions"]
        assert ("Action.Execute", "Still Amber", STILL_VERB) == (still["type"], still["title"], still["verb"])
        assert STILL_AMBER == still["data"], "the click names its reminder by itself"
        assert ("Update…", "V9") == (update["title"], update["data"][UPDATE_DIALOG])
        assert "task/fetch" == update["data"]["msteams"]["type"], "it opens the update dialog"
        assert [] == schema_problems(card)

    def test_the_cores_nudges_are_drawn_in_its_words(self, session: Session, plan) -> None:
        """Before any update the nudge has nothing to keep: only Update…; the quarter-close list, none."""
        repo = PlanRepository(session)
        now = dt.datetime(2018, 6, 15, 9, 0)
        [first, *_] = nudges_and_escalations(repo, "2018-06-15", now, DEFAULT_SCHEME)
        [quarter_close, *_] = quarter_close_reminders(repo, Quarter(2018, 1), DEFAULT_SCHEME, now)

        card = reminder_card(first)
        assert first.reply.text.split(" ")[0] in card_texts(card)
        assert ["Update…"] == [action["title"] for action in card["actions"]]
        listed = reminder_card(quarter_close)
        assert "actions" not in listed and "quarter-end" in card_texts(listed)
        assert [] == schema_problems(card) == schema_problems(listed)


def amber_v9(teams, connector) -> None:
    teams.post(personal_message(OWNER, "rag V9 amber Waiting on CJS review", connector.service_url))


def click(teams, connector, who=OWNER, verb=STILL_VERB, data=None):
    return teams.post(card_action(who, verb, data or STILL_AMBER, MESSAGE_ID, connector.service_url))


def edits(connector):
    return [call for call in connector.calls if call.method == "PUT"]


def answered_text(body) -> str:
    assert 200 == body["statusCode"]
    assert CARD_CONTENT_TYPE == body["type"], "the answer replaces the card for the person who clicked"
    assert [] == schema_problems(body["value"])
    return card_texts(body["value"])


@pytest.mark.parametrize(
    ("typed", "status", "word"),
    [
        ("rag V9 amber Waiting on CJS review", "A", "Amber"),
        ("rag V9 red Waiting on CJS review --mitigation Escalated to LCJB", "R", "Red"),
    ],
)
def test_still_colour_stores_one_update_replaces_the_card_and_edits_the_message(
    teams, container, connector, typed, status, word
) -> None:
    teams.post(personal_message(OWNER, typed, connector.service_url))

    answer, body = click(teams, connector, data={REMINDER: KEY, ACTION: "V9", STATUS: status})

    assert 200 == answer
    original, reconfirmed = stored_updates(container.engine)
    assert (status, "Waiting on CJS review", "teams") == (reconfirmed.status, reconfirmed.reason, reconfirmed.source)
    assert (original.author_id, original.mitigation) == (reconfirmed.author_id, reconfirmed.mitigation)
    shown = answered_text(body)
    assert "V9" in shown and word in shown
    [edit] = edits(connector)
    assert edit.path.endswith(f"/activities/{MESSAGE_ID}") and f"a:personal-{OWNER.user_id}" == edit.conversation
    assert body["value"] == edit.body["attachments"][0]["content"], "everyone sees what the clicker sees"


def test_a_second_click_stores_nothing_and_says_it_was_done(teams, container, connector) -> None:
    amber_v9(teams, connector)
    click(teams, connector)

    status, body = click(teams, connector)

    assert 200 == status
    assert 2 == len(stored_updates(container.engine))
    assert "Already recorded: V9 was re-confirmed on 15 Jun 2018 by Ollie Kerr" in answered_text(body)
    assert 1 == len(edits(connector)), "the message was edited once, by the first click"


@pytest.mark.parametrize(("who", "why"), [(STRANGER, "can't update v9"), (GUEST, "email")])
def test_someone_who_may_not_update_stores_nothing_and_is_told_why(teams, container, connector, who, why) -> None:
    """Judged by who clicked, not by whom the card was sent to; the owner's own click still works after."""
    amber_v9(teams, connector)

    status, body = click(teams, connector, who)

    assert 200 == status
    assert why in answered_text(body).lower()
    assert 1 == len(stored_updates(container.engine))
    assert [] == edits(connector)
    click(teams, connector)
    assert 2 == len(stored_updates(container.engine))


def test_a_reminder_overtaken_by_a_newer_colour_stores_nothing(teams, container, connector) -> None:
    amber_v9(teams, connector)
    teams.post(personal_message(OWNER, "rag V9 green Back on track", connector.service_url))

    _, body = click(teams, connector)

    assert "has changed since this reminder" in answered_text(body)
    assert 2 == len(stored_updates(container.engine))
    assert [] == edits(connector)


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        ("planbot.unknown", STILL_AMBER),
        (STILL_VERB, {REMINDER: KEY, ACTION: "V4", STATUS: "A"}),  # the action does not match the reminder
        (STILL_VERB, {REMINDER: KEY}),
    ],
)
def test_a_button_planbot_did_not_make_is_answered_cleanly(teams, container, connector, verb, data) -> None:
    amber_v9(teams, connector)

    status, body = click(teams, connector, verb=verb, data=data)

    assert 200 == status
    assert (200, "application/vnd.microsoft.activity.message") == (body["statusCode"], body["type"])
    assert "no longer knows that button" in body["value"]
    assert 1 == len(stored_updates(container.engine))
    assert [] == edits(connector)


def test_a_failure_during_the_click_is_apologised_for_as_a_message(teams, container, connector, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    amber_v9(teams, connector)
    monkeypatch.setattr("bot.teams.agent.reconfirm", broken)

    status, body = click(teams, connector)

    assert 200 == status
    assert (APOLOGY, "application/vnd.microsoft.activity.message") == (body["value"], body["type"])
    assert "hunter2" not in str(body)
    assert 1 == len(stored_updates(container.engine))
