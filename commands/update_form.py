"""The update form (Slack's modal, later a Teams card): the same update as ``/rag V9 red …``, field by field.

A form is validated into the typed command's ``UpdateRequest`` and recorded by the same
``commands.rag.record_update``, so a modal and a typed command can never disagree about what is
allowed. What is wrong comes back per field (``FormErrors``) so a platform can show each message
beside the field it concerns; nothing is stored unless every field is right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from commands.action_lookup import look_up_action
from commands.errors import NothingToCorrect, UnsafeText, UserError
from commands.model import Actor, Invocation, Reply
from commands.permissions import Permission, authorise_update
from commands.rag import record_update
from commands.rag_grammar import UpdateRequest
from commands.report_inputs import worst_status
from commands.rules import (
    DEFAULT_SCHEME,
    MITIGATION,
    OUTCOME,
    Extra,
    Need,
    RagScheme,
    RagStatus,
    is_open,
    london_date,
    word_list,
)
from commands.text import clean_text
from storage.models import Action
from storage.repository import PlanRepository

FormErrors = dict[str, str]
OPEN_FORM_TEXT = "Open the update form to choose one of your actions, its colour and the reason."
"""Said beside the button that opens the form, where a platform cannot open it straight away (Teams)."""
REASON_NAME = "The reason"
MITIGATION_NAME = "The mitigation"
OUTCOME_NAME = "The outcome"


class FormField(StrEnum):
    """The form's fields; platforms name their inputs after these so errors land beside them."""

    ACTION = "action"
    COLOUR = "colour"
    REASON = "reason"
    MITIGATION = "mitigation"
    OUTCOME = "outcome"
    PROPOSED_DUE = "proposed_due"
    OPTIONS = "options"


@dataclass(frozen=True)
class UpdateForm:
    """What the person filled in; ``status`` is the scheme's code (or any word it accepts)."""

    action_id: str | None
    status: str | None
    reason: str = ""
    proposed_due: dt.date | None = None
    corrects_last: bool = False
    restricted: bool = False
    mitigation: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class FormResult:
    """Either the stored update's reply, or the errors per field (and nothing stored)."""

    reply: Reply | None
    errors: FormErrors


@dataclass(frozen=True)
class ActionChoice:
    """One action the person may pick in the form."""

    code: str
    title: str


def submit_update_form(
    form: UpdateForm, invocation: Invocation, repo: PlanRepository, now: dt.datetime, scheme: RagScheme = DEFAULT_SCHEME
) -> FormResult:
    """Validate the form and record the update exactly as the typed command would.

    Args:
        form: the submitted fields.
        invocation: who submitted it and from where (its ``text`` is unused).
        repo: the caller's unit of work; rows are added only when the result has no errors.
        now: the moment of submission, naive UTC.
        scheme: the deployment's colours and reason rules.
    """
    errors = _field_errors(form, now, scheme)
    if errors and FormField.ACTION not in errors and form.action_id:
        # Said with the other mistakes: no mitigation matters for an action that is not there.
        try:
            action_id = clean_text(form.action_id, "The action").upper()
            authorise_form(invocation.actor, action_id, repo, london_date(now))
        except UserError as err:
            errors[FormField.ACTION] = err.message
    if errors:
        return FormResult(None, errors)
    status = _status(form.status, scheme)
    assert form.action_id is not None and status is not None
    request = UpdateRequest(
        action_id=clean_text(form.action_id, "The action").upper(),
        status=status.code,
        reason=clean_text(form.reason, REASON_NAME),
        restricted=form.restricted,
        proposed_due=form.proposed_due,
        corrects_last=form.corrects_last,
        mitigation=clean_text(form.mitigation, MITIGATION_NAME),
        outcome=clean_text(form.outcome, OUTCOME_NAME),
    )
    try:
        return FormResult(record_update(request, invocation, repo, now, scheme), {})
    except NothingToCorrect as err:
        return FormResult(None, {FormField.OPTIONS: err.message})
    except UserError as err:
        return FormResult(None, {FormField.ACTION: err.message})


def _field_errors(form: UpdateForm, now: dt.datetime, scheme: RagScheme) -> FormErrors:
    """Everything wrong that the fields alone show, each beside its field."""
    errors: FormErrors = {}
    try:
        action_id = clean_text(form.action_id or "", "The action")
    except UnsafeText as refusal:
        action_id, errors[FormField.ACTION] = "?", refusal.message
    if not action_id:
        errors[FormField.ACTION] = ACTION_REQUIRED
    status = _status(form.status, scheme)
    if status is None:
        errors[FormField.COLOUR] = status_required(scheme)
        return errors
    try:
        problem = scheme.reason_problem(status, clean_text(form.reason, REASON_NAME))
    except UnsafeText as refusal:
        problem = refusal.message
    if problem:
        errors[FormField.REASON] = problem
    for field, text, name, check in (
        (FormField.MITIGATION, form.mitigation, MITIGATION_NAME, scheme.mitigation_problem),
        (FormField.OUTCOME, form.outcome, OUTCOME_NAME, scheme.outcome_problem),
    ):
        try:
            problem = check(status, clean_text(text, name))
        except UnsafeText as refusal:
            problem = refusal.message
        if problem:
            errors[field] = problem
    if form.proposed_due is not None:
        red = scheme.label(worst_status(scheme))
        if status.code != worst_status(scheme):
            errors[FormField.PROPOSED_DUE] = f"A revised due date is proposed only with a {red} status."
        elif form.proposed_due <= london_date(now):
            errors[FormField.PROPOSED_DUE] = "The proposed due date must be in the future."
    return errors


