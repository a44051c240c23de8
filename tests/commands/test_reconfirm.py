""" "Still <colour>": one new update per reminder, with the same colour, reason and restriction."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session
from support.rag_support import NOW, STRANGER, V9_OWNER, V9_SRO, actor_for, stored_rows

from commands.model import Invocation
from commands.rag import handle_rag
from commands.reconfirm import ReconfirmRequest, reconfirm
from storage.models import Plan
from storage.repository import PlanRepository

REMINDER = "V9:2018-11-05"


def click(repo: PlanRepository, email: str, status: str = "A", at: dt.datetime = NOW):
    return reconfirm(ReconfirmRequest(REMINDER, status), Invocation(actor_for(repo, email), ""), repo, at)


def amber(repo: PlanRepository) -> None:
    handle_rag(Invocation(actor_for(repo, V9_OWNER["email"]), "V9 amber Slipping --restricted"), repo, NOW)


def test_still_records_the_same_status_reason_and_restriction_once(repo: PlanRepository, plan: Plan):
    amber(repo)
    first = click(repo, V9_OWNER["email"])
    again = click(repo, V9_SRO["email"], at=NOW + dt.timedelta(hours=1))

    latest, previous = repo.recent_updates(repo.action_by_code("V9").id, 5)
    assert (latest.status, latest.reason, latest.restricted) == (previous.status, previous.reason, True)
    assert first.ok and "V9 updated" in first.text
    assert not again.ok
    assert f"Already recorded: V9 was re-confirmed on 5 Nov 2018 by {V9_OWNER['name']}." == again.text


def test_a_refused_click_stores_nothing_and_leaves_the_button_usable(
    repo: PlanRepository, session: Session, plan: Plan
):
    amber(repo)
    before = stored_rows(session)
    refused = click(repo, STRANGER["email"])
    assert not refused.ok and "You can't update V9" in refused.text
    assert before == stored_rows(session)
    assert click(repo, V9_OWNER["email"]).ok


def test_a_reminder_about_an_older_colour_is_refused(repo: PlanRepository, session: Session, plan: Plan):
    amber(repo)
    before = stored_rows(session)
    reply = click(repo, V9_OWNER["email"], status="G")
    assert "V9 has changed since this reminder (it is now Amber)" in reply.text
    assert before == stored_rows(session)
