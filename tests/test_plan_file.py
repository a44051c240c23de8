"""Plan files: the sample loads, CSV says the same as YAML, and every fault is named by row and field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.plan_files import sample_doc

from commands.plan_file import PlanFileError, load_plan
from commands.plan_spec import MAX_PROBLEMS_SHOWN


@pytest.fixture
def sample(sample_plan_path: Path) -> dict[str, Any]:
    """The sample plan as plain data, for tests to break one field at a time."""
    return sample_doc(sample_plan_path)


def write_yaml(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def action(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for theme in doc["themes"] for a in theme["actions"] if a["id"] == code)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    return list(caught.value.problems)


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first row containing ``text``, as a spreadsheet user counts rows."""
    return 1 + next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines()) if text in row)


def as_csv(doc: dict[str, Any], tmp_path: Path) -> Path:
    """The sample written the way a spreadsheet user would keep it: actions.csv plus people.csv."""
    plan = doc["plan"]
    out = io.StringIO()
    out.write(f"# plan: {plan['name']}\n# short_name: {plan['short_name']}\n")
    out.write(f"# period_start: {plan['period']['start']}\n# period_end: {plan['period']['end']}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["theme_code", "theme_name", "theme_sro", "id", "title", "owner", "sro", "due", "priority"])
    for theme in doc["themes"]:
        for a in theme["actions"]:
            priority = "yes" if a.get("priority") else ""
            row = [a["id"], a["title"], a["owner"], a["sro"], a["due"], priority]
            writer.writerow([theme["code"], theme["name"], theme["sro"], *row])
    (tmp_path / "actions.csv").write_text(out.getvalue(), encoding="utf-8")
    people = io.StringIO()
    writer = csv.writer(people, lineterminator="\n")
    writer.writerow(["name", "email", "roles", "admin"])
    for person in doc["people"]:
        writer.writerow([person["name"], person["email"], "; ".join(person["roles"]), ""])
    for email in doc["admins"]:
        writer.writerow(["", email, "", "yes"])
    (tmp_path / "people.csv").write_text(people.getvalue(), encoding="utf-8")
    return tmp_path / "actions.csv"


class TestSamplePlan:
    def test_sample_loads_with_every_theme_action_and_person(self, sample_plan_path: Path, sample: dict) -> None:
        """The shipped sample is accepted as it is, and nothing in it is lost."""
        spec = load_plan(sample_plan_path)
        assert [t["code"] for t in sample["themes"]] == [t.code for t in spec.themes]
        assert [a["id"] for t in sample["themes"] for a in t["actions"]] == [a.code for a in spec.actions]
        assert {p["email"] for p in sample["people"]} | set(sample["admins"]) == {p.email for p in spec.people}
        assert set(sample["admins"]) == {p.email for p in spec.people if p.is_admin}
        assert sample["plan"]["short_name"] == spec.short_name

    def test_measures_keep_unit_and_polarity(self, sample_plan_path: Path, sample: dict) -> None:
        """A measure written as a mapping keeps its unit and polarity; a bare name gets the defaults."""
        spec = load_plan(sample_plan_path)
        v9 = next(a for a in spec.actions if a.code == "V9")
        first = action(sample, "V9")["measures"][0]
        assert (first["name"], first["unit"], first["polarity"]) == (
            v9.measures[0].name,
            v9.measures[0].unit,
            v9.measures[0].polarity,
        )
        v1 = next(a for a in spec.actions if a.code == "V1")
        assert ("", "higher_is_better") == (v1.measures[0].unit, v1.measures[0].polarity)

    def test_ids_are_upper_case_and_cadence_defaults_to_monthly(self, tmp_path: Path, sample: dict) -> None:
        """``v9`` in a file is the action V9; an action without a cadence is monthly."""
        action(sample, "V9")["id"] = " v9 "
        action(sample, "V2")["cadence"] = "Quarterly"
        spec = load_plan(write_yaml(tmp_path, sample))
        codes = {a.code: a for a in spec.actions}
        assert "monthly" == codes["V9"].cadence
        assert "quarterly" == codes["V2"].cadence

    def test_action_without_sro_answers_to_its_themes_sro(self, tmp_path: Path, sample: dict) -> None:
        del action(sample, "V2")["sro"]
        spec = load_plan(write_yaml(tmp_path, sample))
        assert sample["themes"][0]["sro"] == next(a for a in spec.actions if a.code == "V2").sro


class TestYamlProblems:
    def test_bad_date_names_action_and_field(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V3")["due"] = "2018-31-09"
        expected = 'plan.yaml: action 3 (V3), field "due": "2018-31-09" is not a date (use YYYY-MM-DD)'
        assert [expected] == problems_of(write_yaml(tmp_path, sample))

    def test_missing_id(self, tmp_path: Path, sample: dict) -> None:
        del action(sample, "V2")["id"]
        assert ['plan.yaml: action 2, field "id": missing'] == problems_of(write_yaml(tmp_path, sample))

    def test_duplicate_id_in_any_case(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V4")["id"] = "v2"
        expected = 'plan.yaml: action 4 (V2), field "id": "V2" is used twice (first by action 2)'
        assert [expected] == problems_of(write_yaml(tmp_path, sample))

    def test_id_must_start_with_its_theme_code(self, tmp_path: Path, sample: dict) -> None:
        offenders = sample["themes"][1]
        first = offenders["actions"][0]
        number = len(sample["themes"][0]["actions"]) + 1
        first["id"] = "V99"
        expected = (
            f'plan.yaml: action {number} (V99), field "id": "V99" must be its theme code '
            f'"{offenders["code"]}" followed by a number'
        )
        assert [expected] == problems_of(write_yaml(tmp_path, sample))

    def test_role_nobody_holds_is_refused(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V5")["owner"] = "Head of Nothing"
        expected = (
            'plan.yaml: action 5 (V5), field "owner": no one holds the role "Head of Nothing" '
            "(add its holder under people)"
        )
        assert [expected] == problems_of(write_yaml(tmp_path, sample))

    def test_missing_title(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V1")["title"] = "  "
        assert ['plan.yaml: action 1 (V1), field "title": missing'] == problems_of(write_yaml(tmp_path, sample))

    def test_control_character_in_a_title_is_named(self, tmp_path: Path, sample: dict) -> None:
        """The same normaliser as /rag: an escape sequence pasted into a title is refused, not imported."""
        action(sample, "V1")["title"] = "Victim hub\x1b[2J"
        [problem] = problems_of(write_yaml(tmp_path, sample))
        assert problem.startswith('plan.yaml: action 1 (V1), field "title": The text contains a control character (ESC')

    def test_title_of_invisible_characters_is_missing(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V1")["title"] = "\u3164\u200d\u00ad"
        expected = 'plan.yaml: action 1 (V1), field "title": missing (only invisible characters)'
        assert [expected] == problems_of(write_yaml(tmp_path, sample))

    def test_misspelt_field_is_named(self, tmp_path: Path, sample: dict) -> None:
        """A typo such as ``priorty`` would otherwise silently drop the priority flag."""
        action(sample, "V1")["priorty"] = True
        problems = problems_of(write_yaml(tmp_path, sample))
        assert 1 == len(problems)
        assert problems[0].startswith('plan.yaml: action 1 (V1), field "priorty": not a known field')

    def test_unknown_cadence(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V1")["cadence"] = "daily"
        expected = (
            'plan.yaml: action 1 (V1), field "cadence": "daily" is not one of weekly, fortnightly, monthly, quarterly'
        )
        assert [expected] == problems_of(write_yaml(tmp_path, sample))

    def test_every_problem_is_reported_at_once(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V1")["due"] = "tomorrow"
        action(sample, "O2")["title"] = ""
        sample["people"][0]["email"] = "not-an-address"
        problems = problems_of(write_yaml(tmp_path, sample))
        assert 3 == len(problems)
        assert any('(V1), field "due"' in p for p in problems)
        assert any('(O2), field "title"' in p for p in problems)
        assert any('person 1, field "email": "not-an-address" is not an email address' in p for p in problems)

    def test_long_lists_of_problems_are_cut_short(self, tmp_path: Path, sample: dict) -> None:
        """The message stays readable; the count of the rest is still given."""
        all_actions = [a for theme in sample["themes"] for a in theme["actions"]]
        for a in all_actions:
            a["due"] = "soon"
        with pytest.raises(PlanFileError) as caught:
            load_plan(write_yaml(tmp_path, sample))
        lines = caught.value.message.splitlines()
        assert MAX_PROBLEMS_SHOWN + 1 == len(lines)
        assert f"…and {len(all_actions) - MAX_PROBLEMS_SHOWN} more problems" == lines[-1]

    def test_not_yaml(self, tmp_path: Path) -> None:
        path = tmp_path / "plan.yaml"
        path.write_text("plan: [unclosed\n", encoding="utf-8")
        problems = problems_of(path)
        assert 1 == len(problems)
        assert problems[0].startswith("plan.yaml: not valid YAML at line 2")

    def test_missing_file_and_unknown_format(self, tmp_path: Path) -> None:
        assert ["nowhere.yaml: no such file"] == problems_of(tmp_path / "nowhere.yaml")
        (tmp_path / "plan.txt").write_text("x", encoding="utf-8")
        assert ["plan.txt: use a .yaml, .yml or .csv file"] == problems_of(tmp_path / "plan.txt")


class TestCsv:
    def test_csv_says_what_the_yaml_says(self, tmp_path: Path, sample_plan_path: Path, sample: dict) -> None:
        """Apart from measures (YAML only), the same plan kept as CSV gives the same plan."""
        from_yaml = load_plan(sample_plan_path)
        from_csv = load_plan(as_csv(sample, tmp_path))
        assert from_yaml.people == from_csv.people
        assert [(t.code, t.name, t.sro) for t in from_yaml.themes] == [(t.code, t.name, t.sro) for t in from_csv.themes]
        strip = [(a.code, a.title, a.owner, a.sro, a.due, a.priority, a.cadence) for a in from_yaml.actions]
        assert strip == [(a.code, a.title, a.owner, a.sro, a.due, a.priority, a.cadence) for a in from_csv.actions]
        assert (from_yaml.name, from_yaml.period_start, from_yaml.period_end) == (
            from_csv.name,
            from_csv.period_start,
            from_csv.period_end,
        )

    def test_bad_date_names_line_and_column(self, tmp_path: Path, sample: dict) -> None:
        action(sample, "V3")["due"] = "31/09/2018"
        path = as_csv(sample, tmp_path)
        line = line_of(path, ",V3,")
        expected = f'actions.csv: line {line} (V3), field "due": "31/09/2018" is not a date (use YYYY-MM-DD)'
        assert [expected] == problems_of(path)

    def test_theme_without_a_name_is_unknown(self, tmp_path: Path) -> None:
        """A theme code no row names is refused at the first row that uses it."""
        (tmp_path / "people.csv").write_text("name,email,roles\nA,a@example.org,Lead\n", encoding="utf-8")
        path = tmp_path / "actions.csv"
        path.write_text(
            "# plan: P\n# short_name: P\n# period_start: 2020-04-01\n# period_end: 2021-03-31\n"
            "theme_code,theme_name,id,title,owner,sro,due\n"
            "V,Victims,V1,Do it,Lead,Lead,2020-06-30\n"
            "X,,X1,Do more,Lead,Lead,2020-06-30\n",
            encoding="utf-8",
        )
        assert ['actions.csv: line 7 (X), field "theme_name": missing'] == problems_of(path)

    def test_people_file_must_be_beside_it(self, tmp_path: Path, sample: dict) -> None:
        path = as_csv(sample, tmp_path)
        (tmp_path / "people.csv").unlink()
        problems = problems_of(path)
        assert 1 == len(problems)
        assert problems[0].startswith("actions.csv: people.csv not found beside the plan file")

    def test_unknown_column_and_bad_admin_flag(self, tmp_path: Path, sample: dict) -> None:
        path = as_csv(sample, tmp_path)
        text = path.read_text(encoding="utf-8").replace("priority", "priorty")
        path.write_text(text, encoding="utf-8")
        people = tmp_path / "people.csv"
        people.write_text(people.read_text(encoding="utf-8").replace(",yes", ",sometimes", 1), encoding="utf-8")
        problems = problems_of(path)
        assert 2 == len(problems)
        assert problems[0].startswith('actions.csv: line 5, field "priorty": not a known column')
        admin_line = len(sample["people"]) + 2
        assert f'actions.csv: people.csv line {admin_line}, field "admin": "sometimes" is not yes or no' == problems[1]

    def test_theme_details_may_be_given_once(self, tmp_path: Path) -> None:
        """Spreadsheet users fill theme name and SRO on the first row and leave them blank after."""
        (tmp_path / "people.csv").write_text(
            'name,email,roles,admin\nA,A@Example.org,"Lead, North; Chief",yes\n', encoding="utf-8"
        )
        path = tmp_path / "actions.csv"
        path.write_text(
            "# plan: P, revised\n# short_name: P\n# period_start: 2020-04-01\n# period_end: 2021-03-31\n"
            "theme_code,theme_name,theme_sro,id,title,owner,due,cadence\n"
            'v,Victims,Chief,v1,Do it,"Lead, North",2020-06-30,\n'
            'v,,,v2,Do more,"Lead, North",2020-07-31,weekly\n',
            encoding="utf-8",
        )
        spec = load_plan(path)
        assert "P, revised" == spec.name
        assert [("V1", "Chief", "monthly"), ("V2", "Chief", "weekly")] == [
            (a.code, a.sro, a.cadence) for a in spec.actions
        ]
        assert dt.date(2020, 7, 31) == spec.actions[1].due
        (person,) = spec.people
        assert ("a@example.org", ("Lead, North", "Chief"), True) == (person.email, person.roles, person.is_admin)


@pytest.mark.parametrize(
    ("code", "key", "value", "shown", "field", "problem"),
    [
        ("V2", "id", "", "", "id", "missing"),
        ("V4", "id", "V2", " (V2)", "id", '"V2" is used twice (first by line {first})'),
        ("O1", "id", "V11", " (V11)", "id", '"V11" must be its theme code "O" followed by a number'),
        (
            "V5",
            "owner",
            "Head of Nothing",
            " (V5)",
            "owner",
            'no one holds the role "Head of Nothing" (add its holder under people.csv)',
        ),
        ("V1", "title", "", " (V1)", "title", "missing"),
    ],
)
def test_csv_problems_name_line_and_column(
    tmp_path: Path, sample: dict, code: str, key: str, value: str, shown: str, field: str, problem: str
) -> None:
    """The same faults as in YAML, located by the line a spreadsheet user sees."""
    target = action(sample, code)
    title = target["title"]
    target[key] = value
    path = as_csv(sample, tmp_path)
    line = line_of(path, title) if key != "title" else line_of(path, f",{code},")
    if "{first}" in problem:
        problem = problem.format(first=line_of(path, ",V2,"))
    expected = f'actions.csv: line {line}{shown}, field "{field}": {problem}'
    assert [expected] == problems_of(path)
