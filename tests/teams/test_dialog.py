"""The update dialog: the Slack modal's fields and rules as a Teams task module, values filled back in,
each mistake under its field, and a submission read back into the core's form."""

from __future__ import annotations

import datetime as dt

import pytest
from support.teams_cards import HOSTILE_TEXTS, markup_in, schema_problems, shown_text, text_blocks, walk

from bot.teams.card_parts import CARD_CONTENT_TYPE
from bot.teams.dialog import (
    UPDATE_DIALOG,
    form_from_submit,
    no_actions_task,
    requested_action,
    update_button,
    update_dialog,
)
from commands.model import Actor, Invocation
from commands.rules import DEFAULT_SCHEME
from commands.update_form import (
    FIELD_LABELS,
    PROPOSED_DUE_HINT,
    SUBMIT_LABEL,
    ActionChoice,
    FormField,
    UpdateForm,
    proposed_due_label,
    reason_hint,
    submit_update_form,
)

CHOICES = [ActionChoice("V9", "Reduce ineffective trials"), ActionChoice("C4", f"Cut crime {HOSTILE_TEXTS[0]}")]
NOW = dt.datetime(2018, 12, 3, 10, 0)


def content(response: dict) -> dict:
    task = response["task"]
    assert "continue" == task["type"]
    assert CARD_CONTENT_TYPE == task["value"]["card"]["contentType"]
    assert task["value"]["title"]
    return task["value"]["card"]["content"]


def inputs(card: dict) -> dict[str, dict]:
    return {node["id"]: node for node in walk(card) if str(node.get("type", "")).startswith("Input.")}


def as_teams_submits(card: dict) -> dict:
    """What Teams sends as ``value.data`` when the dialog is submitted untouched: each input's value
    (a toggle's valueOn/valueOff), merged with the submit button's data."""
    data = {key: node.get("value", "") for key, node in inputs(card).items()}
    [submit] = card["actions"]
    return {**data, **submit["data"]}


def core_errors(form: UpdateForm, repo) -> dict[str, str]:
    actor = Actor(1, "Jo", "jo@example.org")
    return submit_update_form(form, Invocation(actor, "", platform="teams"), repo, NOW).errors


class TestFields:
    def test_the_same_fields_as_the_slack_modal(self):
        """Your actions, the colours with their definitions, reason with its hint, the proposed date
        (red only), and the two options; saved with an Action.Submit."""
        card = content(update_dialog(CHOICES))

        fields = inputs(card)
        assert {*map(str, FormField)} - {FormField.OPTIONS} | {"corrects_last", "restricted"} == set(fields)
        assert ["V9", "C4"] == [c["value"] for c in fields[FormField.ACTION]["choices"]]
        assert [s.code for s in DEFAULT_SCHEME.statuses] == [c["value"] for c in fields[FormField.COLOUR]["choices"]]
        assert "Input.Date" == fields[FormField.PROPOSED_DUE]["type"]
        assert proposed_due_label() == fields[FormField.PROPOSED_DUE]["label"]
        assert FIELD_LABELS[FormField.REASON] == fields[FormField.REASON]["label"]
        shown = shown_text(card)
        for status in DEFAULT_SCHEME.statuses:
            assert status.definition in shown
        assert reason_hint() in shown and PROPOSED_DUE_HINT in shown
        [submit] = card["actions"]
        assert ("Action.Submit", SUBMIT_LABEL) == (submit["type"], submit["title"])
        assert [] == schema_problems(card)

    def test_each_colour_choice_shows_a_mark_and_its_word(self):
        card = content(update_dialog(CHOICES))

        titles = [c["title"] for c in inputs(card)[FormField.COLOUR]["choices"]]
        marks = {title.split(" ", 1)[0] for title in titles}
        assert [s.label for s in DEFAULT_SCHEME.statuses] == [t.split(" ", 1)[1] for t in titles]
        assert len(titles) == len(marks) and not any(mark.isalnum() for mark in marks)

    def test_an_admin_with_hundreds_of_actions_types_the_id(self):
        many = [ActionChoice(f"A{n}", "Title") for n in range(300)]
        card = content(update_dialog(many, values=UpdateForm("A7", None)))

        action = inputs(card)[FormField.ACTION]
        assert ("Input.Text", "A7") == (action["type"], action["value"])
        assert [] == schema_problems(card)

    def test_hostile_titles_and_reasons_stay_inert(self):
        values = UpdateForm("C4", "R", reason="\n".join(HOSTILE_TEXTS))
        card = content(update_dialog(CHOICES, values=values, errors={FormField.REASON: HOSTILE_TEXTS[2]}))

        for text in text_blocks(card):
            assert [] == markup_in(text)
        assert HOSTILE_TEXTS[2] in shown_text(card)
        assert not [node for node in walk(card) if "selectAction" in node or "entities" in node]


