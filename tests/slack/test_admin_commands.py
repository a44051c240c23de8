"""``/plan admin`` over signed HTTP: mentions resolved to people, changes stored, the people affected told by DM."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import select
from support.fake_slack import FakeSlack, SlackUser
from support.workspace import ADMIN, BOT, OWNER
from test_plan_command import plan

from storage.db import session_scope
from storage.models import Action, AuditEntry, Delegate, Reprofile
from storage.repository import PlanRepository

JO = SlackUser("U999", "Jo Haynes", "jo.haynes@example.org")


def dms(fake_slack: FakeSlack) -> dict[str, str]:
    return {p["channel"]: p["text"] for p in fake_slack.posted if p["channel"].startswith("D")}


def test_assign_a_role_by_mention_moves_its_actions_and_tells_both_holders(events_url, fake_slack, engine: Engine):
    fake_slack.users[JO.id] = JO
    fake_slack.emails["ollie.kerr@example.org"] = OWNER.id

    reply = plan(events_url, fake_slack, f"admin assign \u201cHead of Criminal Justice\u201d <@{JO.id}|jo>", ADMIN.id)

    assert reply["text"].startswith("jo.haynes@example.org now holds the Head of Criminal Justice (was Ollie Kerr).")
    assert "V9" in reply["text"]
    with session_scope(engine) as session:
        repo = PlanRepository(session)
        v9 = repo.action_by_code("V9")
        assert v9 is not None
        assert [JO.email] == [p.email for p in repo.holders([v9.owner_role_id])[v9.owner_role_id]]
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.entity == "role", AuditEntry.actor == ADMIN.email))
    assert "Head of Criminal Justice" == entry.entity_key
    fake_slack.wait_for("chat.postMessage", 2)
    told = dms(fake_slack)
    assert "has made you the Head of Criminal Justice. The role is owner of" in told[f"D{JO.id}"]
    assert "has given the Head of Criminal Justice to jo.haynes@example.org" in told[f"D{OWNER.id}"]


def test_reprofile_records_the_approval_and_says_who_could_not_be_told(events_url, fake_slack, engine: Engine):
    fake_slack.emails["ollie.kerr@example.org"] = OWNER.id  # V9's SRO is not in the workspace

    reply = plan(events_url, fake_slack, 'admin reprofile V9 2019-03-31 "BCB 13/09/2018"', ADMIN.id)

    assert reply["text"].startswith(
        "V9 is now due 31 Mar 2019 (was 31 Dec 2018; baseline 31 Dec 2018), approved by BCB"
    )
    assert "I couldn't message Liam Evans in Slack; please tell them." in reply["text"]
    with session_scope(engine) as session:
        [row] = session.exec(select(Reprofile))
        v9 = session.exec(select(Action).where(Action.code == "V9")).one()
    assert ("BCB 13/09/2018", dt.date(2019, 3, 31)) == (row.approval, v9.current_due)
    assert "re-profiled V9: V9 is now due 31 Mar 2019" in dms(fake_slack)[f"D{OWNER.id}"]


def test_an_owner_is_refused_an_admin_change_and_nothing_is_stored(events_url, fake_slack, engine: Engine):
    reply = plan(events_url, fake_slack, "admin cadence V9 weekly", OWNER.id)

    assert reply["text"].startswith("Only admins can change update cadences; ask ")
    with session_scope(engine) as session:
        assert "monthly" == session.exec(select(Action).where(Action.code == "V9")).one().cadence
    assert {} == dms(fake_slack)


def test_a_mentioned_user_without_an_email_is_refused(events_url, fake_slack, engine: Engine):
    reply = plan(events_url, fake_slack, f"admin delegate V9 <@{BOT.id}|somebot>", ADMIN.id)

    assert reply["text"].startswith("I couldn't read @somebot's email from Slack")
    with session_scope(engine) as session:
        assert [] == list(session.exec(select(Delegate)))
