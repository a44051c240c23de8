"""When the scheduled jobs fire, as Europe/London wall-clock times, and which runs are due now.

Schedules are python-dateutil rrules whose ``dtstart`` carries the Europe/London zone, so a digest
set for Monday 09:00 goes out at 09:00 on the office's clocks all year: 09:00 UTC in GMT, 08:00 UTC
in British Summer Time. Days that must be working days are filtered through
``commands.periods.is_working_day`` (weekends and England and Wales bank holidays).

Each occurrence has a stable period key derived from what it covers, never from when it ran, so a
late or repeated pass lands on the same key, which the delivery engine starts once (its workflow id).
Pure: no clock reads, no I/O; the caller passes ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

from commands.periods import Quarter, add_working_days, cut_off, is_working_day
from commands.rules import LONDON


class JobName(StrEnum):
    """The scheduled jobs of SPEC §5 (escalations go out in the nudges pass), and the freezing of
    each quarter's snapshot the morning after its cut-off, which the Panel appendix reads."""

    WEEKLY_DIGEST = "weekly_digest"
    NUDGES = "nudges"
    QUARTER_CLOSE = "quarter_close"
    QUARTERLY_SUMMARY = "quarterly_summary"
    QUARTER_FREEZE = "quarter_freeze"


DEFAULT_GRACE: Mapping[JobName, dt.timedelta] = {
    JobName.WEEKLY_DIGEST: dt.timedelta(days=2),
    JobName.NUDGES: dt.timedelta(days=6),
    JobName.QUARTER_CLOSE: dt.timedelta(days=6),
    JobName.QUARTERLY_SUMMARY: dt.timedelta(days=7),
    JobName.QUARTER_FREEZE: dt.timedelta(days=30),
}
"""How long after its time a run missed while the bot was down is still caught up.

A digest two days late still helps Monday's meeting notes; messages to people wait for the next
working morning, so their window spans the longest break without a working day (Christmas Eve to
the Tuesday after a weekend Boxing Day, almost five days), and a day's nudges are superseded by the
next working day's (``superseded``); a quarterly summary is wanted even a week late, since nothing else replaces it; the
quarter's snapshot must be frozen however late, and freezing late changes nothing (it is taken as
the quarter stood at the end of its cut-off day).
"""


@dataclass(frozen=True)
class ScheduleConfig:
    """The local times of each job (SPEC §5 defaults) and how far back a restart catches up."""

    digest_weekday: int = 0  # Monday; 0..6 as in ``datetime.date.weekday``
    digest_time: dt.time = dt.time(9, 0)
    nudge_time: dt.time = dt.time(10, 0)
    quarter_close_time: dt.time = dt.time(10, 0)
    quarter_close_working_days: int = 10
    summary_time: dt.time = dt.time(9, 0)
    freeze_time: dt.time = dt.time(6, 0)  # the morning after the cut-off day
    grace: Mapping[JobName, dt.timedelta] = field(default_factory=lambda: dict(DEFAULT_GRACE))


@dataclass(frozen=True, order=True)
class DueRun:
    """One occurrence of a job: the period it covers and when it was meant to fire (naive UTC).

    ``quarter`` is the quarter a quarter-close reminder or quarterly summary is about.
    """

    scheduled_at_utc: dt.datetime
    job: JobName
    period_key: str
    quarter: Quarter | None = field(default=None, compare=False)

    def local_date(self, config: ScheduleConfig) -> dt.date:
        """The calendar date the run belongs to where the office is."""
        return self.scheduled_at_utc.replace(tzinfo=dt.UTC).astimezone(LONDON).date()


WORKING_HOURS = (dt.time(8, 0), dt.time(18, 0))
"""When people may be messaged, in London: a working day from 08:00 until 18:00."""
DIRECT_JOBS = frozenset({JobName.NUDGES, JobName.QUARTER_CLOSE})
"""The jobs that message people, and so wait for working hours even when catching up."""
LATE_AFTER = dt.timedelta(minutes=15)
"""A run sent this long after its time was caught up after an outage, and says so."""


def may_message_people(now_utc: dt.datetime) -> bool:
    """Whether ``now_utc`` is within working hours: never a weekend, a bank holiday, or outside 08:00–18:00.

    Checked when sending, not when the run was due, so a catch-up waits for the next working morning.
    """
    local = _london(now_utc)
    start, end = WORKING_HOURS
    return is_working_day(local.date()) and start <= local.time() < end


def superseded(run: DueRun, due: list[DueRun]) -> bool:
    """A day's nudges are superseded by a later day's that is also due: that pass chooses afresh
    whom to nudge, so catching up both would only message people twice."""
    return run.job is JobName.NUDGES and any(
        other.job is JobName.NUDGES and other.scheduled_at_utc > run.scheduled_at_utc for other in due
    )


