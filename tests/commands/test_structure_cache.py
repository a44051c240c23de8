"""Reports keep each plan's structure between units of work, under the plan's structure stamp: every
change to the plan (from any command, any process) shows in the next report, and a report after no
change reads less SQL than the first."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from support.rag_support import ADMIN_EMAILS, V9, actor_for
from support.report_support import QueryCounter, london, report

import commands.report_inputs
from commands.admin_actions import close_action
from commands.admin_actions import reprofile as admin_reprofile
from commands.model import Actor
from commands.periods import Quarter
from commands.plan_file import load_plan
from commands.plan_spec import PlanSpec
from commands.report_builders import overdue_list, quarterly_summary, theme_summary
from commands.report_model import Summary
from storage.db import make_engine, session_scope
from storage.models import Plan, Role
from storage.plan_import import import_plan
from storage.repository import PlanRepository

NOW = london(2018, 11, 26, 9, 0)
"""Monday 26 November 2018 in 2018/19 Q3: Q2 is frozen, Q3 still provisional."""
Q3 = Quarter(2018, 3)


@pytest.fixture(autouse=True)
def no_kept_structures() -> Iterator[None]:
    """Each test starts with a process that has read no plan yet."""
    commands.report_inputs._STRUCTURES.clear()
    yield
    commands.report_inputs._STRUCTURES.clear()


@contextmanager
def unit(engine: Engine) -> Iterator[PlanRepository]:
    """One command's unit of work, committed when the block ends cleanly."""
    with session_scope(engine) as session:
        yield PlanRepository(session)


@pytest.fixture
def stored(engine: Engine, sample_plan_path: Path) -> PlanSpec:
    """The sample plan imported and committed, with V9 reported green; the spec it was imported from."""
    spec = load_plan(sample_plan_path)
    with unit(engine) as repo:
        import_plan(repo, spec, actor="tests", at=london(2017, 4, 1))
        report(repo, "V9", "G", london(2018, 10, 1))
    return spec


def admin(repo: PlanRepository) -> Actor:
    return actor_for(repo, ADMIN_EMAILS[0])


def stamp(engine: Engine) -> str:
    with unit(engine) as repo:
        plan = repo.current_plan()
        assert plan is not None
        return plan.structure_stamp


def codes(summary: Summary) -> list[str]:
    return [row.code for block in summary.themes for row in block.rows]


def theme_named(spec: PlanSpec, code: str, name: str) -> PlanSpec:
    themes = tuple(dataclasses.replace(t, name=name) if t.code == code else t for t in spec.themes)
    return dataclasses.replace(spec, themes=themes)


