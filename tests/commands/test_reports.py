"""Report builders on the sample plan: summaries, the overdue list, the weekly digest, history, and
the SQL they cost."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from support.rag_support import ACTIONS, ADMIN_EMAILS, actor_for, due
from support.report_support import QueryCounter, grow_plan, london, report, reprofile

from commands.admin_actions import close_action
from commands.admin_actions import reprofile as reprofile_action
from commands.errors import UnknownAction, UnknownTheme
from commands.report_builders import DIGEST_JOB, history, overdue_list, theme_summary, weekly_digest
from commands.rules import Direction
from storage.models import JobRun, Plan
from storage.repository import PlanRepository

NOW = london(2018, 11, 26, 9, 0)
"""Monday 26 November 2018, 09:00: a weekly digest morning in 2018/19 Q3."""


def counts(summary_counts: tuple) -> dict[str | None, int]:
    return {c.status: c.count for c in summary_counts}


@pytest.fixture
def reported(repo: PlanRepository, plan: Plan) -> Plan:
    """A few weeks of updates: V9 green then red, V4 red then amber, T2 amber, O4 complete."""
    report(repo, "V9", "G", london(2018, 10, 1))
    report(repo, "V9", "R", london(2018, 11, 12), "CJS review will not report before March")
    report(repo, "V4", "R", london(2018, 10, 3), "400 risk assessments waiting")
    report(repo, "V4", "A", london(2018, 11, 21), "Backlog down to 120")
    report(repo, "T2", "A", london(2018, 11, 1), "Recovery plan agreed")
    report(repo, "O4", "B", london(2018, 11, 14), "Programme commissioned")
    return plan


class TestThemeSummary:
    def test_theme_counts_each_colour_and_the_gaps(self, repo: PlanRepository, reported: Plan) -> None:
        """Victims: one red, one amber, the rest not yet reported; never counted as green."""
        summary = theme_summary(repo, NOW, "victims")

        victims = [a for a in ACTIONS if a.startswith("V")]
        assert "Victims" == summary.theme
        assert [("V", "Victims")] == [(t.code, t.name) for t in summary.themes]
        assert {"R": 1, "A": 1, "G": 0, "B": 0, None: len(victims) - 2} == counts(summary.themes[0].counts)
        assert victims == [row.code for row in summary.themes[0].rows]

    def test_direction_compares_with_the_previous_update(self, repo: PlanRepository, reported: Plan) -> None:
        """V9 went green to red (deteriorating), V4 red to amber (improving)."""
        rows = {row.code: row for row in theme_summary(repo, NOW, "V").themes[0].rows}

        assert ("R", "G", Direction.DETERIORATING) == (rows["V9"].status, rows["V9"].previous, rows["V9"].direction)
        assert ("A", "R", Direction.IMPROVING) == (rows["V4"].status, rows["V4"].previous, rows["V4"].direction)
        assert "CJS review will not report before March" == rows["V9"].reason
        assert rows["V1"].status is None and rows["V1"].direction is None

    def test_whole_plan_has_every_theme_and_totals(self, repo: PlanRepository, reported: Plan) -> None:
        """Without a theme every theme is listed and the totals add up to every open action."""
        summary = theme_summary(repo, NOW)

        assert summary.theme is None
        assert ["V", "O", "C", "T"] == [t.code for t in summary.themes]
        assert {"R": 1, "A": 2, "G": 0, "B": 1, None: len(ACTIONS) - 4} == counts(summary.totals)

    def test_exceptions_are_red_deteriorating_or_overdue(self, repo: PlanRepository, reported: Plan) -> None:
        """V9 (red) and every action past its due date unfinished are exceptions; complete O4 is not."""
        codes = {row.code for row in theme_summary(repo, NOW).exceptions}

        overdue = {code for code, a in ACTIONS.items() if due(a) < NOW.date() and code != "O4"}
        assert {"V9"} | overdue == codes

    def test_closed_actions_leave_the_counts(self, repo: PlanRepository, reported: Plan) -> None:
        """A withdrawn action is neither a row nor a gap; the theme says how many were closed."""
        action = repo.action_by_code("V10")
        assert action is not None
        action.state = "closed"
        repo.add(action)

        victims = theme_summary(repo, NOW, "V").themes[0]

        assert "V10" not in [row.code for row in victims.rows]
        assert 1 == victims.closed
        assert len(victims.rows) == sum(c.count for c in victims.counts)

    @pytest.mark.parametrize(
        ("typed", "hint"),
        [("victim", "Did you mean Victims?"), ("Ofenders", "Did you mean Offenders?"), ("Z", "Themes: V (Victims)")],
    )
    def test_unknown_theme_suggests(self, repo: PlanRepository, plan: Plan, typed: str, hint: str) -> None:
        """A near miss is answered with the theme meant; anything else lists the themes."""
        with pytest.raises(UnknownTheme) as error:
            theme_summary(repo, NOW, typed)

        assert f'There is no theme "{typed}"' in error.value.message
        assert hint in error.value.reply_text()


class TestOverdue:
    def test_oldest_due_date_first_and_complete_left_out(self, repo: PlanRepository, reported: Plan) -> None:
        """Overdue actions run from the longest overdue; O4 (complete) is not overdue."""
        rows = overdue_list(repo, NOW).rows

        late = [(code, due(a)) for code, a in ACTIONS.items() if due(a) < NOW.date() and code != "O4"]
        expected = sorted(late, key=lambda item: item[1])  # ties stay in plan order
        assert [code for code, _ in expected] == [row.code for row in rows]
        assert [(NOW.date() - day).days for _, day in expected] == [row.days_overdue for row in rows]

    def test_reprofiled_action_is_no_longer_overdue(self, repo: PlanRepository, reported: Plan) -> None:
        """Overdue is judged on the current (re-profiled) due date, not the baseline."""
        reprofile(repo, "V4", dt.date(2019, 3, 31), london(2018, 11, 20), "BCB 20/11/2018")

        assert "V4" not in [row.code for row in overdue_list(repo, NOW).rows]


class TestWeeklyDigest:
    def test_window_defaults_to_a_week(self, repo: PlanRepository, reported: Plan) -> None:
        """With no digest sent yet, the digest covers the last seven days: V4's amber only."""
        digest = weekly_digest(repo, NOW)

        assert NOW - dt.timedelta(days=7) == digest.since
        assert ["V4"] == [row.code for row in digest.updated]
        assert 1 == digest.update_count

    def test_window_starts_at_the_last_digest_sent(self, repo: PlanRepository, reported: Plan) -> None:
        """After a digest was sent on 12 November 09:00, everything since then is in the next one."""
        sent = london(2018, 11, 12, 9, 0)
        repo.add(
            JobRun(job=DIGEST_JOB, target="C1", period_key="2018-W46", state="sent", claimed_at=sent, finished_at=sent)
        )

        digest = weekly_digest(repo, NOW)

        assert sent == digest.since
        assert ["V4", "V9", "O4"] == [row.code for row in digest.updated]

    def test_changes_carry_direction_from_the_last_digest(self, repo: PlanRepository, reported: Plan) -> None:
        """Colour changes compare with the status when the window opened; a first report is New."""
        digest = weekly_digest(repo, NOW, since=london(2018, 10, 20))

        changes = {row.code: (row.previous, row.status, row.direction) for row in digest.changes}
        assert {
            "V9": ("G", "R", Direction.DETERIORATING),
            "V4": ("R", "A", Direction.IMPROVING),
            "T2": (None, "A", Direction.NEW),
            "O4": (None, "B", Direction.NEW),
        } == changes
        assert ["V9"] == [row.code for row in digest.new_reds]

    def test_a_red_that_stays_red_is_not_new(self, repo: PlanRepository, reported: Plan) -> None:
        """Re-confirming red is an update but neither a colour change nor a new red."""
        report(repo, "V9", "R", london(2018, 11, 22), "Still waiting")

        digest = weekly_digest(repo, NOW)

        assert "V9" in [row.code for row in digest.updated]
        assert [] == [row.code for row in digest.new_reds]
        assert "V9" not in [row.code for row in digest.changes]

    def test_due_soon_overdue_and_not_reported(self, repo: PlanRepository, reported: Plan) -> None:
        """Due within 14 days, overdue and never reported are listed as the plan stands now."""
        digest = weekly_digest(repo, london(2018, 12, 20))

        assert {"V9", "O7", "C7"} == {row.code for row in digest.due_soon}
        assert "V4" in [row.code for row in digest.overdue]
        reported_codes = {"V9", "V4", "T2", "O4"}
        assert sorted(set(ACTIONS) - reported_codes) == sorted(row.code for row in digest.not_reported)
        assert all(row.status is None for row in digest.not_reported)


