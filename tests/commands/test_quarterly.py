"""The quarterly summary of 2018/19 Q3 against the frozen Q2 snapshot."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from support.report_support import QueryCounter, grow_plan, london, report, reprofile

from commands.measures import record_measure_value
from commands.periods import Quarter, cut_off
from commands.plan_file import load_plan
from commands.report_builders import freeze_if_cut_off_passed, quarterly_summary
from commands.report_model import ExceptionKind, MeasureTrend, QuarterlySummary
from commands.rules import Direction
from storage.models import Plan, QuarterSnapshot
from storage.plan_import import import_plan
from storage.repository import PlanRepository

Q2, Q3 = Quarter(2018, 2), Quarter(2018, 3)
AFTER_Q3_CUT_OFF = london(2019, 1, 16, 9, 0)
"""The working day after 2018/19 Q3's cut-off (15 January 2019)."""
V9_TRIALS = "Ineffective trials caused by prosecution witness issues"
V9_SATISFACTION = "Victim and witness satisfaction with the court experience"


@pytest.fixture
def quarter_played(repo: PlanRepository, plan: Plan) -> Plan:
    """Q2 and Q3 of 2018/19 reported, a re-profile in Q3, and V9's measures for both quarters."""
    report(repo, "V9", "G", london(2018, 9, 3))
    report(repo, "V4", "R", london(2018, 9, 10), "400 risk assessments waiting")
    report(repo, "T2", "A", london(2018, 10, 5), "Supplier late")  # before Q2's cut-off: counts for Q2
    report(repo, "V9", "R", london(2018, 11, 12), "CJS review will not report before March")
    report(repo, "V4", "A", london(2018, 11, 2), "Backlog down to 120")
    report(repo, "V4", "G", london(2018, 12, 17), "Backlog cleared")
    report(repo, "O4", "B", london(2018, 11, 14), "Programme commissioned")
    report(repo, "T2", "G", london(2019, 1, 10), "Go-live 4 February")  # after quarter end, before cut-off
    reprofile(repo, "O7", dt.date(2019, 3, 31), london(2018, 11, 20), "BCB 20/11/2018")
    for quarter, trials, satisfaction in ((Q2, "20", "80"), (Q3, "15%", "75")):
        for name, value in ((V9_TRIALS, trials), (V9_SATISFACTION, satisfaction)):
            record_measure_value(
                repo,
                action_code="V9",
                measure_name=name,
                value_text=value,
                quarter=quarter,
                actor="analyst@example.org",
                now=AFTER_Q3_CUT_OFF,
            )
    return plan


def rows(summary: QuarterlySummary) -> dict:
    return {row.code: row for block in summary.themes for row in block.rows}


