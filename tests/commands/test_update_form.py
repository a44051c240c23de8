"""The update form: per-field errors with nothing stored, and the same update as the typed /rag."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session
from support.rag_support import NOW, V9_OWNER, actor_for, stored_rows

from commands.model import Invocation
from commands.rag import handle_rag
from commands.update_form import FormField, UpdateForm, submit_update_form, update_choices
from storage.models import Plan, StatusUpdate
from storage.repository import PlanRepository


def submit(repo: PlanRepository, form: UpdateForm, email: str = V9_OWNER["email"]):
    return submit_update_form(form, Invocation(actor_for(repo, email), ""), repo, NOW)


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (UpdateForm("V9", "R"), {FormField.REASON}),
        (UpdateForm(None, None), {FormField.ACTION, FormField.COLOUR}),
        (UpdateForm("V9", "A", "Slipping", proposed_due=dt.date(2019, 3, 31)), {FormField.PROPOSED_DUE}),
        (UpdateForm("V9", "R", "Late", proposed_due=NOW.date()), {FormField.PROPOSED_DUE}),
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
    typed = handle_rag(Invocation(actor_for(repo, V9_OWNER["email"]), "V9 red Waiting on CJS"), repo, NOW)
    form = submit(repo, UpdateForm("V9", "R", "Waiting  on CJS", proposed_due=dt.date(2019, 6, 30), restricted=True))

    first, second = session.exec(StatusUpdate.__table__.select().order_by(StatusUpdate.id)).all()  # type: ignore[attr-defined]
    assert (first.status, first.reason, first.author_id) == (second.status, second.reason, second.author_id)
    assert (None, dt.date(2019, 6, 30), True) == (first.proposed_due, second.proposed_due, second.restricted)
    assert typed.text.splitlines()[0] == form.reply.text.splitlines()[0]
    assert "Re-profile requested: new due date 30 Jun 2019" in form.reply.text


def test_choices_are_the_persons_open_actions_and_searchable(repo: PlanRepository, plan: Plan):
    owner = actor_for(repo, V9_OWNER["email"])
    assert "V9" in [c.code for c in update_choices(owner, repo)]
    assert ["V9"] == [c.code for c in update_choices(owner, repo, "v9")]