class TestReprofileRequests:
    """An owner's request for a new due date waits in the digest until an admin re-profiles."""

    def ask(
        self, repo: PlanRepository, code: str, proposed: dt.date, at: dt.datetime, reason: str, restricted: bool = False
    ) -> None:
        update = report(repo, code, "R", at, reason)
        update.proposed_due, update.restricted = proposed, restricted
        repo.add(update)

    def test_listed_until_an_admin_reprofiles(self, repo: PlanRepository, reported: Plan) -> None:
        self.ask(repo, "V9", dt.date(2019, 3, 31), london(2018, 11, 19), "CJS review moved to March")
        asked = weekly_digest(repo, NOW)

        [request] = asked.reprofile_requests
        assert ("V9", due(ACTIONS["V9"]), dt.date(2019, 3, 31)) == (request.code, request.due, request.proposed_due)
        assert "CJS review moved to March" == request.reason
        assert request.requested_by

        admin = actor_for(repo, ADMIN_EMAILS[0])
        reprofile_action(admin, repo, "V9", dt.date(2019, 2, 28), "BCB 22/11/2018", london(2018, 11, 22))
        assert () == weekly_digest(repo, NOW).reprofile_requests
        assert ["V9"] == [r.code for r in weekly_digest(repo, london(2018, 11, 21)).reprofile_requests]

    def test_newest_request_per_action_and_only_active_actions(self, repo: PlanRepository, reported: Plan) -> None:
        self.ask(repo, "V4", dt.date(2019, 1, 31), london(2018, 11, 5), "Backlog")
        self.ask(repo, "V4", dt.date(2019, 2, 28), london(2018, 11, 19), "Backlog still growing", restricted=True)
        self.ask(repo, "T2", dt.date(2019, 6, 30), london(2018, 11, 20), "Recovery plan slipping")
        admin = actor_for(repo, ADMIN_EMAILS[0])
        close_action(admin, repo, "T2", "BCB 21/11/2018", london(2018, 11, 21))

        requests = weekly_digest(repo, NOW).reprofile_requests
        assert [("V4", dt.date(2019, 2, 28), True)] == [(r.code, r.proposed_due, r.restricted) for r in requests]


