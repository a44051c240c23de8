"""The ``planbot`` command line: what someone typing ``planbot --help`` sees."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli_support import use_database
from support.fake_authority import FakeAuthority
from support.fake_slack import BOT_TOKEN, FakeSlack
from support.fake_teams import APP_ID, TENANT_ID, FakeBotConnector
from support.slash import SIGNING_SECRET

from bot import cli
from bot.cli import main
from storage.db import DEFAULT_DATABASE_URL

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


HEAVY = ("matplotlib", "docx", "openpyxl", "slack_bolt", "slack_sdk", "microsoft_agents")
"""Libraries only a file, a Slack process or a Teams process needs, each dear to import."""
LOADED = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


SERVED = """
import json, os, signal, sys
from bot import serve
from bot.cli import main
loaded = {}
begin = serve.begin
def begin_noting_what_is_loaded(runtime, scheduler):
    loaded["ready"] = sorted({name.split(".")[0] for name in sys.modules})
    begin(runtime, scheduler)
    loaded["scheduling"] = sorted({name.split(".")[0] for name in sys.modules})
    os.kill(os.getpid(), signal.SIGTERM)
serve.begin = begin_noting_what_is_loaded
code = main(sys.argv[1:])
print(json.dumps({"code": code, **loaded}))
"""
"""Serves until the platforms are ready and the scheduler has started, then stops as on SIGTERM,
printing the top-level modules imported when the health check turned green and once scheduling."""


def loaded_by(argv: list[str], env: dict[str, str] | None = None) -> tuple[object, set[str]]:
    """The exit code and the top-level modules a fresh ``planbot`` process has imported by its end."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *argv], capture_output=True, text=True, check=True, timeout=120, env=env
    )
    found = json.loads(done.stdout.splitlines()[-1])
    return found["code"], set(found["modules"])


class TestStartUp:
    """Commands import what they need, when they need it (issue 14: ``planbot --help`` took 0.41 s and
    every report 1.05 s of imports, matplotlib, python-docx and openpyxl among them)."""

    def test_help_imports_no_database_code_and_none_of_the_heavy_libraries(self) -> None:
        code, modules = loaded_by(["--help"])
        assert 0 == code
        assert set() == modules & {*HEAVY, "sqlalchemy", "sqlmodel", "rich", "alembic"}

    @pytest.mark.parametrize("argv", [["summary"], ["summary", "Victims"], ["digest"], ["quarter", "2018/19", "Q3"]])
    def test_reports_in_the_terminal_import_none_of_the_heavy_libraries(
        self, argv: list[str], migrated_db_url: str, tmp_path: Path, sample_plan_path: Path, monkeypatch
    ) -> None:
        use_database(migrated_db_url, monkeypatch, tmp_path)
        assert 0 == main(["plan", "import", str(sample_plan_path)])

        code, modules = loaded_by(["report", *argv, "--as-of", "2019-01-16"], {**os.environ})

        assert 0 == code
        assert set() == modules & {*HEAVY, "alembic"}, "a database at head is not given to Alembic"
        # The written-out bank holidays spare the cut-off the package's tables (every country's); with
        # no .env file there is nothing for python-dotenv to read.
        assert set() == modules & {"holidays", "dotenv"}

    def test_a_printed_report_gives_the_collector_back_as_it_found_it(
        self, migrated_db_url: str, tmp_path: Path, sample_plan_path: Path, monkeypatch
    ) -> None:
        """The report pauses the garbage collector while it runs; whoever called ``main`` (a test
        session, say) gets it back running with nothing left frozen out of its reach, and a caller
        that had paused it gets it back paused."""
        use_database(migrated_db_url, monkeypatch, tmp_path)
        assert 0 == main(["plan", "import", str(sample_plan_path)])

        assert 0 == main(["report", "digest", "--as-of", "2019-01-16"])
        assert gc.isenabled()
        assert 0 == gc.get_freeze_count()

        gc.disable()
        try:
            assert 0 == main(["report", "quarter", "2018/19", "Q3", "--as-of", "2019-01-16"])
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_a_server_is_ready_before_it_loads_the_delivery_engine(self, tmp_path: Path) -> None:
        """``planbot serve --http`` with Slack, Teams and the scheduler answers before DBOS (and the
        psycopg it brings) is imported: the scheduler, which needs them, starts after ready."""
        slack, authority = FakeSlack().start(), FakeAuthority(APP_ID, "secret").start()
        connector = FakeBotConnector().start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PLANBOT_"))}
        env |= authority.trust_env() | {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'planbot.db'}",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "PLANBOT_TEAMS_APP_ID": APP_ID,
            "PLANBOT_TEAMS_APP_PASSWORD": "secret",
            "PLANBOT_TEAMS_TENANT_ID": TENANT_ID,
            "PLANBOT_TEAMS_AUTHORITY": authority.url,
            "PLANBOT_TEAMS_JWKS_URL": connector.jwks_url,
            "PLANBOT_PROCESS_ID": "ready-before-the-engine",
        }
        try:
            done = subprocess.run(
                [sys.executable, "-c", SERVED, "serve", "--http", "--host", "127.0.0.1", "--port", "0"],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                cwd=tmp_path,
            )
        finally:
            connector.stop()
            authority.stop()
            slack.stop()
        found = json.loads(done.stdout.splitlines()[-1])

        assert 0 == found["code"], done.stderr
        assert set() == set(found["ready"]) & {"dbos", "psycopg"}
        assert "dbos" in found["scheduling"], "the scheduler loads the engine once it starts"

    def test_the_help_names_storages_default_database(self) -> None:
        assert DEFAULT_DATABASE_URL == cli.DEFAULT_DATABASE_URL
