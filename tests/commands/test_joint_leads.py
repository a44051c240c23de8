"""Joint leads: an action may name a second lead role (a Force lead beside an OPCC lead) in YAML or
CSV; its holders may update the action and are nudged like the owner's; reports show both leads.
A joint lead no one holds, or the owner named twice, is refused with the line; a plan without joint
leads reads as before.

Runs on the test database (SQLite, or PostgreSQL with ``PLANBOT_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from support.plan_files import sample_doc, write_doc
from test_plan_file import action, as_csv, line_of, problems_of

from commands.model import Actor, Invocation, Reply
from commands.nudges import NUDGE, nudges_and_escalations
from commands.panel import build_panel
from commands.periods import Quarter
from commands.plan_file import load_plan
from commands.rag import handle_rag
from commands.report_builders import history, theme_summary, weekly_digest
from commands.rules import DEFAULT_SCHEME
from storage.models import StatusUpdate
from storage.plan_import import import_plan
from storage.repository import PlanRepository

OWNER_ROLE, JOINT_ROLE = "Head of Criminal Justice", "Head of Partnerships (OPCC)"
OWNER, JOINT = "ollie.kerr@example.org", "zara.nash@example.org"
BOTH = f"{OWNER_ROLE} and {JOINT_ROLE}"
NOW = dt.datetime(2018, 12, 10, 10, 0)


@pytest.fixture
def doc(sample_plan_path: Path) -> dict[str, Any]:
    """The sample plan with V9 led jointly by the Head of Criminal Justice and the OPCC's Head of Partnerships."""
    sample = sample_doc(sample_plan_path)
    action(sample, "V9")["joint_lead"] = JOINT_ROLE
    return sample


@pytest.fixture
def joint(repo: PlanRepository, engine: object, doc: dict[str, Any], tmp_path: Path) -> PlanRepository:
    import_plan(repo, load_plan(write_doc(doc, tmp_path / "plan.yaml")), actor="tests", at=NOW - dt.timedelta(days=60))
    return repo


def rag(repo: PlanRepository, email: str, text: str) -> Reply:
    person = repo.person_by_email(email)
    assert person is not None and person.id is not None
    return handle_rag(Invocation(Actor(person.id, person.name, person.email), text), repo, NOW)


class TestPlanFiles:
    def test_yaml_and_csv_say_the_same_joint_lead(self, doc: dict[str, Any], tmp_path: Path) -> None:
        from_yaml = load_plan(write_doc(doc, tmp_path / "plan.yaml"))
        csv_path = as_csv(doc, tmp_path)
        lines = csv_path.read_text(encoding="utf-8").splitlines()
        header = lines.index(next(line for line in lines if line.startswith("theme_code")))
        lines[header] += ",Joint lead"
        v9 = lines.index(next(line for line in lines if ",V9," in line))
        lines[v9] += f",{JOINT_ROLE}"
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        from_csv = load_plan(csv_path)
        leads = {a.code: a.leads for a in from_yaml.actions}
        assert (OWNER_ROLE, JOINT_ROLE) == leads["V9"]
        assert leads == {a.code: a.leads for a in from_csv.actions}
        assert 1 == sum(len(lead) == 2 for lead in leads.values())

    def test_a_joint_lead_no_one_holds_is_refused_with_the_line(self, doc: dict[str, Any], tmp_path: Path) -> None:
        action(doc, "V9")["joint_lead"] = "Force Lead for Nothing"
        expected = (
            'plan.yaml: action 9 (V9), field "joint_lead": no one holds the role "Force Lead for Nothing" '
            "(add its holder under people)"
        )
        assert [expected] == problems_of(write_doc(doc, tmp_path / "plan.yaml"))

    def test_a_csv_joint_lead_no_one_holds_names_its_line(self, doc: dict[str, Any], tmp_path: Path) -> None:
        del action(doc, "V9")["joint_lead"]
        path = as_csv(doc, tmp_path)
        text = path.read_text(encoding="utf-8").replace(",priority\n", ",priority,joint_lead\n", 1)
        path.write_text(text.replace(",2018-12-31,yes\n", ",2018-12-31,yes,Nobody's Lead\n", 1), encoding="utf-8")
        line = line_of(path, ",V9,")
        assert [
            f'actions.csv: line {line} (V9), field "joint_lead": no one holds the role "Nobody\'s Lead" '
            "(add its holder under people.csv)"
        ] == problems_of(path)

    def test_the_owner_named_again_as_joint_lead_is_refused(self, doc: dict[str, Any], tmp_path: Path) -> None:
        action(doc, "V9")["joint_lead"] = OWNER_ROLE
        [problem] = problems_of(write_doc(doc, tmp_path / "plan.yaml"))
        assert f'field "joint_lead": "{OWNER_ROLE}" is the owner already' in problem


