"""Leave: while someone is away they are neither nudged nor escalated about, their cover (or else a
delegate, or else the SRO) is nudged instead, reports say "on leave until", deadlines do not move;
``/rag back`` or the date passing restores their reminders; every refusal changes nothing.

Runs on the test database (SQLite, or PostgreSQL with ``PLANBOT_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, func, select
from support.rag_support import ADMIN_EMAILS, STRANGER, V9_OWNER, V9_SRO, actor_for

from commands.home import home_layout, home_view
from commands.model import Invocation, Reply
from commands.nudges import (
    ESCALATION,
    NUDGE,
    DirectMessage,
    nudge_digest,
    nudges_and_escalations,
    quarter_close_reminders,
)
from commands.periods import Quarter
from commands.plan_dispatch import handle_plan
from commands.rag import handle_rag
from commands.report_builders import overdue_list, weekly_digest
from commands.report_layout import report_layout
from commands.rules import DEFAULT_SCHEME
from commands.update_form import update_choices
from storage.models import AuditEntry, Delegate, Leave
from storage.repository import PlanRepository

# Monday 4 February 2019: nothing is reported yet, so every lead is due a nudge, and V9 (due 31 Dec
# 2018) is more than 14 days overdue, so its SRO is escalated to.
NOW = dt.datetime(2019, 2, 4, 10, 0)
DAY = NOW.date().isoformat()
OWNER = V9_OWNER["email"]  # Head of Criminal Justice: owns V9, V2, O1 and O7
SRO = V9_SRO["email"]
COVER, COVER_NAME = STRANGER["email"], STRANGER["name"]
ADMIN = ADMIN_EMAILS[0]
UNTIL = "2019-02-15"
ON_LEAVE = "on leave until 15 Feb 2019"
OWNED = {"V9", "V2", "O1", "O7"}

pytestmark = pytest.mark.usefixtures("plan")


def rag(repo: PlanRepository, who: str, text: str, now: dt.datetime = NOW) -> Reply:
    return handle_rag(Invocation(actor_for(repo, who), text), repo, now)


def admin(repo: PlanRepository, who: str, text: str) -> Reply:
    answer = handle_plan(Invocation(actor_for(repo, who), text), repo, NOW)
    assert isinstance(answer, Reply)
    return answer


def messages(repo: PlanRepository, now: dt.datetime = NOW) -> list[DirectMessage]:
    return nudges_and_escalations(repo, now.date().isoformat(), now, DEFAULT_SCHEME)


def about(sent: list[DirectMessage], email: str, job: str = NUDGE) -> set[str]:
    """The actions ``email`` was sent a ``job`` about."""
    return {m.action_code or "" for m in sent if m.recipient.email == email and m.job == job}


def stored(session: Session) -> tuple[int, int]:
    """Leave rows and audit entries: a refused command must change neither."""
    leaves = session.exec(select(func.count()).select_from(Leave)).one()
    audits = session.exec(select(func.count()).select_from(AuditEntry)).one()
    return leaves, audits


class TestNudgesWhileAway:
    def test_without_leave_the_owner_is_nudged_and_the_sro_escalated_to(self, repo: PlanRepository) -> None:
        sent = messages(repo)
        assert OWNED <= about(sent, OWNER)
        assert "V9" in about(sent, SRO, ESCALATION)

    def test_the_cover_is_nudged_instead_and_the_sro_is_not_escalated_to(self, repo: PlanRepository) -> None:
        reply = rag(repo, OWNER, f"away until {UNTIL} cover {COVER}")
        assert reply.ok, reply.text
        assert "You are on leave until 15 Feb 2019" in reply.text and COVER_NAME in reply.text
        assert [COVER] == [n.email for n in reply.notices]

        sent = messages(repo)
        assert set() == about(sent, OWNER) | about(sent, OWNER, ESCALATION)
        assert OWNED <= about(sent, COVER)
        assert "V9" not in about(sent, SRO, ESCALATION)
        to_cover = next(m for m in sent if m.recipient.email == COVER and m.action_code == "V9")
        assert to_cover.reply.text.startswith(f"You are covering for Ollie Kerr, {ON_LEAVE}. ")
        digest = nudge_digest(sent)
        assert digest is not None and f"V9: nudged {COVER_NAME} (covering for Ollie Kerr, {ON_LEAVE})" in digest.text

    def test_without_a_cover_a_delegate_is_nudged(self, repo: PlanRepository) -> None:
        v9, cover = repo.action_by_code("V9"), repo.person_by_email(COVER)
        assert v9 is not None and v9.id is not None and cover is not None and cover.id is not None
        repo.add(Delegate(action_id=v9.id, person_id=cover.id, created_at=NOW))
        assert rag(repo, OWNER, f"away until {UNTIL}").ok

        sent = messages(repo)
        assert "V9" in about(sent, COVER) and "V9" not in about(sent, SRO)
        assert set() == about(sent, OWNER)

    def test_without_a_cover_or_delegate_the_sro_is_nudged(self, repo: PlanRepository) -> None:
        assert rag(repo, OWNER, f"away until {UNTIL}").ok
        sent = messages(repo)
        assert OWNED <= about(sent, SRO)
        assert "V9" not in about(sent, SRO, ESCALATION)
        assert set() == about(sent, OWNER)

    def test_an_sro_away_is_escalated_to_through_their_cover_only(self, repo: PlanRepository) -> None:
        assert rag(repo, SRO, f"away until {UNTIL} cover {COVER}").ok
        sent = messages(repo)
        assert "V9" in about(sent, COVER, ESCALATION)
        assert set() == about(sent, SRO, ESCALATION)
        assert OWNED <= about(sent, OWNER)

    def test_a_cover_who_is_away_too_is_passed_over(self, repo: PlanRepository) -> None:
        assert rag(repo, COVER, f"away until {UNTIL}").ok
        assert rag(repo, OWNER, f"away until {UNTIL} cover {COVER}").ok
        sent = messages(repo)
        assert set() == about(sent, COVER) and OWNED <= about(sent, SRO)

    def test_quarter_close_reminders_go_to_the_cover(self, repo: PlanRepository) -> None:
        assert rag(repo, OWNER, f"away until {UNTIL} cover {COVER}").ok
        sent = quarter_close_reminders(repo, Quarter(2018, 4), DEFAULT_SCHEME, NOW)
        assert OWNER not in {m.recipient.email for m in sent}
        to_cover = next(m for m in sent if m.recipient.email == COVER)
        assert "V9" in to_cover.reply.text and "(covering for Ollie Kerr" in to_cover.reply.text


class TestLeaveEnds:
    def test_rag_back_restores_the_nudges(self, repo: PlanRepository, session: Session) -> None:
        assert rag(repo, OWNER, f"away until {UNTIL} cover {COVER}").ok
        reply = rag(repo, OWNER, "back")
        assert reply.ok and "Welcome back" in reply.text
        assert [COVER] == [n.email for n in reply.notices]
        sent = messages(repo)
        assert OWNED <= about(sent, OWNER) and set() == about(sent, COVER)
        assert "V9" in about(sent, SRO, ESCALATION)
        changes = session.exec(select(AuditEntry.change).where(AuditEntry.entity == "leave")).all()
        assert ["set", "end"] == list(changes)

    def test_the_leave_ends_by_itself_after_its_date(self, repo: PlanRepository) -> None:
        assert rag(repo, OWNER, f"away until {UNTIL}").ok
        on_the_last_day = dt.datetime(2019, 2, 15, 10)
        assert set() == about(messages(repo, on_the_last_day), OWNER)
        the_day_after = dt.datetime(2019, 2, 18, 10)
        assert OWNED <= about(messages(repo, the_day_after), OWNER)
        assert "You are not on leave" in rag(repo, OWNER, "back", the_day_after).text

    def test_an_admin_sets_and_ends_leave_for_someone_else(self, repo: PlanRepository, session: Session) -> None:
        reply = admin(repo, ADMIN, f"admin away {OWNER} until {UNTIL} cover {COVER}")
        assert reply.ok and "Ollie Kerr is on leave until 15 Feb 2019" in reply.text, reply.text
        assert {OWNER, COVER} == {n.email for n in reply.notices}
        assert set() == about(messages(repo), OWNER)
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "leave")).one()
        assert (ADMIN, OWNER, "set") == (entry.actor, entry.entity_key, entry.change)
        assert '"until": "2019-02-15"' in entry.detail and COVER in entry.detail
        assert admin(repo, ADMIN, f"admin back {OWNER}").ok
        assert OWNED <= about(messages(repo), OWNER)


class TestReportsWhileAway:
    def test_the_digest_shows_on_leave_until_beside_their_actions(self, repo: PlanRepository) -> None:
        assert rag(repo, OWNER, f"away until {UNTIL}").ok
        digest = weekly_digest(repo, NOW)
        v9 = next(row for row in digest.overdue if row.code == "V9")
        assert f"Head of Criminal Justice ({ON_LEAVE})" == v9.owner_role
        others = [row for row in digest.not_reported if row.code not in OWNED]
        assert others and all("on leave" not in row.owner_role for row in others)
        layout = report_layout(digest)
        cells = [cell for section in layout.sections for block in section.blocks for cell in _cells(block)]
        assert f"Head of Criminal Justice ({ON_LEAVE})" in cells

    def test_overdue_counting_is_unchanged(self, repo: PlanRepository) -> None:
        before = [row.code for row in overdue_list(repo, NOW).rows]
        assert rag(repo, OWNER, f"away until {UNTIL}").ok
        assert before == [row.code for row in overdue_list(repo, NOW).rows]
        assert "V9" in before

    def test_rag_mine_and_home_say_so(self, repo: PlanRepository) -> None:
        assert rag(repo, OWNER, f"away until {UNTIL} cover {COVER}").ok
        mine = rag(repo, OWNER, "mine")
        line = f"You are {ON_LEAVE} (cover: {COVER_NAME}): reminders pause, deadlines do not move."
        assert line in mine.text
        home = home_layout(home_view(actor_for(repo, OWNER), repo, NOW))
        assert any(line in str(block) for block in home.own.blocks)
        assert rag(repo, OWNER, "back").ok
        assert "on leave" not in rag(repo, OWNER, "mine").text


REFUSALS = [
    (OWNER, "away until 2019-02-01", "1 Feb 2019 has passed"),
    (OWNER, "away", "Say until when the leave lasts"),
    (OWNER, "away until", "Say until when the leave lasts"),
    (OWNER, "away until 15/02/2019", '"15/02/2019" is not a date'),
    (OWNER, f"away until {UNTIL} cover nobody@example.org", "No one with the email nobody@example.org"),
    (OWNER, f"away until {UNTIL} cover Zara", '"Zara" is not a person'),
    (OWNER, f"away until {UNTIL} cover {OWNER}", "Choose someone else to cover"),
    (OWNER, f"away until {UNTIL} on a beach", '"on a beach" is not part of a leave'),
    (OWNER, "back now", "/rag back takes nothing after it"),
]


@pytest.mark.parametrize(("who", "text", "said"), REFUSALS, ids=[r[1] for r in REFUSALS])
def test_each_refusal_says_why_and_changes_nothing(
    repo: PlanRepository, session: Session, who: str, text: str, said: str
) -> None:
    before = stored(session)
    reply = rag(repo, who, text)
    assert not reply.ok and said in reply.text, reply.text
    assert before == stored(session)
    assert OWNED <= about(messages(repo), OWNER)


ADMIN_REFUSALS = [
    (COVER, f"admin away {OWNER} until {UNTIL}", "Only admins can set leave for someone else"),
    (COVER, f"admin back {OWNER}", "Only admins can end someone else's leave"),
    (ADMIN, f"admin away {OWNER} until 2019-01-01", "1 Jan 2019 has passed"),
    (ADMIN, f"admin away {OWNER} until {UNTIL} cover {OWNER}", "Choose someone else to cover"),
    (ADMIN, f"admin away nobody@example.org until {UNTIL}", "No one with the email nobody@example.org"),
]


@pytest.mark.parametrize(("who", "text", "said"), ADMIN_REFUSALS, ids=[r[1] for r in ADMIN_REFUSALS])
def test_each_admin_refusal_says_why_and_changes_nothing(
    repo: PlanRepository, session: Session, who: str, text: str, said: str
) -> None:
    assert rag(repo, OWNER, f"away until {UNTIL}").ok
    before = stored(session)
    reply = admin(repo, who, text)
    assert not reply.ok and said in reply.text, reply.text
    assert before == stored(session)


def test_a_refused_leave_keeps_the_one_before(repo: PlanRepository, session: Session) -> None:
    assert rag(repo, OWNER, f"away until {UNTIL} cover {COVER}").ok
    assert not rag(repo, OWNER, "away until 2019-01-01").ok
    leave = session.exec(select(Leave)).one()
    assert dt.date(2019, 2, 15) == leave.until and leave.cover_id is not None


def _cells(block: object) -> list[str]:
    rows = getattr(block, "rows", ())
    return [str(cell) for row in rows for cell in row]


class TestTheCoverActs:
    """The cover is nudged in the away person's place, so may post what the nudge asks for."""

    def test_the_cover_may_update_while_the_lead_is_away_and_not_after(self, repo: PlanRepository) -> None:
        assert not rag(repo, COVER, "V9 amber Chased the CJS").ok
        assert rag(repo, OWNER, f"away until {UNTIL} cover {COVER}").ok

        reply = rag(repo, COVER, "V9 amber Chased the CJS")
        assert reply.ok, reply.text
        assert "Recorded as made by the cover of someone on leave" in reply.text
        assert "V9" in [c.code for c in update_choices(actor_for(repo, COVER), repo, NOW.date())]
        assert not rag(repo, COVER, "V2 amber Not covered here", dt.datetime(2019, 2, 18, 10)).ok

        assert rag(repo, OWNER, "back").ok
        refused = rag(repo, COVER, "V9 green Back on track")
        assert not refused.ok and "You can't update V9" in refused.text
        assert "V9" not in [c.code for c in update_choices(actor_for(repo, COVER), repo, NOW.date())]
