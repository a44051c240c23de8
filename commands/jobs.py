"""Run bookkeeping for scheduled jobs: claim a (job, target, period) before sending, then record the outcome.

The claim is the whole of planbot's duplicate protection. It is an insert under the unique
constraint on ``JobRun``; whoever inserts first sends, everyone else skips (a read first spares
the database a refused insert on every pass over a run already done). A run may be taken over
in two cases only: it ``failed`` (the platform refused the post; retried after ``RETRY_AFTER``,
at most ``MAX_ATTEMPTS`` times in all), or it has been ``claimed`` for longer than ``STALE_CLAIM``
(the process died between claiming and posting). Taking over is one conditional UPDATE on the
state and attempt number, so two processes can never both take over the same run.

A process that dies after posting but before marking the run sent will post again once the claim
goes stale: at-least-once in that narrow window, never twice otherwise.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from commands.ports import SLACK
from storage.models import JobRun
from storage.repository import PlanRepository

STALE_CLAIM = dt.timedelta(minutes=10)
"""Far longer than posting one message takes (even with Slack's rate-limit retries); a run being
posted renews its claim every ``HEARTBEAT``, so only a claim whose process stopped goes stale."""
HEARTBEAT = dt.timedelta(minutes=1)
"""How often a run being posted renews its claim."""
MAX_ATTEMPTS = 3
"""A post the platform keeps refusing (bot not in the channel) is not retried forever."""
RETRY_AFTER = dt.timedelta(minutes=5)
"""A refused post waits this long before the next attempt, rather than one every pass."""


class RunState(StrEnum):
    """Where a claimed run stands."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


def claim(
    repo: PlanRepository,
    job: str,
    target: str,
    period_key: str,
    now: dt.datetime,
    stale_after: dt.timedelta = STALE_CLAIM,
    platform: str = SLACK,
) -> JobRun | None:
    """Claim a run so that this process, and only this one, sends it.

    Args:
        repo: the unit of work to claim in; commit it before sending anything.
        job: what is sent ("weekly_digest", "nudge", ...).
        target: where it goes on ``platform`` (a channel id, or ``person:<id>``).
        period_key: what it covers ("2018-W48", "V9:2018-11-26", "FY2018-19-Q3").
        now: naive UTC.
        stale_after: how old a claim must be before it counts as abandoned.
        platform: the platform it is delivered through; runs that deliver nothing (a whole
            pass, a freeze) keep the default, as every row did before targets named platforms.

    Returns:
        The claimed run, or ``None`` when it is sent, being sent, or failed too often already.
    """
    existing = repo.job_run(job, target, period_key, platform)
    if existing is None:
        run = JobRun(
            job=job,
            platform=platform,
            target=target,
            period_key=period_key,
            state=RunState.CLAIMED.value,
            claimed_at=now,
        )
        return run if repo.insert_once(run) else None
    if not _may_take_over(existing, now, stale_after):
        return None
    taken = repo.update_job_run(
        existing,
        existing.state,
        {
            "state": RunState.CLAIMED.value,
            "claimed_at": now,
            "alive_at": None,
            "attempts": existing.attempts + 1,
            "finished_at": None,
        },
    )
    return existing if taken else None


def heartbeat(repo: PlanRepository, run: JobRun, now: dt.datetime) -> bool:
    """Renew a claim still being worked on, so a slow post is not taken for an abandoned one.

    Returns:
        ``False`` when the run is no longer this attempt's (finished, or taken over).
    """
    return repo.update_job_run(run, RunState.CLAIMED.value, {"alive_at": now})


def delivery_key(run: JobRun) -> str:
    """The run's key as the platform keeps it with each post (Slack message metadata), so a post whose
    answer was lost, or a run resumed after a crash, can be found there instead of sent again."""
    return f"{run.job}/{run.platform}/{run.target}/{run.period_key}"


def resuming(run: JobRun) -> bool:
    """Whether an earlier attempt may have posted part of the run (it was taken over or retried)."""
    return run.attempts > 1


def mark_sent(repo: PlanRepository, run: JobRun, message_ts: str, now: dt.datetime) -> bool:
    """Record delivery with the platform's message id, so a later edit can update the same message.

    Returns:
        ``False`` if another process took the run over meanwhile (its outcome then stands).
    """
    values: dict[str, object] = {"state": RunState.SENT.value, "finished_at": now, "message_ts": message_ts}
    return repo.update_job_run(run, RunState.CLAIMED.value, values)


def mark_failed(repo: PlanRepository, run: JobRun, detail: str, now: dt.datetime) -> bool:
    """Record a refused delivery and why, so the next pass within the grace window may retry it."""
    values: dict[str, object] = {"state": RunState.FAILED.value, "finished_at": now, "detail": detail[:2000]}
    return repo.update_job_run(run, RunState.CLAIMED.value, values)


def _may_take_over(run: JobRun, now: dt.datetime, stale_after: dt.timedelta) -> bool:
    if run.state == RunState.FAILED.value:
        return run.attempts < MAX_ATTEMPTS and (run.finished_at or run.claimed_at) <= now - RETRY_AFTER
    return is_stale(run, now, stale_after)


def is_stale(run: JobRun, now: dt.datetime, stale_after: dt.timedelta = STALE_CLAIM) -> bool:
    """A claimed run neither claimed nor renewed within ``stale_after``: its process stopped."""
    last_sign = max(run.claimed_at, run.alive_at or run.claimed_at)
    return run.state == RunState.CLAIMED.value and last_sign <= now - stale_after
