"""Chat changes last: a role moved with ``/plan admin assign`` or a cadence set with ``/plan admin
cadence`` survives a re-import of an unchanged file, listed as kept and audited; the file wins
when its own value changed since the last import, or with ``from_file_wins`` (listed and audited
as undoing the chat change)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlmodel import Session, select
from support.cli_support import play_on, row_counts
from support.rag_support import ADMIN_EMAILS, NOW, actor_for

from bot.cli import main
from commands.model import Invocation, Reply
from commands.plan_dispatch import handle_plan
from commands.plan_spec import PlanSpec
from storage.models import AuditEntry, Plan
from storage.plan_import import UNDOES, import_plan
from storage.repository import PlanRepository

LATER = NOW + dt.timedelta(days=7)
ROLE = "Head of Criminal Justice"
FILE_HOLDER = "ollie.kerr@example.org"
JO = "jo.haynes@example.org"


def admin(repo: PlanRepository, text: str) -> Reply:
    answer = handle_plan(Invocation(actor_for(repo, ADMIN_EMAILS[0]), f"admin {text}"), repo, NOW)
    assert isinstance(answer, Reply)
    return answer


def holders(repo: PlanRepository, title: str) -> list[str]:
    role = next(r for r in repo.all_roles() if r.title == title)
    return [p.email for p in repo.holders([role.id])[role.id]]


def rows(result) -> list[tuple[str, str, str]]:
    return [(c.kind, c.entity, c.key) for c in result.changes]


def with_holder(spec: PlanSpec, title: str, email: str) -> PlanSpec:
    """The file edited so that ``email`` (already listed in it) holds ``title`` instead of whoever did."""
    people = tuple(
        dataclasses.replace(
            p,
            roles=tuple(r for r in p.roles if r != title) + ((title,) if p.email == email else ()),
        )
        for p in spec.people
    )
    return dataclasses.replace(spec, people=people)


@pytest.fixture
def assigned(plan: Plan, repo: PlanRepository) -> PlanRepository:
    """The Head of Criminal Justice moved to Jo in chat, after the sample plan's import."""
    admin(repo, f'assign "{ROLE}" {JO}')
    assert [JO] == holders(repo, ROLE)
    return repo


class TestAssignKept:
    def test_unchanged_file_keeps_the_chat_holder_and_lists_it(
        self, assigned: PlanRepository, session: Session, sample_plan_spec: PlanSpec
    ) -> None:
        result = import_plan(assigned, sample_plan_spec, actor="tests", at=LATER)
        assert [("keep", "role holder", ROLE)] == rows(result)
        (kept,) = result.changes
        assert f"held by {JO} since the file was last imported" in kept.detail  # Jo is named only as an admin
        assert "the file still says Ollie Kerr" in kept.detail
        assert "0 added, 0 changed, 0 closed, 1 kept as changed since the last import" == result.summary()
        assert [JO] == holders(assigned, ROLE)
        entry = session.exec(select(AuditEntry).where(AuditEntry.change == "keep")).one()
        assert (ROLE, "tests") == (entry.entity_key, entry.actor)
        assert {"before": {"file": [FILE_HOLDER]}, "after": {"kept": [JO]}} == json.loads(entry.detail)

    def test_kept_again_on_the_next_import(self, assigned: PlanRepository, sample_plan_spec: PlanSpec) -> None:
        import_plan(assigned, sample_plan_spec, actor="tests", at=LATER)
        again = import_plan(assigned, sample_plan_spec, actor="tests", at=LATER)
        assert [("keep", "role holder", ROLE)] == rows(again)
        assert [JO] == holders(assigned, ROLE)

    def test_from_file_wins_puts_the_files_holder_back_and_says_so(
        self, assigned: PlanRepository, session: Session, sample_plan_spec: PlanSpec
    ) -> None:
        result = import_plan(assigned, sample_plan_spec, actor="tests", at=LATER, from_file_wins=True)
        assert {("close", "role holder", f"{ROLE} / {JO}"), ("add", "role holder", f"{ROLE} / {FILE_HOLDER}")} == set(
            rows(result)
        )
        assert all(UNDOES in c.detail for c in result.changes)
        assert [FILE_HOLDER] == holders(assigned, ROLE)
        undone = session.exec(select(AuditEntry).where(AuditEntry.entity == "role holder")).all()
        assert {UNDOES} == {json.loads(e.detail).get("undoes") for e in undone if e.at == LATER}

    def test_a_changed_file_wins(self, assigned: PlanRepository, session: Session, sample_plan_spec: PlanSpec) -> None:
        """The file now names someone else (Ruth Rowe): the file changed since, so its holder is taken."""
        ruth = "ruth.rowe@example.org"
        result = import_plan(assigned, with_holder(sample_plan_spec, ROLE, ruth), actor="tests", at=LATER)
        assert {("close", "role holder", f"{ROLE} / {JO}"), ("add", "role holder", f"{ROLE} / {ruth}")} == set(
            rows(result)
        )
        assert [ruth] == holders(assigned, ROLE)
        assert all(UNDOES in c.detail for c in result.changes)

    def test_other_roles_follow_the_file_as_before(self, assigned: PlanRepository, sample_plan_spec: PlanSpec) -> None:
        """A holding the file itself changes is applied beside the kept chat change."""
        leaver = next(p for p in sample_plan_spec.people if p.roles and ROLE not in p.roles)
        people = tuple(dataclasses.replace(p, roles=()) if p is leaver else p for p in sample_plan_spec.people)
        result = import_plan(assigned, dataclasses.replace(sample_plan_spec, people=people), actor="tests", at=LATER)
        assert {("keep", "role holder", ROLE), ("close", "role holder", f"{leaver.roles[0]} / {leaver.email}")} == set(
            rows(result)
        )
        assert not any(UNDOES in c.detail for c in result.changes)


