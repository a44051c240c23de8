"""Every measure states which way is better: ``polarity:`` (YAML) or a ``[higher_is_better]`` /
``[lower_is_better]`` suffix on its name (CSV and YAML). A measure that says neither is refused,
all of them listed, unless ``--assume-higher-is-better``; the sample plan states each, so falling
reoffending and road casualties read "Better" in the Panel appendix."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_support import row_counts, use_database
from support.plan_files import sample_doc, write_doc

from bot.cli import main
from commands.plan_file import PlanFileError, load_plan

SUFFIX_HINT = "add [lower_is_better] or [higher_is_better] after its name"
REOFFENDING = "Reoffending rate of the IOM cohort (%)"
KSI = "People killed or seriously injured in road collisions"


def bare_measures(sample_plan_path: Path) -> dict:
    """The sample with V1's two measures given by name only, as older files did."""
    doc = sample_doc(sample_plan_path)
    v1 = doc["themes"][0]["actions"][0]
    v1["measures"] = [m["name"] for m in v1["measures"]]
    return doc


def csv_plan(tmp_path: Path, measures: str) -> Path:
    (tmp_path / "people.csv").write_text("name,email,roles\nA,a@example.org,Lead\n", encoding="utf-8")
    path = tmp_path / "actions.csv"
    path.write_text(
        "# plan: P\n# short_name: P\n# period_start: 2020-04-01\n# period_end: 2021-03-31\n"
        "theme_code,theme_name,id,title,owner,sro,due,measures\n"
        f'V,Victims,V1,Do it,Lead,Lead,2020-06-30,"{measures}"\n',
        encoding="utf-8",
    )
    return path


class TestSamplePlan:
    def test_every_measure_states_its_polarity(self, sample_plan_path: Path) -> None:
        """Loading without the assumption succeeds: nothing was left to assume."""
        spec = load_plan(sample_plan_path)
        assert () == spec.assumed_higher
        for entry in (
            m for t in sample_doc(sample_plan_path)["themes"] for a in t["actions"] for m in a.get("measures", [])
        ):
            assert entry["polarity"] in ("higher_is_better", "lower_is_better"), entry

    def test_policing_measures_that_should_fall_are_lower_is_better(self, sample_plan_path: Path) -> None:
        polarity = {m.name: m.polarity for a in load_plan(sample_plan_path).actions for m in a.measures}
        for name in (REOFFENDING, "Reoffending within 12 months of a conditional caution (%)", KSI,
                     "Repeat victims of domestic abuse within 12 months (%)", "101 calls abandoned (%)"):  # fmt: skip
            assert "lower_is_better" == polarity[name], name
        assert "higher_is_better" == polarity["Victim satisfaction with the whole experience (%)"]


class TestYaml:
    def test_a_measure_without_polarity_is_refused_with_the_list(self, sample_plan_path: Path, tmp_path: Path) -> None:
        path = write_doc(bare_measures(sample_plan_path), tmp_path / "plan.yaml")
        with pytest.raises(PlanFileError) as refused:
            load_plan(path)
        assert [
            'plan.yaml: action 1 (V1), field "measures": measure "Number of victims referred to the Victim and '
            f'Witness Hub" does not say which way is better: {SUFFIX_HINT} (in YAML, polarity: works too), or '
            "import with --assume-higher-is-better",
            'plan.yaml: action 1 (V1), field "measures": measure "Victim satisfaction with the whole experience '
            f'(%)" does not say which way is better: {SUFFIX_HINT} (in YAML, polarity: works too), or import with '
            "--assume-higher-is-better",
        ] == list(refused.value.problems)

    def test_assumed_when_asked_and_named(self, sample_plan_path: Path, tmp_path: Path) -> None:
        path = write_doc(bare_measures(sample_plan_path), tmp_path / "plan.yaml")
        spec = load_plan(path, assume_higher_is_better=True)
        assert (
            "V1: Number of victims referred to the Victim and Witness Hub",
            "V1: Victim satisfaction with the whole experience (%)",
        ) == spec.assumed_higher
        assert {"higher_is_better"} == {m.polarity for m in spec.actions[0].measures}

    def test_suffix_works_in_yaml_and_must_agree_with_polarity(self, sample_plan_path: Path, tmp_path: Path) -> None:
        doc = sample_doc(sample_plan_path)
        v1 = doc["themes"][0]["actions"][0]
        v1["measures"] = [
            "Repeat calls [lower_is_better]",
            {"name": "Refunds [higher_is_better]", "polarity": "lower_is_better"},
        ]
        with pytest.raises(PlanFileError) as refused:
            load_plan(write_doc(doc, tmp_path / "plan.yaml"))
        assert [
            'plan.yaml: action 1 (V1), field "measures": measure "Refunds": its name says higher_is_better but '
            "its polarity says lower_is_better"
        ] == list(refused.value.problems)
        v1["measures"] = ["Repeat calls [lower_is_better]"]
        (measure,) = load_plan(write_doc(doc, tmp_path / "plan.yaml")).actions[0].measures
        assert ("Repeat calls", "lower_is_better") == (measure.name, measure.polarity)