class TestHistory:
    def test_every_update_oldest_first_with_travel(self, repo: PlanRepository, reported: Plan) -> None:
        """History of V9: green (New) then red (Deteriorating), with who reported."""
        reprofile(repo, "V9", dt.date(2019, 3, 31), london(2018, 12, 13), "BCB 13/12/2018")

        result = history(repo, "v9")

        assert [("G", Direction.NEW), ("R", Direction.DETERIORATING)] == [
            (e.status, e.direction) for e in result.entries
        ]
        assert "Ollie Kerr" in result.entries[0].author
        assert ["BCB 13/12/2018"] == [c.approval for c in result.changes]
        assert (dt.date(2019, 3, 31), dt.date(2018, 12, 31)) == (result.due, result.baseline_due)

    def test_unknown_action(self, repo: PlanRepository, plan: Plan) -> None:
        with pytest.raises(UnknownAction):
            history(repo, "V99")


class TestQueryCount:
    def test_reports_cost_the_same_on_34_and_300_actions(
        self, repo: PlanRepository, reported: Plan, engine: Engine
    ) -> None:
        """Each report issues a fixed, small number of queries whatever the plan size."""

        def cost() -> dict[str, int]:
            repo.session.flush()
            result = {}
            for name, build in (
                ("summary", lambda: theme_summary(repo, NOW)),
                ("theme", lambda: theme_summary(repo, NOW, "victims")),
                ("overdue", lambda: overdue_list(repo, NOW)),
                ("digest", lambda: weekly_digest(repo, NOW)),
            ):
                with QueryCounter(engine) as counter:
                    build()
                result[name] = counter.count
            return result

        small = cost()
        grow_plan(repo, 300, london(2018, 10, 15))
        assert 300 == len(repo.actions(reported.id or 0))
        large = cost()

        assert small == large
        assert max(large.values()) <= 6
