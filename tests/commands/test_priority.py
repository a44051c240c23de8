"""Priority actions (the plan file's ``priority: true``) in every report, on every platform and in
every Panel format: a word and a count, never a colour alone; plans that flag none look as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.panel_support import AFTER_Q3_CUT_OFF, Q3, play_quarter, text_of
from support.rag_support import actor_for
from support.report_support import london, report

from bot.exports import EXPORT_FORMATS, write_panel
from bot.exports.tables import ACTION_HEADERS, panel_paper
from bot.slack.home import home_view_blocks
from bot.slack.report_messages import render_report as render_slack
from bot.teams.cards import home_card, report_cards
from bot.terminal_report import render_report as render_terminal
from commands.home import home_layout, home_view
from commands.layout import Layout, Table, plain, row_line
from commands.panel import build_panel
from commands.priority import PRIORITY_COLUMN, priority_line, priority_sentence
from commands.quarterly import quarterly_summary
from commands.report_builders import theme_summary, weekly_digest
from commands.report_layout import report_layout
from commands.report_model import ActionRow
from storage.models import Action, Plan
from storage.repository import PlanRepository

NOW = london(2018, 11, 26, 9, 0)
PRIORITIES = ["V1", "V4", "V9", "O1", "O6", "C1", "T1"]
"""The sample plan's priority actions."""


@pytest.fixture
def reported(repo: PlanRepository, plan: Plan) -> Plan:
    """V9 (a priority) green then red, O1 (a priority) amber, O7 (not one) red."""
    report(repo, "V9", "G", london(2018, 10, 1))
    report(repo, "V9", "R", london(2018, 11, 12), "CJS review will not report before March")
    report(repo, "O1", "A", london(2018, 11, 13), "Hub staffing short")
    report(repo, "O7", "R", london(2018, 11, 20), "File quality 72%")
    return plan


def no_priorities(repo: PlanRepository, plan: Plan) -> None:
    assert plan.id is not None
    for action in repo.actions(plan.id):
        action.priority = False
        repo.add(action)
    repo.session.flush()


def lines_of(layout: Layout) -> list[str]:
    """Every line and every table row written as one line, as plain words."""
    found = [plain(b.runs) for b in layout.headline if not isinstance(b, Table) and hasattr(b, "runs")]
    for section in layout.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                found += [plain(row_line(block, row).runs) for row in block.rows]
            elif hasattr(block, "runs"):
                found.append(plain(block.runs))
    return found


def headline(layout: Layout) -> list[str]:
    return [plain(b.runs) for b in layout.headline if hasattr(b, "runs")]


class TestWording:
    def row(self, code: str, status: str | None, priority: bool) -> ActionRow:
        return ActionRow(code, "", "V", "", status, None, None, "", False, None, NOW.date(), NOW.date(), 0, priority)

    def test_how_many_and_which_are_red(self) -> None:
        rows = [self.row("V1", "G", True), self.row("V9", "R", True), self.row("O7", "R", False)]

        line = priority_line(rows)
        assert line is not None and "Priority actions: 2 · Red: V9" == plain(line.runs)
        assert "2 priority actions; V9 is the only Red one." == priority_sentence(rows)

    def test_none_red_and_several_red(self) -> None:
        calm = [self.row("V1", "G", True)]
        worse = [self.row("V1", "R", True), self.row("V9", "R", True), self.row("O1", None, True)]

        assert "1 priority action; none is Red." == priority_sentence(calm)
        line = priority_line(calm)
        assert line is not None and "Priority actions: 1 · Red: none" == plain(line.runs)
        assert "3 priority actions; 2 are Red: V1 and V9." == priority_sentence(worse)

    def test_a_plan_flagging_none_has_no_line(self) -> None:
        rows = [self.row("V9", "R", False)]

        assert priority_line(rows) is None
        assert "" == priority_sentence(rows)


