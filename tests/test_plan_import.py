"""Importing a plan: everything in the sample arrives, a re-import changes nothing, changes are audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from commands.plan_file import PlanSpec, load_plan
from storage.models import Action, ActionState, AuditEntry, Measure, Person, Plan, Role, RoleHolder, Theme
from storage.plan_import import REMOVED_FROM_FILE, import_plan
from storage.repository import PlanRepository

LATER = dt.datetime(2018, 1, 15, 10, 0)


@pytest.fixture
def spec(sample_plan_path: Path) -> PlanSpec:
    return load_plan(sample_plan_path)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def with_action(spec: PlanSpec, code: str, **changes: object) -> PlanSpec:
    """The spec with one action's fields changed, as if the file had been edited."""
    themes = tuple(
        dataclasses.replace(
            t, actions=tuple(dataclasses.replace(a, **changes) if a.code == code else a for a in t.actions)
        )
        for t in spec.themes
    )
    return dataclasses.replace(spec, themes=themes)


def without_action(spec: PlanSpec, code: str) -> PlanSpec:
    themes = tuple(dataclasses.replace(t, actions=tuple(a for a in t.actions if a.code != code)) for t in spec.themes)
    return dataclasses.replace(spec, themes=themes)


def audits(session: Session, entity: str, key: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_key == key)
    return list(session.exec(query.order_by(AuditEntry.id)))


class TestFirstImport:
    def test_sample_arrives_whole(self, plan: Plan, session: Session, spec: PlanSpec) -> None:
        """Every theme, action, measure, person, holding and admin in the file is in the database."""
        assert spec.short_name == plan.short_name
        assert len(spec.themes) == count(session, Theme)
        assert len(spec.actions) == count(session, Action)
        assert sum(len(a.measures) for a in spec.actions) == count(session, Measure)
        assert len(spec.people) == count(session, Person)
        assert sum(len(p.roles) for p in spec.people) == count(session, RoleHolder)
        admins = {p.email for p in spec.people if p.is_admin}
        assert admins == set(session.exec(select(Person.email).where(Person.is_admin)))

    def test_actions_name_their_roles_and_due_dates(self, plan: Plan, repo: PlanRepository, spec: PlanSpec) -> None:
        expected = next(a for a in spec.actions if a.code == "V9")
        v9 = repo.action_by_code("v9")
        assert v9 is not None
        roles = repo.roles([v9.owner_role_id, v9.sro_role_id])
        assert (expected.owner, expected.sro) == (roles[v9.owner_role_id].title, roles[v9.sro_role_id].title)
        assert (expected.due, expected.due) == (v9.baseline_due, v9.current_due)
        assert [a.code for a in spec.actions] == [a.code for a in repo.actions(plan.id)]

    def test_every_addition_is_audited(self, repo: PlanRepository, session: Session, spec: PlanSpec) -> None:
        result = import_plan(repo, spec, actor="jo.haynes@example.org", at=LATER)
        session.flush()
        assert result.added == len(result.changes) == count(session, AuditEntry)
        assert {"jo.haynes@example.org"} == set(session.exec(select(AuditEntry.actor)))


