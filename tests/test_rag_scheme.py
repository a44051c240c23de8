"""A plan's own colour key (``rag_scheme``): read from YAML and CSV, refused with every fault named,
stored with the plan, and used end to end: Dorset's key typed at the console, in the digest, the
quarterly summary and every Panel appendix format."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from rich.console import Console
from sqlmodel import col, func, select
from support.dorset import DEFINITIONS, LABELS, ORDER, dorset_scheme, dorset_yaml, scheme_csv
from support.plan_files import sample_doc, write_doc
from support.report_support import london, report

from bot.config import Settings
from bot.console import console_session, find_actor
from bot.container import Container
from bot.report_command import run_panel
from commands.errors import ParseError
from commands.plan_file import PlanFileError, load_plan
from commands.rag_grammar import parse_rag
from commands.rag_scheme import plan_scheme
from commands.rag_views import rag_help
from commands.rules import DEFAULT_SCHEME, Direction, Need
from storage.models import AuditEntry, StatusUpdate
from storage.plan_import import SchemeRefused, import_plan
from storage.repository import PlanRepository

NOW = dt.datetime(2018, 10, 1, 9, 0)
OWNER = "ollie.kerr@example.org"  # Head of Criminal Justice: owns V9
IMPORTED = dt.datetime(2017, 4, 1, 9, 0)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    return list(caught.value.problems)


def edited(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Dorset's key with one thing changed, as a test breaks it."""
    scheme = copy.deepcopy(dorset_scheme())
    change(scheme)
    return scheme


def colour(scheme: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in scheme["colours"] if c["code"] == code)


def csv_plan(folder: Path, key: str | None, order: str | None = "R, Y, G, B") -> Path:
    """A two-action CSV plan whose details name its colour key's file (``key``) and order."""
    details = ["# plan: Police and Crime Plan 2017-21 (test)", "# short_name: Dorset test"]
    details += ["# period_start: 2017-04-01", "# period_end: 2021-03-31"]
    details += [f"# rag_scheme: {key}"] if key else []
    details += [f"# rag_order: {order}"] if order else []
    rows = [
        "theme_code,theme_name,theme_sro,id,title,owner,sro,due",
        "P,Protecting people,Deputy Chief Constable,P1,Safeguarding hub,Head of Safeguarding,,2019-03-31",
        "P,Protecting people,Deputy Chief Constable,P2,Domestic abuse review,Head of Safeguarding,,2019-09-30",
    ]
    (folder / "plan.csv").write_text("\n".join([*details, *rows]) + "\n", encoding="utf-8")
    people = "name,email,roles,admin\nJo Haynes,jo@example.org,Head of Safeguarding;Deputy Chief Constable,yes\n"
    (folder / "people.csv").write_text(people, encoding="utf-8")
    return folder / "plan.csv"


