"""The update modal: the same update as ``/rag V9 red …``, as a form with one field per part.

Block ids are ``commands.update_form.FormField`` values, so the core's per-field errors go back to
Slack unchanged (``response_action: errors``) and show beside the field concerned. The action
field is a static select while the person has at most 100 actions (Slack's limit) and an external
select, searched as they type (``action_options``), beyond that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.slack.limits import MAX_OPTION_TEXT, MAX_OPTIONS, MAX_SECTION_TEXT
from bot.slack.render import clip, escape, status_emoji
from commands.layout import status_cell
from commands.rules import DEFAULT_SCHEME, MITIGATION, OUTCOME, RagScheme
from commands.update_form import (
    CANCEL_LABEL,
    CHOOSE_ACTION,
    CORRECTS_LABEL,
    FIELD_LABELS,
    FORM_TITLE,
    PROPOSED_DUE_HINT,
    RESTRICTED_HINT,
    RESTRICTED_LABEL,
    SUBMIT_LABEL,
    ActionChoice,
    FormField,
    UpdateForm,
    mitigation_hint,
    offers,
    outcome_hint,
    proposed_due_label,
    reason_hint,
)

CALLBACK_ID = "rag_update"
CORRECTS = "corrects"
RESTRICTED = "restricted"
MAX_REASON_INPUT = 3000


def update_modal(
    choices: Sequence[ActionChoice], scheme: RagScheme = DEFAULT_SCHEME, selected: ActionChoice | None = None
) -> dict[str, Any]:
    """The modal ``views.open`` shows; ``selected`` pre-fills the action (from an "Update" button)."""
    blocks = [
        _input(FormField.ACTION, FIELD_LABELS[FormField.ACTION], _action_element(choices, selected)),
        _input(
            FormField.COLOUR,
            FIELD_LABELS[FormField.COLOUR],
            {
                "type": "radio_buttons",
                "action_id": FormField.COLOUR,
                "options": [
                    _option(f"{status_emoji(status_cell(s.code, scheme))} {s.label}", s.code, s.definition)
                    for s in scheme.statuses
                ],
            },
        ),
        _input(
            FormField.REASON,
            FIELD_LABELS[FormField.REASON],
            {
                "type": "plain_text_input",
                "action_id": FormField.REASON,
                "multiline": True,
                "max_length": min(scheme.max_reason_length, MAX_REASON_INPUT),
            },
            optional=True,
            hint=reason_hint(scheme),
        ),
        *_text_input(FormField.MITIGATION, mitigation_hint(scheme), scheme, offers(scheme, MITIGATION)),
        *_text_input(FormField.OUTCOME, outcome_hint(scheme), scheme, offers(scheme, OUTCOME)),
        _input(
            FormField.PROPOSED_DUE,
            proposed_due_label(scheme),
            {"type": "datepicker", "action_id": FormField.PROPOSED_DUE},
            optional=True,
            hint=PROPOSED_DUE_HINT,
        ),
        _input(
            FormField.OPTIONS,
            FIELD_LABELS[FormField.OPTIONS],
            {
                "type": "checkboxes",
                "action_id": FormField.OPTIONS,
                "options": [
                    _option(CORRECTS_LABEL, CORRECTS),
                    _option(RESTRICTED_LABEL, RESTRICTED, RESTRICTED_HINT),
                ],
            },
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": FORM_TITLE},
        "submit": {"type": "plain_text", "text": SUBMIT_LABEL},
        "close": {"type": "plain_text", "text": CANCEL_LABEL},
        "blocks": blocks,
    }


def action_options(choices: Sequence[ActionChoice]) -> list[dict[str, Any]]:
    """Options for the external select (at most 100, Slack's limit; the search narrows them)."""
    return [_action_option(choice) for choice in choices[:MAX_OPTIONS]]


def form_from_state(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> UpdateForm:
    """Read a view_submission's ``view.state.values`` into the core's form."""

    def field(name: FormField) -> Mapping[str, Any]:
        return values.get(name, {}).get(name, {})

    picked = {option["value"] for option in field(FormField.OPTIONS).get("selected_options") or []}
    date = field(FormField.PROPOSED_DUE).get("selected_date")
    return UpdateForm(
        action_id=(field(FormField.ACTION).get("selected_option") or {}).get("value"),
        status=(field(FormField.COLOUR).get("selected_option") or {}).get("value"),
        reason=field(FormField.REASON).get("value") or "",
        mitigation=field(FormField.MITIGATION).get("value") or "",
        outcome=field(FormField.OUTCOME).get("value") or "",
        proposed_due=dt.date.fromisoformat(date) if date else None,
        corrects_last=CORRECTS in picked,
        restricted=RESTRICTED in picked,
    )


def _text_input(field: FormField, hint: str, scheme: RagScheme, shown: bool) -> list[dict[str, Any]]:
    """A mitigation or outcome box (optional to Slack: the core says when one is required)."""
    if not shown:
        return []
    element = {
        "type": "plain_text_input",
        "action_id": field,
        "multiline": True,
        "max_length": min(scheme.max_reason_length, MAX_REASON_INPUT),
    }
    return [_input(field, FIELD_LABELS[field], element, optional=True, hint=hint)]


def _definitions(scheme: RagScheme) -> dict[str, Any]:
    """The scheme's full definitions under the colours (an option's description holds only 75 characters)."""
    lines = [
        f"{status_emoji(status_cell(s.code, scheme))} *{escape(s.label)}*: {escape(s.definition)}"
        for s in scheme.statuses
    ]
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip("\n".join(lines), MAX_SECTION_TEXT)}]}


def _action_element(choices: Sequence[ActionChoice], selected: ActionChoice | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": FormField.ACTION,
        "placeholder": {"type": "plain_text", "text": CHOOSE_ACTION},
    }
    if len(choices) > MAX_OPTIONS:
        element.update(type="external_select", min_query_length=0)
    else:
        element["options"] = action_options(choices)
    if selected is not None:
        element["initial_option"] = _action_option(selected)
    return element


def _action_option(choice: ActionChoice) -> dict[str, Any]:
    return _option(f"{choice.code} · {choice.title}", choice.code)


def _option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"text": {"type": "plain_text", "text": clip(text, MAX_OPTION_TEXT)}, "value": value}
    if description:
        option["description"] = {"type": "plain_text", "text": clip(description, MAX_OPTION_TEXT)}
    return option


def _input(
    block_id: FormField, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": str(block_id),
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block