class TestChangesShowInTheNextReport:
    def test_closed_action_leaves_the_summary(self, engine: Engine, stored: PlanSpec) -> None:
        """An admin closes V10 after a summary was built; the next summary no longer lists it."""
        with unit(engine) as repo:
            assert "V10" in codes(theme_summary(repo, NOW))

        with unit(engine) as repo:
            assert close_action(admin(repo), repo, "V10", "BCB 20/11/2018", NOW).ok

        with unit(engine) as repo:
            summary = theme_summary(repo, NOW)
        assert "V10" not in codes(summary)
        assert 1 == next(block.closed for block in summary.themes if block.code == "V")

    def test_reprofiled_action_leaves_the_overdue_list(self, engine: Engine, stored: PlanSpec) -> None:
        """An overdue action re-profiled to next March is no longer overdue in the next list."""
        with unit(engine) as repo:
            first = overdue_list(repo, NOW)
        assert first.rows, "the sample plan has overdue actions in November 2018"
        late = first.rows[0].code

        with unit(engine) as repo:
            assert admin_reprofile(admin(repo), repo, late, dt.date(2019, 3, 31), "BCB 20/11/2018", NOW).ok

        with unit(engine) as repo:
            after = overdue_list(repo, NOW)
        assert late not in [row.code for row in after.rows]
        assert len(first.rows) - 1 == len(after.rows)

    def test_change_shows_in_the_same_unit_of_work(self, engine: Engine, stored: PlanSpec) -> None:
        """A report built after a change, before it is committed, already shows it."""
        with unit(engine) as repo:
            assert "V10" in codes(theme_summary(repo, NOW))
            close_action(admin(repo), repo, "V10", "BCB 20/11/2018", NOW)
            assert "V10" not in codes(theme_summary(repo, NOW))

    def test_renamed_theme_by_reimport(self, engine: Engine, stored: PlanSpec) -> None:
        """Re-importing the plan file with theme V renamed shows the new name, and finds the theme by it."""
        with unit(engine) as repo:
            assert "Victims" == theme_summary(repo, NOW, "V").theme

        with unit(engine) as repo:
            import_plan(repo, theme_named(stored, "V", "Victims and Witnesses"), actor="tests", at=NOW)

        with unit(engine) as repo:
            assert "Victims and Witnesses" == theme_summary(repo, NOW, "victims and witnesses").theme
            assert "Victims and Witnesses" == next(b.name for b in theme_summary(repo, NOW).themes if b.code == "V")

    def test_action_added_by_reimport_is_in_the_quarterly_summary(self, engine: Engine, stored: PlanSpec) -> None:
        """A new action in the re-imported file is a row of Q3's summary, not reported yet."""
        with unit(engine) as repo:
            assert "V99" not in codes(quarterly_summary(repo, Q3, NOW))

        victims = stored.themes[0]
        added = dataclasses.replace(victims.actions[0], code="V99", title="Victim care hub", measures=())
        themes = (dataclasses.replace(victims, actions=(*victims.actions, added)), *stored.themes[1:])
        with unit(engine) as repo:
            import_plan(repo, dataclasses.replace(stored, themes=themes), actor="tests", at=NOW)

        with unit(engine) as repo:
            summary = quarterly_summary(repo, Q3, NOW)
        new = {row.code: row for block in summary.themes for row in block.rows}["V99"]
        assert ("Victim care hub", None) == (new.title, new.status)

    def test_renamed_role_shows_on_its_actions(self, engine: Engine, stored: PlanSpec) -> None:
        """A role's new title is the owner every report shows for V9 from then on."""
        with unit(engine) as repo:
            rows = {row.code: row for row in theme_summary(repo, NOW, "V").themes[0].rows}
        assert V9["owner"] == rows["V9"].owner_role
        before = stamp(engine)

        with unit(engine) as repo:
            role = repo.session.exec(select(Role).where(Role.title == V9["owner"])).one()
            role.title = "Head of Victim Services"
            repo.add(role)

        assert before != stamp(engine)
        with unit(engine) as repo:
            rows = {row.code: row for row in theme_summary(repo, NOW, "V").themes[0].rows}
        assert "Head of Victim Services" == rows["V9"].owner_role

    def test_change_made_by_another_process(self, engine: Engine, db_url: str, stored: PlanSpec) -> None:
        """Another bot process (its own engine on the same database) closes V10: this process's next
        summary leaves it out, although this process had kept the structure."""
        with unit(engine) as repo:
            assert "V10" in codes(theme_summary(repo, NOW))

        # The other process keeps its own structures: whatever its change does to the copies kept
        # in memory here would not happen to a real second process, so they are put back after it.
        kept = dict(commands.report_inputs._STRUCTURES)
        other = make_engine(db_url)
        try:
            with unit(other) as repo:
                assert close_action(admin(repo), repo, "V10", "BCB 20/11/2018", NOW).ok
        finally:
            other.dispose()
        commands.report_inputs._STRUCTURES.clear()
        commands.report_inputs._STRUCTURES.update(kept)

        with unit(engine) as repo:
            assert "V10" not in codes(theme_summary(repo, NOW))


class TestKeptStructure:
    def test_second_report_reads_less_and_updates_still_show(self, engine: Engine, stored: PlanSpec) -> None:
        """The second summary skips reading themes, actions and roles; a status update is not a
        change to the plan (the stamp stays), yet the next summary shows it, still without
        reading the structure again."""

        def summary() -> tuple[int, Summary]:
            with unit(engine) as repo, QueryCounter(engine) as counter:
                built = theme_summary(repo, NOW)
            return counter.count, built

        first_cost, _ = summary()
        kept_cost, _ = summary()
        assert kept_cost < first_cost
        before = stamp(engine)

        with unit(engine) as repo:
            report(repo, "V9", "R", london(2018, 11, 20), "CJS review delayed")

        assert before == stamp(engine)
        cost, after = summary()
        v9 = {row.code: row for block in after.themes for row in block.rows}["V9"]
        assert ("R", "G", "CJS review delayed") == (v9.status, v9.previous, v9.reason)
        assert kept_cost == cost

    def test_rolled_back_change_leaves_the_old_structure(self, engine: Engine, stored: PlanSpec) -> None:
        """A close that fails and rolls back (after a report had already seen it inside the unit of
        work) leaves V10 in every later summary, under the stamp the plan had before."""
        with unit(engine) as repo:
            assert "V10" in codes(theme_summary(repo, NOW))
        before = stamp(engine)

        with pytest.raises(RuntimeError), unit(engine) as repo:
            close_action(admin(repo), repo, "V10", "BCB 20/11/2018", NOW)
            assert "V10" not in codes(theme_summary(repo, NOW))
            raise RuntimeError("Slack did not accept the reply")

        assert before == stamp(engine)
        with unit(engine) as repo:
            assert "V10" in codes(theme_summary(repo, NOW))
            plan = repo.session.exec(select(Plan)).one()
            assert before == plan.structure_stamp
