"""When Teams refuses a scheduled post because of how planbot is set up, tell the admins what to fix.

A 403 (planbot not installed for a person, removed from a team, blocked) or a 404 (a channel gone) is
logged every time and sent to every admin, in their personal chat with planbot, at most once a day
per conversation and answer, worded by the core (``commands.setup_fixes``) with Teams' terms: "planbot
is not installed for Jo Haynes: add it to the app setup policy for action leads in …". A 1:1 chat
that was deleted (404) is not an admin's problem: the next message creates a new chat.

The alert is a workflow of the delivery engine (``bot.engine``) whose id is the conversation, the
answer and the day, so several processes and restarts start it once, and each admin's message is a
step, sent once even across a crash. Without the engine (a test's notifier) the log is the alert.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING

from aiohttp import ClientError
from dbos import DBOS

from bot import engine
from bot.teams.delivery import AnswerLost, Unreachable
from bot.teams.identity import PLATFORM_NAME
from commands.job_status import RunState
from commands.model import Reply
from commands.permissions import person_name
from commands.ports import TEAMS, Recipient, Undeliverable
from commands.rules import london_date
from commands.setup_fixes import (
    SetupProblem,
    SetupTerms,
    admin_alert,
    instruction,
    not_installed_for,
    removed_from,
)
from storage.models import JobRun

if TYPE_CHECKING:
    from bot.teams.notifier import TeamsNotifier

JOB = "setup_alert"
TEAMS_TERMS = SetupTerms(
    platform=PLATFORM_NAME,
    invite="the team's ⋯ menu → Manage team → Apps → Get more apps → planbot",
    permissions="the Teams admin center (Teams apps → Setup policies)",
    reinstall=(
        "check PLANBOT_TEAMS_APP_ID, PLANBOT_TEAMS_APP_PASSWORD and PLANBOT_TEAMS_TENANT_ID, then restart planbot"
    ),
    unsubscribe="@planbot plan admin unsubscribe, typed in the channel",
)

logger = logging.getLogger(__name__)
_alerting = threading.local()  # set while admins are being messaged, so a failing alert does not alert again


def channel_fix(refusal: Unreachable, channel: str) -> str:
    """What an admin must do when Teams refused a post to a channel."""
    where = f"the Teams channel {channel}"
    if refusal.status == 404:
        return instruction(SetupProblem.CHANNEL_NOT_FOUND, TEAMS_TERMS, where, refusal.code)
    return removed_from(where, TEAMS_TERMS)


def person_fix(refusal: Unreachable, recipient: Recipient) -> str | None:
    """What an admin must do when Teams refused a message to a person; ``None`` for a deleted chat,
    which the next message replaces with a new one."""
    return None if refusal.status == 404 else not_installed_for(recipient.name, TEAMS_TERMS)


def alert_admins(notifier: TeamsNotifier, target: str, refusal: Unreachable, fix: str) -> None:
    """Log the fix and message it to the admins once a day for this conversation and answer."""
    logger.warning("Teams refused a post to %s (%s %s). %s", target, refusal.status, refusal.code, fix)
    if getattr(_alerting, "active", False) or not engine.launched():
        return
    now = notifier.container.clock()
    day = london_date(now).isoformat()
    with notifier.container.unit_of_work() as repo:
        admins = [Recipient(p.id, p.email, person_name(p)) for p in repo.admins() if p.id is not None]
    where = f"{target}:{refusal.status}"[:100]
    engine.start_detached(tell_admins, f"{JOB}/{TEAMS}/{where}/{day}", where, day, now, admins, admin_alert(fix))


@DBOS.workflow(name="planbot.teams_setup_alert")
def tell_admins(target: str, day: str, now: dt.datetime, admins: list[Recipient], text: str) -> None:
    """The alert to each admin a step of its own, then its record (for ``planbot jobs``)."""
    sent = [ts for admin in admins if (ts := _tell(admin, text)) is not None]
    _record(target, day, now, sent)


def _notifier() -> TeamsNotifier:
    from bot.scheduler import _scheduler
    from bot.teams.notifier import TeamsNotifier

    notifier = _scheduler().notifier_for(TEAMS)
    assert isinstance(notifier, TeamsNotifier)
    return notifier


@DBOS.step(name="planbot.teams_setup_alert.tell")
def _tell(admin: Recipient, text: str) -> str | None:
    engine.GATE.check()
    _alerting.active = True
    try:
        return _notifier().send_direct(admin, Reply(text=text))
    except (Undeliverable, ClientError, AnswerLost) as failure:
        logger.warning("Could not tell admin %s on Teams: %s", admin.email, failure)
        return None
    finally:
        _alerting.active = False


@DBOS.step(name="planbot.teams_setup_alert.record")
def _record(target: str, day: str, now: dt.datetime, sent: list[str]) -> None:
    values = (
        {"state": RunState.SENT.value, "message_ts": sent[0], "detail": ""}
        if sent
        else {"state": RunState.FAILED.value, "detail": "no admin could be messaged"}
    )
    container = _notifier().container
    with container.unit_of_work() as repo:
        repo.insert_once(
            JobRun(
                job=JOB,
                platform=TEAMS,
                target=target,
                period_key=day,
                claimed_at=now,
                finished_at=container.clock(),
                **values,  # type: ignore[arg-type]
            )
        )
