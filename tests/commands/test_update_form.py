"""The update form: per-field errors with nothing stored, and the same update as the typed /rag."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session
from support.rag_support import NOW, V9_OWNER, actor_for, stored_rows

from commands.model import Invocation
from commands.rag import handle_rag
from commands.update_form import (
    FormField,
    UpdateForm,
    mitigation_hint,
    outcome_hint,
    submit_update_form,
    update_choices,
)
from storage.models import Plan, StatusUpdate
from storage.repository import PlanRepository


def submit(repo: PlanRepository, form: UpdateForm, email: str = V9_OWNER["email"]):
    return submit_update_form(form, Invocation(actor_for(repo, email), ""), repo, NOW)


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (UpdateForm("V9", "R"), {FormField.REASON, FormField.MITIGATION}),
        (UpdateForm("V9", "R", "Waiting"), {FormField.MITIGATION}),
        (UpdateForm("V9", "R", "Waiting", mitigation="\u200b "), {FormField.MITIGATION}),
        (UpdateForm("V9", "R", "Waiting", mitigation="Escalated\x1b[31m"), {FormField.MITIGATION}),
        (UpdateForm("V9", "G", "Fine", mitigation="Nothing needed"), {FormField.MITIGATION}),
        (UpdateForm("V9", "G", "Fine", outcome="Delivered"), {FormField.OUTCOME}),
        (UpdateForm("V9", "B", outcome="y" * 1501), {FormField.OUTCOME}),
        (UpdateForm(None, None), {FormField.ACTION, FormField.COLOUR}),
        (UpdateForm("V9", "A", "Slipping", proposed_due=dt.date(2019, 3, 31)), {FormField.PROPOSED_DUE}),
        (UpdateForm("V9", "R", "Late", proposed_due=NOW.date(), mitigation="LCJB"), {FormField.PROPOSED_DUE}),
        (UpdateForm("V9", "G", "x" * 1501), {FormField.REASON}),
        (UpdateForm("V9", "G", corrects_last=True), {FormField.OPTIONS}),
        (UpdateForm("V99", "G"), {FormField.ACTION}),
    ],
)
def test_mistakes_come_back_beside_their_fields_and_nothing_is_stored(
    repo: PlanRepository, session: Session, plan: Plan, form: UpdateForm, fields: set[FormField]
):
    before = stored_rows(session)
    result = submit(repo, form)
    assert (None, fields) == (result.reply, set(result.errors))
    assert before == stored_rows(session)


def test_a_form_stores_what_the_typed_command_stores(repo: PlanRepository, session: Session, plan: Plan):
    """Same colour, reason, author and reply wording whichever way the update arrives."""
    owner = actor_for(repo, V9_OWNER["email"])
    typed = handle_rag(Invocation(owner, 'V9 red Waiting on CJS --mitigation "Escalated to LCJB"'), repo, NOW)
    form = submit(
        repo,
        UpdateForm(
            "V9",
            "R",
            "Waiting  on CJS",
            proposed_due=dt.date(2019, 6, 30),
            restricted=True,
            mitigation=" Escalated  to LCJB",
        ),
    )

    first, second = session.exec(StatusUpdate.__table__.select().order_by(StatusUpdate.id)).all()  # type: ignore[attr-defined]
    assert (first.status, first.reason, first.author_id) == (second.status, second.reason, second.author_id)
    assert ("Escalated to LCJB", "Escalated to LCJB") == (first.mitigation, second.mitigation)
    assert "Mitigation: Escalated to LCJB" in form.reply.text
    assert (None, dt.date(2019, 6, 30), True) == (first.proposed_due, second.proposed_due, second.restricted)
    assert typed.text.splitlines()[0] == form.reply.text.splitlines()[0]
    assert "Re-profile requested: new due date 30 Jun 2019" in form.reply.text


def test_choices_are_the_persons_open_actions_and_searchable(repo: PlanRepository, plan: Plan):
    owner = actor_for(repo, V9_OWNER["email"])
    assert "V9" in [c.code for c in update_choices(owner, repo, NOW.date())]
    assert ["V9"] == [c.code for c in update_choices(owner, repo, NOW.date(), "v9")]


def test_a_completion_keeps_its_outcome(repo: PlanRepository, session: Session, plan: Plan):
    """Blue asks for the outcome (the default scheme does not require one) and stores it when given."""
    result = submit(repo, UpdateForm("V9", "B", "Delivered", outcome="Hub live; 4,100 victims referred"))

    assert result.reply is not None and {} == result.errors
    [update] = session.exec(StatusUpdate.__table__.select()).all()  # type: ignore[attr-defined]
    assert ("B", "Hub live; 4,100 victims referred", "") == (update.status, update.outcome, update.mitigation)
    assert "Outcome: Hub live; 4,100 victims referred" in result.reply.text


def test_the_hints_say_which_colours_take_a_mitigation_and_an_outcome():
    assert mitigation_hint().startswith("Required for Red; asked for Amber: say what is being done about it")
    assert outcome_hint().startswith("Asked for Blue (complete): say what was delivered")
