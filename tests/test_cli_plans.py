"""``planbot plan import --new-plan``, ``plan list``, ``plan use`` and ``report … --plan`` at a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_support import play_on, row_counts
from support.plan_files import NEXT_PLAN, next_plan_doc, write_doc
from test_report_command import play_v9

from bot.cli import main


@pytest.fixture
def database(imported_db_url: str) -> str:
    """The sample plan imported through the command line, V9 reported green in Q2 and red in Q3."""
    play_on(imported_db_url, play_v9)
    return imported_db_url


@pytest.fixture
def next_file(sample_plan_path: Path, tmp_path: Path) -> Path:
    return write_doc(next_plan_doc(sample_plan_path), tmp_path / "pcp-2021-24.yaml")


class TestImportingAnotherPlan:
    def test_refused_without_an_option(self, database: str, next_file: Path, capsys: pytest.CaptureFixture) -> None:
        """Exit 2, the reason and both options on stderr, nothing written (dry run too)."""
        before = row_counts(database)
        for extra in ([], ["--dry-run"]):
            assert 2 == main(["plan", "import", str(next_file), *extra])
            captured = capsys.readouterr()
            assert "" == captured.out
            assert captured.err.startswith(f'pcp-2021-24.yaml: The file is a new plan, "{NEXT_PLAN}"')
            assert "--new-plan" in captured.err and "--replace-current" in captured.err
        assert before == row_counts(database)

    def test_new_plan_then_list_use_and_report_each(
        self, database: str, next_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture
    ) -> None:
        """Both plans are listed; reports default to the current one; --plan reaches the old one's V9."""
        assert 0 == main(["plan", "import", str(next_file), "--new-plan"])
        out = capsys.readouterr().out
        assert f'"{NEXT_PLAN}" is now the current plan' in " ".join(out.split())
        assert '--plan "PCP 2017-20"' in out

        assert 0 == main(["plan", "list"])
        listed = capsys.readouterr().out
        assert NEXT_PLAN in listed and "PCP 2017-20" in listed
        current_line = next(line for line in listed.splitlines() if "current" in line and "PCP" in line)
        assert NEXT_PLAN in current_line

        assert 0 == main(["report", "summary", "--as-of", "2018-11-26"])
        now = capsys.readouterr().out
        assert "V9" not in now
        assert 0 == main(["report", "summary", "--as-of", "2018-11-26", "--plan", "PCP 2017-20"])
        old = capsys.readouterr().out
        assert "V9" in old and "CJS review delayed" in old

        output = tmp_path / "old-q3.md"
        panel = ["report", "panel", "--quarter", "2018/19 Q3", "--format", "md", "--output", str(output)]
        assert 0 == main([*panel, "--plan", "pcp 2017-20", "--as-of", "2019-01-20"])
        assert "CJS review delayed" in output.read_text(encoding="utf-8")
        capsys.readouterr()

        assert 0 == main(["plan", "use", "PCP 2017-20"])
        assert f'"PCP 2017-20" is now the current plan (was "{NEXT_PLAN}")' in capsys.readouterr().out
        assert 0 == main(["report", "overdue", "--as-of", "2019-01-20"])
        assert "V9" in capsys.readouterr().out
        assert 0 == main(["plan", "use", "PCP 2017-20"])
        assert "already the current plan; nothing changed" in capsys.readouterr().out

    def test_unknown_plan_is_refused_with_the_list(self, database: str, capsys: pytest.CaptureFixture) -> None:
        assert 2 == main(["report", "digest", "--plan", "PCP 1999"])
        assert 'There is no plan "PCP 1999". The plans are "PCP 2017-20"' in capsys.readouterr().err
        assert 2 == main(["plan", "use", "PCP 1999"])
        assert 'There is no plan "PCP 1999"' in capsys.readouterr().err

    def test_measure_set_on_a_past_plan(self, database: str, next_file: Path, capsys: pytest.CaptureFixture) -> None:
        """V9 is not in the current plan; with --plan its measure is recorded on the old plan."""
        assert 0 == main(["plan", "import", str(next_file), "--new-plan"])
        capsys.readouterr()
        measure = "Ineffective trials caused by prosecution witness issues"
        assert 2 == main(["measure", "set", "V9", measure, "18.5%", "--quarter", "2018/19 Q3"])
        capsys.readouterr()
        assert 0 == main(["measure", "set", "V9", measure, "18.5%", "--quarter", "2018/19 Q3", "--plan", "PCP 2017-20"])
        assert "18.5" in capsys.readouterr().out