class TestValuesAndErrors:
    def test_values_are_filled_back_in(self):
        values = UpdateForm("C4", "red", "Waiting on the CJS", dt.date(2019, 3, 31), corrects_last=True)
        fields = inputs(content(update_dialog(CHOICES, values=values)))

        assert "C4" == fields[FormField.ACTION]["value"]
        assert "R" == fields[FormField.COLOUR]["value"]
        assert "Waiting on the CJS" == fields[FormField.REASON]["value"]
        assert "2019-03-31" == fields[FormField.PROPOSED_DUE]["value"]
        assert fields["corrects_last"]["valueOn"] == fields["corrects_last"]["value"]
        assert fields["restricted"]["valueOff"] == fields["restricted"]["value"]

    @pytest.mark.parametrize(
        "form",
        [
            UpdateForm("V9", "R", ""),
            UpdateForm(None, None),
            UpdateForm("V9", "G", "fine", dt.date(2019, 3, 31)),
            UpdateForm("V9", "R", "late", dt.date(2018, 1, 1)),
        ],
    )
    def test_each_core_error_shows_under_its_field(self, form, repo):
        """The core's messages, each placed after its own input and before the next one."""
        errors = core_errors(form, repo)
        assert errors
        card = content(update_dialog(CHOICES, values=form, errors=errors))

        body = card["body"]
        positions = {node.get("id"): at for at, node in enumerate(body) if "id" in node}
        order = [FormField.ACTION, FormField.COLOUR, FormField.REASON, FormField.PROPOSED_DUE, "corrects_last"]
        for field, message in errors.items():
            at = next(
                i for i, node in enumerate(body) if node.get("type") == "TextBlock" and message in shown_text(node)
            )
            start = positions[field if field != FormField.OPTIONS else "restricted"]
            later = [positions[f] for f in order if positions[f] > start]
            assert start < at < min(later, default=len(body)), field
            assert "attention" == body[at]["color"]
        assert [] == schema_problems(card)

    def test_an_error_for_no_field_is_shown_at_the_top(self):
        card = content(update_dialog(CHOICES, errors={"elsewhere": "Something went wrong."}))

        assert "Something went wrong." in card["body"][0]["text"]


class TestSubmit:
    def test_a_submission_round_trips_into_the_form(self):
        values = UpdateForm("V9", "A", "Waiting on the CJS", dt.date(2019, 3, 31), corrects_last=False, restricted=True)
        data = as_teams_submits(content(update_dialog(CHOICES, values=values)))

        assert (values, {}) == form_from_submit(data)

    def test_a_date_that_is_not_a_date_is_an_error_beside_it(self):
        form, errors = form_from_submit({"action": "V9", "colour": "R", "reason": "late", "proposed_due": "31/03/2019"})

        assert form.proposed_due is None and "V9" == form.action_id
        assert "31/03/2019" in errors[FormField.PROPOSED_DUE]
        card = content(update_dialog(CHOICES, values=form, errors=errors))
        assert errors[FormField.PROPOSED_DUE] in shown_text(card)

    def test_unknown_missing_and_odd_values_are_tolerated(self):
        form, errors = form_from_submit({"reason": ["x"], "colour": 5, "restricted": "true", "surprise": {"a": 1}})

        assert UpdateForm(None, None, "", None, corrects_last=False, restricted=True) == form
        assert {} == errors
        assert (UpdateForm(None, None), {}) == form_from_submit({})


class TestButtonsAndMessages:
    def test_the_update_button_opens_the_dialog_for_its_action(self):
        button = update_button("V9")

        assert "Action.Submit" == button["type"]
        assert "task/fetch" == button["data"]["msteams"]["type"]
        assert "V9" == requested_action(button["data"])
        assert requested_action(update_button()["data"]) is None
        assert UPDATE_DIALOG in update_button()["data"]

    def test_no_actions_is_a_message(self):
        assert {"task": {"type": "message", "value": "You have no actions."}} == no_actions_task("You have no actions.")