class TestSchemeInThePlanFile:
    def test_dorset_key_is_read_with_its_order_words_and_needs(self, sample_plan_path: Path, tmp_path: Path) -> None:
        scheme = load_plan(dorset_yaml(sample_plan_path, tmp_path)).rag_scheme

        assert scheme is not None
        assert ORDER == [s.code for s in scheme.statuses]  # worst first, as the default lists them
        assert [LABELS[c] for c in ORDER] == [s.label for s in scheme.statuses]
        assert DEFINITIONS["Y"] == scheme.status("Y").definition
        for typed in ("yellow", "Progress", "🟡", "y"):
            assert "Y" == scheme.parse(typed).code, typed  # type: ignore[union-attr]
        assert scheme.parse("amber") is None
        assert Need.REQUIRED is scheme.status("R").mitigation
        assert scheme.status("R").reason_required and not scheme.status("Y").reason_required
        assert scheme.status("G").completes and scheme.status("B").completes
        assert Direction.IMPROVING is scheme.direction("Y", "G")
        assert Direction.DETERIORATING is scheme.direction("Y", "R")

    def test_a_plan_without_a_scheme_reports_in_the_default_one(self, sample_plan_path: Path) -> None:
        assert load_plan(sample_plan_path).rag_scheme is None

    def test_blue_is_optional(self, sample_plan_path: Path, tmp_path: Path) -> None:
        def no_blue(scheme: dict[str, Any]) -> None:
            scheme["colours"] = [c for c in scheme["colours"] if c["code"] != "B"]
            scheme["order"] = ["R", "Y", "G"]

        scheme = load_plan(dorset_yaml(sample_plan_path, tmp_path, edited(no_blue))).rag_scheme

        assert scheme is not None and ["R", "Y", "G"] == [s.code for s in scheme.statuses]
        assert scheme.parse("blue") is None

    def test_a_csv_plan_names_its_key_file_and_reads_as_the_yaml_does(
        self, sample_plan_path: Path, tmp_path: Path
    ) -> None:
        (tmp_path / "key.csv").write_text(scheme_csv(dorset_scheme()["colours"]), encoding="utf-8")

        from_csv = load_plan(csv_plan(tmp_path, "key.csv")).rag_scheme

        assert from_csv == load_plan(dorset_yaml(sample_plan_path, tmp_path)).rag_scheme

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            (
                lambda s: colour(s, "Y").update(code="P"),
                'rag_scheme colour 3 (P), field "code": "P" is not a colour planbot can draw; use R, A, Y, G or B',
            ),
            (
                lambda s: colour(s, "Y")["words"].append("completed"),
                'rag_scheme colour 3 (Y), field "words": "completed" is already a word for G; a word names one colour',
            ),
            (lambda s: colour(s, "Y").pop("label"), 'rag_scheme colour 3 (Y), field "label": missing'),
            (lambda s: colour(s, "R").pop("definition"), 'rag_scheme colour 4 (R), field "definition": missing'),
            (
                lambda s: s.update(order=["R", "Y", "G"]),
                'rag_scheme, field "order": leaves out B: list every colour once',
            ),
            (
                lambda s: s.update(order=["R", "A", "Y", "G", "B"]),
                'rag_scheme, field "order": "A" is not one of the scheme\'s colours',
            ),
            (lambda s: s.update(order=["R", "Y", "Y", "G", "B"]), 'rag_scheme, field "order": "Y" is listed twice'),
            (lambda s: s.pop("order"), 'rag_scheme, field "order": missing: list the colour codes from worst to best'),
            (
                lambda s: colour(s, "R").update(mitigation="sometimes"),
                'rag_scheme colour 4 (R), field "mitigation": "sometimes" is not one of none, asked, required',
            ),
            (
                lambda s: colour(s, "G").update(completes="maybe"),
                'rag_scheme colour 2 (G), field "completes": "maybe" is not yes or no',
            ),
            (
                lambda s: colour(s, "Y").update(colour="#FFFF00"),
                'rag_scheme colour 3, field "colour": not a known field',
            ),
            (
                lambda s: colour(s, "Y").update(code="G"),
                'rag_scheme colour 3 (G), field "code": colour "G" is listed twice',
            ),
            (
                lambda s: colour(s, "Y")["words"].append("in progress"),
                'field "words": "in progress" must be one word, not starting with "-"',
            ),
            (lambda s: s.update(shades=3), 'rag_scheme, field "shades": not a known field (known: colours, order)'),
        ],
    )
    def test_a_broken_key_is_refused_naming_the_colour_and_field(
        self, sample_plan_path: Path, tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: str
    ) -> None:
        problems = problems_of(dorset_yaml(sample_plan_path, tmp_path, edited(change)))

        assert any(expected in p for p in problems), problems
        assert all(p.startswith("dorset-plan.yaml: ") for p in problems)

    def test_every_fault_of_a_key_is_listed_together(self, sample_plan_path: Path, tmp_path: Path) -> None:
        def broken(scheme: dict[str, Any]) -> None:
            colour(scheme, "Y").pop("label")
            colour(scheme, "R")["words"] = ["yellow"]
            scheme["order"] = ["R", "Y", "G"]

        problems = problems_of(dorset_yaml(sample_plan_path, tmp_path, edited(broken)))

        assert 3 == len(problems), problems

    @pytest.mark.parametrize(
        ("rows", "order", "expected"),
        [
            (
                "code,label,definition,words\nR,Red,Challenging.,red\nP,Purple,Odd.,purple\n",
                "R, P",
                'key.csv line 3 (P), field "code": "P" is not a colour planbot can draw',
            ),
            (
                "code,label,definition,words\nR,Red,Challenging.,red;stuck\nG,Green,Done.,green;stuck\n",
                "R, G",
                'key.csv line 3 (G), field "words": "stuck" is already a word for R',
            ),
            (
                "code,label,definition,words\nR,,Challenging.,red\nG,Green,Done.,green\n",
                "R, G",
                'key.csv line 2 (R), field "label": missing',
            ),
            (
                "code,label,definition,words\nR,Red,Challenging.,red\nG,Green,Done.,green\n",
                "R",
                'plan, field "rag_order": leaves out G: list every colour once',
            ),
            (
                "code,label,definition,words,shade\nR,Red,Challenging.,red,\nG,Green,Done.,green,\n",
                "R, G",
                'key.csv line 1, field "shade": not a known column',
            ),
        ],
    )
    def test_a_broken_csv_key_is_refused_naming_its_line_and_column(
        self, tmp_path: Path, rows: str, order: str, expected: str
    ) -> None:
        (tmp_path / "key.csv").write_text(rows, encoding="utf-8")

        problems = problems_of(csv_plan(tmp_path, "key.csv", order))

        assert any(expected in p for p in problems), problems

    def test_a_csv_key_file_that_is_not_there_or_an_order_without_one(self, tmp_path: Path) -> None:
        assert any(
            "plan.csv: key.csv not found beside the plan file (it lists the colours: code,label," in p
            for p in problems_of(csv_plan(tmp_path, "key.csv"))
        )
        assert [
            'plan.csv: plan, field "rag_order": given without # rag_scheme: FILE naming the colours'
        ] == problems_of(csv_plan(tmp_path, None))


