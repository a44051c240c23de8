"""``planbot plan import`` and ``planbot db upgrade`` as a person at a terminal uses them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.cli_support import row_counts, use_database
from support.plan_files import sample_doc

from bot.cli import main
from commands.plan_file import PlanSpec, load_plan
from storage.migrate import head_revision


@pytest.fixture
def database(empty_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """DATABASE_URL pointing at an empty test database, run from a folder with no ``.env``."""
    use_database(empty_db_url, monkeypatch, tmp_path)
    return empty_db_url


def rows_in(spec: PlanSpec) -> int:
    """How many rows a first import of the spec adds: plan, roles, people, holdings, themes, actions, measures."""
    roles = {r for p in spec.people for r in p.roles} | {r for a in spec.actions for r in (a.owner, a.sro)}
    holdings = sum(len(p.roles) for p in spec.people)
    measures = sum(len(a.measures) for a in spec.actions)
    return 1 + len(roles) + len(spec.people) + holdings + len(spec.themes) + len(spec.actions) + measures


class TestPlanImport:
    def test_import_then_reimport(self, database: str, sample_plan_path: Path, capsys: pytest.CaptureFixture) -> None:
        """The first import lists what it added; the second finds nothing to do."""
        added = rows_in(load_plan(sample_plan_path))
        assert 0 == main(["plan", "import", str(sample_plan_path)])
        first = capsys.readouterr().out
        assert f"{added} added, 0 changed, 0 closed" in first
        assert "V9" in first
        assert len(load_plan(sample_plan_path).actions) == row_counts(database)["action"]

        assert 0 == main(["plan", "import", str(sample_plan_path)])
        second = capsys.readouterr().out
        assert "No changes: the database already matches sample-plan.yaml." in second
        assert "0 added, 0 changed, 0 closed" in second

    def test_dry_run_writes_nothing(self, database: str, sample_plan_path: Path, capsys: pytest.CaptureFixture) -> None:
        """A dry run shows the same changes as a real import and leaves every table as it was."""
        assert 0 == main(["plan", "import", str(sample_plan_path), "--dry-run"])
        out = capsys.readouterr().out
        assert "Dry run of sample-plan.yaml: nothing written" in out
        assert f"Dry run, nothing written: {rows_in(load_plan(sample_plan_path))} added" in out
        assert set(row_counts(database).values()) == {0}

    def test_dry_run_of_an_edit(
        self, database: str, sample_plan_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture
    ) -> None:
        assert 0 == main(["plan", "import", str(sample_plan_path)])
        before = row_counts(database)
        doc = sample_doc(sample_plan_path)
        doc["themes"][0]["actions"].pop()
        edited = tmp_path / "edited.yaml"
        edited.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        capsys.readouterr()
        assert 0 == main(["plan", "import", str(edited), "--dry-run"])
        assert "Dry run, nothing written: 0 added, 0 changed, 1 closed" in capsys.readouterr().out
        assert before == row_counts(database)

    def test_bad_file_exits_2_and_writes_nothing(
        self, database: str, sample_plan_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture
    ) -> None:
        assert 0 == main(["plan", "import", str(sample_plan_path)])
        before = row_counts(database)
        doc = sample_doc(sample_plan_path)
        first = doc["themes"][0]["actions"][0]
        first["due"] = "2018-31-09"
        first["title"] = "A changed title that must not be stored"
        bad = tmp_path / "bad.yaml"
        bad.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        capsys.readouterr()
        assert 2 == main(["plan", "import", str(bad)])
        captured = capsys.readouterr()
        expected = f'bad.yaml: action 1 ({first["id"]}), field "due": "2018-31-09" is not a date (use YYYY-MM-DD)'
        assert expected == captured.err.strip()
        assert "" == captured.out
        assert before == row_counts(database)

    def test_unreachable_database_is_one_line(
        self, sample_plan_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
    ) -> None:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no-such-folder' / 'planbot.db'}")
        monkeypatch.chdir(tmp_path)
        assert 1 == main(["plan", "import", str(sample_plan_path)])
        err = capsys.readouterr().err
        assert 1 == len(err.strip().splitlines())
        assert err.startswith("Cannot use the database sqlite:///")


class TestDbUpgrade:
    def test_upgrade_says_from_where_to_where(self, database: str, capsys: pytest.CaptureFixture) -> None:
        assert 0 == main(["db", "upgrade"])
        assert f"Database upgraded from empty to {head_revision()}." in capsys.readouterr().out
        assert 0 == main(["db", "upgrade"])
        assert f"Database already at the newest revision, {head_revision()}; nothing to do." in capsys.readouterr().out

    def test_unreachable_database(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
        """A wrong address gives one line naming the server (never the password) and exit code 1."""
        monkeypatch.setenv("DATABASE_URL", "postgresql://planbot:secret@127.0.0.1:1/planbot")
        assert 1 == main(["db", "upgrade"])
        err = capsys.readouterr().err.strip()
        assert 1 == len(err.splitlines())
        assert err.startswith("Cannot use the database postgresql+psycopg://planbot:***@127.0.0.1:1/planbot: ")
        assert "secret" not in err