class TestReports:
    def test_summary_marks_each_priority_and_counts_them(self, repo: PlanRepository, reported: Plan) -> None:
        layout = report_layout(theme_summary(repo, NOW))

        assert "Priority actions: 7 · Red: V9" in headline(layout)
        rows = lines_of(layout)
        assert any(r.startswith("V9 priority · Red · ↓ Deteriorating") for r in rows)
        assert any(r.startswith("O7 Red") for r in rows), "O7 is not a priority"
        table = next(b for s in layout.sections for b in s.blocks if isinstance(b, Table))
        assert PRIORITY_COLUMN in table.columns

    def test_theme_summary_counts_the_themes_priorities(self, repo: PlanRepository, reported: Plan) -> None:
        layout = report_layout(theme_summary(repo, NOW, "offenders"))

        assert "Priority actions: 2 · Red: none" in headline(layout)

    def test_digest_counts_priorities_and_marks_them(self, repo: PlanRepository, reported: Plan) -> None:
        layout = report_layout(weekly_digest(repo, NOW, since=london(2018, 11, 1)))

        assert "Priority actions: 7 · Red: V9" in headline(layout)
        assert any(r.startswith("V9 priority · Red") for r in lines_of(layout))

    def test_quarterly_summary_counts_priorities(self, repo: PlanRepository, reported: Plan) -> None:
        layout = report_layout(quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF))

        assert "Priority actions: 7 · Red: V9" in headline(layout)
        assert any(r.startswith("V9 priority · Red") for r in lines_of(layout))

    def test_a_plan_without_priorities_reads_as_before(self, repo: PlanRepository, reported: Plan) -> None:
        no_priorities(repo, reported)
        for layout in (
            report_layout(theme_summary(repo, NOW)),
            report_layout(weekly_digest(repo, NOW, since=london(2018, 11, 1))),
            report_layout(quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)),
        ):
            assert not any("riority" in line for line in lines_of(layout))
            tables = [b for s in layout.sections for b in s.blocks if isinstance(b, Table)]
            assert all(PRIORITY_COLUMN not in t.columns for t in tables)


class TestPlatforms:
    def test_slack_teams_and_terminal_say_priority_in_words(self, repo: PlanRepository, reported: Plan) -> None:
        summary = theme_summary(repo, NOW)
        slack = json.dumps([[b.to_dict() for b in m.blocks] for m in render_slack(summary)], ensure_ascii=False)
        teams = json.dumps(report_cards(summary), ensure_ascii=False)

        for drawn in (slack, teams):
            assert "Priority actions" in drawn and "V9" in drawn
            assert "priority" in drawn
        from io import StringIO

        from rich.console import Console

        out = StringIO()
        Console(file=out, width=200, color_system=None).print(render_terminal(summary))
        words = " ".join(out.getvalue().split())
        assert "Priority actions: 7 · Red: V9" in words
        assert "Priority" in words

    def test_home_marks_own_priorities_and_counts_each_themes(self, repo: PlanRepository, reported: Plan) -> None:
        owner = actor_for(repo, "ollie.kerr@example.org")
        layout = home_layout(home_view(owner, repo, NOW))

        v9 = next(item for item in layout.items if item.code == "V9")
        assert plain(v9.line.runs).startswith("V9 Red · priority · ")
        victims = [plain(line.runs) for line in layout.themes[0]]
        assert "Priority actions: 3 · Red: V9" in victims
        slack = json.dumps(home_view_blocks(home_view(owner, repo, NOW)), ensure_ascii=False)
        teams = json.dumps(home_card(layout), ensure_ascii=False)
        for drawn in (slack, teams):
            assert "Priority actions" in drawn and "priority" in drawn


class TestPanel:
    def test_summary_sentence_and_actions_column(self, repo: PlanRepository, plan: Plan) -> None:
        play_quarter(repo)
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=True)
        paper = panel_paper(panel)

        assert "7 priority actions; V9 is the only Red one." == panel.priority
        assert ("Priority actions", panel.priority) in paper.cover
        summary = paper.sections[0]
        priority_row = next(row for row in summary.text_rows if row[0] == "Priority actions")
        red = summary.headers.index("■ Red")
        assert "1 (no change)" == priority_row[red], "V4 was the red priority last quarter, V9 is now"
        actions = paper.table
        marked = [row[0] for row in actions.text_rows if row[ACTION_HEADERS.index("Priority")] == "Yes"]
        assert PRIORITIES == marked

    @pytest.mark.parametrize("fmt", EXPORT_FORMATS)
    def test_every_format_carries_the_sentence_or_the_column(
        self, repo: PlanRepository, plan: Plan, tmp_path: Path, fmt: str
    ) -> None:
        play_quarter(repo)
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)
        path = tmp_path / f"panel.{fmt}"
        write_panel(panel, fmt, path, ())

        text = text_of(path)
        assert "Priority" in text
        if fmt != "csv":  # the CSV holds the actions table alone: its Priority column says it
            assert "V9 is the only Red one" in " ".join(text.split())

    def test_a_plan_without_priorities_has_no_sentence(self, repo: PlanRepository, plan: Plan) -> None:
        play_quarter(repo)
        no_priorities(repo, plan)
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)
        paper = panel_paper(panel)

        assert "" == panel.priority
        assert "Priority actions" not in [label for label, _ in paper.cover]
        assert all(row[0] != "Priority actions" for row in paper.sections[0].text_rows)


def test_action_priority_is_the_imported_flag(repo: PlanRepository, plan: Plan) -> None:
    assert plan.id is not None
    flagged = [a.code for a in repo.actions(plan.id) if a.priority]
    assert PRIORITIES == flagged
    assert isinstance(repo.actions(plan.id)[0], Action)
