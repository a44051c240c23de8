"""Test doubles shipped with the core, so every suite (and the Slack adapter's) can reuse them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from commands.command_words import DEFAULT, CommandWords
from commands.nudges import person_target
from commands.ports import Recipient


@dataclass(frozen=True)
class Delivery:
    """One message a notifier was asked to deliver: a channel id or ``person:<id>``, and the content."""

    target: str
    content: object
    ts: str
    key: str | None = None


@dataclass
class RecordingNotifier:
    """A ``Notifier`` that keeps what it was asked to send, in order, and answers with fake ``ts`` values.

    Thread-safe, so tests can share one between racing schedulers.
    """

    deliveries: list[Delivery] = field(default_factory=list)
    words: CommandWords = DEFAULT
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def post_to_channel(self, channel: str, content: object, key: str | None = None, resuming: bool = False) -> str:
        return self._record(channel, content, key)

    def send_direct(self, recipient: Recipient, content: object, key: str | None = None, resuming: bool = False) -> str:
        return self._record(person_target(recipient.person_id), content, key)

    def targets(self) -> list[str]:
        """Where messages went, in order: what a test compares."""
        return [d.target for d in self.deliveries]

    def _record(self, target: str, content: object, key: str | None) -> str:
        with self._lock:
            ts = f"{1_500_000_000 + len(self.deliveries)}.000100"
            self.deliveries.append(Delivery(target, content, ts, key))
            return ts
