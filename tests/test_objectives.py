"""Objectives (portfolio areas) between a theme and its actions: read from YAML (``objectives:``) and
CSV (an ``objective`` column), refused with every fault named, stored, and grouped by in the
summaries, the quarterly summary, the Home view and the Panel appendix."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from support.plan_files import sample_doc, write_doc
from support.report_support import london, report

from bot.exports import paper_of, write_panel
from commands.annual import build_annual
from commands.deep_dive import build_deep_dive
from commands.home import home_layout, home_view
from commands.layout import Line, Section, Table
from commands.model import Actor
from commands.panel import build_panel
from commands.periods import Quarter
from commands.plan_file import PlanFileError, ThemeSpec, load_plan
from commands.quarterly import quarterly_summary
from commands.report_builders import overdue_list, theme_summary, weekly_digest
from commands.report_layout import digest_layout, overdue_layout, quarterly_layout, summary_layout
from storage.models import Action, Person
from storage.plan_import import import_plan
from storage.repository import PlanRepository

VICTIM_SERVICES, CRIMINAL_JUSTICE = "Victim services", "Criminal justice"
IMPORTED = dt.datetime(2017, 4, 1, 9, 0)
Q3 = Quarter(2018, 3)
NOW = london(2018, 11, 20)


def with_objectives(sample_plan_path: Path) -> dict[str, Any]:
    """The sample plan with its Victims theme split into two objectives: V1-V4, then V5-V10."""
    doc = sample_doc(sample_plan_path)
    victims = doc["themes"][0]
    actions = victims.pop("actions")
    victims["objectives"] = [
        {"name": VICTIM_SERVICES, "actions": actions[:4]},
        {"name": CRIMINAL_JUSTICE, "actions": actions[4:]},
    ]
    return doc


def objectives(theme: ThemeSpec) -> tuple[str, ...]:
    """A theme's objectives in plan order."""
    return tuple(dict.fromkeys(action.objective for action in theme.actions if action.objective))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    return list(caught.value.problems)


def csv_plan(folder: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    out.write("# plan: Test plan\n# short_name: Test\n# period_start: 2017-04-01\n# period_end: 2021-03-31\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["theme_code", "theme_name", "objective", "id", "title", "owner", "sro", "due"])
    writer.writerows(rows)
    (folder / "plan.csv").write_text(out.getvalue(), encoding="utf-8")
    people = "name,email,roles,admin\nJo Haynes,jo@example.org,Head of Safeguarding;DCC,yes\n"
    (folder / "people.csv").write_text(people, encoding="utf-8")
    return folder / "plan.csv"


def row(code: str, objective: str) -> list[str]:
    return ["P", "Protecting people", objective, code, f"Action {code}", "Head of Safeguarding", "DCC", "2019-03-31"]


class TestObjectivesInThePlanFile:
    def test_yaml_objectives_group_a_themes_actions(self, sample_plan_path: Path, tmp_path: Path) -> None:
        spec = load_plan(write_doc(with_objectives(sample_plan_path), tmp_path / "plan.yaml"))

        victims = spec.themes[0]
        assert (VICTIM_SERVICES, CRIMINAL_JUSTICE) == objectives(victims)
        assert [f"V{n}" for n in range(1, 11)] == [a.code for a in victims.actions]
        assert [VICTIM_SERVICES] * 4 + [CRIMINAL_JUSTICE] * 6 == [a.objective for a in victims.actions]
        assert () == objectives(spec.themes[1])  # a theme may have none

    def test_a_plan_without_objectives_has_none(self, sample_plan_path: Path) -> None:
        assert all(not objectives(theme) for theme in load_plan(sample_plan_path).themes)

    def test_csv_objective_column_groups_rows_in_order_of_first_appearance(self, tmp_path: Path) -> None:
        """Rows of one objective need not be together in the sheet; actions with none come first."""
        path = csv_plan(
            tmp_path, [row("P1", "Mental health"), row("P2", "Road safety"), row("P3", "Mental health"), row("P4", "")]
        )

        [theme] = load_plan(path).themes

        assert ("Mental health", "Road safety") == objectives(theme)
        assert ["P4", "P1", "P3", "P2"] == [a.code for a in theme.actions]

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            (
                lambda t: t["objectives"][1].pop("name"),
                'plan.yaml: theme 1 objective 2, field "name": missing',
            ),
            (
                lambda t: t["objectives"][1].update(name=VICTIM_SERVICES),
                f'plan.yaml: theme 1 objective 2, field "name": "{VICTIM_SERVICES}" is listed twice in this theme',
            ),
            (
                lambda t: t["objectives"][0].update(owner="Head of Victim Services (OPCC)"),
                'plan.yaml: theme 1 objective 1, field "owner": not a known field (known: name, actions)',
            ),
            (
                lambda t: t["objectives"][0].update(name="x" * 201),
                'plan.yaml: action 1 (V1), field "objective": longer than 200 characters',
            ),
            (lambda t: t["objectives"][0].update(actions="V1"), 'theme 1 objective 1, field "actions": must be a list'),
            (
                lambda t: t["objectives"][0]["actions"][0].update(objective=CRIMINAL_JUSTICE),
                f'action 1, field "objective": "{CRIMINAL_JUSTICE}" is not "{VICTIM_SERVICES}", '
                "the objective it is listed under",
            ),
        ],
    )
    def test_a_broken_objective_is_refused_naming_it(
        self, sample_plan_path: Path, tmp_path: Path, change: Any, expected: str
    ) -> None:
        doc = with_objectives(sample_plan_path)
        change(doc["themes"][0])

        problems = problems_of(write_doc(doc, tmp_path / "plan.yaml"))

        assert any(expected in p for p in problems), problems

    def test_a_csv_objective_too_long_is_refused_by_line(self, tmp_path: Path) -> None:
        problems = problems_of(csv_plan(tmp_path, [row("P1", "Mental health"), row("P2", "y" * 201)]))

        assert ['plan.csv: line 7 (P2), field "objective": longer than 200 characters'] == problems


