"""The set-up alert to admins, delivered once: the core decides what they read, who and how often
(``commands.setup_alerts``), this runs it, and each platform only sends a message (its ``AlertSender``).

In a process that runs the delivery engine (``bot.engine``: every process with the scheduler) the
alert is a workflow (``bot.setup_alert_workflow``), started once and each admin's message sent once
even across a crash. A process without the engine (``--no-scheduler``) records the alert in ``JobRun``
first and sends it only if its record was the first: at most once, the log being the alert when that
process dies mid-way.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from bot import engine
from bot.container import Container
from commands.ports import Recipient
from commands.setup_alerts import SetupAlert, claim, record, setup_alert

_alerting = threading.local()  # set while admins are being messaged, so a failing alert does not alert again


@runtime_checkable
class AlertSender(Protocol):
    """A platform's part in an alert: sending one admin its text (each platform's notifier)."""

    container: Container

    def tell_admin(self, admin: Recipient, text: str) -> str | None:
        """Send ``text`` to ``admin`` by direct message: its message id, or ``None`` (logged) when the
        platform could not."""
        ...


def alert_admins(sender: AlertSender, platform: str, target: str, fix: str) -> None:
    """Tell every admin ``fix`` about ``target`` (a conversation and its problem), once a day.

    Called by the platform when a post is refused; an alert that is itself refused says nothing more.
    """
    if getattr(_alerting, "active", False):
        return
    container = sender.container
    with container.unit_of_work() as repo:
        alert = setup_alert(repo, platform, target, fix, container.clock())
    if engine.launched():
        from bot.setup_alert_workflow import tell_admins

        engine.start_detached(tell_admins, alert.run_id, alert)
        return
    with container.unit_of_work() as repo:
        if not claim(repo, alert):
            return
    record_sent(
        sender, alert, [ts for admin in alert.admins if (ts := tell_one(sender, admin, alert.text)) is not None]
    )


def tell_one(sender: AlertSender, admin: Recipient, text: str) -> str | None:
    """Send one admin the alert; an alert its own sending raises meanwhile is not sent."""
    _alerting.active = True
    try:
        return sender.tell_admin(admin, text)
    finally:
        _alerting.active = False


def record_sent(sender: AlertSender, alert: SetupAlert, sent: list[str]) -> None:
    """Keep the alert's outcome (the ids of the messages ``sent``) for ``planbot jobs``."""
    with sender.container.unit_of_work() as repo:
        record(repo, alert, sent, sender.container.clock())