def is_late(run: DueRun, now_utc: dt.datetime) -> bool:
    """Whether a run goes out late enough (a catch-up after an outage) to say so."""
    return now_utc - run.scheduled_at_utc > LATE_AFTER


LATE_WORDS: Mapping[JobName, str] = {
    JobName.WEEKLY_DIGEST: "digest",
    JobName.QUARTERLY_SUMMARY: "quarterly summary",
    JobName.NUDGES: "list of reminders",
}


def late_note(run: DueRun, config: ScheduleConfig) -> str:
    """What a caught-up report says first: "This is Monday's digest, sent late after an outage."."""
    day = run.local_date(config).strftime("%A")
    return f"This is {day}'s {LATE_WORDS.get(run.job, run.job.value)}, sent late after an outage."


def week_key(day: dt.date) -> str:
    """ISO week of a local date: ``2018-W48`` (the week of Monday 26 November 2018)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_runs(config: ScheduleConfig, now_utc: dt.datetime) -> list[DueRun]:
    """Every occurrence a pass at ``now_utc`` must make sure has been done, oldest first.

    Each pass looks back over each job's whole grace window, not just since the previous pass:
    a run missed while the bot was down, refused by the platform, or abandoned by a process that
    died is then picked up by whichever pass comes next, in any process. Runs already
    started are skipped by their workflow ids, which is cheap (one indexed insert each).

    Args:
        config: job times and grace windows.
        now_utc: the moment of the pass (naive UTC, as the container's clock gives it).

    Returns:
        Occurrences from ``now - grace`` to ``now`` inclusive, for each job.
    """
    runs: list[DueRun] = []
    for job in JobName:
        runs.extend(_between(config, job, now_utc - config.grace[job], now_utc))
    return sorted(runs)


def _between(config: ScheduleConfig, job: JobName, start_utc: dt.datetime, end_utc: dt.datetime) -> Iterator[DueRun]:
    """Occurrences of one job from ``start_utc`` to ``end_utc`` inclusive, each with its period key."""
    start, end = _london(start_utc), _london(end_utc)
    for moment, key, quarter in _occurrences(config, job, start, end):
        if start <= moment <= end:
            yield DueRun(moment.astimezone(dt.UTC).replace(tzinfo=None), job, key, quarter)


def _occurrences(
    config: ScheduleConfig, job: JobName, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.datetime, str, Quarter | None]]:
    """Candidate local occurrences around ``[start, end]`` (the caller trims to the window)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if job is JobName.WEEKLY_DIGEST:
        rule = _daily_rule(config.digest_time, midnight, byweekday=config.digest_weekday)
        for moment in rule.between(start, end, inc=True):
            yield moment, week_key(moment.date()), None
    elif job is JobName.NUDGES:
        for moment in _daily_rule(config.nudge_time, midnight).between(start, end, inc=True):
            if is_working_day(moment.date()):
                yield moment, moment.date().isoformat(), None
    else:
        yield from _quarterly(config, job, start, end)


def _quarterly(
    config: ScheduleConfig, job: JobName, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.datetime, str, Quarter | None]]:
    """Quarter-close reminders, summaries and snapshot freezes, placed in working days from each quarter's end.

    Quarter ends are found with an rrule over the last day of March, June, September and
    December; the window is widened by 40 days either side because a reminder falls up to three
    weeks before its quarter ends and a freeze up to three weeks after.
    """
    margin = dt.timedelta(days=40)
    first = (start - margin).replace(hour=0, minute=0, second=0, microsecond=0)
    ends = rrule(MONTHLY, bymonth=(3, 6, 9, 12), bymonthday=-1, dtstart=first, until=end + margin)
    for quarter_end in ends:
        quarter = Quarter.containing(quarter_end.date())
        if job is JobName.QUARTER_CLOSE:
            day, time = add_working_days(quarter.end, -config.quarter_close_working_days), config.quarter_close_time
        elif job is JobName.QUARTERLY_SUMMARY:
            day, time = add_working_days(quarter.end, 1), config.summary_time
        else:
            day, time = cut_off(quarter) + dt.timedelta(days=1), config.freeze_time
        yield dt.datetime.combine(day, time, tzinfo=LONDON), quarter.key, quarter


def _daily_rule(at: dt.time, dtstart: dt.datetime, byweekday: int | None = None) -> rrule:
    """An rrule at a local wall-clock time, every day or (given ``byweekday``) every week on that
    day; the zone on ``dtstart`` keeps it there across clock changes."""
    return rrule(
        DAILY if byweekday is None else WEEKLY,
        dtstart=dtstart,
        byweekday=byweekday,
        byhour=at.hour,
        byminute=at.minute,
        bysecond=0,
    )


def _london(moment_utc: dt.datetime) -> dt.datetime:
    return moment_utc.replace(tzinfo=dt.UTC).astimezone(LONDON)