class TestSnapshot:
    def test_cut_off_is_ten_working_days_after_quarter_end(self) -> None:
        """1 January is a bank holiday, so Q3's cut-off is Tuesday 15 January 2019."""
        assert dt.date(2019, 1, 15) == cut_off(Q3)

    def test_not_frozen_before_the_cut_off(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """On the cut-off day itself leads may still report, so nothing is frozen and the summary is provisional."""
        on_cut_off = london(2019, 1, 15, 17, 0)

        assert not freeze_if_cut_off_passed(repo, Q3, on_cut_off)
        assert quarterly_summary(repo, Q3, on_cut_off).provisional
        frozen = repo.session.exec(select(func.count()).where(QuarterSnapshot.quarter_key == Q3.key)).one()
        assert 0 == frozen

    def test_update_after_cut_off_counts_towards_next_quarter(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """V4 turns red on 16 January: Q3 stays green (frozen), and the red is Q4's progress."""
        assert not quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF).provisional
        report(repo, "V4", "R", london(2019, 1, 16, 11, 0), "New backlog")

        again = quarterly_summary(repo, Q3, london(2019, 2, 1))
        q4 = quarterly_summary(repo, Quarter(2018, 4), london(2019, 2, 1))

        assert "G" == rows(again)["V4"].status
        assert "V4" not in [row.code for row in again.progress if row.status == "R"]
        assert q4.provisional
        assert ("R", "G", Direction.DETERIORATING) == (
            rows(q4)["V4"].status,
            rows(q4)["V4"].previous,
            rows(q4)["V4"].direction,
        )
        assert ["V4"] == [row.code for row in q4.progress]

    def test_freezing_twice_changes_nothing(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """A second freeze adds no rows and keeps the first rows' statuses."""
        freeze_if_cut_off_passed(repo, Q3, AFTER_Q3_CUT_OFF)
        first = {s.action_id: (s.status, s.id) for s in repo.session.exec(select(QuarterSnapshot))}
        report(repo, "V9", "G", london(2019, 1, 20))

        assert freeze_if_cut_off_passed(repo, Q3, london(2019, 2, 1))
        assert first == {s.action_id: (s.status, s.id) for s in repo.session.exec(select(QuarterSnapshot))}


class TestQuarterlySummary:
    def test_direction_of_travel_against_last_quarter(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """V9 green → red, V4 red → green, T2 amber → green (reported inside the cut-off), O4 New."""
        found = rows(quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF))

        assert {
            "V9": ("R", "G", Direction.DETERIORATING),
            "V4": ("G", "R", Direction.IMPROVING),
            "T2": ("G", "A", Direction.IMPROVING),
            "O4": ("B", None, Direction.NEW),
            "V1": (None, None, None),
        } == {
            code: (found[code].status, found[code].previous, found[code].direction)
            for code in ("V9", "V4", "T2", "O4", "V1")
        }

    def test_counts_with_change_on_last_quarter(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """Q2 had V9 green, V4 red, T2 amber; Q3 has V9 red, V4 and T2 green, O4 complete."""
        totals = {c.status: (c.count, c.change) for c in quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF).totals}

        assert (1, 0) == totals["R"]
        assert (0, -1) == totals["A"]
        assert (2, 1) == totals["G"]
        assert (1, 1) == totals["B"]
        assert totals[None][1] == -1

    def test_exceptions(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """Red and deteriorating V9 (also overdue at the cut-off), re-profiled O7, unreported V2."""
        exceptions = {e.row.code: set(e.kinds) for e in quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF).exceptions}

        assert {ExceptionKind.RED, ExceptionKind.DETERIORATING, ExceptionKind.OVERDUE} == exceptions["V9"]
        assert ExceptionKind.REPROFILED in exceptions["O7"]
        assert {ExceptionKind.OVERDUE, ExceptionKind.NOT_REPORTED} == exceptions["V2"]
        assert "O4" not in exceptions

    def test_progress_completions_next_quarter_and_changes(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """Progress lists Q3's updates (newest reason); O7 now falls due in Q4; its re-profile is a change."""
        summary = quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)

        progress = {row.code: (row.reason, row.updates) for row in summary.progress}
        assert {
            "V9": ("CJS review will not report before March", 1),
            "V4": ("Backlog cleared", 2),
            "O4": ("Programme commissioned", 1),
            "T2": ("Go-live 4 February", 1),
        } == progress
        assert ["O4"] == [row.code for row in summary.completed]
        assert "O7" in [row.code for row in summary.next_quarter]
        assert all(Quarter(2018, 4).start <= row.due <= Quarter(2018, 4).end for row in summary.next_quarter)
        assert [("O7", "re-profiled", "BCB 20/11/2018")] == [
            (c.action_code, c.change, c.approval) for c in summary.changes
        ]

    def test_measures_better_or_worse_by_polarity(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """Ineffective trials fell (lower is better: Better); satisfaction fell (Worse)."""
        measures = {m.name: m for m in quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF).measures}

        assert (15.0, 20.0, MeasureTrend.BETTER) == (
            measures[V9_TRIALS].value,
            measures[V9_TRIALS].previous,
            measures[V9_TRIALS].trend,
        )
        assert MeasureTrend.WORSE == measures[V9_SATISFACTION].trend
        assert all(m.trend is None for m in measures.values() if m.action_code != "V9")

    def test_bounded_queries(self, repo: PlanRepository, quarter_played: Plan, engine: Engine) -> None:
        """Freezing and summarising 300 actions costs the same queries as 34."""

        def cost(now: dt.datetime) -> int:
            repo.session.flush()
            with QueryCounter(engine) as counter:
                quarterly_summary(repo, Q3, now)
            return counter.count

        small = cost(AFTER_Q3_CUT_OFF)
        grow_plan(repo, 300, london(2018, 10, 15))
        large = cost(london(2019, 1, 17))

        assert small == large
        assert large <= 14


class TestClosures:
    def test_action_dropped_from_the_plan_in_the_quarter_is_a_change(
        self, repo: PlanRepository, quarter_played: Plan, sample_plan_path: Path
    ) -> None:
        """Closing V10 by re-importing the plan without it in November shows under Q3's changes to the plan."""
        spec = load_plan(sample_plan_path)
        themes = tuple(
            dataclasses.replace(t, actions=tuple(a for a in t.actions if a.code != "V10")) for t in spec.themes
        )
        import_plan(repo, dataclasses.replace(spec, themes=themes), actor="tests", at=london(2018, 11, 21))

        summary = quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)

        assert ("V10", "closed", "removed from plan file") in [
            (c.action_code, c.change, c.approval) for c in summary.changes
        ]
        assert "V10" not in rows(summary)


class TestSnapshotWrites:
    def test_two_bots_freezing_at_once_write_each_row_once(
        self, repo: PlanRepository, quarter_played: Plan, engine: Engine
    ) -> None:
        """Two bot processes freeze Q3 at the same moment: the second waits for the first and then
        adds nothing; neither fails, and every action has exactly one Q3 row, with its status."""
        repo.session.commit()
        failures: list[BaseException] = []
        first, second = Session(engine), Session(engine)
        try:
            assert freeze_if_cut_off_passed(PlanRepository(first), Q3, AFTER_Q3_CUT_OFF)

            def other_bot() -> None:
                try:
                    assert freeze_if_cut_off_passed(PlanRepository(second), Q3, AFTER_Q3_CUT_OFF)
                    second.commit()
                except BaseException as error:  # reported by the main thread
                    failures.append(error)

            thread = threading.Thread(target=other_bot)
            thread.start()
            thread.join(0.5)
            assert thread.is_alive(), "the second freeze waits for the first one's rows"
            first.commit()
            thread.join(10)
            assert not thread.is_alive()
        finally:
            first.close()
            second.close()

        assert [] == failures
        snapshot = [
            (row.action_id, row.status)
            for row in repo.session.exec(select(QuarterSnapshot).where(QuarterSnapshot.quarter_key == Q3.key))
        ]
        per_action = Counter(action_id for action_id, _ in snapshot)
        assert len(repo.actions(quarter_played.id or 0)) == len(per_action)
        assert {1} == set(per_action.values())
        v9 = repo.action_by_code("V9")
        assert v9 is not None
        assert ["R"] == [status for action_id, status in snapshot if action_id == v9.id]

    def test_counts_missing_from_old_snapshots_are_filled(self, repo: PlanRepository, quarter_played: Plan) -> None:
        """Snapshot rows frozen before planbot counted updates (``updates`` empty) are counted by the
        next summary, which reads exactly as the summary built before the counts were lost."""
        before = quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)
        repo.session.execute(update(QuarterSnapshot).values(updates=None))
        emptied = repo.session.exec(
            select(func.count()).where(col(QuarterSnapshot.updates).is_(None), QuarterSnapshot.quarter_key == Q3.key)
        ).one()
        assert len(rows(before)) <= emptied

        after = quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)

        def not_reported(summary: QuarterlySummary) -> list[str]:
            return [e.row.code for e in summary.exceptions if ExceptionKind.NOT_REPORTED in e.kinds]

        assert {"V9": 1, "V4": 2, "O4": 1, "T2": 1} == {row.code: row.updates for row in after.progress}
        assert [(row.code, row.reason, row.updates) for row in before.progress] == [
            (row.code, row.reason, row.updates) for row in after.progress
        ]
        assert not_reported(before) == not_reported(after)
        assert "V2" in not_reported(after)
        assert before.totals == after.totals
        assert before == after
        # Q3's rows keep their counts; Q2's are only compared by status, so they wait for Q2's own summary.
        v4 = repo.action_by_code("V4")
        assert v4 is not None
        counted = dict(
            repo.session.exec(
                select(QuarterSnapshot.action_id, QuarterSnapshot.updates).where(QuarterSnapshot.quarter_key == Q3.key)
            ).all()
        )
        assert None not in counted.values()
        assert 2 == counted[v4.id]
