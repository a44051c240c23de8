"""Mitigation and outcome: a red update carries what is being done about it and a completion what it
delivered; both are stored, shown in /rag V9 and in the exceptions and completions of the quarterly
summary and the Panel appendix (every format), withheld from the public version like the reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session
from support.panel_support import AFTER_Q3_CUT_OFF, Q3, text_of
from support.rag_support import NOW, V9_OWNER, actor_for, stored_rows
from support.report_support import london, report

from bot.exports import EXPORT_FORMATS, write_panel
from bot.exports.tables import WITHHELD, panel_paper
from commands.layout import Table, plain, row_line
from commands.model import Invocation
from commands.panel import build_panel
from commands.quarterly import quarterly_summary
from commands.rag import handle_rag
from commands.reconfirm import ReconfirmRequest, reconfirm
from commands.report_builders import theme_summary
from commands.report_layout import report_layout
from storage.models import Plan
from storage.repository import PlanRepository

ESCALATED = "Escalated to the LCJB; Ollie Kerr to report back"
DELIVERED = "Programme commissioned; 12 in the first cohort (raj.singh@example.org)"
HIDDEN = "Named supplier on a recovery notice"


@pytest.fixture
def played(repo: PlanRepository, plan: Plan) -> Plan:
    """Q3: V9 red with a mitigation, O4 completed with an outcome, T2 red with a restricted mitigation."""
    report(repo, "V9", "G", london(2018, 9, 3))
    report(repo, "V9", "R", london(2018, 11, 12), "CJS review will not report before March").mitigation = ESCALATED
    report(repo, "O4", "B", london(2018, 11, 14), "Delivered").outcome = DELIVERED
    t2 = report(repo, "T2", "R", london(2018, 11, 20), "Supplier missed the milestone")
    t2.mitigation, t2.restricted = HIDDEN, True
    repo.session.flush()
    return plan


def rows_of(layout, title: str) -> list[str]:
    return [
        plain(row_line(block, row).runs) + " | " + plain(row_line(block, row).detail)
        for section in layout.sections
        for block in section.blocks
        if isinstance(block, Table) and block.title == title
        for row in block.rows
    ]


class TestQuarterlySummary:
    @pytest.mark.parametrize("when", [london(2018, 12, 3), AFTER_Q3_CUT_OFF], ids=["provisional", "frozen"])
    def test_exceptions_carry_the_mitigation_and_completions_the_outcome(
        self, repo: PlanRepository, played: Plan, when: dt.datetime
    ) -> None:
        layout = report_layout(quarterly_summary(repo, Q3, when))

        exceptions = rows_of(layout, "Exceptions")
        [v9] = [r for r in exceptions if r.startswith("V9 ")]
        assert f"Reason: CJS review will not report before March · Mitigation: {ESCALATED}" in v9
        [t2] = [r for r in exceptions if r.startswith("T2 ")]
        assert f"Mitigation: {HIDDEN} (restricted)" in t2
        [o4] = rows_of(layout, "Completed this quarter")
        assert f"Outcome: {DELIVERED}" in o4

    def test_the_frozen_snapshot_keeps_them(self, repo: PlanRepository, played: Plan) -> None:
        quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)
        report(repo, "V9", "R", london(2019, 1, 14), "Later").mitigation = "Later mitigation"
        repo.session.flush()

        rows = {i.row.code: i.row for i in quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF).exceptions}
        assert ESCALATED == rows["V9"].mitigation, "a quarter frozen at its cut-off does not move"

    def test_the_summary_lists_mitigations_beside_its_exceptions(self, repo: PlanRepository, played: Plan) -> None:
        layout = report_layout(theme_summary(repo, london(2018, 12, 3)))

        assert any(f"Mitigation: {ESCALATED}" in line for line in rows_of(layout, ""))


class TestPanel:
    def test_internal_version_shows_them(self, repo: PlanRepository, played: Plan) -> None:
        paper = panel_paper(build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False))
        sections = {s.key: s for s in paper.sections}

        exceptions = sections["exceptions"]
        mitigation = exceptions.headers.index("Mitigation")
        by_code = {row[0]: row for row in exceptions.text_rows}
        assert ESCALATED == by_code["V9"][mitigation]
        assert HIDDEN == by_code["T2"][mitigation]
        completed = sections["completed"]
        [o4] = completed.text_rows
        assert DELIVERED == o4[completed.headers.index("Outcome")]

    def test_public_version_withholds_restricted_and_scrubs_names(self, repo: PlanRepository, played: Plan) -> None:
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=True)
        paper = panel_paper(panel)
        sections = {s.key: s for s in paper.sections}

        exceptions = sections["exceptions"]
        by_code = {row[0]: row for row in exceptions.text_rows}
        mitigation = exceptions.headers.index("Mitigation")
        assert WITHHELD == by_code["T2"][mitigation]
        assert "Escalated to the LCJB; [name withheld] to report back" == by_code["V9"][mitigation]
        [o4] = sections["completed"].text_rows
        assert "[email withheld]" in o4[sections["completed"].headers.index("Outcome")]
        everything = " ".join(" ".join(row) for s in paper.sections for row in s.text_rows)
        assert HIDDEN not in everything and "Ollie Kerr" not in everything
        assert panel.withheld >= 1

    @pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f != "csv"])
    def test_every_format_prints_them(self, repo: PlanRepository, played: Plan, tmp_path: Path, fmt: str) -> None:
        for public in (False, True):
            path = tmp_path / f"panel-{public}.{fmt}"
            write_panel(build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=public), fmt, path, ())
            text = " ".join(text_of(path).replace("\\", "").split())
            assert "Mitigation" in text and "Outcome" in text
            assert ("Escalated to the LCJB" in text) and ("12 in the first cohort" in text)
            assert (HIDDEN in text) is not public


class TestShownAndCarried:
    def test_rag_v9_shows_the_mitigation_and_the_channel_withholds_it_when_restricted(
        self, repo: PlanRepository, plan: Plan
    ) -> None:
        owner = actor_for(repo, V9_OWNER["email"])
        restricted = handle_rag(
            Invocation(owner, f'V9 red Witness withdrew --mitigation "{HIDDEN}" --restricted'), repo, NOW
        )

        assert HIDDEN not in (restricted.announcement or "")
        assert f"Mitigation: {HIDDEN}" in restricted.text
        shown = handle_rag(Invocation(owner, "V9"), repo, NOW)
        assert f"mitigation: {HIDDEN}" in shown.text
        everyone = handle_rag(Invocation(owner, "V9", shared=True), repo, NOW)
        assert HIDDEN not in everyone.text

    def test_still_red_carries_the_mitigation_forward(self, repo: PlanRepository, plan: Plan) -> None:
        owner = actor_for(repo, V9_OWNER["email"])
        handle_rag(Invocation(owner, f'V9 red Waiting --mitigation "{ESCALATED}"'), repo, NOW)

        reply = reconfirm(ReconfirmRequest("V9:2018-11-05", "R"), Invocation(owner, ""), repo, NOW)
        assert reply.ok
        latest, previous = repo.recent_updates(repo.action_by_code("V9").id, 5)
        assert (ESCALATED, ESCALATED) == (latest.mitigation, previous.mitigation)

    def test_a_red_without_mitigation_stores_nothing_on_any_path(
        self, repo: PlanRepository, session: Session, plan: Plan
    ) -> None:
        owner = actor_for(repo, V9_OWNER["email"])
        before = stored_rows(session)

        typed = handle_rag(Invocation(owner, "V9 red Waiting on CJS review"), repo, NOW)

        assert not typed.ok
        assert typed.text.startswith("Red needs a mitigation as well as a reason: say what is being done about it.")
        assert '/rag V9 red Waiting on CJS review --mitigation "Escalated to LCJB"' in typed.text
        assert before == stored_rows(session)