class TestJointLeadWorks:
    def test_the_joint_lead_may_update_and_is_recorded_as_such(self, joint: PlanRepository, session: Session) -> None:
        reply = rag(joint, JOINT, "V9 amber Review booked")
        assert reply.ok, reply.text
        assert "Recorded as made by the action's joint lead." in reply.text
        [update] = session.exec(select(StatusUpdate)).all()
        assert not update.on_behalf

    def test_the_joint_lead_may_not_update_other_actions(self, joint: PlanRepository) -> None:
        reply = rag(joint, JOINT, "V2 amber Not mine")
        assert not reply.ok and "You can't update V2" in reply.text

    def test_someone_else_is_told_of_both_leads(self, joint: PlanRepository) -> None:
        reply = rag(joint, "alex.morgan@example.org", "V9 green Fine")
        assert not reply.ok
        assert f"jointly with the {JOINT_ROLE} (held by Zara Nash)" in reply.text

    def test_the_joint_lead_is_nudged_like_the_owner(self, joint: PlanRepository) -> None:
        sent = nudges_and_escalations(joint, NOW.date().isoformat(), NOW, DEFAULT_SCHEME)
        nudged = {(m.recipient.email, m.action_code) for m in sent if m.job == NUDGE}
        assert {(OWNER, "V9"), (JOINT, "V9")} <= nudged
        assert (JOINT, "V2") not in nudged

    def test_rag_shows_and_mine_lists_it(self, joint: PlanRepository) -> None:
        shown = rag(joint, JOINT, "V9").text
        assert f"Owner: {OWNER_ROLE} (Ollie Kerr)" in shown
        assert f"Joint lead: {JOINT_ROLE} (Zara Nash)" in shown
        assert "V9 (joint lead): Not yet reported" in rag(joint, JOINT, "mine").text

    def test_reports_show_both_leads(self, joint: PlanRepository) -> None:
        assert rag(joint, OWNER, "V9 red Waiting on CJS review --mitigation LCJB").ok
        summary = theme_summary(joint, NOW, "V")
        rows = {row.code: row for block in summary.themes for row in block.rows}
        assert BOTH == rows["V9"].owner_role
        assert OWNER_ROLE == rows["V2"].owner_role, "an action without a joint lead reads as before"
        digest = weekly_digest(joint, NOW)
        assert BOTH == next(row for row in digest.changes if row.code == "V9").owner_role
        assert BOTH == history(joint, "V9").owner_role

    def test_the_panel_appendix_lead_column_names_both(self, joint: PlanRepository) -> None:
        internal = build_panel(joint, Quarter(2018, 3), NOW, public=False)
        public = build_panel(joint, Quarter(2018, 3), NOW, public=True)
        lead = {line.row.code: line.owner for line in internal.actions}
        assert f"{BOTH} (Ollie Kerr, Zara Nash)" == lead["V9"]
        assert f"{OWNER_ROLE} (Ollie Kerr)" == lead["V2"]
        assert BOTH == next(line.owner for line in public.actions if line.row.code == "V9")

    def test_a_reimport_without_it_returns_to_one_owner(
        self, joint: PlanRepository, doc: dict[str, Any], tmp_path: Path
    ) -> None:
        del action(doc, "V9")["joint_lead"]
        result = import_plan(joint, load_plan(write_doc(doc, tmp_path / "again.yaml")), actor="tests", at=NOW)
        assert any("joint lead" in str(change) for change in result.changes)
        assert OWNER_ROLE == history(joint, "V9").owner_role
        assert "Joint lead" not in rag(joint, OWNER, "V9").text
