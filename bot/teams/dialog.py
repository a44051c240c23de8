"""The update form as a Teams dialog: the same fields and rules as Slack's modal, as an Adaptive Card.

An "Update" button (``update_button``) is an ``Action.Submit`` marked ``task/fetch``; the adapter
answers the fetch with ``update_dialog`` and reads the dialog's ``task/submit`` with
``form_from_submit`` into the core's ``UpdateForm``, which ``commands.update_form.submit_update_form``
validates and records. A mistake is answered with ``update_dialog`` again: the person's values
filled in and each error under its field. Input ids are ``FormField`` values (the two options are
toggles named after ``UpdateForm``'s fields), so the core's errors land beside the field concerned.
Labels, hints and errors all come from the core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.teams.card_parts import (
    CARD_CONTENT_TYPE,
    SHAPE_SYMBOL,
    WARNING_SIGN,
    card,
    rich_block,
    runs,
    status_run,
    text_block,
)
from commands.errors import BadDate
from commands.layout import status_cell
from commands.nudges import UPDATE_BUTTON
from commands.report_layout import cut
from commands.rules import DEFAULT_SCHEME, RagScheme, parse_date
from commands.update_form import (
    ACTION_REQUIRED,
    CHOOSE_ACTION,
    CORRECTS_LABEL,
    FIELD_LABELS,
    FORM_TITLE,
    PROPOSED_DUE_HINT,
    RESTRICTED_HINT,
    RESTRICTED_LABEL,
    SUBMIT_LABEL,
    ActionChoice,
    FormErrors,
    FormField,
    UpdateForm,
    proposed_due_label,
    reason_hint,
    status_required,
)

__all__ = [
    "CORRECTS",
    "RESTRICTED",
    "UPDATE_DIALOG",
    "form_from_submit",
    "no_actions_task",
    "requested_action",
    "update_button",
    "update_dialog",
]

UPDATE_DIALOG = "planbot.update"
"""Data key marking planbot's ``task/fetch`` (its value: the action to pre-fill, or "") and the dialog's submit."""
CORRECTS = "corrects_last"
RESTRICTED = "restricted"
TOGGLE_ON = "true"
TOGGLE_OFF = "false"
MAX_CHOICES = 100
"""Beyond this many actions (an admin's whole plan) the action is typed as its id, like Slack's search."""
MAX_CHOICE_TITLE = 80
DIALOG_HEIGHT = "large"
DIALOG_WIDTH = "medium"
_FIELDS = (FormField.ACTION, FormField.COLOUR, FormField.REASON, FormField.PROPOSED_DUE, FormField.OPTIONS)


def update_button(action_code: str | None = None, *, title: str = UPDATE_BUTTON) -> dict[str, Any]:
    """The button that opens the update dialog; ``action_code`` pre-fills the action."""
    data = {"msteams": {"type": "task/fetch"}, UPDATE_DIALOG: action_code or ""}
    return {"type": "Action.Submit", "title": title, "data": data}


def requested_action(data: Mapping[str, Any]) -> str | None:
    """The action a ``task/fetch``'s ``value.data`` asks to pre-fill (``None``: none, or not our button)."""
    code = data.get(UPDATE_DIALOG) if isinstance(data, Mapping) else None
    return code if isinstance(code, str) and code else None


def update_dialog(
    choices: Sequence[ActionChoice],
    scheme: RagScheme = DEFAULT_SCHEME,
    *,
    values: UpdateForm | None = None,
    errors: FormErrors | None = None,
) -> dict[str, Any]:
    """The invoke response that shows the dialog (``task/fetch``, or a ``task/submit`` with mistakes).

    Args:
        choices: the actions the person may update (``commands.update_form.update_choices``).
        scheme: the colours, their definitions and which need a reason.
        values: what to fill in: the person's last submission, or just the action from a button.
        errors: the core's (and ``form_from_submit``'s) message per ``FormField`` value.
    """
    values = values or UpdateForm(None, None)
    errors = dict(errors or {})
    body: list[dict[str, Any]] = [_error(message) for field, message in errors.items() if field not in _FIELDS]
    body += [_action_input(choices, values.action_id), *_errors(errors, FormField.ACTION)]
    body += [_colour_input(values.status, scheme), *_definitions(scheme), *_errors(errors, FormField.COLOUR)]
    body += [
        {
            "type": "Input.Text",
            "id": FormField.REASON.value,
            "label": FIELD_LABELS[FormField.REASON],
            "isMultiline": True,
            "maxLength": scheme.max_reason_length,
            "value": values.reason,
        },
        _hint(reason_hint(scheme)),
        *_errors(errors, FormField.REASON),
    ]
    date: dict[str, Any] = {
        "type": "Input.Date",
        "id": FormField.PROPOSED_DUE.value,
        "label": proposed_due_label(scheme),
    }
    if values.proposed_due is not None:
        date["value"] = values.proposed_due.isoformat()
    body += [date, _hint(PROPOSED_DUE_HINT), *_errors(errors, FormField.PROPOSED_DUE)]
    body += [
        text_block(FIELD_LABELS[FormField.OPTIONS], weight="Bolder"),
        _toggle(CORRECTS, CORRECTS_LABEL, values.corrects_last),
        _toggle(RESTRICTED, RESTRICTED_LABEL, values.restricted),
        _hint(RESTRICTED_HINT),
        *_errors(errors, FormField.OPTIONS),
    ]
    submit = {"type": "Action.Submit", "title": SUBMIT_LABEL, "style": "positive", "data": {UPDATE_DIALOG: "submit"}}
    dialog_card = {"contentType": CARD_CONTENT_TYPE, "content": card(body, [submit])}
    value = {"title": FORM_TITLE, "height": DIALOG_HEIGHT, "width": DIALOG_WIDTH, "card": dialog_card}
    return {"task": {"type": "continue", "value": value}}


def form_from_submit(data: Mapping[str, Any]) -> tuple[UpdateForm, FormErrors]:
    """A ``task/submit``'s ``value.data`` as the core's form, and what the dialog itself finds wrong.

    Unknown keys are ignored and missing or non-text values read as empty; a proposed due date that is
    not a YYYY-MM-DD date is left out of the form and reported beside its field, in the core's words.
    """
    data = data if isinstance(data, Mapping) else {}

    def text(field: str) -> str:
        value = data.get(field)
        return value if isinstance(value, str) else ""

    errors: FormErrors = {}
    proposed_due = None
    if text(FormField.PROPOSED_DUE).strip():
        try:
            proposed_due = parse_date(text(FormField.PROPOSED_DUE))
        except BadDate as err:
            errors[FormField.PROPOSED_DUE] = err.message
    form = UpdateForm(
        action_id=text(FormField.ACTION).strip() or None,
        status=text(FormField.COLOUR).strip() or None,
        reason=text(FormField.REASON),
        proposed_due=proposed_due,
        corrects_last=_on(data.get(CORRECTS)),
        restricted=_on(data.get(RESTRICTED)),
    )
    return form, errors


def no_actions_task(text: str) -> dict[str, Any]:
    """The invoke response for a person with no actions to update: Teams shows ``text`` (from the core)."""
    return {"task": {"type": "message", "value": text}}


def _action_input(choices: Sequence[ActionChoice], selected: str | None) -> dict[str, Any]:
    field: dict[str, Any] = {
        "id": FormField.ACTION.value,
        "label": FIELD_LABELS[FormField.ACTION],
        "placeholder": CHOOSE_ACTION,
        "isRequired": True,
        "errorMessage": ACTION_REQUIRED,
    }
    if len(choices) > MAX_CHOICES:
        field["type"] = "Input.Text"
    else:
        field["type"] = "Input.ChoiceSet"
        field["style"] = "compact"
        field["choices"] = [{"title": _choice_title(c), "value": c.code} for c in choices]
    if selected:
        field["value"] = selected
    return field


def _choice_title(choice: ActionChoice) -> str:
    return f"{choice.code} · {cut(choice.title, MAX_CHOICE_TITLE)}"


def _colour_input(chosen: str | None, scheme: RagScheme) -> dict[str, Any]:
    choices = [
        {"title": f"{SHAPE_SYMBOL[status_cell(s.code, scheme).shape]} {s.label}", "value": s.code}
        for s in scheme.statuses
    ]
    field: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": FormField.COLOUR.value,
        "label": FIELD_LABELS[FormField.COLOUR],
        "style": "expanded",
        "choices": choices,
        "isRequired": True,
        "errorMessage": status_required(scheme),
    }
    picked = next((s for s in scheme.statuses if s.code == chosen), None) or scheme.parse(chosen or "")
    if picked is not None:
        field["value"] = picked.code
    return field