class TestCsv:
    def test_csv_states_polarity_after_each_name(self, tmp_path: Path) -> None:
        path = csv_plan(tmp_path, "Reoffending rate (%) [lower_is_better]; Victims helped [HIGHER_IS_BETTER]")
        measures = load_plan(path).actions[0].measures
        assert [("Reoffending rate (%)", "lower_is_better"), ("Victims helped", "higher_is_better")] == [
            (m.name, m.polarity) for m in measures
        ]

    def test_csv_without_polarity_is_refused_unless_assumed(self, tmp_path: Path) -> None:
        path = csv_plan(tmp_path, "Reoffending rate (%); Victims helped [higher_is_better]")
        with pytest.raises(PlanFileError) as refused:
            load_plan(path)
        assert [
            f'actions.csv: line 6 (V1), field "measures": measure "Reoffending rate (%)" does not say which way '
            f"is better: {SUFFIX_HINT} (in YAML, polarity: works too), or import with --assume-higher-is-better"
        ] == list(refused.value.problems)
        assert ("V1: Reoffending rate (%)",) == load_plan(path, assume_higher_is_better=True).assumed_higher


class TestAtTheTerminal:
    @pytest.fixture
    def database(self, migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
        use_database(migrated_db_url, monkeypatch, tmp_path)
        return migrated_db_url

    def test_import_refused_then_assumed(
        self, database: str, sample_plan_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture
    ) -> None:
        path = write_doc(bare_measures(sample_plan_path), tmp_path / "plan.yaml")
        assert 2 == main(["plan", "import", str(path)])
        err = capsys.readouterr().err
        assert 2 == err.count("does not say which way is better")
        assert {0} == set(row_counts(database).values())
        assert 0 == main(["plan", "import", str(path), "--assume-higher-is-better"])
        out = " ".join(capsys.readouterr().out.split())
        assert "Higher is better was assumed for 2 measures the file gives no polarity: V1: Number of victims" in out

    def test_falling_reoffending_and_road_casualties_are_better_in_the_appendix(
        self, database: str, sample_plan_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture
    ) -> None:
        assert 0 == main(["plan", "import", str(sample_plan_path)])
        for code, name, before, after in (("O2", REOFFENDING, "30", "25"), ("C4", KSI, "300", "250")):
            assert 0 == main(["measure", "set", code, name, before, "--quarter", "2018/19 Q2"])
            assert 0 == main(["measure", "set", code, name, after, "--quarter", "2018/19 Q3"])
        output = tmp_path / "panel.md"
        panel = ["report", "panel", "--quarter", "2018/19 Q3", "--format", "md", "--output", str(output)]
        assert 0 == main([*panel, "--as-of", "2019-01-20"])
        lines = output.read_text(encoding="utf-8").splitlines()
        for name in (REOFFENDING, KSI):
            (row,) = [line for line in lines if name in line and "|" in line]
            assert "Better" in row and "Worse" not in row, row
