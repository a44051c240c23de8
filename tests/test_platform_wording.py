"""Every sentence a person reads in chat comes from the core: bot/slack only maps layouts to Slack.

The check reads every string literal in ``bot/slack`` (docstrings, log and exception messages
aside) that has three or more words, and requires its longest fixed piece to appear somewhere in
``commands/``. The modules exempted say why: they talk to the operator at a terminal about Slack's
own configuration, or check Slack's limits for developers, rather than answer people in chat.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG_CALLS = {"debug", "info", "warning", "error", "exception", "critical"}
"""The logger's methods: what they say goes to the operator's log, not to a person in chat."""
EXEMPT = {
    "limits.py": "messages for developers when a payload breaks one of Slack's limits",
    "doctor_checks.py": "`planbot doctor`: Slack tokens, scopes and Socket Mode, for the operator",
    "runner.py": "`planbot run` / `serve`: Slack credentials missing, for the operator",
    "panel_upload.py": "the Panel upload, being moved into the core with the Panel build (issue 9 item 2)",
}
# Slack's names for its own set-up steps, handed to the core's set-up sentences (commands.setup_fixes).
TERMS = {
    "the app settings (OAuth & Permissions → Bot Token Scopes)",
    "reinstall the app (Install App), put the new bot token (xoxb-…) in SLACK_BOT_TOKEN and restart planbot",
}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def sentences(path: Path) -> list[tuple[int, str]]:
    """String literals of three or more words, outside docstrings (of modules, classes, functions and
    attributes: any string standing alone as a statement), log calls and raised errors."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.add(id(node.value))
        is_log = isinstance(node, ast.Call) and getattr(node.func, "attr", "") in LOG_CALLS
        if is_log or isinstance(node, ast.Raise):
            skipped.update(id(sub) for sub in ast.walk(node))
    return [
        (node.lineno, node.value.strip())
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and len(re.findall(r"[A-Za-z]{2,}", node.value)) >= 3
        and " " in node.value.strip()
    ]


def test_no_sentence_in_bot_slack_is_missing_from_the_core() -> None:
    core = "\n".join(path.read_text() for path in (ROOT / "commands").rglob("*.py"))
    strays = []
    for path in sorted((ROOT / "bot" / "slack").glob("*.py")):
        if path.name in EXEMPT:
            continue
        for line, text in sentences(path):
            piece = max(_PLACEHOLDER.split(text), key=len).strip()
            if text not in TERMS and piece not in core:
                strays.append(f"{path.name}:{line}: {text[:80]}")
    assert [] == strays


def test_the_check_finds_a_sentence_written_in_a_renderer(tmp_path: Path) -> None:
    module = tmp_path / "renderer.py"
    module.write_text(
        '"""Doc string is skipped."""\n\nNOTE = "Your digest will arrive on Monday morning."\n'
        '"""An attribute\'s docstring is skipped too."""\n'
    )

    assert [(3, "Your digest will arrive on Monday morning.")] == sentences(module)


TEAMS_EXEMPT = {
    "doctor_checks.py": "`planbot doctor`: the Entra app, its secret and token authority, for the operator",
    "package.py": "`planbot teams package`: the app package's own manifest texts, for the Teams admin",
    "gateway.py": "HTTP answers to Teams' service for refused requests, which no person reads",
}
# Teams' name for where an email comes from, handed to the core's sentence (commands.identity.no_email_text),
# Teams' names for its set-up steps, handed to the core's set-up sentences (commands.setup_fixes).
TEAMS_TERMS = {
    "an email address for you in your organisation's directory (guests often have none)",
    "the team's ⋯ menu → Manage team → Apps → Get more apps → planbot",
    "the Teams admin center (Teams apps → Setup policies)",
    "check PLANBOT_TEAMS_APP_ID, PLANBOT_TEAMS_APP_PASSWORD and PLANBOT_TEAMS_TENANT_ID, then restart planbot",
    "@planbot plan admin unsubscribe, typed in the channel",
}


def test_no_sentence_in_bot_teams_is_missing_from_the_core() -> None:
    core = "\n".join(path.read_text() for path in (ROOT / "commands").rglob("*.py"))
    strays = [
        f"{path.name}:{line}: {text[:80]}"
        for path in sorted((ROOT / "bot" / "teams").glob("*.py"))
        if path.name not in TEAMS_EXEMPT
        for line, text in sentences(path)
        if text not in TEAMS_TERMS and max(_PLACEHOLDER.split(text), key=len).strip() not in core
    ]
    assert [] == strays
