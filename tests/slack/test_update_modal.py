"""The update modal over signed HTTP: /rag alone opens it, errors come back beside the fields in the
view_submission's own response, and a valid submission is stored through the same path as /rag."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine
from support.fake_slack import FakeSlack
from support.interaction import form_values, submit_view, suggest
from support.workspace import ADMIN, OWNER, STRANGER, stored_updates
from test_http import rag

from bot.slack.limits import check_view
from bot.slack.update_modal import update_modal
from commands.update_form import ActionChoice


def open_modal(events_url: str, fake_slack: FakeSlack, user_id: str = OWNER.id) -> dict:
    """Type /rag with nothing after it; the view planbot opened."""
    rag(events_url, fake_slack, "", user_id=user_id)
    [opened] = fake_slack.wait_for("views.open")
    return opened.params["view"]


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


class TestOpening:
    def test_modal_lists_the_owners_actions_colours_with_definitions_and_options(self, events_url, fake_slack):
        view = open_modal(events_url, fake_slack)

        assert [] == check_view(view)
        actions = block(view, "action")["element"]
        assert "static_select" == actions["type"]
        assert "V9" in [o["value"] for o in actions["options"]]
        colours = block(view, "colour")["element"]
        assert ["R", "A", "G", "B"] == [o["value"] for o in colours["options"]]
        assert "The due date or outcome will be missed" in json.dumps(view)
        assert "datepicker" == block(view, "proposed_due")["element"]["type"]
        mitigation, outcome = block(view, "mitigation"), block(view, "outcome")
        assert "plain_text_input" == mitigation["element"]["type"] == outcome["element"]["type"]
        assert mitigation["hint"]["text"].startswith("Required for Red; asked for Amber")
        assert outcome["hint"]["text"].startswith("Asked for Blue (complete)")
        assert ["corrects", "restricted"] == [o["value"] for o in block(view, "options")["element"]["options"]]

    def test_over_a_hundred_actions_use_an_external_select(self):
        choices = [ActionChoice(f"A{n}", f"Action {n} " * 20) for n in range(150)]
        view = update_modal(choices)
        assert "external_select" == block(view, "action")["element"]["type"]
        assert [] == check_view(view)

    def test_typing_in_the_external_select_searches_the_actions(self, events_url, fake_slack):
        answer = suggest(events_url, ADMIN, "v9")
        assert ["V9"] == [o["value"] for o in json.loads(answer.body)["options"]]


class TestSubmitting:
    def test_red_without_a_reason_is_refused_beside_the_reason_and_nothing_stored(
        self, events_url, fake_slack, engine: Engine
    ):
        view = open_modal(events_url, fake_slack)
        answer = submit_view(events_url, OWNER, view, form_values("V9", "R"))

        body = json.loads(answer.body)
        assert "errors" == body["response_action"]
        assert ["reason", "mitigation"] == list(body["errors"])
        assert "Red needs a reason" in body["errors"]["reason"]
        assert "Red needs a mitigation as well as a reason" in body["errors"]["mitigation"]
        assert [] == stored_updates(engine)

    def test_red_without_a_mitigation_is_refused_beside_the_mitigation(self, events_url, fake_slack, engine: Engine):
        view = open_modal(events_url, fake_slack)
        answer = submit_view(events_url, OWNER, view, form_values("V9", "R", "Waiting on CJS review"))

        body = json.loads(answer.body)
        assert {"mitigation": body["errors"]["mitigation"]} == body["errors"]
        assert [] == stored_updates(engine)

    def test_green_with_a_mitigation_is_refused(self, events_url, fake_slack, engine: Engine):
        view = open_modal(events_url, fake_slack)
        answer = submit_view(events_url, OWNER, view, form_values("V9", "G", mitigation="Nothing to do"))

        assert "Green takes no mitigation" in json.loads(answer.body)["errors"]["mitigation"]
        assert [] == stored_updates(engine)

    def test_several_mistakes_are_shown_at_once(self, events_url, fake_slack, engine: Engine):
        view = open_modal(events_url, fake_slack)
        answer = submit_view(events_url, OWNER, view, form_values(None, "A", proposed="2018-09-30"))

        errors = json.loads(answer.body)["errors"]
        assert {"action", "reason", "proposed_due"} == set(errors)
        assert "only with a Red status" in errors["proposed_due"]
        assert [] == stored_updates(engine)

    def test_a_valid_update_is_stored_with_its_proposed_date_and_restriction(
        self, events_url, fake_slack, engine: Engine
    ):
        view = open_modal(events_url, fake_slack)
        values = form_values(
            "V9", "R", "Waiting on CJS review", "2018-12-31", ("restricted",), mitigation="Escalated to LCJB"
        )
        answer = submit_view(events_url, OWNER, view, values)

        body = json.loads(answer.body)
        assert "update" == body["response_action"]
        assert "V9 updated" in json.dumps(body["view"])
        assert "Mitigation: Escalated to LCJB" in json.dumps(body["view"])
        [update] = stored_updates(engine)
        assert ("R", "Waiting on CJS review", True) == (update.status, update.reason, update.restricted)
        assert "Escalated to LCJB" == update.mitigation
        assert "2018-12-31" == update.proposed_due.isoformat()
        assert update.source_ref.startswith("slack:view:")

    def test_a_correction_points_at_the_update_it_corrects(self, events_url, fake_slack, engine: Engine):
        rag(events_url, fake_slack, "V9 amber Typo in the reasno")
        fake_slack.wait_for("chat.postMessage")
        view = open_modal(events_url, fake_slack)
        submit_view(events_url, OWNER, view, form_values("V9", "A", "Typo in the reason", options=("corrects",)))

        first, correction = stored_updates(engine)
        assert first.id == correction.corrects_id

    def test_correcting_when_there_is_nothing_to_correct_is_refused_beside_the_option(
        self, events_url, fake_slack, engine: Engine
    ):
        view = open_modal(events_url, fake_slack)
        answer = submit_view(events_url, OWNER, view, form_values("V9", "G", options=("corrects",)))

        assert "no earlier update to correct" in json.loads(answer.body)["errors"]["options"]
        assert [] == stored_updates(engine)

    def test_someone_who_may_not_update_is_told_who_can_beside_the_action(self, events_url, fake_slack, engine: Engine):
        view = open_modal(events_url, fake_slack, STRANGER.id)
        answer = submit_view(events_url, STRANGER, view, form_values("V9", "G"))

        errors = json.loads(answer.body)["errors"]
        assert "You can't update V9" in errors["action"]
        assert "held by Ollie Kerr" in errors["action"]
        assert [] == stored_updates(engine)
