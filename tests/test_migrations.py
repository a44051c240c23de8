"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from commands.model import Actor, Invocation
from commands.periods import Quarter
from commands.quarterly import quarterly_summary
from commands.rag import handle_rag
from commands.rag_scheme import plan_scheme
from commands.rules import DEFAULT_SCHEME
from storage import migrate
from storage.db import make_engine
from storage.migrate import MIGRATIONS, current_revision, head_revision, shipped_head, upgrade_to, upgrade_to_head
from storage.models import Plan, Role, Theme
from storage.repository import PlanRepository


@pytest.fixture
def fresh(empty_db_url: str) -> Iterator[Engine]:
    eng = make_engine(empty_db_url)
    try:
        yield eng
    finally:
        eng.dispose()


class TestUpgrade:
    def test_empty_database_upgraded_to_head_matches_the_models(self, fresh: Engine) -> None:
        """Nothing in the models is missing from the migrations, and nothing extra was created."""
        assert current_revision(fresh) is None
        upgrade_to_head(fresh)
        with fresh.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert [] == differences
        assert head_revision() == current_revision(fresh)

    def test_upgrading_again_changes_nothing(self, fresh: Engine) -> None:
        """A restart runs the upgrade again; rows and schema are left as they were."""
        upgrade_to_head(fresh)
        with Session(fresh) as session:
            session.add(Role(title="Head of Criminal Justice"))
            session.commit()
        tables = set(inspect(fresh).get_table_names())
        upgrade_to_head(fresh)
        assert tables == set(inspect(fresh).get_table_names())
        with Session(fresh) as session:
            assert ["Head of Criminal Justice"] == list(session.exec(select(Role.title)))
        assert head_revision() == current_revision(fresh)

    def test_head_is_the_newest_revision_file(self) -> None:
        """The revision planbot reports as newest is one of the scripts it ships."""
        names = [path.name for path in (MIGRATIONS / "versions").glob("*.py")]
        assert any(name.startswith(f"{head_revision()}_") for name in names)

    def test_the_head_read_from_the_scripts_is_alembics(self) -> None:
        """``upgrade_to_head`` skips Alembic on a database at this head, so it must be Alembic's own."""
        assert head_revision() == shipped_head()

    def test_a_database_at_head_is_left_without_alembic_and_one_behind_is_upgraded(
        self, fresh: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        upgrade_to(fresh, "0007")
        upgrade_to_head(fresh)
        assert head_revision() == current_revision(fresh)

        def alembic(engine: Engine, revision: str) -> None:
            raise AssertionError("Alembic was run on a database already at head")

        monkeypatch.setattr(migrate, "upgrade_to", alembic)
        upgrade_to_head(fresh)


class TestReportSpeedUpgrade:
    """0005 (structure stamp, snapshot update counts, status in the update index) on a database
    that already holds plans and frozen quarters."""

    @pytest.fixture
    def at_0004(self, fresh: Engine) -> Engine:
        """Two plans with a theme and two actions each, updates, and a frozen quarter, written
        with plain Core inserts against the 0004 schema."""
        upgrade_to(fresh, "0004")
        assert "0004" == current_revision(fresh)
        tables = MetaData()
        tables.reflect(fresh)
        t = tables.tables
        with fresh.begin() as connection:
            connection.execute(insert(t["role"]), [{"id": 1, "title": "Head of Victims"}])
            connection.execute(
                insert(t["person"]), [{"id": 1, "email": "a@example.org", "name": "A", "is_admin": True}]
            )
            for plan_id in (1, 2):
                connection.execute(
                    insert(t["plan"]),
                    {
                        "id": plan_id,
                        "name": f"Plan {plan_id}",
                        "short_name": f"P{plan_id}",
                        "period_start": dt.date(2017, 4, 1),
                        "period_end": dt.date(2021, 3, 31),
                        "financial_year_start": "04-01",
                    },
                )
                connection.execute(
                    insert(t["theme"]),
                    {
                        "id": plan_id,
                        "plan_id": plan_id,
                        "code": "V",
                        "name": "Victims",
                        "sro_role_id": 1,
                        "position": 0,
                    },
                )
                for number in (1, 2):
                    action_id = plan_id * 10 + number
                    connection.execute(
                        insert(t["action"]),
                        {
                            "id": action_id,
                            "plan_id": plan_id,
                            "theme_id": plan_id,
                            "code": f"V{number}",
                            "title": f"Action {number}",
                            "owner_role_id": 1,
                            "sro_role_id": 1,
                            "baseline_due": dt.date(2018, 12, 31),
                            "current_due": dt.date(2018, 12, 31),
                            "cadence": "monthly",
                            "priority": False,
                            "state": "open",
                            "state_approval": None,
                            "position": number,
                        },
                    )
                    connection.execute(
                        insert(t["statusupdate"]),
                        {
                            "id": action_id,
                            "action_id": action_id,
                            "status": "G" if number == 1 else "R",
                            "reason": "",
                            "author_id": 1,
                            "on_behalf": False,
                            "restricted": False,
                            "created_at": dt.datetime(2018, 9, 3, 9),
                            "source": "slack",
                        },
                    )
                    connection.execute(
                        insert(t["quartersnapshot"]),
                        {
                            "plan_id": plan_id,
                            "quarter_key": "2018-Q2",
                            "action_id": action_id,
                            "status": "G" if number == 1 else "R",
                            "update_id": action_id,
                            "frozen_at": dt.datetime(2018, 10, 16, 9),
                        },
                    )
        return fresh

    def snapshots(self, engine: Engine) -> list[tuple]:
        with engine.connect() as connection:
            return sorted(
                connection.execute(
                    text("SELECT plan_id, quarter_key, action_id, status, update_id, frozen_at FROM quartersnapshot")
                ).all()
            )

    def test_existing_plans_and_snapshots_upgrade_to_head(self, at_0004: Engine) -> None:
        """Every plan gets its own stamp; frozen quarters keep their rows, counts still to fill;
        the index with the status replaces the old one; the rows are still linked to their plans."""
        before = self.snapshots(at_0004)
        assert 4 == len(before)

        upgrade_to_head(at_0004)

        assert head_revision() == current_revision(at_0004)
        with at_0004.connect() as connection:
            stamps = dict(connection.execute(text("SELECT id, structure_stamp FROM plan")).all())
            updates = connection.execute(text("SELECT updates FROM quartersnapshot")).scalars().all()
            actions = connection.execute(text("SELECT count(*) FROM action WHERE plan_id IN (1, 2)")).scalar_one()
        assert {1, 2} == stamps.keys()
        assert all(len(stamp) == 32 and set(stamp) <= set(string.hexdigits) for stamp in stamps.values()), stamps
        assert stamps[1] != stamps[2]
        assert before == self.snapshots(at_0004)
        assert [None] * 4 == updates
        assert 4 == actions
        indexes = {index["name"]: index["column_names"] for index in inspect(at_0004).get_indexes("statusupdate")}
        assert ["action_id", "created_at", "id", "status"] == indexes["ix_statusupdate_action_created_status"]
        assert "ix_statusupdate_action_created" not in indexes

    def test_upgraded_database_reports_on_its_plans(self, at_0004: Engine) -> None:
        """After the upgrade the ORM reads the old rows and a change restamps the plan."""
        upgrade_to_head(at_0004)
        with Session(at_0004) as session:
            plan = session.get(Plan, 1)
            assert plan is not None
            old = plan.structure_stamp
            theme = session.get(Theme, 1)
            assert theme is not None
            theme.name = "Victims and witnesses"
            session.add(theme)
            session.commit()
            assert old != plan.structure_stamp
            assert 32 == len(plan.structure_stamp)


class TestSeveralPlansUpgrade:
    """0009 (which plan is current, what its last import said) on a database holding two plans,
    role holders, admins and actions."""

    @pytest.fixture
    def at_0008(self, fresh: Engine) -> Engine:
        """Plans P1 (2017) and P2 (2021), one action each; two roles held by A and B; A an admin."""
        upgrade_to(fresh, "0008")
        tables = MetaData()
        tables.reflect(fresh)
        t = tables.tables
        with fresh.begin() as connection:
            connection.execute(insert(t["role"]), [{"id": 1, "title": "Head of Victims"}, {"id": 2, "title": "DCC"}])
            connection.execute(
                insert(t["person"]),
                [
                    {"id": 1, "email": "a@example.org", "name": "A", "is_admin": True},
                    {"id": 2, "email": "b@example.org", "name": "B", "is_admin": False},
                ],
            )
            connection.execute(
                insert(t["roleholder"]), [{"role_id": 1, "person_id": 1}, {"role_id": 2, "person_id": 2}]
            )
            for plan_id, year in ((1, 2017), (2, 2021)):
                connection.execute(
                    insert(t["plan"]),
                    {
                        "id": plan_id,
                        "name": f"Plan {plan_id}",
                        "short_name": f"P{plan_id}",
                        "period_start": dt.date(year, 4, 1),
                        "period_end": dt.date(year + 3, 3, 31),
                        "financial_year_start": "04-01",
                        "structure_stamp": f"{plan_id:032d}",
                    },
                )
                connection.execute(
                    insert(t["theme"]),
                    {
                        "id": plan_id,
                        "plan_id": plan_id,
                        "code": "V",
                        "name": "Victims",
                        "sro_role_id": 2,
                        "position": 0,
                    },
                )
                connection.execute(
                    insert(t["action"]),
                    {
                        "id": plan_id,
                        "plan_id": plan_id,
                        "theme_id": plan_id,
                        "code": "V1",
                        "title": "Action",
                        "owner_role_id": 1,
                        "sro_role_id": 2,
                        "baseline_due": dt.date(year + 1, 3, 31),
                        "current_due": dt.date(year + 1, 3, 31),
                        "cadence": "weekly" if plan_id == 2 else "monthly",
                        "priority": False,
                        "state": "active",
                        "state_approval": None,
                        "position": 0,
                    },
                )
        return fresh

    def test_the_plan_that_was_current_stays_current_with_what_it_holds_remembered(self, at_0008: Engine) -> None:
        """P2 (the latest start) is marked current; its holders, admins and cadences are recorded; nothing is lost."""
        upgrade_to_head(at_0008)
        with at_0008.connect() as connection:
            current = dict(connection.execute(text("SELECT short_name, is_current FROM plan")).all())
            remembered = sorted(connection.execute(text("SELECT plan_id, entity, key, value FROM importedvalue")).all())
            holders = connection.execute(text("SELECT count(*) FROM roleholder")).scalar_one()
            stamps = connection.execute(text("SELECT structure_stamp FROM plan ORDER BY id")).scalars().all()
        assert {"P1": False, "P2": True} == {name: bool(flag) for name, flag in current.items()}
        assert [
            (2, "admin", "a@example.org", "yes"),
            (2, "cadence", "V1", "weekly"),
            (2, "holders", "DCC", '["b@example.org"]'),
            (2, "holders", "Head of Victims", '["a@example.org"]'),
        ] == remembered
        assert 2 == holders
        assert [f"{1:032d}", f"{2:032d}"] == stamps

    def test_upgraded_database_switches_plans(self, at_0008: Engine) -> None:
        """After the upgrade, the repository reads P2 as current and can make P1 current instead."""
        upgrade_to_head(at_0008)
        with Session(at_0008) as session:
            repo = PlanRepository(session)
            assert "P2" == repo.current_plan().short_name
            repo.make_current(1)
            session.commit()
            assert "P1" == repo.current_plan().short_name

    def test_an_empty_database_upgrades_with_nothing_marked(self, fresh: Engine) -> None:
        upgrade_to_head(fresh)
        with fresh.connect() as connection:
            assert 0 == connection.execute(text("SELECT count(*) FROM importedvalue")).scalar_one()


def one_plan_red_and_blue(fresh: Engine) -> Engine:
    """One current plan with V1 red and V2 blue in 2018/19 Q2, frozen, written with plain inserts
    (so against whatever schema the database is at, from 0009 on)."""
    tables = MetaData()
    tables.reflect(fresh)
    t = tables.tables
    with fresh.begin() as connection:
        connection.execute(insert(t["role"]), [{"id": 1, "title": "Head of Victims"}])
        connection.execute(insert(t["person"]), [{"id": 1, "email": "a@example.org", "name": "A", "is_admin": True}])
        connection.execute(insert(t["roleholder"]), [{"role_id": 1, "person_id": 1}])
        connection.execute(
            insert(t["plan"]),
            {
                "id": 1,
                "name": "Plan 1",
                "short_name": "P1",
                "period_start": dt.date(2017, 4, 1),
                "period_end": dt.date(2020, 3, 31),
                "financial_year_start": "04-01",
                "structure_stamp": f"{1:032d}",
                "is_current": True,
            },
        )
        connection.execute(
            insert(t["theme"]),
            {"id": 1, "plan_id": 1, "code": "V", "name": "Victims", "sro_role_id": 1, "position": 0},
        )
        for number, status in ((1, "R"), (2, "B")):
            connection.execute(
                insert(t["action"]),
                {
                    "id": number,
                    "plan_id": 1,
                    "theme_id": 1,
                    "code": f"V{number}",
                    "title": f"Action {number}",
                    "owner_role_id": 1,
                    "sro_role_id": 1,
                    "baseline_due": dt.date(2019, 3, 31),
                    "current_due": dt.date(2019, 3, 31),
                    "cadence": "monthly",
                    "priority": number == 1,
                    "state": "active",
                    "position": number,
                },
            )
            # No id: PostgreSQL's sequence must hand out the next one after the upgrade.
            update_id = connection.execute(
                insert(t["statusupdate"]).returning(t["statusupdate"].c.id),
                {
                    "action_id": number,
                    "status": status,
                    "reason": f"Reason {number}",
                    "author_id": 1,
                    "on_behalf": False,
                    "restricted": False,
                    "created_at": dt.datetime(2018, 9, 3, 9),
                    "source": "slack",
                },
            ).scalar_one()
            connection.execute(
                insert(t["quartersnapshot"]),
                {
                    "plan_id": 1,
                    "quarter_key": "2018-Q2",
                    "action_id": number,
                    "status": status,
                    "update_id": update_id,
                    "updates": 1,
                    "reason": f"Reason {number}",
                    "restricted": False,
                    "reported_at": dt.datetime(2018, 9, 3, 9),
                    "frozen_at": dt.datetime(2018, 10, 16, 9),
                },
            )
    return fresh


class TestMitigationUpgrade:
    """0010 (a mitigation and an outcome on every update and snapshot row) on a database holding a
    plan, red and blue updates and a frozen quarter."""

    @pytest.fixture
    def at_0009(self, fresh: Engine) -> Engine:
        """One current plan with V1 red and V2 blue in 2018/19 Q2, frozen, written against the 0009 schema."""
        upgrade_to(fresh, "0009")
        return one_plan_red_and_blue(fresh)

    def test_old_updates_read_as_having_none_and_reports_still_work(self, at_0009: Engine) -> None:
        """Nothing is lost; old rows have no mitigation or outcome; the frozen quarter still reports
        and a new red with its mitigation is stored."""
        upgrade_to_head(at_0009)

        with at_0009.connect() as connection:
            updates = connection.execute(text("SELECT reason, mitigation, outcome FROM statusupdate ORDER BY id")).all()
            frozen = connection.execute(text("SELECT mitigation, outcome FROM quartersnapshot")).all()
        assert [("Reason 1", "", ""), ("Reason 2", "", "")] == [tuple(row) for row in updates]
        assert [(None, None), (None, None)] == [tuple(row) for row in frozen]
        with Session(at_0009) as session:
            repo = PlanRepository(session)
            summary = quarterly_summary(repo, Quarter(2018, 2), dt.datetime(2019, 1, 20, 10))
            assert ["V1"] == [i.row.code for i in summary.exceptions]
            assert ("Reason 1", "") == (summary.exceptions[0].row.reason, summary.exceptions[0].row.mitigation)
            assert ["V2"] == [row.code for row in summary.completed]
            actor = Actor(person_id=1, email="a@example.org", name="A", is_admin=True)
            reply = handle_rag(
                Invocation(actor, "V1 red Still late --mitigation Escalated"), repo, dt.datetime(2019, 1, 21)
            )
            assert reply.ok, reply.text
            session.commit()
        with at_0009.connect() as connection:
            newest = text("SELECT reason, mitigation FROM statusupdate ORDER BY id DESC LIMIT 1")
            assert ("Still late", "Escalated") == tuple(connection.execute(newest).one())


class TestLeaveAndJointLeadUpgrade:
    """0011 (leave, and an action's joint lead role) on a database holding a plan, people, a delegate
    and updates written against the 0010 schema."""

    @pytest.fixture
    def at_0010(self, fresh: Engine) -> Engine:
        upgrade_to(fresh, "0010")
        tables = MetaData()
        tables.reflect(fresh)
        t = tables.tables
        with fresh.begin() as connection:
            connection.execute(insert(t["role"]), [{"id": 1, "title": "Head of Victims"}, {"id": 2, "title": "DCC"}])
            connection.execute(
                insert(t["person"]),
                [
                    {"id": 1, "email": "a@example.org", "name": "A", "is_admin": True},
                    {"id": 2, "email": "b@example.org", "name": "B", "is_admin": False},
                ],
            )
            connection.execute(
                insert(t["roleholder"]), [{"role_id": 1, "person_id": 1}, {"role_id": 2, "person_id": 2}]
            )
            connection.execute(
                insert(t["plan"]),
                {
                    "id": 1,
                    "name": "Plan 1",
                    "short_name": "P1",
                    "period_start": dt.date(2017, 4, 1),
                    "period_end": dt.date(2020, 3, 31),
                    "financial_year_start": "04-01",
                    "structure_stamp": f"{1:032d}",
                    "is_current": True,
                },
            )
            connection.execute(
                insert(t["theme"]),
                {"id": 1, "plan_id": 1, "code": "V", "name": "Victims", "sro_role_id": 2, "position": 0},
            )
            for number in (1, 2):
                connection.execute(
                    insert(t["action"]),
                    {
                        "id": number,
                        "plan_id": 1,
                        "theme_id": 1,
                        "code": f"V{number}",
                        "title": f"Action {number}",
                        "owner_role_id": 1,
                        "sro_role_id": 2,
                        "baseline_due": dt.date(2018, 12, 31),
                        "current_due": dt.date(2018, 12, 31),
                        "cadence": "monthly",
                        "priority": False,
                        "state": "active",
                        "position": number,
                    },
                )
            connection.execute(
                insert(t["statusupdate"]),
                {
                    "action_id": 1,
                    "status": "R",
                    "reason": "Late",
                    "mitigation": "Escalated",
                    "outcome": "",
                    "author_id": 1,
                    "on_behalf": False,
                    "restricted": False,
                    "created_at": dt.datetime(2018, 9, 3, 9),
                    "source": "slack",
                },
            )
            connection.execute(
                insert(t["delegate"]), {"action_id": 2, "person_id": 2, "created_at": dt.datetime(2018, 9, 1)}
            )
        return fresh

    def test_nothing_is_lost_and_leave_and_joint_leads_work_after_it(self, at_0010: Engine) -> None:
        with at_0010.connect() as connection:
            before = {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("person", "roleholder", "action", "statusupdate", "delegate")
            }
        upgrade_to_head(at_0010)

        with at_0010.connect() as connection:
            after = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in before}
            joint = connection.execute(text("SELECT joint_lead_role_id FROM action ORDER BY id")).scalars().all()
            update = connection.execute(text("SELECT reason, mitigation FROM statusupdate")).one()
            assert 0 == connection.execute(text("SELECT count(*) FROM leave")).scalar_one()
        assert before == after
        assert [None, None] == joint
        assert ("Late", "Escalated") == tuple(update)
        with Session(at_0010) as session:
            repo = PlanRepository(session)
            owner = Actor(person_id=1, email="a@example.org", name="A", is_admin=True)
            reply = handle_rag(
                Invocation(owner, "away until 2019-01-31 cover b@example.org"), repo, dt.datetime(2019, 1, 7)
            )
            assert reply.ok, reply.text
            v2 = repo.action_by_code("V2")
            assert v2 is not None
            v2.joint_lead_role_id = 2
            repo.add(v2)
            shown = handle_rag(Invocation(owner, "V2"), repo, dt.datetime(2019, 1, 7))
            assert "Joint lead: DCC (B)" in shown.text
            session.commit()
        with at_0010.connect() as connection:
            assert [(1, 2)] == [tuple(r) for r in connection.execute(text("SELECT person_id, cover_id FROM leave"))]


