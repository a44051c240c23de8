"""``/plan admin`` assign, delegate, undelegate, reprofile, close and cadence through ``handle_plan``:
each change stored, audited and announced to the people it affects; each refusal stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from support.rag_support import ADMIN_EMAILS, NOW, STRANGER, V9, V9_OWNER, V9_SRO, actor_for, due

from commands.model import Actor, Invocation, Reply
from commands.plan_dispatch import handle_plan
from commands.rag import handle_rag
from storage.models import Action, AuditEntry, Delegate, Reprofile, RoleHolder
from storage.repository import PlanRepository

JO = "jo.haynes@example.org"  # an admin holding no role


def admin(repo: PlanRepository, text: str, email: str = ADMIN_EMAILS[0]) -> Reply:
    answer = handle_plan(Invocation(actor_for(repo, email), f"admin {text}"), repo, NOW)
    assert isinstance(answer, Reply)
    return answer


def counts(session: Session) -> tuple[int, ...]:
    """Rows an admin command may write; a refusal leaves every count as it was."""
    return tuple(
        session.exec(select(func.count()).select_from(table)).one()
        for table in (AuditEntry, Delegate, Reprofile, RoleHolder)
    )


def v9(repo: PlanRepository) -> Action:
    action = repo.action_by_code("V9")
    assert action is not None
    return action


def audits(session: Session, entity: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.actor != "tests")))


def emails(reply: Reply) -> list[str]:
    return [notice.email for notice in reply.notices]


class TestAssign:
    def test_moves_every_action_the_role_owns_to_the_new_holder(self, repo, plan, session):
        reply = admin(repo, f"assign \u201c{V9['owner']}\u201d {JO}")

        assert reply.ok, reply.text
        assert reply.text.startswith(f"{JO} now holds the {V9['owner']} (was {V9_OWNER['name']}). The role is owner of")
        assert "V9" in reply.text
        holders = repo.holders([v9(repo).owner_role_id])[v9(repo).owner_role_id]
        assert [JO] == [p.email for p in holders]
        [entry] = audits(session, "role")
        assert (V9["owner"], "assign", ADMIN_EMAILS[0]) == (entry.entity_key, entry.change, entry.actor)
        assert [JO, V9_OWNER["email"]] == emails(reply)
        assert "has made you the Head of Criminal Justice" in reply.notices[0].text

    def test_the_new_holder_may_update_at_once_and_the_old_one_may_not(self, repo, plan):
        admin(repo, f'assign "{V9["owner"]}" {JO}')
        old = handle_rag(Invocation(actor_for(repo, V9_OWNER["email"]), "V9 green"), repo, NOW)
        assert not old.ok
        assert f"held by {JO}" in old.text

    def test_assigning_the_holder_again_changes_nothing(self, repo, plan, session):
        before = counts(session)
        reply = admin(repo, f'assign "{V9["owner"]}" {V9_OWNER["email"]}')
        assert f"{V9_OWNER['name']} already holds the {V9['owner']}; nothing changed." == reply.text
        assert before == counts(session)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                f'assign "Head of Criminal Justise" {JO}',
                'There is no role "Head of Criminal Justise". Did you mean "Head of Criminal Justice"?',
            ),
            (
                'assign "Head of Criminal Justice" nobody@example.org',
                "No one with the email nobody@example.org is known",
            ),
            ('assign "Head of Criminal Justice" jo', '"jo" is not a person: mention them (@name) or give their email.'),
        ],
    )
    def test_mistakes_are_refused_and_store_nothing(self, repo, plan, session, text, expected):
        before = counts(session)
        reply = admin(repo, text)
        assert not reply.ok
        assert reply.text.startswith(expected)
        assert before == counts(session)

    def test_only_admins_may_assign(self, repo, plan, session):
        before = counts(session)
        reply = admin(repo, f'assign "{V9["owner"]}" {JO}', email=V9_OWNER["email"])
        assert not reply.ok
        assert reply.text.startswith("Only admins can assign roles; ask ")
        assert before == counts(session)


class TestDelegate:
    def test_owner_names_a_delegate_for_their_own_action(self, repo, plan, session):
        reply = admin(repo, f"delegate v9 {STRANGER['email']}", email=V9_OWNER["email"])

        assert f"{STRANGER['name']} is now a delegate for V9 and may post its status." == reply.text
        assert [STRANGER["email"]] == [p.email for p in repo.delegates(v9(repo).id)]
        assert [f"V9 / {STRANGER['email']}"] == [e.entity_key for e in audits(session, "delegate")]
        assert [STRANGER["email"]] == emails(reply)  # the owner typed it, so only the delegate hears
        assert handle_rag(Invocation(actor_for(repo, STRANGER["email"]), "V9 green"), repo, NOW).ok

    def test_admin_delegates_and_the_owner_is_told(self, repo, plan):
        reply = admin(repo, f"delegate V9 {STRANGER['email']}")
        assert [STRANGER["email"], V9_OWNER["email"]] == emails(reply)

    def test_someone_else_may_not_and_is_told_who_can(self, repo, plan, session):
        before = counts(session)
        reply = admin(repo, f"delegate V9 {STRANGER['email']}", email=V9_SRO["email"])
        assert not reply.ok
        assert reply.text.startswith(f"Only V9's owner (the {V9['owner']}, held by {V9_OWNER['name']}) or an admin (")
        assert before == counts(session)

    def test_undelegate_removes_and_tells_them(self, repo, plan, session):
        admin(repo, f"delegate V9 {STRANGER['email']}")
        reply = admin(repo, f"undelegate V9 {STRANGER['email']}", email=V9_OWNER["email"])
        assert f"{STRANGER['name']} is no longer a delegate for V9." == reply.text
        assert [] == repo.delegates(v9(repo).id)
        assert ["add", "remove"] == [e.change for e in audits(session, "delegate")]
        assert "has removed you as a delegate for V9" in reply.notices[0].text

    def test_unknown_action_suggests_the_nearest(self, repo, plan, session):
        before = counts(session)
        reply = admin(repo, f"delegate V99 {STRANGER['email']}")
        assert "There is no action V99 in" in reply.text and "Did you mean" in reply.text
        assert before == counts(session)


class TestActionChanges:
    def test_reprofile_keeps_the_baseline_and_records_the_approval(self, repo, plan, session):
        reply = admin(repo, 'reprofile V9 2019-03-31 "BCB 13/09/2018"')

        action = v9(repo)
        assert (due(V9), dt.date(2019, 3, 31)) == (action.baseline_due, action.current_due)
        [row] = session.exec(select(Reprofile))
        assert (due(V9), dt.date(2019, 3, 31), "BCB 13/09/2018", ADMIN_EMAILS[0]) == (
            row.old_due,
            row.new_due,
            row.approval,
            row.approved_by,
        )
        assert ["reprofile"] == [e.change for e in audits(session, "action")]
        assert (
            reply.text
            == "V9 is now due 31 Mar 2019 (was 31 Dec 2018; baseline 31 Dec 2018), approved by BCB 13/09/2018."
        )
        assert {V9_OWNER["email"], V9_SRO["email"]} == set(emails(reply))

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('reprofile V9 31/03/2019 "BCB"', '"31/03/2019" is not a date: write it as YYYY-MM-DD'),
            ("reprofile V9 2019-03-31", '"/plan admin reprofile V9 2019-03-31" is not an admin command I know.'),
            ('close V9 ""', 'Say who approved it, in quotes: e.g. "BCB 13/09/2018".'),
            ("cadence V9 daily", '"daily" is not an update cadence: use weekly, fortnightly, monthly or quarterly.'),
        ],
    )
    def test_malformed_commands_show_the_form_and_store_nothing(self, repo, plan, session, text, expected):
        before = counts(session)
        reply = admin(repo, text)
        assert not reply.ok
        assert reply.text.startswith(expected)
        assert "/plan admin reprofile ACTION YYYY-MM-DD" in reply.text
        assert before == counts(session)

    def test_close_with_approval(self, repo, plan, session):
        reply = admin(repo, 'close V9 "Panel 1 Feb 2019"')
        action = v9(repo)
        assert ("closed", "Panel 1 Feb 2019", NOW) == (action.state, action.state_approval, action.state_changed_at)
        assert ["close"] == [e.change for e in audits(session, "action")]
        assert V9_OWNER["email"] in emails(reply)
        assert "already closed" in admin(repo, 'close V9 "again"').text

    def test_cadence(self, repo, plan, session):
        reply = admin(repo, "cadence V9 fortnightly")
        assert "V9 is now updated fortnightly (was monthly)." == reply.text
        assert "fortnightly" == v9(repo).cadence
        assert ["cadence"] == [e.change for e in audits(session, "action")]

    @pytest.mark.parametrize("text", ['reprofile V9 2019-03-31 "BCB"', 'close V9 "BCB"', "cadence V9 weekly"])
    def test_only_admins_change_actions(self, repo, plan, session, text):
        before = counts(session)
        reply = admin(repo, text, email=V9_OWNER["email"])
        assert not reply.ok
        assert reply.text.startswith("Only admins can ")
        assert before == counts(session)
        assert (due(V9), "active", "monthly") == (v9(repo).current_due, v9(repo).state, v9(repo).cadence)


def test_notices_leave_out_the_actor(repo, plan):
    owner = actor_for(repo, V9_OWNER["email"])
    admin_owner = Actor(owner.person_id, owner.name, owner.email, is_admin=True)
    answer = handle_plan(Invocation(admin_owner, 'admin reprofile V9 2019-03-31 "BCB"'), repo, NOW)
    assert isinstance(answer, Reply)
    assert V9_OWNER["email"] not in emails(answer)
