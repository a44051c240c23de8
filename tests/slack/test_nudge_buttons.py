"""The buttons on a reminder, clicked over signed HTTP: "Still <colour>" acts once, only for someone
who may update the action, and "Update…" opens the modal for that action."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from support.fake_slack import FakeSlack
from support.interaction import click
from support.workspace import OWNER, STRANGER, stored_updates
from test_http import all_text, rag

from bot.slack.limits import check_message
from bot.slack.report_messages import STILL_ACTION, UPDATE_ACTION, render_report
from commands.model import Reply
from commands.nudges import NUDGE, DirectMessage
from commands.ports import Recipient

REMINDER = "V9:2018-06-15"
DM = {"channel": f"D{OWNER.id}", "text": "The monthly update on V9 is due."}


def amber_v9(events_url: str, fake_slack: FakeSlack) -> None:
    rag(events_url, fake_slack, "V9 amber Waiting on CJS review")
    fake_slack.wait_for("chat.postMessage")


def answers(fake_slack: FakeSlack, count: int) -> list[str]:
    """The ephemeral answers to clicks (after the one to the typed /rag), as text."""
    return [all_text(call.params) for call in fake_slack.wait_for("response", count + 1)[1:]]


def still_amber(events_url: str, fake_slack: FakeSlack, user=OWNER) -> None:
    click(events_url, fake_slack, user, STILL_ACTION, f"{REMINDER}|A", message=DM)


class TestRendering:
    def test_a_one_action_reminder_carries_both_buttons(self):
        message = DirectMessage(NUDGE, Recipient(1, "o@example.org", "Ollie"), REMINDER, Reply("Due"), "V9", "A")
        [rendered] = render_report(message)
        blocks = [block.to_dict() for block in rendered.blocks]
        buttons = blocks[-1]["elements"]
        assert ["Still Amber", "Update…"] == [b["text"]["text"] for b in buttons]
        assert [f"{REMINDER}|A", "V9"] == [b["value"] for b in buttons]
        assert [] == check_message(blocks, rendered.text)

    def test_no_still_button_before_the_first_update(self):
        message = DirectMessage(NUDGE, Recipient(1, "o@example.org", "Ollie"), REMINDER, Reply("Due"), "V9", None)
        [rendered] = render_report(message)
        assert ["Update…"] == [b.text.text for b in rendered.blocks[-1].elements]


class TestStill:
    def test_double_click_records_one_update_and_the_second_says_when_and_by_whom(
        self, events_url, fake_slack, engine: Engine
    ):
        amber_v9(events_url, fake_slack)
        still_amber(events_url, fake_slack)
        first = answers(fake_slack, 1)[0]
        still_amber(events_url, fake_slack)
        second = answers(fake_slack, 2)[1]

        original, reconfirmed = stored_updates(engine)
        assert ("A", "Waiting on CJS review") == (reconfirmed.status, reconfirmed.reason)
        assert reconfirmed.author_id == original.author_id
        assert "V9 updated" in first
        assert "Already recorded: V9 was re-confirmed on 15 Jun 2018 by Ollie Kerr" in second

    def test_a_stranger_is_refused_with_who_can_act_and_the_owner_can_still_click(
        self, events_url, fake_slack, engine: Engine
    ):
        amber_v9(events_url, fake_slack)
        still_amber(events_url, fake_slack, STRANGER)
        refusal = answers(fake_slack, 1)[0]
        assert 1 == len(stored_updates(engine))

        still_amber(events_url, fake_slack)
        answers(fake_slack, 2)
        assert "You can't update V9" in refusal
        assert "Ollie Kerr" in refusal
        assert 2 == len(stored_updates(engine))

    def test_a_reminder_overtaken_by_a_new_status_does_not_bring_the_old_one_back(
        self, events_url, fake_slack, engine: Engine
    ):
        amber_v9(events_url, fake_slack)
        click(events_url, fake_slack, OWNER, STILL_ACTION, f"{REMINDER}|G", message=DM)

        assert "V9 has changed since this reminder (it is now Amber)" in answers(fake_slack, 1)[0]
        assert 1 == len(stored_updates(engine))


class TestUpdateButton:
    def test_the_owner_gets_the_modal_for_that_action(self, events_url, fake_slack):
        click(events_url, fake_slack, OWNER, UPDATE_ACTION, "V9", message=DM)

        [opened] = fake_slack.wait_for("views.open")
        action = next(b for b in opened.params["view"]["blocks"] if b.get("block_id") == "action")
        assert "V9" == action["element"]["initial_option"]["value"]

    def test_a_stranger_is_told_who_can_update_instead(self, events_url, fake_slack):
        click(events_url, fake_slack, STRANGER, UPDATE_ACTION, "V9", message=DM)

        [opened] = fake_slack.wait_for("views.open")
        assert "You can't update V9" in json.dumps(opened.params["view"])
        assert "rag_update" != opened.params["view"].get("callback_id")


def test_two_clicks_at_the_same_moment_store_one_update(events_url, fake_slack, engine: Engine):
    """A double click sends both payloads before either is answered; the reminder's claim lets one through."""
    amber_v9(events_url, fake_slack)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: still_amber(events_url, fake_slack), range(2)))

    texts = answers(fake_slack, 2)
    assert 2 == len(stored_updates(engine))
    assert 1 == sum("Already recorded" in text for text in texts)
