"""One set-up alert for every platform: every admin is told the fix once a (London) day per platform,
conversation and problem, and the outcome is kept for ``planbot jobs``; the platform only sends.

These run the alert without the delivery engine (a ``--no-scheduler`` process); Slack's and Teams'
own tests run it through the engine (``tests/slack/test_setup_alerts.py``,
``tests/teams/test_teams_delivery.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support.engine_support import settle
from test_scheduler import FakeReports

from bot.config import Settings
from bot.container import Container
from bot.scheduler import Scheduler
from bot.setup_alerts import AlertSender, alert_admins
from commands.job_status import RunState
from commands.ports import Recipient
from commands.setup_alerts import JOB, NO_ADMIN_REACHED
from storage.models import JobRun, Plan

MORNING = dt.datetime(2018, 11, 26, 9, 0)
ADMINS = {"emily.carter@example.org", "jo.haynes@example.org"}  # the sample plan's
FIX = "Invite @planbot to #pcp-coordination: open the channel and type /invite @planbot."


class Clock:
    def __init__(self) -> None:
        self.now = MORNING

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Sender:
    """A platform's notifier as the alert sees it: it sends, or (``refuses``) cannot."""

    container: Container
    refuses: frozenset[str] = frozenset()
    told: list[tuple[str, str]] = field(default_factory=list)

    def tell_admin(self, admin: Recipient, text: str) -> str | None:
        if admin.email in self.refuses:
            return None
        self.told.append((admin.email, text))
        return f"ts-{len(self.told)}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def container(db_url: str, engine: Engine, plan: Plan, session: Session, clock: Clock) -> Container:
    """planbot's container on the sample plan, committed so its units of work see the plan's admins."""
    session.commit()
    return Container(Settings(database_url=db_url), engine, clock)


def runs(container: Container) -> list[tuple[str, str, str, str, str]]:
    with container.unit_of_work() as repo:
        rows = repo.session.exec(select(JobRun).where(JobRun.job == JOB).order_by(JobRun.platform, JobRun.period_key))
        return [(r.platform, r.target, r.period_key, r.state, r.detail) for r in rows]


def test_every_admin_is_told_the_fix_once_a_day(container: Container, clock: Clock) -> None:
    sender = Sender(container)
    assert isinstance(sender, AlertSender)

    alert_admins(sender, "slack", "C0PCPCOORD:not_in_channel", FIX)
    clock.now += dt.timedelta(hours=6)
    alert_admins(sender, "slack", "C0PCPCOORD:not_in_channel", FIX)

    assert ADMINS == {email for email, _ in sender.told}
    assert {f"planbot needs a set-up fix. {FIX}"} == {text for _, text in sender.told}
    assert 2 == len(sender.told), "the same problem the same day is not told again"
    assert [("slack", "C0PCPCOORD:not_in_channel", "2018-11-26", RunState.SENT.value, "")] == runs(container)


def test_the_next_day_another_problem_or_another_platform_is_told_again(container: Container, clock: Clock) -> None:
    sender = Sender(container)

    alert_admins(sender, "slack", "C0PCPCOORD:not_in_channel", FIX)
    alert_admins(sender, "slack", "C0PCPCOORD:is_archived", FIX)
    alert_admins(sender, "teams", "C0PCPCOORD:not_in_channel", FIX)
    clock.now += dt.timedelta(days=1)
    alert_admins(sender, "slack", "C0PCPCOORD:not_in_channel", FIX)

    assert 8 == len(sender.told)
    assert [("slack", "2018-11-26"), ("slack", "2018-11-26"), ("slack", "2018-11-27"), ("teams", "2018-11-26")] == [
        (platform, day) for platform, _, day, _, _ in runs(container)
    ]


def test_an_alert_no_admin_could_receive_is_recorded_as_failed_and_not_retried_that_day(
    container: Container,
) -> None:
    refused, later = Sender(container, refuses=frozenset(ADMINS)), Sender(container)

    alert_admins(refused, "teams", "19:gone@thread.tacv2:404", FIX)
    alert_admins(later, "teams", "19:gone@thread.tacv2:404", FIX)

    assert [] == refused.told == later.told
    assert [("teams", "19:gone@thread.tacv2:404", "2018-11-26", RunState.FAILED.value, NO_ADMIN_REACHED)] == runs(
        container
    )


@pytest.mark.usefixtures("delivery_engine")
def test_through_the_delivery_engine_each_platform_sends_its_own_alert_once(container: Container) -> None:
    """Where the scheduler runs, the alert is one workflow per platform, problem and day, whichever
    process or platform starts it; each platform's notifier sends only its own."""
    slack, teams = Sender(container), Sender(container)
    Scheduler(container, {"slack": slack, "teams": teams}, FakeReports())

    for _ in range(2):
        alert_admins(slack, "slack", "C0PCPCOORD:not_in_channel", FIX)
        alert_admins(teams, "teams", "19:pcp@thread.tacv2:403", FIX)
    settle()

    assert ADMINS == {email for email, _ in slack.told} == {email for email, _ in teams.told}
    assert 2 == len(slack.told) == len(teams.told)
    assert [("slack", RunState.SENT.value), ("teams", RunState.SENT.value)] == [
        (platform, state) for platform, _, _, state, _ in runs(container)
    ]
