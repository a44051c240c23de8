"""The set-up alert as a workflow of the delivery engine (``bot.engine``), for a process that runs it.

Its id is the alert's run id (platform, conversation and problem, day), so several processes and
restarts start it once, and each admin's message is a step, sent once even across a crash. It is
declared here, apart from ``bot.setup_alerts``, because declaring it loads DBOS: ``engine.launch``
imports this module, and a server's platforms, which raise alerts, start without it.
"""

from __future__ import annotations

from dbos import DBOS

from bot import engine
from bot.scheduler import _scheduler
from bot.setup_alerts import AlertSender, record_sent, tell_one
from commands.ports import Recipient
from commands.setup_alerts import SetupAlert


@DBOS.workflow(name="planbot.setup_alert")
def tell_admins(alert: SetupAlert) -> None:
    """The alert to each admin a step of its own, then its record."""
    sent = [ts for admin in alert.admins if (ts := _tell_step(alert.platform, admin, alert.text)) is not None]
    _record_step(alert, sent)


def _sender(platform: str) -> AlertSender:
    """The notifier of ``platform`` in this process (a workflow's steps carry no objects)."""
    sender = _scheduler().notifier_for(platform)
    assert isinstance(sender, AlertSender), f"{platform}'s notifier sends set-up alerts"
    return sender


@DBOS.step(name="planbot.setup_alert.tell")
def _tell_step(platform: str, admin: Recipient, text: str) -> str | None:
    engine.GATE.check()
    return tell_one(_sender(platform), admin, text)


@DBOS.step(name="planbot.setup_alert.record")
def _record_step(alert: SetupAlert, sent: list[str]) -> None:
    record_sent(_sender(alert.platform), alert, sent)