class TestPlanSchemeUpgrade:
    """0012 (a plan may carry its own RAG scheme, an action its objective) on a database at 0010
    holding a plan, red and blue updates and a frozen quarter."""

    @pytest.fixture
    def at_0010(self, fresh: Engine) -> Engine:
        upgrade_to(fresh, "0010")
        return one_plan_red_and_blue(fresh)

    def test_existing_plans_keep_the_default_scheme_have_no_objectives_and_still_report(self, at_0010: Engine) -> None:
        upgrade_to_head(at_0010)

        with at_0010.connect() as connection:
            assert [(None,)] == [tuple(row) for row in connection.execute(text("SELECT rag_scheme FROM plan"))]
            objectives = connection.execute(text("SELECT code, objective FROM action ORDER BY code")).all()
            assert [("V1", ""), ("V2", "")] == [tuple(row) for row in objectives]
            assert 2 == connection.execute(text("SELECT count(*) FROM statusupdate")).scalar_one()
        with Session(at_0010) as session:
            repo = PlanRepository(session)
            assert DEFAULT_SCHEME is plan_scheme(repo)
            summary = quarterly_summary(repo, Quarter(2018, 2), dt.datetime(2019, 1, 20, 10), plan_scheme(repo))
            assert ["V1"] == [i.row.code for i in summary.exceptions]
            assert ["V2"] == [row.code for row in summary.completed]
            assert {""} == {row.objective for block in summary.themes for row in block.rows}
