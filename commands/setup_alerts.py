"""Telling the admins about a set-up problem: what they read, who is told, and how often.

When a platform refuses a post because of how planbot is set up (Slack's ``not_in_channel``, a Teams
403), the platform words the fix in its own terms (``commands.setup_fixes``); the rest is decided
here, the same for every platform: every admin is told, in the core's words (``admin_alert``), at
most once a (London) day per platform, conversation and problem, and the outcome is recorded under
``JOB`` for ``planbot jobs``. The runtime (``bot.setup_alerts``) delivers it once; each platform
only sends the messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from commands.job_status import RunState
from commands.permissions import person_name
from commands.ports import Recipient
from commands.rules import london_date
from commands.setup_fixes import admin_alert
from storage.models import JobRun
from storage.repository import PlanRepository

JOB = "setup_alert"
MAX_TARGET = 100
"""A run's target is at most this long (``JobRun.target``)."""
NO_ADMIN_REACHED = "no admin could be messaged"


@dataclass(frozen=True)
class SetupAlert:
    """One day's alert about one problem in one conversation, and the admins it goes to."""

    platform: str
    target: str
    """The conversation and the problem ("C0PCPCOORD:not_in_channel"), at most ``MAX_TARGET`` characters."""
    day: str
    """The London date it is sent on: the same problem is told again the next day at the earliest."""
    at: dt.datetime
    admins: tuple[Recipient, ...]
    text: str

    @property
    def run_id(self) -> str:
        """The alert's delivery key (and workflow id): one per platform, target and day."""
        return f"{JOB}/{self.platform}/{self.target}/{self.day}"


def setup_alert(repo: PlanRepository, platform: str, target: str, fix: str, now: dt.datetime) -> SetupAlert:
    """The alert telling every admin ``fix`` (the platform's instruction) about ``target`` today."""
    admins = tuple(Recipient(p.id, p.email, person_name(p)) for p in repo.admins() if p.id is not None)
    return SetupAlert(platform, target[:MAX_TARGET], london_date(now).isoformat(), now, admins, admin_alert(fix))


def claim(repo: PlanRepository, alert: SetupAlert) -> bool:
    """Record the alert as being sent; ``False`` when it was already sent (or is being sent) today."""
    return repo.insert_once(
        JobRun(
            job=JOB,
            platform=alert.platform,
            target=alert.target,
            period_key=alert.day,
            state=RunState.CLAIMED.value,
            claimed_at=alert.at,
        )
    )


def record(repo: PlanRepository, alert: SetupAlert, sent: Sequence[str], finished_at: dt.datetime) -> None:
    """The alert's outcome, for ``planbot jobs``: sent (the first message's id) or why not."""
    values: dict[str, object] = {"finished_at": finished_at}
    if sent:
        values |= {"state": RunState.SENT.value, "message_ts": sent[0], "detail": ""}
    else:
        values |= {"state": RunState.FAILED.value, "detail": NO_ADMIN_REACHED}
    found = repo.job_run(JOB, alert.target, alert.day, alert.platform)
    if found is None:
        run = JobRun(job=JOB, platform=alert.platform, target=alert.target, period_key=alert.day, claimed_at=alert.at)
        for name, value in values.items():
            setattr(run, name, value)
        repo.insert_once(run)
    else:
        repo.update_job_run(found, found.state, values)
