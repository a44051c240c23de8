"""When the scheduled jobs fire: local times across the clock changes, working days, quarter ends, catch-up."""

from __future__ import annotations

import datetime as dt

import pytest

from commands.schedule import DueRun, JobName, ScheduleConfig, due_runs, superseded, week_key

CONFIG = ScheduleConfig()
YEAR = dt.timedelta(days=366)


def runs_between(job: JobName, start: dt.datetime, end: dt.datetime) -> list[DueRun]:
    """Every occurrence of ``job`` from ``start`` to ``end`` (UTC), each once."""
    config = ScheduleConfig(grace=dict.fromkeys(JobName, end - start))
    return [run for run in due_runs(config, end) if run.job is job]


class TestWeeklyDigest:
    @pytest.mark.parametrize(
        ("monday", "utc_hour", "key"),
        [
            (dt.date(2019, 3, 25), 9, "2019-W13"),  # GMT, the Monday before the clocks go forward
            (dt.date(2019, 4, 1), 8, "2019-W14"),  # BST, the Monday after 31 March 2019
            (dt.date(2019, 10, 21), 8, "2019-W43"),  # BST, the Monday before the clocks go back
            (dt.date(2019, 10, 28), 9, "2019-W44"),  # GMT, the Monday after 27 October 2019
        ],
    )
    def test_monday_nine_local_across_clock_changes(self, monday: dt.date, utc_hour: int, key: str) -> None:
        """The digest fires at 09:00 on London's clocks: 09:00 UTC in GMT, 08:00 UTC in summer time."""
        start = dt.datetime.combine(monday, dt.time(0, 0)) - dt.timedelta(days=2)
        runs = runs_between(JobName.WEEKLY_DIGEST, start, start + dt.timedelta(days=4))
        assert [(dt.datetime.combine(monday, dt.time(utc_hour, 0)), key)] == [
            (r.scheduled_at_utc, r.period_key) for r in runs
        ]

    def test_week_key_is_the_iso_week_of_the_local_date(self) -> None:
        """Keys name the week covered, so the last days of December can belong to next year's week 1."""
        assert "2018-W48" == week_key(dt.date(2018, 11, 26))
        assert "2020-W01" == week_key(dt.date(2019, 12, 30))


class TestNudges:
    def test_christmas_skips_weekends_and_bank_holidays(self) -> None:
        """No nudges on 22–23 or 29–30 December (weekends), 25–26 December or 1 January (bank holidays)."""
        runs = runs_between(JobName.NUDGES, dt.datetime(2018, 12, 21), dt.datetime(2019, 1, 4))
        expected = ["2018-12-21", "2018-12-24", "2018-12-27", "2018-12-28", "2018-12-31", "2019-01-02", "2019-01-03"]
        assert expected == [r.period_key for r in runs]
        assert all(r.scheduled_at_utc.time() == dt.time(10, 0) for r in runs)

    def test_easter_skips_good_friday_and_easter_monday(self) -> None:
        """Good Friday (19 April 2019) and Easter Monday (22 April) are bank holidays in England and Wales."""
        runs = runs_between(JobName.NUDGES, dt.datetime(2019, 4, 18), dt.datetime(2019, 4, 24))
        assert ["2019-04-18", "2019-04-23"] == [r.period_key for r in runs]
        assert dt.datetime(2019, 4, 18, 9, 0) == runs[0].scheduled_at_utc  # 10:00 BST


