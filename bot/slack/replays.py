"""Slack's replays and retries answered once (``commands.receipts``).

Slash commands and interactions are keyed on ``trigger_id``, events on ``event_id``. A request seen
before gets Slack's plain 200 and nothing else: no second row, no second reply or announcement.

Where the claim is made depends on what the acknowledgement says. A slash command or an event is
acknowledged with a plain 200 and answered afterwards by a lazy listener, so that listener claims
it (``first_time``): the acknowledgement never waits for the database's write lock, which on SQLite
queues behind every update being stored, and a replay's 200 is the same as the first's. An
interaction's acknowledgement can carry the answer (a form's errors), so it is claimed before any
listener runs (``register_replay_guard``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.container import Container
from commands.receipts import first_delivery

INTERACTIONS = ("block_actions", "view_submission", "shortcut", "message_action")
ANSWERED_LATER = ("command", "event")
"""Kinds acknowledged with a plain 200 and claimed by their lazy listener."""


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
    """Add the interactions' guard as the app's first middleware after bolt's own (signature, authorisation)."""
    app.middleware(InteractionGuard(container))


class InteractionGuard(Middleware):
    """Answers a replayed interaction with Slack's plain 200 before any listener runs.

    A request re-dispatched to run only its lazy listener (in Slack's worker process) was claimed when
    it was acknowledged, so the guard lets it through. A class, not a function: bolt calls a class's
    ``process`` directly, where a function's arguments are looked up by name on every request, on the
    acknowledging thread.
    """

    def __init__(self, container: Container) -> None:
        self.container = container

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        key = request_key(req.body)
        if key is not None and key[0] not in ANSWERED_LATER and not req.lazy_only and not _claim(self.container, key):
            return BoltResponse(status=200, body="")
        return next()


def first_time(container: Container, body: Mapping[str, Any]) -> bool:
    """Whether a slash command's or event's lazy listener should do its work: the first delivery of
    the request across every process on the database (a request with no id to key on always is)."""
    key = request_key(body)
    return key is None or _claim(container, key)


def _claim(container: Container, key: tuple[str, str]) -> bool:
    with container.unit_of_work() as repo:
        return first_delivery(repo, *key, container.clock())
