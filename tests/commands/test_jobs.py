"""Run bookkeeping (claim, take-over, outcome), who is nudged or escalated to, and channel subscriptions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select
from support.rag_support import ADMIN_EMAILS, STRANGER, V9, V9_OWNER, V9_SRO, actor_for

from commands.errors import NotAuthorised, ParseError
from commands.jobs import MAX_ATTEMPTS, RunState, claim, mark_failed, mark_sent
from commands.nudges import ESCALATION, NUDGE, nudges_and_escalations, quarter_close_reminders
from commands.periods import Quarter
from commands.rules import DEFAULT_SCHEME
from commands.subscriptions import list_subscriptions, subscribe, unsubscribe
from storage.models import AuditEntry, ChannelSubscription, JobRun, Plan, StatusUpdate
from storage.repository import PlanRepository

MONDAY = dt.datetime(2018, 11, 26, 10, 0)
MINUTE = dt.timedelta(minutes=1)


class TestClaim:
    def test_claimed_once(self, repo: PlanRepository) -> None:
        """The first claim wins; the same job, target and period cannot be claimed again."""
        first = claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY)
        assert first is not None and RunState.CLAIMED == first.state
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY) is None
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY + 5 * MINUTE) is None

    def test_other_targets_and_periods_are_separate_runs(self, repo: PlanRepository) -> None:
        """Another channel, or next week, is a run of its own."""
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY) is not None
        assert claim(repo, "weekly_digest", "C2", "2018-W48", MONDAY) is not None
        assert claim(repo, "weekly_digest", "C1", "2018-W49", MONDAY) is not None

    def test_losing_claim_leaves_the_unit_of_work_usable(self, repo: PlanRepository, session: Session) -> None:
        """A refused claim rolls back only its SAVEPOINT: what the unit of work did before stays."""
        claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY)
        repo.audit(at=MONDAY, actor="tests", entity="x", key="before", change="add", detail={})
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY) is None
        session.flush()
        assert ["before"] == list(session.exec(select(AuditEntry.entity_key)))

    def test_sent_run_is_never_claimed_again(self, repo: PlanRepository) -> None:
        """Once marked sent, with the message ts, the run is done for good."""
        run = claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY)
        assert run is not None
        assert mark_sent(repo, run, "1543222800.000100", MONDAY + MINUTE)
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY + dt.timedelta(hours=5)) is None
        stored = repo.job_run("weekly_digest", "C1", "2018-W48")
        assert stored is not None
        assert (RunState.SENT, "1543222800.000100") == (stored.state, stored.message_ts)

    def test_stale_claim_is_taken_over(self, repo: PlanRepository) -> None:
        """A claim left by a process that died before posting is taken over after ten minutes, not before."""
        dead = claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY)
        assert dead is not None
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY + 9 * MINUTE) is None
        taken = claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY + 10 * MINUTE)
        assert taken is not None and 2 == taken.attempts
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY + 11 * MINUTE) is None

    def test_dead_process_cannot_overwrite_the_take_over(self, repo: PlanRepository) -> None:
        """If the first claimant wakes up after its run was taken over, its outcome is not recorded."""
        claimed = claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY)
        assert claimed is not None
        first_process_copy = JobRun.model_validate(claimed.model_dump())
        assert claim(repo, "weekly_digest", "C1", "2018-W48", MONDAY + 20 * MINUTE) is not None
        assert not mark_failed(repo, first_process_copy, "late", MONDAY + 21 * MINUTE)
        stored = repo.job_run("weekly_digest", "C1", "2018-W48")
        assert stored is not None and (RunState.CLAIMED, 2) == (stored.state, stored.attempts)

    def test_failed_run_is_retried_a_few_times(self, repo: PlanRepository) -> None:
        """A refused post may be claimed again five minutes later, up to three attempts in all."""
        now = MONDAY
        run = claim(repo, "weekly_digest", "C1", "2018-W48", now)
        for attempt in range(2, MAX_ATTEMPTS + 1):
            assert run is not None
            assert mark_failed(repo, run, "channel_not_found", now)
            assert claim(repo, "weekly_digest", "C1", "2018-W48", now + 4 * MINUTE) is None
            now += 5 * MINUTE
            run = claim(repo, "weekly_digest", "C1", "2018-W48", now)
            assert run is not None and attempt == run.attempts
        assert run is not None
        mark_failed(repo, run, "channel_not_found", now)
        assert claim(repo, "weekly_digest", "C1", "2018-W48", now + dt.timedelta(hours=1)) is None
        stored = repo.job_run("weekly_digest", "C1", "2018-W48")
        assert stored is not None and "channel_not_found" == stored.detail


def report_everything_complete_but_v9(repo: PlanRepository, plan: Plan, v9_updated: dt.datetime | None) -> None:
    """Every other action reported blue (so nothing else is nudged); V9 reported green on ``v9_updated``."""
    author = repo.person_by_email(ADMIN_EMAILS[0])
    assert author is not None and author.id is not None
    for action in repo.actions(plan.id or 0):
        assert action.id is not None
        if action.code != "V9":
            repo.add(
                StatusUpdate(action_id=action.id, status="B", author_id=author.id, created_at=MONDAY - 30 * MINUTE)
            )
        elif v9_updated is not None:
            repo.add(StatusUpdate(action_id=action.id, status="G", author_id=author.id, created_at=v9_updated))


def who(repo: PlanRepository, messages: list) -> list[tuple[str, str, str]]:
    """(job, email, period key) of each message, as a user would read the outbox."""
    return [(m.job, m.recipient.email, m.period_key) for m in messages]


class TestNudges:
    def test_owner_nudged_when_update_due_within_three_days(self, repo: PlanRepository, plan: Plan) -> None:
        """V9, monthly, last reported 28 October, is due 28 November: its owner is nudged on the 26th."""
        report_everything_complete_but_v9(repo, plan, dt.datetime(2018, 10, 28, 12))
        messages = nudges_and_escalations(repo, "2018-11-26", MONDAY, DEFAULT_SCHEME)
        assert [(NUDGE, V9_OWNER["email"], "V9:2018-11-26")] == who(repo, messages)
        assert "28 Nov 2018" in messages[0].reply.text
        assert ("V9", "G") == (messages[0].action_code, messages[0].status)

    def test_not_nudged_when_update_not_yet_due(self, repo: PlanRepository, plan: Plan) -> None:
        """Reported on 20 November, V9's next update is due 20 December: no nudge on the 26th."""
        report_everything_complete_but_v9(repo, plan, dt.datetime(2018, 11, 20, 12))
        assert [] == nudges_and_escalations(repo, "2018-11-26", MONDAY, DEFAULT_SCHEME)

    def test_never_reported_action_is_nudged(self, repo: PlanRepository, plan: Plan) -> None:
        """An action with no update at all is chased: its first update is due now."""
        report_everything_complete_but_v9(repo, plan, None)
        messages = nudges_and_escalations(repo, "2018-11-26", MONDAY, DEFAULT_SCHEME)
        assert [(NUDGE, V9_OWNER["email"], "V9:2018-11-26")] == who(repo, messages)
        assert "no update yet" in messages[0].reply.text

    def test_at_most_one_nudge_per_action_in_seven_days(self, repo: PlanRepository, plan: Plan) -> None:
        """Nudged on Monday, the owner hears nothing more about V9 until the following Monday."""
        report_everything_complete_but_v9(repo, plan, dt.datetime(2018, 10, 1, 12))
        first = nudges_and_escalations(repo, "2018-11-26", MONDAY, DEFAULT_SCHEME)
        run = claim(repo, first[0].job, first[0].target, first[0].period_key, MONDAY)
        assert run is not None
        mark_sent(repo, run, "1.1", MONDAY)
        for day in range(1, 7):
            later = MONDAY + dt.timedelta(days=day)
            assert [] == nudges_and_escalations(repo, later.date().isoformat(), later, DEFAULT_SCHEME)
        week_later = MONDAY + dt.timedelta(days=7)
        again = nudges_and_escalations(repo, "2018-12-03", week_later, DEFAULT_SCHEME)
        assert [(NUDGE, V9_OWNER["email"], "V9:2018-12-03")] == who(repo, again)

    def test_a_failed_nudge_does_not_count(self, repo: PlanRepository, plan: Plan) -> None:
        """A nudge Slack refused was never read, so the next working day tries again."""
        report_everything_complete_but_v9(repo, plan, dt.datetime(2018, 10, 1, 12))
        first = nudges_and_escalations(repo, "2018-11-26", MONDAY, DEFAULT_SCHEME)
        run = claim(repo, first[0].job, first[0].target, first[0].period_key, MONDAY)
        assert run is not None
        mark_failed(repo, run, "user_not_found", MONDAY)
        tuesday = MONDAY + dt.timedelta(days=1)
        assert [NUDGE] == [m.job for m in nudges_and_escalations(repo, "2018-11-27", tuesday, DEFAULT_SCHEME)]

    def test_escalated_to_sro_more_than_fourteen_days_overdue(self, repo: PlanRepository, plan: Plan) -> None:
        """V9 was due 31 December 2018: the SRO hears on 15 January (15 days late), not on the 14th."""
        report_everything_complete_but_v9(repo, plan, dt.datetime(2019, 1, 10, 12))
        on_14th = nudges_and_escalations(repo, "2019-01-14", dt.datetime(2019, 1, 14, 10), DEFAULT_SCHEME)
        assert ESCALATION not in [m.job for m in on_14th]
        on_15th = nudges_and_escalations(repo, "2019-01-15", dt.datetime(2019, 1, 15, 10), DEFAULT_SCHEME)
        assert [(ESCALATION, V9_SRO["email"], "V9:2019-01-15")] == who(repo, on_15th)
        assert "15 days overdue" in on_15th[0].reply.text