class TestQuarterJobs:
    def test_summary_on_first_working_day_after_quarter_end(self) -> None:
        """2018/19 Q3's summary waits for 2 January (1 January is a bank holiday); Q4's goes on Monday 1 April."""
        runs = runs_between(JobName.QUARTERLY_SUMMARY, dt.datetime(2018, 12, 1), dt.datetime(2019, 5, 1))
        assert [
            (dt.datetime(2019, 1, 2, 9, 0), "FY2018-19-Q3"),
            (dt.datetime(2019, 4, 1, 8, 0), "FY2018-19-Q4"),
        ] == [(r.scheduled_at_utc, r.period_key) for r in runs]

    def test_quarter_close_reminder_ten_working_days_before_quarter_end(self) -> None:
        """Ten working days before Monday 31 December 2018 is Thursday 13 December, at 10:00."""
        runs = runs_between(JobName.QUARTER_CLOSE, dt.datetime(2018, 10, 1), dt.datetime(2018, 12, 31, 23))
        assert [(dt.datetime(2018, 12, 13, 10, 0), "FY2018-19-Q3")] == [
            (r.scheduled_at_utc, r.period_key) for r in runs
        ]
        assert "2018/19 Q3" == str(runs[0].quarter)

    def test_each_job_listed_once_around_a_quarter_end(self) -> None:
        """Mid-December to mid-January holds one reminder, one summary and one digest a week."""
        start, end = dt.datetime(2018, 12, 10), dt.datetime(2019, 1, 15)
        assert ["FY2018-19-Q3"] == [r.period_key for r in runs_between(JobName.QUARTER_CLOSE, start, end)]
        assert ["FY2018-19-Q3"] == [r.period_key for r in runs_between(JobName.QUARTERLY_SUMMARY, start, end)]
        digests = [r.period_key for r in runs_between(JobName.WEEKLY_DIGEST, start, end)]
        assert ["2018-W50", "2018-W51", "2018-W52", "2019-W01", "2019-W02", "2019-W03"] == digests

    def test_snapshot_frozen_the_morning_after_the_cut_off(self) -> None:
        """Q3 2018/19's cut-off is 15 January 2019 (ten working days after 31 December): frozen 06:00 on the 16th."""
        runs = runs_between(JobName.QUARTER_FREEZE, dt.datetime(2019, 1, 1), dt.datetime(2019, 2, 1))
        assert [(dt.datetime(2019, 1, 16, 6, 0), "FY2018-19-Q3")] == [(r.scheduled_at_utc, r.period_key) for r in runs]


class TestCatchUp:
    def test_run_missed_within_the_grace_window_is_listed(self) -> None:
        """Down at 09:00 on Monday and back at 15:00: the pass lists the morning's digest."""
        runs = due_runs(CONFIG, dt.datetime(2018, 11, 26, 15, 0))
        assert (JobName.WEEKLY_DIGEST, "2018-W48") in [(r.job, r.period_key) for r in runs]

    def test_not_beyond_the_grace_window(self) -> None:
        """Back on Wednesday 10:00, 49 hours after Monday's digest, the digest is past its two-day grace;
        the nudges of the working days in the last six are due, and only Wednesday's is not superseded."""
        runs = due_runs(CONFIG, dt.datetime(2018, 11, 28, 10, 0))
        assert JobName.WEEKLY_DIGEST not in [r.job for r in runs]
        nudges = [r for r in runs if r.job is JobName.NUDGES]
        assert ["2018-11-22", "2018-11-23", "2018-11-26", "2018-11-27", "2018-11-28"] == [r.period_key for r in nudges]
        assert ["2018-11-28"] == [r.period_key for r in nudges if not superseded(r, runs)]

    def test_quarterly_summary_caught_up_for_a_week(self) -> None:
        """The Q3 summary due on 2 January is still listed on 8 January, not on 10 January."""
        keys = [(r.job, r.period_key) for r in due_runs(CONFIG, dt.datetime(2019, 1, 8, 12))]
        assert (JobName.QUARTERLY_SUMMARY, "FY2018-19-Q3") in keys
        keys = [(r.job, r.period_key) for r in due_runs(CONFIG, dt.datetime(2019, 1, 10, 12))]
        assert (JobName.QUARTERLY_SUMMARY, "FY2018-19-Q3") not in keys

    def test_nothing_before_its_time(self) -> None:
        """At 08:59 on a winter Monday the digest is not yet due (and last week's is past its grace)."""
        runs = due_runs(CONFIG, dt.datetime(2018, 11, 26, 8, 59))
        assert JobName.WEEKLY_DIGEST not in [r.job for r in runs]

    def test_configured_times(self) -> None:
        """A digest moved to Friday 16:30 fires then, in summer time too (15:30 UTC)."""
        config = ScheduleConfig(digest_weekday=4, digest_time=dt.time(16, 30))
        runs = [r for r in due_runs(config, dt.datetime(2019, 6, 7, 16, 0)) if r.job is JobName.WEEKLY_DIGEST]
        assert [(dt.datetime(2019, 6, 7, 15, 30), "2019-W23")] == [(r.scheduled_at_utc, r.period_key) for r in runs]
