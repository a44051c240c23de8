"""The Panel appendix's content: built from the quarterly summary, filtered once for the public."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from support.panel_support import AFTER_Q3_CUT_OFF, EMAIL, Q3, RESTRICTED, RESTRICTED_TOO, plan_people, play_quarter
from support.plan_files import sample_doc
from support.report_support import london

from commands.errors import ParseError, UserError
from commands.panel import EMAIL_WITHHELD, NAME_WITHHELD, PanelReport, build_panel
from commands.plan_file import load_plan
from commands.plan_grammar import ReportRequest, parse_plan
from commands.report_builders import quarterly_summary
from commands.rules import Direction
from storage.models import Plan
from storage.plan_import import import_plan
from storage.repository import PlanRepository


@pytest.fixture
def played(repo: PlanRepository, plan: Plan) -> Plan:
    play_quarter(repo)
    return plan


def lines(panel: PanelReport) -> dict:
    return {line.row.code: line for line in panel.actions}


def every_text(panel: PanelReport) -> str:
    """Every string anywhere in the report, however deeply nested."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    walk(panel)
    return "\n".join([*found, panel.withheld_sentence, panel.basis])


class TestInternal:
    def test_cover(self, repo, played):
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)

        assert "Delivery of the Police and Crime Plan: quarterly report, 2018/19 Q3" == panel.title
        assert "2018/19 Q3 (October–December 2018)" == panel.period
        assert "OPCC Chief Executive" == panel.author_role
        assert panel.recommendation.startswith("The Panel is invited to note")
        assert not panel.provisional
        assert "Statuses frozen at the cut-off, 15 Jan 2019, compared with 2018/19 Q2." == panel.basis

    def test_same_statuses_and_counts_as_the_quarterly_summary(self, repo, played):
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)
        summary = quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)

        assert summary.totals == panel.totals
        assert [r for b in summary.themes for r in b.rows] == [line.row for line in panel.actions]
        assert summary.exceptions == panel.exceptions

    def test_action_line_has_sro_owner_names_and_reprofile_with_approval(self, repo, played):
        found = lines(build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False))

        assert ("R", "G", Direction.DETERIORATING) == (
            found["V9"].row.status,
            found["V9"].row.previous,
            found["V9"].row.direction,
        )
        assert "Head of Criminal Justice (Ollie Kerr)" == found["V9"].owner
        assert "Deputy Chief Constable" == found["V9"].sro_role
        assert "31 Mar 2019 (was 31 Dec 2018; approved: BCB 20/11/2018)" == found["O7"].reprofile
        assert "" == found["V9"].reprofile

    def test_restricted_commentary_kept_and_marked(self, repo, played):
        found = lines(build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False))

        assert (RESTRICTED, True, False) == (found["V4"].row.reason, found["V4"].row.restricted, found["V4"].withheld)


class TestPublic:
    def test_restricted_commentary_withheld_and_counted(self, repo, played):
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=True)

        assert 2 == panel.withheld
        assert "2 restricted commentaries withheld" == panel.withheld_sentence
        assert {"V4", "T2"} == {line.row.code for line in panel.actions if line.withheld}
        text = every_text(panel)
        assert RESTRICTED not in text
        assert RESTRICTED_TOO not in text

    def test_no_name_or_email_of_anyone_in_the_plan(self, repo, played, sample_plan_path):
        names, emails = plan_people(sample_plan_path)
        panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=True)
        text = every_text(panel)

        assert [] == [name for name in names if name.lower() in text.lower()]
        assert [] == [email for email in emails if email in text.lower()]
        assert [] == EMAIL.findall(text)
        assert f"ask {NAME_WITHHELD}" in lines(panel)["V9"].row.reason
        assert f"contact {EMAIL_WITHHELD}" in lines(panel)["O4"].row.reason
        assert "Head of Criminal Justice" == lines(panel)["V9"].owner

    def test_one_commentary_is_singular(self, repo, played):
        panel = dataclasses.replace(build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=True), withheld=1)

        assert "1 restricted commentary withheld" == panel.withheld_sentence


def test_no_plan_refused(repo):
    with pytest.raises(UserError, match="No plan is loaded yet"):
        build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=True)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("report", ReportRequest("", "docx", False)),
        ("report Q3 2018-19 html public", ReportRequest("Q3 2018-19", "html", True)),
        ("Report public last quarter XLSX", ReportRequest("last quarter", "xlsx", True)),
        ("<@UPLANBOT> report md please", ReportRequest("", "md", False)),
    ],
)
def test_report_request_read_in_any_order(typed, expected):
    assert expected == parse_plan(typed)


def test_two_formats_refused():
    with pytest.raises(ParseError, match="Choose one format, not docx and csv"):
        parse_plan("report docx csv")


def test_action_added_in_the_quarter_is_a_change_to_the_plan(repo, played, sample_plan_path, tmp_path):
    document = sample_doc(sample_plan_path)
    victims = document["themes"][0]["actions"]
    victims.append({**victims[0], "id": "V99", "title": "Pilot a victims' text service.", "due": "2019-06-30"})
    changed = tmp_path / "plan.yaml"
    changed.write_text(yaml.safe_dump(document, sort_keys=False))
    import_plan(repo, load_plan(changed), actor="admin@example.org", at=london(2018, 11, 5))

    panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=True)

    assert ("V99", "new", "added to the plan") in [(c.action_code, c.change, c.detail) for c in panel.changes]
    assert ["new", "re-profiled"] == [c.change for c in panel.changes]
    assert [] == [
        c for c in build_panel(repo, Q3.next(), london(2019, 4, 20), public=True).changes if c.change == "new"
    ]
