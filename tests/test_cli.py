"""The ``planbot`` command line: what someone typing ``planbot --help`` sees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

COMMANDS = ("demo", "console", "run", "serve", "db", "plan", "report", "measure")


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
