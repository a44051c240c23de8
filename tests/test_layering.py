"""The dependency rule ruff cannot express per folder: only bot/slack talks to Slack's libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK_LIBRARIES = ("slack_bolt", "slack_sdk")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


OUTSIDE_SLACK = sorted(
    p for folder in ("bot", "commands", "storage") for p in (ROOT / folder).rglob("*.py") if "slack" not in p.parts
)


@pytest.mark.parametrize("path", OUTSIDE_SLACK, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_bot_slack_imports_slack_libraries(path: Path) -> None:
    """Teams (and the console) must be able to reuse everything outside bot/slack unchanged."""
    offending = {m for m in imported_modules(path) if m.split(".")[0] in SLACK_LIBRARIES}
    assert set() == offending


def test_the_rule_sees_the_slack_package() -> None:
    """Guard against the scan silently matching nothing: bot/slack does import Slack's libraries."""
    inside = list((ROOT / "bot" / "slack").rglob("*.py"))
    assert any(m.split(".")[0] in SLACK_LIBRARIES for p in inside for m in imported_modules(p))


def test_only_bot_exports_draws_charts() -> None:
    """matplotlib is heavy and stateful: the core hands plain numbers to bot/exports, which alone draws."""
    exports = ROOT / "bot" / "exports"
    code = [p for folder in ("bot", "commands", "storage") for p in (ROOT / folder).rglob("*.py")]
    drawing = {p.relative_to(ROOT) for p in code if "matplotlib" in {m.split(".")[0] for m in imported_modules(p)}}
    assert drawing, "the scan found no chart module at all"
    assert set() == {p for p in drawing if exports not in (ROOT / p).parents}