def updates_of(repo: PlanRepository) -> int:
    return repo.session.exec(select(func.count()).select_from(StatusUpdate)).one()


def audit_entries(repo: PlanRepository) -> int:
    return repo.session.exec(select(func.count()).select_from(AuditEntry)).one()


class TestStoredWithThePlan:
    def test_each_plan_keeps_its_own_key(self, repo: PlanRepository, sample_plan_path: Path, tmp_path: Path) -> None:
        """The Dorset plan reads back its key; a plan imported beside it without one reads the default."""
        dorset = load_plan(dorset_yaml(sample_plan_path, tmp_path))
        import_plan(repo, dorset, actor="tests", at=IMPORTED)

        assert dorset.rag_scheme == plan_scheme(repo)

        other = sample_doc(sample_plan_path)
        other["plan"]["short_name"] = "Default key"
        import_plan(
            repo, load_plan(write_doc(other, tmp_path / "other.yaml")), actor="tests", at=IMPORTED, new_plan=True
        )

        assert DEFAULT_SCHEME is plan_scheme(repo)
        repo.pin_plan(repo.plan_by_short_name(dorset.short_name))  # type: ignore[arg-type]
        assert dorset.rag_scheme == plan_scheme(repo)

    def test_relabelling_a_key_is_an_audited_change(
        self, repo: PlanRepository, sample_plan_path: Path, tmp_path: Path
    ) -> None:
        import_plan(repo, load_plan(dorset_yaml(sample_plan_path, tmp_path)), actor="tests", at=IMPORTED)
        relabelled = edited(lambda s: colour(s, "Y").update(label="Amber-ish"))

        result = import_plan(
            repo, load_plan(dorset_yaml(sample_plan_path, tmp_path, relabelled)), actor="tests", at=IMPORTED
        )

        assert [("change", "plan")] == [(c.kind, c.entity) for c in result.changes]
        assert "RAG scheme" in result.changes[0].detail
        assert "Amber-ish" == plan_scheme(repo).status("Y").label

    @pytest.mark.parametrize("drop", ["the colour", "the whole key"])
    def test_a_key_without_a_colour_in_use_is_refused_and_nothing_changes(
        self, repo: PlanRepository, sample_plan_path: Path, tmp_path: Path, drop: str
    ) -> None:
        """V9 was reported yellow: a key without yellow (or going back to the default) cannot word it."""
        import_plan(repo, load_plan(dorset_yaml(sample_plan_path, tmp_path)), actor="tests", at=IMPORTED)
        report(repo, "V9", "Y", london(2018, 9, 3), "Trials review under way")
        repo.session.flush()
        before = (plan_scheme(repo), audit_entries(repo), updates_of(repo))

        def no_yellow(scheme: dict[str, Any]) -> None:
            scheme["colours"] = [c for c in scheme["colours"] if c["code"] != "Y"]
            scheme["order"] = ["R", "G", "B"]

        path = dorset_yaml(sample_plan_path, tmp_path, edited(no_yellow)) if drop == "the colour" else sample_plan_path
        with pytest.raises(SchemeRefused) as refused:
            import_plan(repo, load_plan(path), actor="tests", at=IMPORTED)

        assert "has no colour Y, which updates of" in refused.value.message
        assert "nothing was imported" in refused.value.message
        assert before == (plan_scheme(repo), audit_entries(repo), updates_of(repo))


