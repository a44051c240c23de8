"""The ``planbot`` command line: what someone typing ``planbot --help`` sees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

COMMANDS = ("demo", "console", "run", "serve", "db", "plan", "report", "measure", "teams")


class TestHelp:
    def test_help_lists_every_command(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`planbot --help` names each sub-command so people can find them."""
        monkeypatch.setenv("COLUMNS", "100")
        with pytest.raises(SystemExit) as exit_info:
            main(["--help"])

        assert 0 == exit_info.value.code
        out = capsys.readouterr().out
        for command in COMMANDS:
            assert f"    {command} " in out

    def test_missing_command_is_an_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Plain `planbot` explains that a command is needed instead of doing nothing."""
        with pytest.raises(SystemExit) as exit_info:
            main([])

        assert 2 == exit_info.value.code
        assert "COMMAND" in capsys.readouterr().err

    def test_installed_command_runs(self) -> None:
        """The `planbot` script that pip installs beside Python starts and answers."""
        script = Path(sys.executable).with_name("planbot")

        result = subprocess.run(
            [str(script), "plan", "--help"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

        assert 0 == result.returncode, result.stderr
        assert "import" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["console"],
        ["run"],
        ["serve"],
        ["doctor"],
        ["db", "upgrade"],
        ["plan", "import"],
        ["report"],
        ["measure", "set"],
    ],
)
def test_every_command_that_reads_the_database_says_which_one(argv, capsys):
    """``--help`` names DATABASE_URL, the setting that chooses the database (``demo`` takes --db)."""
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    assert "DATABASE_URL" in " ".join(capsys.readouterr().out.split())


def test_report_help_lists_every_report(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    for name in ("summary", "overdue", "digest", "quarter", "panel"):
        assert f"\n  {name} " in out


UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


@pytest.mark.parametrize(
    "command",
    [["jobs"], ["report", "summary"], ["plan", "import", "bot/data/sample-plan.yaml"], ["console", "--as", "x"]],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_database_that_refuses_is_one_line_and_exit_1(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every terminal command that reads the database says which one (no password) and why, the same way."""
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)

    assert 1 == main(command)

    captured = capsys.readouterr()
    said = " ".join((captured.out + captured.err).split())
    assert "Cannot use the database postgresql+psycopg://nobody@127.0.0.1:1/none: connection failed" in said
    assert "Traceback" not in said