class TestCadenceKept:
    def test_chat_cadence_survives_an_unchanged_file(
        self, plan: Plan, repo: PlanRepository, session: Session, sample_plan_spec: PlanSpec
    ) -> None:
        admin(repo, "cadence V9 fortnightly")
        result = import_plan(repo, sample_plan_spec, actor="tests", at=LATER)
        assert [("keep", "action", "V9")] == rows(result)
        assert "fortnightly" == repo.action_by_code("V9").cadence

        undone = import_plan(repo, sample_plan_spec, actor="tests", at=LATER, from_file_wins=True)
        assert [("change", "action", "V9")] == rows(undone)
        assert "cadence: fortnightly → monthly (cadence undoes" in undone.changes[0].detail
        assert "monthly" == repo.action_by_code("V9").cadence


class TestNothingChangedInChat:
    def test_a_re_import_with_no_chat_change_changes_nothing(
        self, plan: Plan, repo: PlanRepository, sample_plan_spec: PlanSpec
    ) -> None:
        assert [] == import_plan(repo, sample_plan_spec, actor="tests", at=LATER).changes
        assert [] == import_plan(repo, sample_plan_spec, actor="tests", at=LATER, from_file_wins=True).changes


class TestAtTheTerminal:
    @pytest.fixture
    def database(self, imported_db_url: str) -> str:
        """The sample plan imported through the command line, then its Head of Criminal Justice moved to Jo in chat."""
        play_on(imported_db_url, lambda repo: admin(repo, f'assign "{ROLE}" {JO}'))
        return imported_db_url

    def test_dry_run_lists_what_a_real_import_keeps(
        self, database: str, sample_plan_path, capsys: pytest.CaptureFixture
    ) -> None:
        before = row_counts(database)
        assert 0 == main(["plan", "import", str(sample_plan_path), "--dry-run"])
        out = " ".join(capsys.readouterr().out.split())
        assert "keep" in out and ROLE in out
        assert "Dry run, nothing written: 0 added, 0 changed, 0 closed, 1 kept as changed since the last import" in out
        assert "--from-file-wins applies the file's instead" in out
        assert before == row_counts(database)

        assert 0 == main(["plan", "import", str(sample_plan_path), "--dry-run", "--from-file-wins"])
        assert "1 added, 0 changed, 1 closed" in capsys.readouterr().out
        assert before == row_counts(database)

    def test_real_import_keeps_then_from_file_wins_restores(
        self, database: str, sample_plan_path, capsys: pytest.CaptureFixture
    ) -> None:
        assert 0 == main(["plan", "import", str(sample_plan_path)])
        assert "1 kept as changed since the last import" in capsys.readouterr().out
        assert 0 == main(["plan", "import", str(sample_plan_path), "--from-file-wins"])
        out = " ".join(capsys.readouterr().out.split())
        assert "1 added, 0 changed, 1 closed" in out
        assert 0 == main(["plan", "import", str(sample_plan_path)])
        assert "No changes" in capsys.readouterr().out
