"""The annual report and the theme deep dive: built from the quarterly summaries of a played year,
so every figure is one a board already saw; quarters not frozen said plainly; the public version filtered."""

from __future__ import annotations

import dataclasses

import pytest
from support.annual_support import (
    AFTER_YEAR,
    DURING_Q4_CUT_OFF,
    EMAILED,
    NAMED,
    QUARTERS,
    RESTRICTED,
    RESTRICTED_TOO,
    YEAR,
    play_year,
)
from support.panel_support import EMAIL, plan_people
from support.report_support import london

from commands.annual import AnnualReport, build_annual
from commands.deep_dive import ThemeDeepDive, build_deep_dive
from commands.errors import ParseError, UnknownTheme, UserError
from commands.model import Actor, Invocation
from commands.panel import ANNUAL, THEME, PanelOrder
from commands.panel_orders import order_panel, panel_command
from commands.periods import Quarter, parse_financial_year
from commands.plan_dispatch import handle_plan
from commands.plan_grammar import ReportRequest, parse_plan
from commands.report_builders import quarterly_summary
from commands.rules import Direction
from storage.models import Plan
from storage.repository import PlanRepository

Q3 = Quarter(2018, 3)


@pytest.fixture
def played(repo: PlanRepository, plan: Plan) -> Plan:
    play_year(repo)
    return plan