class TestReimport:
    def test_same_file_twice_changes_nothing(
        self, plan: Plan, repo: PlanRepository, session: Session, spec: PlanSpec
    ) -> None:
        before = count(session, AuditEntry)
        result = import_plan(repo, spec, actor="tests", at=LATER)
        assert [] == result.changes
        assert "0 added, 0 changed, 0 closed" == result.summary()
        session.flush()
        assert before == count(session, AuditEntry)

    def test_changed_title_and_owner_are_reported_and_audited(
        self, plan: Plan, repo: PlanRepository, session: Session, spec: PlanSpec
    ) -> None:
        old = next(a for a in spec.actions if a.code == "V9")
        new_owner = next(a.owner for a in spec.actions if a.owner != old.owner)
        result = import_plan(
            repo, with_action(spec, "V9", title="A new title.", owner=new_owner), actor="tests", at=LATER
        )
        (change,) = result.changes
        assert ("change", "action", "V9") == (change.kind, change.entity, change.key)
        assert f"owner: {old.owner} → {new_owner}" in change.detail
        (entry,) = audits(session, "action", "V9")[-1:]
        assert {"title": old.title, "owner": old.owner} == json.loads(entry.detail)["before"]
        assert {"title": "A new title.", "owner": new_owner} == json.loads(entry.detail)["after"]
        assert "A new title." == repo.action_by_code("V9").title

    def test_new_due_date_moves_current_due_unless_re_profiled(
        self, plan: Plan, repo: PlanRepository, session: Session, spec: PlanSpec
    ) -> None:
        """The file holds the baseline; a board-approved re-profile of the current date is kept."""
        v1, v2 = repo.action_by_code("V1"), repo.action_by_code("V2")
        re_profiled = v2.current_due + dt.timedelta(days=90)
        v2.current_due = re_profiled
        moved = {"V1": v1.baseline_due + dt.timedelta(days=30), "V2": v2.baseline_due + dt.timedelta(days=30)}
        edited = with_action(with_action(spec, "V1", due=moved["V1"]), "V2", due=moved["V2"])
        result = import_plan(repo, edited, actor="tests", at=LATER)
        assert ["V1", "V2"] == [c.key for c in result.changes]
        assert (moved["V1"], moved["V1"]) == (v1.baseline_due, v1.current_due)
        assert (moved["V2"], re_profiled) == (v2.baseline_due, v2.current_due)

    def test_action_dropped_from_file_is_closed_not_deleted(
        self, plan: Plan, repo: PlanRepository, session: Session, spec: PlanSpec
    ) -> None:
        result = import_plan(repo, without_action(spec, "V10"), actor="tests", at=LATER)
        assert [("close", "action", "V10")] == [(c.kind, c.entity, c.key) for c in result.changes]
        v10 = repo.action_by_code("V10")
        assert v10 is not None
        assert (ActionState.CLOSED.value, REMOVED_FROM_FILE, LATER) == (
            v10.state,
            v10.state_approval,
            v10.state_changed_at,
        )
        assert len(spec.actions) == count(session, Action)
        assert "close" == audits(session, "action", "V10")[-1].change

        again = import_plan(repo, spec, actor="tests", at=LATER)
        assert [("change", "action", "V10")] == [(c.kind, c.entity, c.key) for c in again.changes]
        assert (ActionState.ACTIVE.value, None) == (v10.state, v10.state_approval)

    def test_role_dropped_from_a_person_loses_the_holding_but_keeps_the_person(
        self, plan: Plan, repo: PlanRepository, session: Session, spec: PlanSpec
    ) -> None:
        leaver = spec.people[0]
        people = tuple(dataclasses.replace(p, roles=()) if p is leaver else p for p in spec.people)
        result = import_plan(repo, dataclasses.replace(spec, people=people), actor="tests", at=LATER)
        assert [("close", "role holder", f"{leaver.roles[0]} / {leaver.email}")] == [
            (c.kind, c.entity, c.key) for c in result.changes
        ]
        person = repo.person_by_email(leaver.email)
        assert person is not None
        assert set() == repo.roles_held(person.id)
        assert session.exec(select(Role).where(Role.title == leaver.roles[0])).first() is not None

    def test_admin_left_out_of_the_file_is_no_longer_admin(
        self, plan: Plan, repo: PlanRepository, spec: PlanSpec
    ) -> None:
        admin = next(p for p in spec.people if p.is_admin)
        people = tuple(dataclasses.replace(p, is_admin=False) if p is admin else p for p in spec.people)
        result = import_plan(repo, dataclasses.replace(spec, people=people), actor="tests", at=LATER)
        assert [("change", "person", admin.email, "admin: yes → no")] == [
            (c.kind, c.entity, c.key, c.detail) for c in result.changes
        ]
        assert not repo.person_by_email(admin.email).is_admin