def _definitions(scheme: RagScheme) -> list[dict[str, Any]]:
    """Each colour's full definition under the choices: symbol and word, then what it means."""
    return [
        rich_block(
            [status_run(status_cell(s.code, scheme)), *runs([f": {s.definition}"], subtle=True)], spacing="Small"
        )
        for s in scheme.statuses
    ]


def _toggle(field: str, title: str, on: bool) -> dict[str, Any]:
    return {
        "type": "Input.Toggle",
        "id": field,
        "title": title,
        "value": TOGGLE_ON if on else TOGGLE_OFF,
        "valueOn": TOGGLE_ON,
        "valueOff": TOGGLE_OFF,
        "wrap": True,
    }


def _hint(text: str) -> dict[str, Any]:
    return text_block(text, isSubtle=True, size="Small", spacing="Small")


def _errors(errors: FormErrors, field: FormField) -> list[dict[str, Any]]:
    message = errors.get(field)
    return [_error(message, field)] if message else []


def _error(message: str, field: FormField | None = None) -> dict[str, Any]:
    """A mistake in red under its field, led by a warning sign so it is not told by colour alone."""
    block = text_block(f"{WARNING_SIGN} {message}", color="attention", weight="Bolder", spacing="Small")
    if field is not None:
        block["id"] = f"{field.value}-error"
    return block


def _on(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == TOGGLE_ON)
