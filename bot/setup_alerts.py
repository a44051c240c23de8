"""The set-up alert to admins, delivered once: the core decides what they read, who and how often
(``commands.setup_alerts``), this runs it, and each platform only sends a message (its ``AlertSender``).

In a process that runs the delivery engine (``bot.engine``: every process with the scheduler) the
alert is a workflow whose id is the alert's run id (platform, conversation and problem, day), so
several processes and restarts start it once, and each admin's message is a step, sent once even
across a crash. A process without the engine (``--no-scheduler``) records the alert in ``JobRun``
first and sends it only if its record was the first: at most once, the log being the alert when that
process dies mid-way.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from dbos import DBOS

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
        engine.start_detached(tell_admins, alert.run_id, alert)
        return
    with container.unit_of_work() as repo:
        if not claim(repo, alert):
            return
    _record(sender, alert, [ts for admin in alert.admins if (ts := _tell(sender, admin, alert.text)) is not None])


@DBOS.workflow(name="planbot.setup_alert")
def tell_admins(alert: SetupAlert) -> None:
    """The alert to each admin a step of its own, then its record."""
    sent = [ts for admin in alert.admins if (ts := _tell_step(alert.platform, admin, alert.text)) is not None]
    _record_step(alert, sent)


def _sender(platform: str) -> AlertSender:
    """The notifier of ``platform`` in this process (a workflow's steps carry no objects)."""
    from bot.scheduler import _scheduler

    sender = _scheduler().notifier_for(platform)
    assert isinstance(sender, AlertSender), f"{platform}'s notifier sends set-up alerts"
    return sender


@DBOS.step(name="planbot.setup_alert.tell")
def _tell_step(platform: str, admin: Recipient, text: str) -> str | None:
    engine.GATE.check()
    return _tell(_sender(platform), admin, text)


@DBOS.step(name="planbot.setup_alert.record")
def _record_step(alert: SetupAlert, sent: list[str]) -> None:
    _record(_sender(alert.platform), alert, sent)


def _tell(sender: AlertSender, admin: Recipient, text: str) -> str | None:
    _alerting.active = True
    try:
        return sender.tell_admin(admin, text)
    finally:
        _alerting.active = False


def _record(sender: AlertSender, alert: SetupAlert, sent: list[str]) -> None:
    with sender.container.unit_of_work() as repo:
        record(repo, alert, sent, sender.container.clock())
