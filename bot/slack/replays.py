"""Slack's replays and retries answered once (``commands.receipts``), before any listener runs.

Slash commands and interactions are keyed on ``trigger_id``, events on ``event_id``. A request seen
before gets Slack's plain 200 and nothing else: no second row, no second reply or announcement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App, BoltResponse

from bot.container import Container
from commands.receipts import first_delivery

INTERACTIONS = ("block_actions", "view_submission", "shortcut", "message_action")


def request_key(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(kind, key) identifying a Slack request, or ``None`` for one with no id to key on."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return "event", str(body["event_id"])
    if body.get("command") and body.get("trigger_id"):
        return "command", str(body["trigger_id"])
    if body.get("type") in INTERACTIONS and body.get("trigger_id"):
        return "interaction", str(body["trigger_id"])
    return None


def register_replay_guard(app: App, container: Container) -> None:
    """Add the guard as the app's first middleware after bolt's own (signature, authorisation)."""

    def answer_once(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        key = request_key(body)
        if key is not None:
            with container.unit_of_work() as repo:
                first = first_delivery(repo, *key, container.clock())
            if not first:
                return BoltResponse(status=200, body="")
        return next()

    app.middleware(answer_once)
