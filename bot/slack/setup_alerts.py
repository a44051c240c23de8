"""When Slack refuses a post because of how planbot is set up, tell the admins exactly what to fix.

Each such refusal (``not_in_channel``, ``channel_not_found``, ``missing_scope``, a dead token) is
mapped to the core's ``SetupProblem`` and worded by ``commands.setup_fixes`` with Slack's terms
("Invite @planbot to #pcp-coordination: open the channel and type /invite @planbot"), logged as a
warning every time, and sent to every admin by direct message at most once a day per channel and error.

In a process that runs the delivery engine (``bot.engine``: every process with the scheduler) the
alert is a workflow whose id is the channel, error and day, so several processes and restarts
start it once, and each admin's message is a step, sent once even across a crash. A process
without the engine (``--no-scheduler``) records the alert in ``JobRun`` first and sends it only if
its record was the first: at most once, the log being the alert when that process dies mid-way.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from dbos import DBOS
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import engine
from bot.slack.translate import PLATFORM, PLATFORM_NAME
from commands.job_status import RunState
from commands.model import Reply
from commands.permissions import person_name
from commands.ports import Recipient
from commands.rules import london_date
from commands.setup_fixes import SetupProblem, SetupTerms, admin_alert
from commands.setup_fixes import instruction as setup_instruction
from storage.models import JobRun

if TYPE_CHECKING:
    from bot.slack.notifier import SlackNotifier

JOB = "setup_alert"
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
SLACK_TERMS = SetupTerms(
    platform=PLATFORM_NAME,
    invite="/invite @planbot",
    permissions="the app settings (OAuth & Permissions → Bot Token Scopes)",
    reinstall="reinstall the app (Install App), put the new bot token (xoxb-…) in SLACK_BOT_TOKEN and restart planbot",
    unsubscribe="/plan admin unsubscribe",
)
_PROBLEMS = {
    "not_in_channel": SetupProblem.NOT_IN_CHANNEL,
    "channel_not_found": SetupProblem.CHANNEL_NOT_FOUND,
    "is_archived": SetupProblem.ARCHIVED,
    "missing_scope": SetupProblem.MISSING_PERMISSION,
    **dict.fromkeys(TOKEN_ERRORS, SetupProblem.CREDENTIALS_REJECTED),
}

logger = logging.getLogger(__name__)
_alerting = threading.local()  # set while admins are being messaged, so a failing alert does not alert again


def instruction(code: str, where: str, needed: str | None = None) -> str | None:
    """What a person must do about a Slack error code, or ``None`` when it is not a set-up problem.

    Args:
        code: Slack's ``error`` field.
        where: the channel as people know it ("#pcp-coordination").
        needed: the ``needed`` field of a ``missing_scope`` error (the scope to add).
    """
    problem = _PROBLEMS.get(code)
    if problem is None:
        return None
    return setup_instruction(
        problem, SLACK_TERMS, where, needed if problem is SetupProblem.MISSING_PERMISSION else code
    )


def channel_name(client: WebClient, channel: str | None) -> str:
    """A channel as people know it: "#name" from conversations.info, else its id as given."""
    if not channel or channel.startswith("#"):
        return channel or "the channel"
    try:
        return f"#{client.conversations_info(channel=channel)['channel']['name']}"
    except SlackApiError:
        return f"channel {channel}"


def alert_admins(notifier: SlackNotifier, error: SlackApiError, channel: str | None) -> str | None:
    """Log the fix for a set-up error and message it to the admins once a day; other errors pass by.

    Args:
        notifier: posts the direct messages and gives the container (clock, units of work).
        error: what Slack answered.
        channel: where planbot tried to post.

    Returns:
        The instruction, or ``None`` when the error is not about set-up.
    """
    code = str(error.response.get("error") or "")
    if code not in CHANNEL_ERRORS | TOKEN_ERRORS | {"missing_scope"}:
        return None
    where = channel_name(notifier.client, channel) if code in CHANNEL_ERRORS else (channel or "the channel")
    text = instruction(code, where, error.response.get("needed"))
    assert text is not None  # every code above has an instruction
    logger.warning("Slack refused a post to %s (%s). %s", channel, code, text)
    direct = bool(channel and channel.startswith("D"))  # a person's own DM: told in their reply instead
    if code in TOKEN_ERRORS or direct or getattr(_alerting, "active", False):
        return text  # with a dead token no message can be sent at all; the log is the alert
    _tell_admins(notifier, f"{channel or '-'}:{code}", admin_alert(text))
    return text


def _tell_admins(notifier: SlackNotifier, target: str, text: str) -> None:
    """Message every admin, once a day for this channel and error."""
    container = notifier.container
    now = container.clock()
    day = london_date(now).isoformat()
    with container.unit_of_work() as repo:
        admins = [Recipient(p.id, p.email, person_name(p)) for p in repo.admins() if p.id is not None]
    if engine.launched():
        engine.start_detached(
            tell_admins, f"{JOB}/{PLATFORM}/{target[:100]}/{day}", target[:100], day, now, admins, text
        )
        return
    with container.unit_of_work() as repo:
        record = JobRun(job=JOB, target=target[:100], period_key=day, state=RunState.CLAIMED.value, claimed_at=now)
        if not repo.insert_once(record):
            return
    sent = [ts for admin in admins if (ts := _tell(notifier, admin, text)) is not None]
    _record(notifier, target[:100], day, now, sent)


@DBOS.workflow(name="planbot.setup_alert")
def tell_admins(target: str, day: str, now: object, admins: list[Recipient], text: str) -> None:
    """The alert to each admin a step of its own, then its record."""
    sent = [ts for admin in admins if (ts := _tell_step(admin, text)) is not None]
    _record_step(target, day, now, sent)


def _slack_notifier() -> SlackNotifier:
    from bot.scheduler import _scheduler
    from bot.slack.notifier import SlackNotifier

    notifier = _scheduler().notifier_for(PLATFORM)
    assert isinstance(notifier, SlackNotifier)
    return notifier


@DBOS.step(name="planbot.setup_alert.tell")
def _tell_step(admin: Recipient, text: str) -> str | None:
    engine.GATE.check()
    return _tell(_slack_notifier(), admin, text)


@DBOS.step(name="planbot.setup_alert.record")
def _record_step(target: str, day: str, now: object, sent: list[str]) -> None:
    _record(_slack_notifier(), target, day, now, sent)


def _tell(notifier: SlackNotifier, admin: Recipient, text: str) -> str | None:
    _alerting.active = True
    try:
        return notifier.send_direct(admin, Reply(text=text))
    except SlackApiError as failure:
        logger.warning("Could not tell admin %s about it: %s", admin.email, failure.response.get("error"))
        return None
    finally:
        _alerting.active = False


def _record(notifier: SlackNotifier, target: str, day: str, now: object, sent: list[str]) -> None:
    """The alert's outcome, for ``planbot jobs``."""
    values: dict[str, object] = {"finished_at": notifier.container.clock()}
    if sent:
        values |= {"state": RunState.SENT.value, "message_ts": sent[0], "detail": ""}
    else:
        values |= {"state": RunState.FAILED.value, "detail": "no admin could be messaged"}
    with notifier.container.unit_of_work() as repo:
        found = repo.job_run(JOB, target, day)
        if found is None:
            repo.insert_once(JobRun(job=JOB, target=target, period_key=day, claimed_at=now, **values))  # type: ignore[arg-type]
        else:
            repo.update_job_run(found, found.state, values)