class TestQuarterCloseReminder:
    def test_owners_asked_for_the_quarter_end_status(self, repo: PlanRepository, plan: Plan) -> None:
        """V9's owner is asked for Q3's status by its cut-off, 15 January 2019; finished actions are left out."""
        report_everything_complete_but_v9(repo, plan, dt.datetime(2018, 12, 1, 12))
        messages = quarter_close_reminders(repo, Quarter(2018, 3), DEFAULT_SCHEME)
        assert [("quarter_close_reminder", V9_OWNER["email"], "FY2018-19-Q3")] == who(repo, messages)
        text = messages[0].reply.text
        assert "V9" in text and "15 Jan 2019" in text and "31 Dec 2018" in text
        assert V9["title"] in text


def audit_keys(session: Session) -> list[tuple[str, str, str]]:
    rows = session.exec(select(AuditEntry).where(AuditEntry.entity == "channel_subscription"))
    return [(a.entity_key, a.change, a.actor) for a in rows]


class TestSubscriptions:
    def test_admin_subscribes_a_channel_by_slack_reference(
        self, repo: PlanRepository, plan: Plan, session: Session
    ) -> None:
        """``<#C0123ABC|coordination>`` is stored as the channel id, and the change is audited."""
        admin = actor_for(repo, ADMIN_EMAILS[0])
        reply = subscribe(admin, repo, "<#C0123ABC|coordination>", "Weekly", MONDAY)
        assert "will receive the weekly digest" in reply.text
        stored = [(s.channel, s.job, s.created_by) for s in session.exec(select(ChannelSubscription))]
        assert [("C0123ABC", "weekly", admin.email)] == stored
        assert [("C0123ABC:weekly", "add", admin.email)] == audit_keys(session)

    def test_subscribing_twice_changes_nothing(self, repo: PlanRepository, plan: Plan, session: Session) -> None:
        admin = actor_for(repo, ADMIN_EMAILS[0])
        subscribe(admin, repo, "#governance", "quarterly", MONDAY)
        reply = subscribe(admin, repo, "#governance", "quarterly", MONDAY)
        assert "already receives the quarterly summary" in reply.text
        assert 1 == len(audit_keys(session))

    def test_unsubscribe_is_audited(self, repo: PlanRepository, plan: Plan, session: Session) -> None:
        admin = actor_for(repo, ADMIN_EMAILS[1])
        subscribe(admin, repo, "C0123ABC", "nudges", MONDAY)
        reply = unsubscribe(admin, repo, "<#C0123ABC>", "nudges", MONDAY)
        assert "will no longer receive" in reply.text
        assert [] == repo.subscriptions()
        assert ["add", "remove"] == [change for _, change, _ in audit_keys(session)]

    def test_only_admins(self, repo: PlanRepository, plan: Plan, session: Session) -> None:
        """Anyone else is told who the admins are, and nothing is stored."""
        with pytest.raises(NotAuthorised) as refused:
            subscribe(actor_for(repo, STRANGER["email"]), repo, "#governance", "weekly", MONDAY)
        for email in ADMIN_EMAILS:
            person = repo.person_by_email(email)
            assert person is not None and person.name in refused.value.message
        assert [] == repo.subscriptions() and [] == audit_keys(session)

    @pytest.mark.parametrize(
        ("channel", "job", "complaint"),
        [
            ("#governance", "monthly", '"monthly" is not something a channel can receive'),
            ("governance", "weekly", '"governance" is not a channel'),
            ("<@U0123ABC>", "weekly", "is not a channel"),
            ("#Gov Channel", "weekly", "is not a channel"),
        ],
    )
    def test_validation(self, repo: PlanRepository, plan: Plan, channel: str, job: str, complaint: str) -> None:
        """A wrong job word or something that is not a channel is refused with the correct form."""
        with pytest.raises(ParseError) as refused:
            subscribe(actor_for(repo, ADMIN_EMAILS[0]), repo, channel, job, MONDAY)
        assert complaint in refused.value.message
        assert "/plan admin subscribe #channel weekly|quarterly|nudges" in refused.value.usage

    def test_list_marks_configured_channels(self, repo: PlanRepository, plan: Plan) -> None:
        subscribe(actor_for(repo, ADMIN_EMAILS[0]), repo, "C0SUBSCRIBED", "weekly", MONDAY)
        reply = list_subscriptions(repo, {"weekly": ("C0FROMENV",)})
        assert "The weekly digest: channel C0FROMENV (configured), channel C0SUBSCRIBED" in reply.text
        assert "The quarterly summary: no channel" in reply.text
