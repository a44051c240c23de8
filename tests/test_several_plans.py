"""Several plans side by side: an import keeps every plan, one is current, and a file naming
another plan is refused unless the import is told to add it (--new-plan) or to rename the
current plan to it (--replace-current). No import takes away another plan's holders or admins."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from support.plan_files import NEW_PERSON, NEW_ROLE, NEXT_PLAN, next_plan_doc, write_doc

from commands.plan_file import load_plan
from commands.plan_spec import PlanSpec
from storage.models import Action, AuditEntry, Plan, RoleHolder, StatusUpdate
from storage.plan_import import PlanChoiceRefused, import_plan
from storage.repository import PlanRepository

LATER = dt.datetime(2021, 4, 1, 9, 0)


@pytest.fixture
def next_spec(sample_plan_path: Path, tmp_path: Path) -> PlanSpec:
    return load_plan(write_doc(next_plan_doc(sample_plan_path), tmp_path / "pcp-2021-24.yaml"))


def holdings(repo: PlanRepository) -> set[tuple[str, str]]:
    """Every (role title, email) holding in the database."""
    titles = {role.id: role.title for role in repo.all_roles()}
    emails = {person.id: person.email for person in repo.everyone()}
    return {(titles[row.role_id], emails[row.person_id]) for row in repo.all_role_holdings()}


def admins(repo: PlanRepository) -> set[str]:
    return {person.email for person in repo.admins()}


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


class TestRefusedWithoutAChoice:
    def test_a_new_plan_is_refused_and_nothing_is_written(
        self, plan: Plan, repo: PlanRepository, session: Session, next_spec: PlanSpec
    ) -> None:
        """The message names both plans and both ways forward; the current plan, its holders and admins stay."""
        before = (holdings(repo), admins(repo), count(session, AuditEntry), count(session, Plan))
        with pytest.raises(PlanChoiceRefused) as refused:
            import_plan(repo, next_spec, actor="tests", at=LATER)
        message = refused.value.message
        assert f'a new plan, "{NEXT_PLAN}", but the current plan is "PCP 2017-20"' in message
        assert "--new-plan" in message and "--replace-current" in message
        assert before == (holdings(repo), admins(repo), count(session, AuditEntry), count(session, Plan))
        assert "PCP 2017-20" == repo.current_plan().short_name

    def test_both_options_at_once_are_refused(self, plan: Plan, repo: PlanRepository, next_spec: PlanSpec) -> None:
        with pytest.raises(PlanChoiceRefused, match="not both"):
            import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True, replace_current=True)

    def test_new_plan_for_a_plan_already_imported_is_refused(
        self, plan: Plan, repo: PlanRepository, sample_plan_spec: PlanSpec
    ) -> None:
        with pytest.raises(PlanChoiceRefused, match="already imported, so it is not new"):
            import_plan(repo, sample_plan_spec, actor="tests", at=LATER, new_plan=True)

    def test_a_past_plan_is_refused_until_it_is_made_current(
        self, plan: Plan, repo: PlanRepository, sample_plan_spec: PlanSpec, next_spec: PlanSpec
    ) -> None:
        """Re-importing the old file after a new plan took over says how to update it, and does not switch back."""
        import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        with pytest.raises(PlanChoiceRefused) as refused:
            import_plan(repo, sample_plan_spec, actor="tests", at=LATER)
        assert 'planbot plan use "PCP 2017-20"' in refused.value.message
        assert NEXT_PLAN == repo.current_plan().short_name

        assert plan.id is not None
        repo.make_current(plan.id)
        result = import_plan(repo, sample_plan_spec, actor="tests", at=LATER)
        assert [] == result.changes
        assert "PCP 2017-20" == repo.current_plan().short_name

    def test_replace_current_cannot_take_another_plans_name(
        self, plan: Plan, repo: PlanRepository, sample_plan_spec: PlanSpec, next_spec: PlanSpec
    ) -> None:
        import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        with pytest.raises(PlanChoiceRefused, match="two plans cannot share a short name"):
            import_plan(repo, sample_plan_spec, actor="tests", at=LATER, replace_current=True)


class TestNewPlan:
    def test_new_plan_sits_beside_the_old_and_becomes_current(
        self, plan: Plan, repo: PlanRepository, session: Session, next_spec: PlanSpec
    ) -> None:
        """The old plan keeps its actions; the new one has its own V1 to V3 and is what chat commands see."""
        old_actions = [(a.code, a.title, a.state) for a in repo.actions(plan.id)]
        result = import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        assert ("PCP 2017-20", True) == (result.made_current, result.new_plan)
        assert 2 == count(session, Plan)
        current = repo.current_plan()
        assert NEXT_PLAN == current.short_name
        assert ["V1", "V2", "V3"] == [a.code for a in repo.actions(current.id)]
        assert repo.action_by_code("V1").title.startswith("2021-24: ")
        assert old_actions == [(a.code, a.title, a.state) for a in repo.actions(plan.id)]
        assert not plan.is_current
        switched = session.exec(select(AuditEntry).where(AuditEntry.change == "current")).one()
        assert (NEXT_PLAN, "tests") == (switched.entity_key, switched.actor)

    def test_another_plans_role_holders_and_admins_are_kept(
        self, plan: Plan, repo: PlanRepository, next_spec: PlanSpec
    ) -> None:
        """The new file lists a few of the old plan's people and one of its two admins: nothing is taken away."""
        before_holdings, before_admins = holdings(repo), admins(repo)
        result = import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        assert before_holdings | {(NEW_ROLE, NEW_PERSON)} == holdings(repo)
        assert before_admins == admins(repo)
        assert [] == [c for c in result.changes if c.kind == "close"]

    def test_re_importing_the_new_plan_changes_nothing_and_keeps_the_old_holders(
        self, plan: Plan, repo: PlanRepository, next_spec: PlanSpec
    ) -> None:
        import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        before = holdings(repo), admins(repo)
        result = import_plan(repo, next_spec, actor="tests", at=LATER)
        assert [] == result.changes
        assert before == (holdings(repo), admins(repo))

    def test_the_new_plan_takes_away_only_what_it_gave(
        self, plan: Plan, repo: PlanRepository, next_spec: PlanSpec
    ) -> None:
        """Nadia's role passes to another of the file's people: her holding goes, the rest stay."""
        import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        people = tuple(dataclasses.replace(p, roles=()) if p.email == NEW_PERSON else p for p in next_spec.people)
        v1_owner = next(p for p in next_spec.people if p.roles and p.email != NEW_PERSON)
        people = tuple(dataclasses.replace(p, roles=(*p.roles, NEW_ROLE)) if p is v1_owner else p for p in people)
        result = import_plan(repo, dataclasses.replace(next_spec, people=people), actor="tests", at=LATER)
        assert {("close", f"{NEW_ROLE} / {NEW_PERSON}"), ("add", f"{NEW_ROLE} / {v1_owner.email}")} == {
            (c.kind, c.key) for c in result.changes
        }

    def test_a_past_plans_history_stays(
        self, plan: Plan, repo: PlanRepository, session: Session, next_spec: PlanSpec
    ) -> None:
        """Updates on the old plan's V9 are still there, and pinned to the old plan its V9 is found again."""
        v9 = repo.action_by_code("V9")
        author = repo.admins()[0]
        repo.add(StatusUpdate(action_id=v9.id, status="R", reason="CJS", author_id=author.id, created_at=LATER))
        import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        assert repo.action_by_code("V9") is None
        repo.pin_plan(plan)
        assert v9.id == repo.action_by_code("v9").id
        assert ["CJS"] == [u.reason for u in repo.recent_updates(v9.id, 5)]