def import_doc(repo: PlanRepository, doc: dict[str, Any], folder: Path) -> None:
    import_plan(repo, load_plan(write_doc(doc, folder / "plan.yaml")), actor="tests", at=IMPORTED)
    repo.session.flush()


def texts(blocks: tuple[object, ...]) -> list[str]:
    """Every line's text and every table's title in a section, in order."""
    found: list[str] = []
    for block in blocks:
        if isinstance(block, Line):
            found.append("".join(getattr(piece, "text", getattr(piece, "word", piece)) for piece in block.runs))
        elif isinstance(block, Table):
            found.append(f"table: {block.title}")
    return found


def section(sections: tuple[Section, ...], start: str) -> Section:
    return next(s for s in sections if s.title.startswith(start))


class TestGroupedInReports:
    @pytest.fixture
    def played(self, repo: PlanRepository, sample_plan_path: Path, tmp_path: Path) -> PlanRepository:
        import_doc(repo, with_objectives(sample_plan_path), tmp_path)
        report(repo, "V1", "G", london(2018, 10, 3), "On track")
        report(repo, "V9", "R", london(2018, 10, 10), "CJS review late")
        repo.session.flush()
        return repo

    def test_objectives_are_stored_and_a_move_is_an_audited_change(
        self, played: PlanRepository, sample_plan_path: Path, tmp_path: Path
    ) -> None:
        stored = dict(played.session.exec(select(Action.code, Action.objective)).all())
        assert VICTIM_SERVICES == stored["V1"] and CRIMINAL_JUSTICE == stored["V9"] and "" == stored["O1"]

        doc = with_objectives(sample_plan_path)
        objectives = doc["themes"][0]["objectives"]
        objectives[0]["actions"].append(objectives[1]["actions"].pop(0))  # V5 moves to Victim services
        result = import_plan(played, load_plan(write_doc(doc, tmp_path / "moved.yaml")), actor="tests", at=IMPORTED)

        assert [("change", "V5", f"objective: {CRIMINAL_JUSTICE} → {VICTIM_SERVICES}")] == [
            (c.kind, c.key, c.detail) for c in result.changes
        ]

    def test_summary_and_quarterly_summary_group_a_themes_actions_by_objective(self, played: PlanRepository) -> None:
        summary = summary_layout(theme_summary(played, NOW))
        quarterly = quarterly_layout(quarterly_summary(played, Q3, NOW))

        assert [f"table: {VICTIM_SERVICES}", f"table: {CRIMINAL_JUSTICE}"] == texts(
            section(summary.sections, "V ").blocks
        )
        assert ["table: "] == texts(section(summary.sections, "O ").blocks)  # a theme without objectives as before
        victims = texts(section(quarterly.sections, "V ").blocks)
        assert victims[:4] == [
            f"{VICTIM_SERVICES}: Red 0 · Amber 0 · Green 1 · Blue (complete) 0 · Not yet reported 3",
            f"{CRIMINAL_JUSTICE}: Red 1 · Amber 0 · Green 0 · Blue (complete) 0 · Not yet reported 5",
            f"table: Direction of travel · {VICTIM_SERVICES}",
            f"table: Direction of travel · {CRIMINAL_JUSTICE}",
        ]
        assert "table: Direction of travel" == texts(section(quarterly.sections, "O ").blocks)[0]

    def test_digest_and_overdue_list_group_a_themes_actions_by_objective(self, played: PlanRepository) -> None:
        digest = digest_layout(weekly_digest(played, london(2018, 10, 12), since=london(2018, 10, 1)))
        overdue = overdue_layout(overdue_list(played, london(2019, 6, 1)))

        victims = texts(section(digest.sections, "Theme V").blocks)
        assert [f"table: Colour changes · {VICTIM_SERVICES}", f"table: Colour changes · {CRIMINAL_JUSTICE}"] == [
            t for t in victims if t.startswith("table: Colour changes")
        ]
        assert f"table: Not yet reported · {CRIMINAL_JUSTICE}" in victims
        assert [f"table: {VICTIM_SERVICES}", f"table: {CRIMINAL_JUSTICE}"] == texts(
            section(overdue.sections, "Theme V").blocks
        )
        assert ["table: "] == texts(section(overdue.sections, "Theme O").blocks)  # a theme without objectives

    def test_home_shows_each_objectives_counts_under_its_theme(self, played: PlanRepository) -> None:
        admin = played.session.exec(select(Person).where(Person.is_admin == True)).first()  # noqa: E712
        assert admin is not None and admin.id is not None
        actor = Actor(person_id=admin.id, email=admin.email, name=admin.name, is_admin=True)

        page = home_layout(home_view(actor, played, NOW))

        victims = texts(page.themes[0])
        assert victims[2:4] == [
            f"{VICTIM_SERVICES}: Red 0 · Amber 0 · Green 1 · Blue (complete) 0 · Not yet reported 3",
            f"{CRIMINAL_JUSTICE}: Red 1 · Amber 0 · Green 0 · Blue (complete) 0 · Not yet reported 5",
        ]

    def test_panel_appendix_has_an_objective_column_and_a_count_row_per_objective(
        self, played: PlanRepository, tmp_path: Path
    ) -> None:
        path = tmp_path / "appendix.xlsx"
        write_panel(build_panel(played, Q3, NOW, public=False), "xlsx", path)
        book = load_workbook(path)

        actions = [[c.value for c in r] for r in book["Actions"].iter_rows(values_only=False)]
        header = next(r for r in actions if r and r[0] == "Action")
        v9 = next(r for r in actions if r and r[0] == "V9")
        o1 = next(r for r in actions if r and r[0] == "O1")
        assert header.index("Objective") == header.index("Theme") + 1
        assert CRIMINAL_JUSTICE == v9[header.index("Objective")]
        assert o1[header.index("Objective")] in ("", None)
        summary = [r[0] for r in book["Summary by theme"].iter_rows(values_only=True)]
        at = summary.index("V Victims")
        assert [f"V · {VICTIM_SERVICES}", f"V · {CRIMINAL_JUSTICE}"] == summary[at + 1 : at + 3]

    @pytest.mark.parametrize(("document", "after"), [("annual", "Theme"), ("deep dive", "Action")])
    def test_annual_report_and_deep_dive_have_an_objective_column(
        self, played: PlanRepository, document: str, after: str
    ) -> None:
        built = (
            build_annual(played, 2018, NOW, public=False)
            if document == "annual"
            else build_deep_dive(played, "Victims", Quarter(2018, 2), NOW, public=False)
        )
        actions = next(s for s in paper_of(built).sections if s.key == "actions")

        assert actions.headers.index("Objective") == actions.headers.index(after) + 1
        rows = {row[0]: dict(zip(actions.headers, row, strict=True)) for row in actions.text_rows}
        assert (VICTIM_SERVICES, CRIMINAL_JUSTICE) == (rows["V1"]["Objective"], rows["V9"]["Objective"])
