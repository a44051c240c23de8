"""Data-loss traps for a person at a terminal: each refused with a clear message and exit 2, with
nothing in the database or on disk changed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.cli_support import row_counts, use_database
from support.plan_files import sample_doc

from bot.cli import main


@pytest.fixture
def database(imported_db_url: str) -> str:
    """The sample plan imported through the command line, nothing else played."""
    return imported_db_url


def err_text(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())


class TestDemoDatabase:
    def test_a_database_holding_a_real_plan_is_left_alone_unless_forced(
        self, tmp_path: Path, monkeypatch, sample_plan_path: Path, capsys
    ):
        real = tmp_path / "planbot.db"
        doc = sample_doc(sample_plan_path)
        doc["plan"]["name"] = "Police and Crime Plan 2021-24"
        plan_file = tmp_path / "real-plan.yaml"
        plan_file.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
        use_database(f"sqlite:///{real}", monkeypatch, tmp_path)
        assert 0 == main(["plan", "import", str(plan_file)])
        before = row_counts(f"sqlite:///{real}")
        capsys.readouterr()

        assert 2 == main(["demo", "--db", str(real)])

        message = err_text(capsys)
        assert f'{real} holds the plan "Police and Crime Plan 2021-24", not the demo\'s' in message
        assert "add --force to replace it" in message
        assert before == row_counts(f"sqlite:///{real}")
        assert 0 == main(["demo", "--db", str(real), "--force"])
        assert before != row_counts(f"sqlite:///{real}")

    def test_a_demo_database_is_replaced_without_asking(self, demo_db: Path, capsys):
        assert 0 == main(["demo", "--db", str(demo_db)])


def test_quarter_before_the_plan_began_writes_nothing(database: str, capsys):
    before = row_counts(database)

    assert 2 == main(["report", "quarter", "2015/16 Q1", "--as-of", "2019-01-16"])

    message = err_text(capsys)
    assert "2015/16 Q1 ended before the plan began (1 Apr 2017), so it has no report" in message
    assert "the first quarter is 2017/18 Q1" in message
    assert before == row_counts(database)


def test_panel_for_a_quarter_before_the_plan_is_a_message_not_a_traceback(database: str, tmp_path: Path, capsys):
    before = row_counts(database)
    output = tmp_path / "panel.docx"

    assert 2 == main(["report", "panel", "--quarter", "2015/16 Q1", "--output", str(output)])

    assert "2015/16 Q1 ended before the plan began" in err_text(capsys)
    assert not output.exists()
    assert before == row_counts(database)


@pytest.mark.parametrize("url", ["mysql://root:secret@db.example/planbot", "oracle://x@y/z", "not a url"])
def test_unsupported_database_url_is_named_with_what_planbot_takes(url, monkeypatch, tmp_path: Path, capsys):
    use_database(url, monkeypatch, tmp_path)

    assert 2 == main(["report", "summary"])

    message = err_text(capsys)
    assert message.startswith("planbot: DATABASE_URL is")
    assert "planbot supports SQLite and PostgreSQL" in message
    assert "secret" not in message
    assert [] == list(tmp_path.iterdir())


class TestOutput:
    def test_an_existing_file_is_not_overwritten_without_force(self, database: str, tmp_path: Path, capsys):
        output = tmp_path / "board-paper.csv"
        output.write_text("the chief executive's draft")

        assert 2 == main(["report", "panel", "--quarter", "2018/19 Q1", "--format", "csv", "--output", str(output)])

        assert f"{output} already exists; add --force to replace it" in err_text(capsys)
        assert "the chief executive's draft" == output.read_text()
        options = ["--quarter", "2018/19 Q1", "--format", "csv", "--output", str(output), "--force"]
        assert 0 == main(["report", "panel", *options])
        assert output.read_text(encoding="utf-8-sig").startswith("Action,")

    @pytest.mark.parametrize(
        ("name", "fmt", "says"),
        [
            ("panel.docx", "html", "panel.docx ends in .docx but the format is html: name it panel.html"),
            ("panel", "csv", "panel has no extension but the format is csv: name it panel.csv"),
            ("panel.xlsx", "docx", "ends in .xlsx but the format is docx"),
        ],
    )
    def test_an_extension_that_is_not_the_formats_is_refused(self, database, tmp_path: Path, capsys, name, fmt, says):
        output = tmp_path / name

        assert 2 == main(["report", "panel", "--quarter", "2018/19 Q1", "--format", fmt, "--output", str(output)])

        assert says in err_text(capsys)
        assert not output.exists()