class TestReplaceCurrent:
    def test_the_current_plan_is_renamed_in_place(
        self, plan: Plan, repo: PlanRepository, session: Session, next_spec: PlanSpec
    ) -> None:
        """One plan still; its short name, name and period are the file's; V9 is closed, not deleted."""
        v9 = repo.action_by_code("V9")
        result = import_plan(repo, next_spec, actor="tests", at=LATER, replace_current=True)
        assert 1 == count(session, Plan)
        assert (NEXT_PLAN, plan.id) == (repo.current_plan().short_name, repo.current_plan().id)
        assert None is result.made_current
        (renamed,) = [c for c in result.changes if c.entity == "plan"]
        assert f"short_name: PCP 2017-20 → {NEXT_PLAN}" in renamed.detail
        assert "closed" == session.get(Action, v9.id).state


class TestCurrentPlan:
    def test_first_import_is_current(self, repo: PlanRepository, next_spec: PlanSpec) -> None:
        """An empty database takes any plan, with no option needed."""
        result = import_plan(repo, next_spec, actor="tests", at=LATER)
        assert (True, None) == (result.new_plan, result.made_current)
        assert repo.current_plan().is_current

    def test_current_is_the_marked_plan_not_the_newest(
        self, plan: Plan, repo: PlanRepository, next_spec: PlanSpec
    ) -> None:
        import_plan(repo, next_spec, actor="tests", at=LATER, new_plan=True)
        assert plan.id is not None
        repo.make_current(plan.id)
        assert "PCP 2017-20" == repo.current_plan().short_name
        assert [NEXT_PLAN, "PCP 2017-20"] == [p.short_name for p in repo.all_plans()]
        assert 1 == sum(p.is_current for p in repo.all_plans())

    def test_holders_are_unchanged_in_count(self, plan: Plan, session: Session, repo: PlanRepository) -> None:
        """Making a plan current writes no holding."""
        before = count(session, RoleHolder)
        assert plan.id is not None
        repo.make_current(plan.id)
        assert before == count(session, RoleHolder)