@pytest.fixture
def dorset(migrated_db_url: str, sample_plan_path: Path, tmp_path: Path) -> Iterator[Container]:
    """A database built by the migrations, holding the sample plan with Dorset's key, on a fixed clock."""
    container = Container.open(Settings(database_url=migrated_db_url), clock=lambda: NOW)
    with container.unit_of_work() as repo:
        spec = load_plan(dorset_yaml(sample_plan_path, tmp_path))
        import_plan(repo, spec, actor="tests", at=NOW - dt.timedelta(days=1))
    try:
        yield container
    finally:
        container.engine.dispose()


def play(container: Container, lines: list[str]) -> str:
    actor = find_actor(container, OWNER)
    assert actor is not None
    printed = io.StringIO()
    console_session(container, actor, lines, Console(file=printed, width=120))
    return printed.getvalue()


def docx_text(path: Path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


class TestDorsetEndToEnd:
    def test_typed_words_reports_and_every_appendix_format_speak_dorsets_key(
        self, dorset: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        typed = play(
            dorset,
            [
                "/rag V9 yellow Trials review under way",
                "/rag V1 amber Not Dorset's word",
                "/rag V2 red Partner pulled out",
            ],
        )
        digest = play(dorset, ["/plan digest"])
        quarter = play(dorset, ["/plan quarter Q3 2018-19"])

        with dorset.unit_of_work() as repo:
            stored = repo.session.exec(select(StatusUpdate.status).order_by(col(StatusUpdate.id))).all()
        assert ["Y"] == stored  # amber is not a Dorset word; red without a mitigation is refused
        assert "Now Yellow (in progress)" in typed
        assert '"amber" is not a status. Use red, yellow, green or blue (or r, y, g, b).' in typed
        assert "Red (challenging) needs a mitigation" in typed
        for report_text in (digest, quarter):
            assert "Yellow (in progress)" in report_text
            assert "Amber" not in report_text

        paper = {}
        for fmt in ("docx", "xlsx", "csv", "html"):
            out = tmp_path / f"appendix.{fmt}"
            assert 0 == run_panel(
                dorset.settings,
                "Q3 2018-19",
                fmt,
                False,
                out,
                "2018-12-01",
                force=False,
            )
            paper[fmt] = out
        capsys.readouterr()

        word = docx_text(paper["docx"])
        book = load_workbook(paper["xlsx"])
        key_sheet = [[c.value for c in row] for row in book["Key"].iter_rows()]
        actions_sheet = "\n".join(str(c.value) for row in book["Actions"].iter_rows() for c in row)
        rows = list(csv.reader(paper["csv"].read_text(encoding="utf-8-sig").splitlines()))
        page = paper["html"].read_text(encoding="utf-8")
        v9 = next(row for row in rows if row[0] == "V9")

        assert any("Yellow (in progress)" in cell for cell in v9)
        assert "Yellow (in progress)" in actions_sheet
        for code in ORDER:
            assert LABELS[code] in word and DEFINITIONS[code] in word
            assert LABELS[code] in page and DEFINITIONS[code] in page
            assert any(LABELS[code] in str(row[0]) and DEFINITIONS[code] == row[1] for row in key_sheet)
        assert "Amber" not in word and "Amber" not in page


class TestWordsInHelp:
    def test_help_and_hints_suggest_the_plans_own_words(self, sample_plan_path: Path, tmp_path: Path) -> None:
        scheme = load_plan(dorset_yaml(sample_plan_path, tmp_path)).rag_scheme
        assert scheme is not None

        text = rag_help(scheme).text
        with pytest.raises(ParseError) as refused:
            parse_rag("V9 --restricted", scheme)

        assert "/rag V9 red Waiting" in text and "/rag V2 blue Audit" in text and "/rag v9 yellow Slipped" in text
        assert "amber" not in text.lower()
        assert f"{LABELS['Y']}: type yellow, progress, y or the emoji. {DEFINITIONS['Y']}" in text
        assert "/rag V9 yellow REASON --restricted" in refused.value.message
