"""The layering rules fail the build when broken: import contracts (import-linter) and ruff's banned APIs.

The contracts live in pyproject.toml (``[tool.importlinter]``) and read every import, including
those inside functions and ``TYPE_CHECKING`` blocks. Each rule is proved by a copy of the sources
with one forbidden import added: the checker must fail, naming the rule that was broken.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "commands", "storage")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACTS = {contract["id"]: contract["name"] for contract in CONFIG["tool"]["importlinter"]["contracts"]}
BIN = Path(sys.executable).parent

# For each contract: a module it forbids to import something, and that import.
FORBIDDEN = {
    "core-is-platform-neutral": ("commands/probe.py", "from bot.slack.render import *\n"),
    "storage-below-the-runtime": ("storage/probe.py", "import bot.container\n"),
    "slack-only-in-bot-slack": ("bot/probe.py", "from slack_sdk import WebClient\n"),
    "teams-only-in-bot-teams": ("commands/probe.py", "import microsoft_agents.hosting.core\n"),
    "charts-only-in-bot-exports": ("storage/probe.py", "def draw():\n    import matplotlib.pyplot\n"),
}
# Imports the contracts allow, in the places they allow them.
ALLOWED = {
    "bot/slack/probe.py": "import slack_bolt\n",
    "bot/teams/__init__.py": "",
    "bot/teams/adapter.py": "import microsoft_agents.hosting.core\n",
    "bot/exports/probe.py": "import matplotlib\n",
}


def sources_copy(tmp_path: Path, extra: dict[str, str]) -> Path:
    """The three packages and the project config copied to ``tmp_path``, plus the ``extra`` modules."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for relative, text in extra.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    return tmp_path


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` run in ``where``, seeing only the packages there (not the installed planbot)."""
    env = os.environ | {"PYTHONPATH": str(where)}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], cwd=where, env=env, capture_output=True, text=True, check=False
    )


def broken(output: str) -> set[str]:
    return {name for name in CONTRACTS.values() if f"{name} BROKEN" in output}


def test_every_contract_holds_on_the_sources() -> None:
    """The checked-in code keeps every contract."""
    result = lint_imports(ROOT)

    assert 0 == result.returncode, result.stdout + result.stderr
    assert set() == broken(result.stdout)
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_every_contract_is_proved_here() -> None:
    """A contract added to pyproject.toml needs a forbidden import below that proves it."""
    assert CONTRACTS.keys() == FORBIDDEN.keys()


@pytest.mark.parametrize("contract", sorted(FORBIDDEN))
def test_a_forbidden_import_breaks_its_contract(contract: str, tmp_path: Path) -> None:
    """One forbidden import fails the check, naming exactly the contract it breaks."""
    module, text = FORBIDDEN[contract]

    result = lint_imports(sources_copy(tmp_path, {module: text}))

    assert 0 != result.returncode
    assert {CONTRACTS[contract]} == broken(result.stdout)
    assert module.removesuffix(".py").replace("/", ".") in result.stdout


def test_the_allowed_places_keep_every_contract(tmp_path: Path) -> None:
    """bot/slack may use Slack's libraries, bot/teams the Agents SDK and bot/exports matplotlib."""
    result = lint_imports(sources_copy(tmp_path, ALLOWED))

    assert 0 == result.returncode, result.stdout + result.stderr
    assert set() == broken(result.stdout)


@pytest.mark.parametrize(
    ("text", "banned"),
    [
        ("from sqlmodel import Session\n", "sqlmodel.Session"),
        ("from sqlalchemy.orm import Session\n", "sqlalchemy.orm.Session"),
        (
            "import sqlalchemy.orm\n\n\ndef open_one(engine):\n    return sqlalchemy.orm.Session(engine)\n",
            "sqlalchemy.orm.Session",
        ),
        ("from storage.db import session_scope\n", "storage.db"),
    ],
)
def test_commands_may_not_open_sessions(text: str, banned: str, tmp_path: Path) -> None:
    """ruff's banned-API rule refuses a session (sqlmodel's or SQLAlchemy's) or storage.db in commands/."""
    copy = sources_copy(tmp_path, {"commands/probe.py": text})

    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--select", "TID251", "commands/probe.py"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )

    assert 0 != result.returncode
    assert f"`{banned}` is banned" in result.stdout


def test_the_session_ban_leaves_storage_alone(tmp_path: Path) -> None:
    """storage/ is where sessions live: the same import there passes."""
    copy = sources_copy(tmp_path, {"storage/probe.py": "from sqlalchemy.orm import Session\n"})

    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--select", "TID251", "storage/probe.py"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )

    assert 0 == result.returncode, result.stdout