def every_text(value: object) -> str:
    """Every string anywhere in a built document, however deeply nested."""
    found: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            found.append(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            for field in dataclasses.fields(item):
                walk(getattr(item, field.name))
        elif isinstance(item, tuple | list):
            for part in item:
                walk(part)

    walk(value)
    return "\n".join(found)


class TestAnnualFiguresAreTheQuarterlySummaries:
    def test_each_quarter_of_the_year_is_its_summary(self, repo, played):
        report = build_annual(repo, YEAR, AFTER_YEAR, public=False)

        for year_quarter in report.quarters:
            summary = quarterly_summary(repo, year_quarter.quarter, AFTER_YEAR)
            assert not summary.provisional
            assert [c.count for c in summary.totals] == [c.count for c in year_quarter.totals]
            assert (len(summary.completed), len(summary.exceptions), len(summary.changes)) == (
                year_quarter.completed,
                year_quarter.exceptions,
                year_quarter.changes,
            )

    def test_every_action_shows_its_four_frozen_quarters_and_travel_over_the_year(self, repo, played):
        report = build_annual(repo, YEAR, AFTER_YEAR, public=False)
        summaries = [quarterly_summary(repo, q, AFTER_YEAR) for q in QUARTERS]
        by_quarter = [{r.code: r for b in s.themes for r in b.rows} for s in summaries]

        assert len(by_quarter[-1]) == len(report.actions)
        for line in report.actions:
            assert [rows[line.row.code].status for rows in by_quarter] == [q.status for q in line.quarters]
            assert by_quarter[0][line.row.code].previous == line.start
            assert by_quarter[-1][line.row.code].status == line.row.status
        v9 = next(a for a in report.actions if a.row.code == "V9")
        assert (["G", "A", "R", "A"], "G", Direction.DETERIORATING) == (
            [q.status for q in v9.quarters],
            v9.start,
            v9.direction,
        )

    def test_year_end_counts_are_q4s_and_the_start_q1s_comparison(self, repo, played):
        report = build_annual(repo, YEAR, AFTER_YEAR, public=False)
        q4 = quarterly_summary(repo, QUARTERS[-1], AFTER_YEAR)

        for theme, block in zip(report.themes, q4.themes, strict=True):
            assert [c.count for c in block.counts] == [c.count for c in theme.counts]
        assert [c.count for c in q4.totals] == [c.count for c in report.totals]
        blue = next(c for c in report.totals if c.status == "B")
        assert (2, 2) == (blue.count, blue.change)

    def test_completions_changes_and_carried_exceptions_add_up(self, repo, played):
        report = build_annual(repo, YEAR, AFTER_YEAR, public=False)
        summaries = [quarterly_summary(repo, q, AFTER_YEAR) for q in QUARTERS]

        assert [r.code for s in summaries for r in s.completed] == [c.row.code for c in report.completed]
        assert [("O4", Q3), ("T2", QUARTERS[3])] == [(c.row.code, c.quarter) for c in report.completed]
        assert EMAILED == report.completed[0].row.reason, "the outcome the lead reported"
        assert sum(len(s.changes) for s in summaries) == len(report.changes)
        assert [("T2", "re-profiled"), ("O7", "re-profiled"), ("C2", "closed")] == [
            (c.action_code, c.change) for c in report.changes
        ]
        closure = report.changes[-1]
        assert "Panel 1 Feb 2019" == closure.approval
        assert closure.recorded_by, "who recorded the approval"
        assert [i.row.code for i in summaries[-1].exceptions] == [i.row.code for i in report.carried]
        assert "carried into 2019/20" in report.carried_note

    def test_measures_year_on_year_with_better_or_worse(self, repo, played):
        report = build_annual(repo, YEAR, AFTER_YEAR, public=False)
        trials = next(m for m in report.measures if m.latest is not None)
        summaries = [quarterly_summary(repo, q, AFTER_YEAR) for q in QUARTERS]
        per_quarter = [next(m.value for m in s.measures if m.name == trials.name) for s in summaries]

        assert per_quarter == list(trials.values)
        assert (14.0, 22.0, "2017/18 Q4", "Better") == (
            trials.latest,
            trials.baseline,
            trials.compared_with,
            trials.trend.word,
        )


class TestAQuarterNotFrozen:
    def test_is_said_plainly_and_not_filled_in(self, repo, played):
        report = build_annual(repo, YEAR, DURING_Q4_CUT_OFF, public=False)

        q4 = report.quarters[-1]
        assert ("not frozen", 0) == (q4.standing.value, len(q4.totals))
        assert "Not frozen: its cut-off, 12 Apr 2019, has not passed" == q4.note
        assert "Not frozen yet, so not reported: 2018/19 Q4 (cut-off 12 Apr 2019)" in report.basis
        assert "this is not the final annual report" in report.basis
        assert QUARTERS[2] == report.end_quarter
        assert all(a.quarters[-1].status is None for a in report.actions)
        assert not report.complete
        assert "as at 2018/19 Q3, the latest frozen quarter" in report.carried_note
        t2 = next(a for a in report.actions if a.row.code == "T2")
        assert "R" == t2.row.status, "the year end so far is Q3's frozen red, not Q4's later blue"

    def test_no_frozen_quarter_is_refused(self, repo, played):
        with pytest.raises(UserError, match="No quarter of 2018/19 is frozen yet"):
            build_annual(repo, YEAR, london(2018, 7, 2), public=False)

    def test_a_year_before_the_plan_is_refused(self, repo, played):
        with pytest.raises(UserError, match="2015/16 ended before the plan began"):
            build_annual(repo, 2015, AFTER_YEAR, public=False)


class TestAnnualPublicVersion:
    def test_role_titles_only_restricted_withheld_and_typed_names_scrubbed(self, repo, played, sample_plan_path):
        names, emails = plan_people(sample_plan_path)
        internal = build_annual(repo, YEAR, DURING_Q4_CUT_OFF, public=False)
        public = build_annual(repo, YEAR, DURING_Q4_CUT_OFF, public=True)
        text = every_text(public)

        assert "Ollie Kerr" in every_text(internal) and RESTRICTED_TOO in every_text(internal)
        assert [] == [name for name in names if name.lower() in text.lower()]
        assert [] == [email for email in emails if email in text.lower()] == EMAIL.findall(text)
        assert RESTRICTED not in text and RESTRICTED_TOO not in text
        assert "2 restricted commentaries withheld" == public.withheld_sentence, "T2's and V4's, frozen in Q3"


class TestDeepDive:
    def test_figures_are_the_quarterly_summarys(self, repo, played):
        dive = build_deep_dive(repo, "victims", Q3, AFTER_YEAR, public=False)
        summary = quarterly_summary(repo, Q3, AFTER_YEAR)
        block = next(b for b in summary.themes if b.code == "V")

        assert block.counts == dive.counts
        assert [r.code for r in block.rows] == [a.row.code for a in dive.actions]
        assert [r.status for r in block.rows] == [a.row.status for a in dive.actions]
        assert (Quarter(2017, 4), Q3) == (dive.quarters[0], dive.quarters[-1])
        earlier = [
            {r.code: r.status for b in quarterly_summary(repo, q, AFTER_YEAR).themes for r in b.rows}
            for q in dive.quarters[1:]
        ]
        for action in dive.actions:
            assert [rows[action.row.code] for rows in earlier] == [q.status for q in action.history[1:]]

    def test_every_update_in_the_quarter_with_who_and_why(self, repo, played):
        dive = build_deep_dive(repo, "V", Q3, AFTER_YEAR, public=False)
        summary = quarterly_summary(repo, Q3, AFTER_YEAR)
        updated = {r.code: r.updates for b in summary.themes if b.code == "V" for r in b.rows}

        assert sum(updated.values()) == len(dive.updates)
        assert [("V9", "A"), ("V4", "A"), ("V9", "R"), ("V4", "A")] == [(u.action_code, u.status) for u in dive.updates]
        assert "Kate Ross, Delegate for V9" == dive.updates[0].who
        assert "on behalf of the Head of Public Protection" in dive.updates[1].who
        assert "Ollie Kerr, Head of Criminal Justice" == dive.updates[2].who
        assert RESTRICTED == dive.updates[3].reason
        assert [("V9", "Kate Ross")] == [(d.action_code, d.delegate) for d in dive.delegations]
        v9 = next(m for m in dive.measures if m.action_code == "V9" and m.values[-1] is not None)
        assert (22.0, 20.0, 19.0, 15.0) == v9.values

    def test_public_version_has_roles_only_and_withholds_restricted(self, repo, played, sample_plan_path):
        names, emails = plan_people(sample_plan_path)
        dive = build_deep_dive(repo, "Victims", Q3, AFTER_YEAR, public=True)
        text = every_text(dive)

        assert "Head of Criminal Justice" == dive.updates[2].who
        assert "Delegate for V9" == dive.updates[0].who
        assert [] == [name for name in names if name.lower() in text.lower()]
        assert [] == [email for email in emails if email in text.lower()] == EMAIL.findall(text)
        assert RESTRICTED not in text
        assert dive.updates[3].withheld and 1 == dive.withheld, "V4's restricted reason, in its row and its update"
        assert NAMED.replace("Ollie Kerr", "[name withheld]") == dive.updates[2].reason

    def test_the_re_profiles_of_the_theme(self, repo, played):
        dive = build_deep_dive(repo, "Offenders", Q3, AFTER_YEAR, public=False)

        assert [("O7", "BCB 20/11/2018")] == [(c.action_code, c.approval) for c in dive.changes]
        o7 = next(a for a in dive.actions if a.row.code == "O7")
        assert "31 Mar 2019 (was 31 Dec 2018; approved: BCB 20/11/2018)" == o7.reprofile

    def test_an_unknown_theme_is_refused_with_near_misses(self, repo, played):
        with pytest.raises(UnknownTheme, match=r"There is no theme \"Victim\" in PCP 2017-20\. Did you mean Victims"):
            build_deep_dive(repo, "Victim", Q3, AFTER_YEAR, public=False)


def test_documents_say_what_they_are(repo, played):
    annual: AnnualReport = build_annual(repo, YEAR, AFTER_YEAR, public=True)
    dive: ThemeDeepDive = build_deep_dive(repo, "V", Q3, AFTER_YEAR, public=False)

    assert ("annual report", "2018/19 (April 2018–March 2019)", "public") == (
        annual.kind,
        annual.period,
        annual.audience,
    )
    assert "section 12 of the Police Reform and Social Responsibility Act 2011" in annual.purpose
    assert ("Victims deep dive", "2018/19 Q3 (October–December 2018)") == (dive.kind, dive.period)


class TestFinancialYears:
    @pytest.mark.parametrize(
        ("text", "year"),
        [
            ("2018/19", 2018),
            ("2018-19", 2018),
            ("2018/2019", 2018),
            (" 2018 – 19 ", 2018),
            ("last year", 2017),
            ("", 2017),
        ],
    )
    def test_read_as_people_write_them(self, text, year):
        assert year == parse_financial_year(text, london(2019, 1, 16).date())

    @pytest.mark.parametrize(
        ("text", "message"), [("2018/20", "runs April to March"), ("next", "is not a financial year")]
    )
    def test_others_refused(self, text, message):
        with pytest.raises(ParseError, match=message):
            parse_financial_year(text, london(2019, 1, 16).date())


class TestAskingInChat:
    def test_grammar(self):
        assert ReportRequest("2018/19", "xlsx", True, ANNUAL) == parse_plan("report annual 2018/19 xlsx public")
        assert ReportRequest("", "docx", False, THEME, "Victims") == parse_plan("report theme Victims")
        assert ReportRequest("Q3 2018-19", "html", False, THEME, "Safer roads") == parse_plan(
            'report theme "Safer roads" Q3 2018-19 html'
        )
        with pytest.raises(ParseError, match="Say which theme"):
            parse_plan("report theme html")

    def admin(self, repo: PlanRepository) -> Actor:
        person = repo.admins()[0]
        return Actor(person_id=person.id, name=person.name, email=person.email, is_admin=True)

    def test_orders_go_through_the_same_visibility_rule(self, repo, played):
        admin = self.admin(repo)
        private = Invocation(actor=admin, text="report annual 2018/19", private=True)

        order = handle_plan(private, repo, AFTER_YEAR)
        assert PanelOrder(Quarter(2018, 4), "docx", False, report=ANNUAL) == order
        assert "planbot report annual --year 2018/19 --format docx" == panel_command(order)
        in_channel = handle_plan(Invocation(actor=admin, text="report theme victims", channel="C1"), repo, AFTER_YEAR)
        assert "I send it only in a direct message" in in_channel.text
        theme = handle_plan(Invocation(actor=admin, text="report theme victims public", channel="C1"), repo, AFTER_YEAR)
        assert PanelOrder(Quarter(2018, 4), "docx", True, report=THEME, theme="Victims") == theme

    def test_bad_requests_are_refused_before_anything_is_built(self, repo, played):
        admin = self.admin(repo)

        def ask(text: str) -> str:
            return handle_plan(Invocation(actor=admin, text=text, private=True), repo, london(2018, 7, 2)).text

        assert "No quarter of 2018/19 is frozen yet" in ask("report annual 2018/19")
        assert '"2018/20" is not a financial year' in ask("report annual 2018/20")
        assert 'There is no theme "Nowhere"' in ask("report theme Nowhere")

    def test_order_panel_checks_the_theme(self, repo, played):
        with pytest.raises(UnknownTheme):
            order_panel(
                Invocation(actor=self.admin(repo), text="", private=True),
                repo,
                Q3,
                "md",
                False,
                report=THEME,
                theme="X",
            )