def _status(chosen: str | None, scheme: RagScheme) -> RagStatus | None:
    """The colour chosen, by its stored code (a form's options) or any word the scheme accepts."""
    by_code = next((s for s in scheme.statuses if s.code == chosen), None)
    return by_code or scheme.parse(chosen or "")


def authorise_form(actor: Actor, action_id: str, repo: PlanRepository, today: dt.date) -> Permission:
    """Check, before showing the form for one action, that the person may update it.

    Raises:
        UnknownAction: no such action.
        NotAuthorised: naming who can update it.
    """
    return authorise_update(actor, look_up_action(action_id, repo), repo, today)


def update_choices(actor: Actor, repo: PlanRepository, today: dt.date, query: str = "") -> list[ActionChoice]:
    """The open actions the person may update (all of them for an admin), in plan order: those they
    lead, sponsor or are a delegate for, and those of anyone on leave on ``today`` they cover for.

    ``query`` keeps those whose id or title contains it, in any case (a search as they type).
    """
    plan = repo.current_plan()
    if plan is None or plan.id is None:
        return []
    if actor.is_admin:
        actions = repo.actions(plan.id)
    else:
        held = repo.roles_held(actor.person_id) | repo.roles_covered(actor.person_id, today)
        actions = repo.actions_involving(plan.id, held, repo.delegated_action_ids(actor.person_id))
    wanted = query.strip().lower()
    return [ActionChoice(a.code, a.title) for a in actions if is_open(a.state) and _matches(a, wanted)]


def _matches(action: Action, query: str) -> bool:
    return not query or query in action.code.lower() or query in action.title.lower()


ACTION_REQUIRED = "Choose the action this update is for."
FORM_TITLE = "Update an action"
SUBMIT_LABEL = "Save update"
CANCEL_LABEL = "Cancel"
CHOOSE_ACTION = "Choose an action"
FIELD_LABELS = {
    FormField.ACTION: "Action",
    FormField.COLOUR: "Status",
    FormField.REASON: "Reason",
    FormField.MITIGATION: "Mitigation",
    FormField.OUTCOME: "Outcome",
    FormField.OPTIONS: "Options",
}
PROPOSED_DUE_HINT = "Recorded as a re-profile request for an admin to approve."
CORRECTS_LABEL = "This corrects my last update"
RESTRICTED_LABEL = "Restricted commentary"
RESTRICTED_HINT = "Keep the reason out of public reports."


def reason_hint(scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """Which colours need a reason, and what a reason should say."""
    needing = " and ".join(s.label for s in scheme.statuses if s.reason_required)
    return f"Required for {needing}: what is wrong and what is being done about it."


def mitigation_hint(scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """Which colours take a mitigation, required or asked for, and what it should say."""
    return _extra_hint(scheme, MITIGATION)


def outcome_hint(scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """Which colours take an outcome, required or asked for, and what it should say."""
    return _extra_hint(scheme, OUTCOME)


def offers(scheme: RagScheme, part: Extra) -> bool:
    """Whether the form shows the mitigation (or outcome) field at all: some colour takes one."""
    return bool(scheme.taking(part))


def _extra_hint(scheme: RagScheme, part: Extra) -> str:
    """ "Required for Red; asked for Amber: say what is being done about it." """
    groups = []
    for need, words in ((Need.REQUIRED, "Required for"), (Need.ASKED, "asked for")):
        labels = [s.label for s in scheme.statuses if part.need(s) is need]
        if labels:
            groups.append(f"{words} {word_list(labels, 'and')}")
    text = "; ".join(groups)
    return f"{text[:1].upper()}{text[1:]}: {part.ask}; leave empty for other colours."


def status_required(scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """What the form says when no colour was chosen (beside the field, or as a form's own check)."""
    return f"Choose a status: {scheme.choices}."


def proposed_due_label(scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """The revised due date field, offered for the worst colour only."""
    return f"Proposed revised due date ({scheme.label(worst_status(scheme))} only)"


SAVED_TITLE = "Update saved"
REFUSED_TITLE = "Can't update"
DONE_LABEL = "Done"
