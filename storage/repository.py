"""The only door from the core into SQL: named queries and appends, never a commit.

Every method answers with a fixed number of queries whatever the plan size, so reports and
replies stay fast on a 3,000-action plan. The caller's unit of work (``storage.db.session_scope``)
decides when to commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage.models import (
    Action,
    ActionState,
    AuditEntry,
    ChannelSubscription,
    Delegate,
    ImportedValue,
    JobRun,
    Leave,
    Measure,
    PanelChart,
    Person,
    Plan,
    PlatformIdentity,
    QuarterSnapshot,
    ReceivedRequest,
    Role,
    RoleHolder,
    StatusUpdate,
    TeamsConversation,
    Theme,
)
from storage.report_queries import (
    ActionFacts,
    MeasureFacts,
    ReportQueries,
    RequestFacts,
    SnapshotRow,
    ThemeFacts,
    UpdateFacts,
)

__all__ = ["ActionFacts", "MeasureFacts", "PlanRepository", "RequestFacts", "SnapshotRow", "ThemeFacts", "UpdateFacts"]


class PlanRepository(ReportQueries):
    """Queries over one session; the current plan is the one marked current (``make_current``).

    A unit of work may be pinned to another plan (``pin_plan``, for ``planbot report --plan``):
    everything it asks of the current plan then answers for that plan instead.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._pinned: Plan | None = None
        self._current: Plan | None = None

    # -- plan structure -------------------------------------------------------------------

    def current_plan(self) -> Plan | None:
        """The plan commands refer to when they name an action id.

        A database none of whose plans is marked current (rows written without an import) falls
        back to the plan that started most recently. The plan marked current is read once per unit
        of work (an update asks for it three times); only ``make_current`` changes which one it is.
        """
        if self._pinned is not None:
            return self._pinned
        if self._current is not None:
            return self._current
        plan = self.session.exec(
            select(Plan).order_by(col(Plan.is_current).desc(), col(Plan.period_start).desc(), col(Plan.id).desc())
        ).first()
        if plan is not None and plan.is_current:
            self._current = plan
        return plan

    def pin_plan(self, plan: Plan) -> None:
        """Make this unit of work's "current plan" ``plan``, without changing which plan is current."""
        self._pinned = plan

    def all_plans(self) -> list[Plan]:
        """Every plan, the newest period first."""
        return list(self.session.exec(select(Plan).order_by(col(Plan.period_start).desc(), col(Plan.id).desc())))

    def make_current(self, plan_id: int) -> None:
        """Mark one plan current and every other not (a plain UPDATE: which plan is current is not
        the plans' structure, so it leaves their structure stamps alone)."""
        self._current = None
        self.session.execute(
            update(Plan)
            .where(col(Plan.id) != plan_id, col(Plan.is_current) == True)  # noqa: E712
            .values(is_current=False)
            .execution_options(synchronize_session="evaluate")
        )
        self.session.execute(
            update(Plan)
            .where(col(Plan.id) == plan_id)
            .values(is_current=True)
            .execution_options(synchronize_session="evaluate")
        )

    def plan_action_counts(self) -> dict[int, tuple[int, int]]:
        """Per plan id: how many actions it has, and how many of them are active."""
        rows = self.session.exec(
            select(Action.plan_id, Action.state, func.count()).group_by(col(Action.plan_id), col(Action.state))
        )
        counts: dict[int, tuple[int, int]] = {}
        for plan_id, state, number in rows:
            total, active = counts.get(plan_id, (0, 0))
            counts[plan_id] = (total + number, active + (number if state == ActionState.ACTIVE.value else 0))
        return counts

    def imported_values(self, plan_id: int | None = None) -> list[ImportedValue]:
        """What the last import of a plan's file (of every plan's, when ``plan_id`` is ``None``) said."""
        query = select(ImportedValue)
        if plan_id is not None:
            query = query.where(ImportedValue.plan_id == plan_id)
        return list(self.session.exec(query))

    def roles_named_by_plans(self, plan_ids: Iterable[int]) -> set[int]:
        """Ids of the roles the plans' actions and themes name as owner, joint lead or SRO."""
        ids = set(plan_ids)
        if not ids:
            return set()
        owners = select(Action.owner_role_id).where(col(Action.plan_id).in_(ids))
        joint = select(Action.joint_lead_role_id).where(col(Action.plan_id).in_(ids))
        sros = select(Action.sro_role_id).where(col(Action.plan_id).in_(ids))
        themes = select(Theme.sro_role_id).where(col(Theme.plan_id).in_(ids), col(Theme.sro_role_id).is_not(None))
        named: set[int] = set()
        for query in (owners, joint, sros, themes):
            named |= {role_id for role_id in self.session.exec(query) if role_id is not None}
        return named

    def plan_by_short_name(self, short_name: str) -> Plan | None:
        """The plan a plan file names, which an import updates in place."""
        return self.session.exec(select(Plan).where(Plan.short_name == short_name)).first()

    def status_codes_used(self, plan_id: int) -> set[str]:
        """Every status code an update of the plan's actions (or a frozen quarter of them) holds:
        the colours a new scheme for the plan must keep."""
        updates = select(StatusUpdate.status).join(Action, col(Action.id) == StatusUpdate.action_id)
        frozen = select(QuarterSnapshot.status).join(Action, col(Action.id) == QuarterSnapshot.action_id)
        found = set(self.session.exec(updates.where(Action.plan_id == plan_id).distinct()))
        frozen_codes = self.session.execute(frozen.where(Action.plan_id == plan_id).distinct()).scalars()
        return found | {code for code in frozen_codes if code is not None}

    def action_by_code(self, code: str) -> Action | None:
        """Find an action of the current plan by id, in any case (``v9`` is ``V9``)."""
        plan = self.current_plan()
        if plan is None:
            return None
        return self.session.exec(
            select(Action).where(Action.plan_id == plan.id, func.upper(Action.code) == code.upper())
        ).first()

    def actions(self, plan_id: int) -> list[Action]:
        """Every action of a plan in plan order."""
        return list(
            self.session.exec(
                select(Action).where(Action.plan_id == plan_id).order_by(col(Action.position), col(Action.id))
            )
        )

    def actions_involving(self, plan_id: int, role_ids: Iterable[int], action_ids: Iterable[int]) -> list[Action]:
        """Actions of a plan led (as owner or joint lead) or sponsored by any of ``role_ids``, or listed in
        ``action_ids``, in plan order."""
        roles, ids = set(role_ids), set(action_ids)
        if not roles and not ids:
            return []
        involved = or_(
            col(Action.owner_role_id).in_(roles),
            col(Action.joint_lead_role_id).in_(roles),
            col(Action.sro_role_id).in_(roles),
            col(Action.id).in_(ids),
        )
        return list(
            self.session.exec(
                select(Action).where(Action.plan_id == plan_id, involved).order_by(col(Action.position), col(Action.id))
            )
        )

    def action_codes(self, plan_id: int) -> list[str]:
        """Ids only, for "did you mean" suggestions."""
        return list(self.session.exec(select(Action.code).where(Action.plan_id == plan_id)))

    def themes(self, plan_id: int) -> list[Theme]:
        """Themes of a plan in plan order."""
        return list(
            self.session.exec(
                select(Theme).where(Theme.plan_id == plan_id).order_by(col(Theme.position), col(Theme.id))
            )
        )

    def theme(self, theme_id: int) -> Theme | None:
        return self.session.get(Theme, theme_id)

    def role(self, role_id: int) -> Role | None:
        return self.session.get(Role, role_id)

    def roles(self, role_ids: Iterable[int]) -> dict[int, Role]:
        """Several roles in one query, keyed by id."""
        ids = set(role_ids)
        if not ids:
            return {}
        return {r.id: r for r in self.session.exec(select(Role).where(col(Role.id).in_(ids))) if r.id is not None}

    # -- people ---------------------------------------------------------------------------

    def person(self, person_id: int) -> Person | None:
        return self.session.get(Person, person_id)

    def people(self, person_ids: Iterable[int]) -> dict[int, Person]:
        """Several people in one query, keyed by id."""
        ids = set(person_ids)
        if not ids:
            return {}
        return {p.id: p for p in self.session.exec(select(Person).where(col(Person.id).in_(ids))) if p.id is not None}

    def everyone(self) -> list[Person]:
        """Every person planbot knows, for a plan import to match the file's people by email."""
        return list(self.session.exec(select(Person)))

    def admins(self) -> list[Person]:
        """Everyone who may manage the plan, by name."""
        return list(
            self.session.exec(select(Person).where(col(Person.is_admin)).order_by(col(Person.name), col(Person.email)))
        )

    def person_by_email(self, email: str) -> Person | None:
        return self.session.exec(select(Person).where(Person.email == email.strip().lower())).first()

    def people_by_emails(self, emails: Iterable[str]) -> dict[str, Person]:
        """The people with any of ``emails``, keyed by their (lower-case) email, in one query."""
        wanted = {email.strip().lower() for email in emails}
        if not wanted:
            return {}
        return {p.email: p for p in self.session.exec(select(Person).where(col(Person.email).in_(wanted)))}

    def people_by_name(self, name: str) -> list[Person]:
        """People whose name matches exactly, in any case (for choosing who to act as)."""
        return list(self.session.exec(select(Person).where(func.lower(Person.name) == name.strip().lower())))

    def holders(self, role_ids: Iterable[int]) -> dict[int, list[Person]]:
        """Current holders of each role, in one query."""
        ids = set(role_ids)
        result: dict[int, list[Person]] = {rid: [] for rid in ids}
        if not ids:
            return result
        rows = self.session.exec(
            select(RoleHolder.role_id, Person)
            .join(Person, col(Person.id) == RoleHolder.person_id)
            .where(col(RoleHolder.role_id).in_(ids))
            .order_by(col(Person.name))
        )
        for role_id, person in rows:
            result[role_id].append(person)
        return result

    def roles_held(self, person_id: int) -> set[int]:
        """Ids of the roles a person holds."""
        return set(self.session.exec(select(RoleHolder.role_id).where(RoleHolder.person_id == person_id)))

    def delegates(self, action_id: int) -> list[Person]:
        """People named as delegates for an action."""
        return list(
            self.session.exec(
                select(Person)
                .join(Delegate, col(Delegate.person_id) == Person.id)
                .where(Delegate.action_id == action_id)
                .order_by(col(Person.name))
            )
        )

    def delegates_of(self, action_ids: Iterable[int]) -> dict[int, list[Person]]:
        """Each action's delegates in one query (actions with none are absent)."""
        ids = set(action_ids)
        if not ids:
            return {}
        rows = self.session.exec(
            select(Delegate.action_id, Person)
            .join(Person, col(Person.id) == Delegate.person_id)
            .where(col(Delegate.action_id).in_(ids))
            .order_by(col(Person.name))
        )
        found: dict[int, list[Person]] = {}
        for action_id, person in rows:
            found.setdefault(action_id, []).append(person)
        return found

    def leave(self, person_id: int) -> Leave | None:
        """A person's leave row, whether or not its date has passed."""
        return self.session.exec(select(Leave).where(Leave.person_id == person_id)).first()

    def roles_covered(self, person_id: int, day: dt.date) -> set[int]:
        """Ids of the roles held by the people ``person_id`` covers for on ``day`` (none when they cover no one)."""
        covered = select(Leave.person_id).where(Leave.cover_id == person_id, Leave.until >= day)
        return set(self.session.exec(select(RoleHolder.role_id).where(col(RoleHolder.person_id).in_(covered))))

    def leaves_on(self, day: dt.date) -> dict[int, Leave]:
        """Everyone on leave on ``day`` (a leave lasts to the end of its ``until`` date), by person id."""
        return {leave.person_id: leave for leave in self.session.exec(select(Leave).where(Leave.until >= day))}

    def delegated_action_ids(self, person_id: int) -> set[int]:
        return set(self.session.exec(select(Delegate.action_id).where(Delegate.person_id == person_id)))

    def all_roles(self) -> list[Role]:
        """Every role by title, to find one by name and suggest near misses."""
        return list(self.session.exec(select(Role).order_by(col(Role.title))))

    def role_holdings(self, role_id: int) -> list[RoleHolder]:
        """The rows saying who holds a role, for re-assigning it."""
        return list(self.session.exec(select(RoleHolder).where(RoleHolder.role_id == role_id)))

    def all_role_holdings(self) -> list[RoleHolder]:
        """Every role holding, for a plan import to drop the holdings its file no longer lists."""
        return list(self.session.exec(select(RoleHolder)))

    def plan_measure_rows(self, plan_id: int) -> list[Measure]:
        """Every strategic measure of a plan's actions, as rows a plan import may change."""
        return list(
            self.session.exec(
                select(Measure).join(Action, col(Action.id) == Measure.action_id).where(Action.plan_id == plan_id)
            )
        )

    def delegation(self, action_id: int, person_id: int) -> Delegate | None:
        return self.session.exec(
            select(Delegate).where(Delegate.action_id == action_id, Delegate.person_id == person_id)
        ).first()

    # -- platform identities --------------------------------------------------------------

    def identity(self, platform: str, external_id: str) -> PlatformIdentity | None:
        return self.session.exec(
            select(PlatformIdentity).where(
                PlatformIdentity.platform == platform, PlatformIdentity.external_id == external_id
            )
        ).first()

    def person_by_identity(self, platform: str, external_id: str) -> Person | None:
        """The person a platform user id is linked to, in one query (every command a person sends asks)."""
        return self.session.exec(
            select(Person)
            .join(PlatformIdentity, col(PlatformIdentity.person_id) == Person.id)
            .where(PlatformIdentity.platform == platform, PlatformIdentity.external_id == external_id)
        ).first()

    def external_ids(self, platform: str, person_ids: Iterable[int]) -> dict[int, str]:
        """Platform user ids of people, so a renderer can mention them."""
        ids = set(person_ids)
        if not ids:
            return {}
        rows = self.session.exec(
            select(PlatformIdentity.person_id, PlatformIdentity.external_id).where(
                PlatformIdentity.platform == platform, col(PlatformIdentity.person_id).in_(ids)
            )
        )
        return dict(rows.all())

    def linked_external_ids(self, platform: str, external_ids: Iterable[str]) -> set[str]:
        """Those of ``external_ids`` already matched to a person on ``platform``, in one query."""
        ids = set(external_ids)
        if not ids:
            return set()
        rows = self.session.exec(
            select(PlatformIdentity.external_id).where(
                PlatformIdentity.platform == platform, col(PlatformIdentity.external_id).in_(ids)
            )
        )
        return set(rows.all())

    def platforms_of(self, person_id: int) -> list[str]:
        """The platforms a person has used planbot on, most recently seen first."""
        rows = self.session.exec(
            select(PlatformIdentity.platform)
            .where(PlatformIdentity.person_id == person_id)
            .order_by(col(PlatformIdentity.seen_at).desc())
        )
        return list(dict.fromkeys(rows.all()))

    def add(self, row: object) -> None:
        """Stage a new row and flush so its id is known."""
        self.session.add(row)
        self.session.flush()

    def add_all(self, rows: Iterable[object]) -> None:
        """Stage new rows and flush them together, so their ids are known and later rows can use them."""
        self.session.add_all(list(rows))
        self.session.flush()

    # -- status updates -------------------------------------------------------------------

    def recent_updates(self, action_id: int, limit: int) -> list[StatusUpdate]:
        """Newest first."""
        return list(
            self.session.exec(
                select(StatusUpdate)
                .where(StatusUpdate.action_id == action_id)
                .order_by(col(StatusUpdate.created_at).desc(), col(StatusUpdate.id).desc())
                .limit(limit)
            )
        )

    # -- audit ----------------------------------------------------------------------------

    def audit(self, *, at: dt.datetime, actor: str, entity: str, key: str, change: str, detail: dict[str, Any]) -> None:
        """Append an audit entry; ``detail`` is stored as JSON."""
        self.session.add(
            AuditEntry(
                at=at,
                actor=actor,
                entity=entity,
                entity_key=key,
                change=change,
                detail=json.dumps(detail, sort_keys=True, default=str),
            )
        )

    def audit_entries(self, entity: str, change: str, since: dt.datetime, before: dt.datetime) -> list[AuditEntry]:
        """Audit entries of one kind in ``[since, before)``, oldest first (e.g. actions a plan import added)."""
        return list(
            self.session.exec(
                select(AuditEntry)
                .where(AuditEntry.entity == entity, AuditEntry.change == change)
                .where(col(AuditEntry.at) >= since, col(AuditEntry.at) < before)
                .order_by(col(AuditEntry.at), col(AuditEntry.id))
            )
        )

    # -- scheduled job runs and channel subscriptions -----------------------------------

    def insert_once(self, row: object) -> bool:
        """Insert a row guarded by a unique constraint; ``False`` when an equal row already exists.

        The insert runs in a SAVEPOINT, so losing the race leaves the caller's unit of work usable.
        """
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def forget_received_before(self, moment: dt.datetime) -> None:
        """Drop the claims on requests received before ``moment`` (no platform retries that late)."""
        self.session.execute(delete(ReceivedRequest).where(col(ReceivedRequest.received_at) < moment))

    def job_run(self, job: str, target: str, period_key: str, platform: str = "slack") -> JobRun | None:
        return self.session.exec(
            select(JobRun).where(
                JobRun.job == job, JobRun.platform == platform, JobRun.target == target, JobRun.period_key == period_key
            )
        ).first()

    def job_runs_since(self, jobs: Iterable[str], since: dt.datetime, states: Iterable[str]) -> list[JobRun]:
        """Runs of the given jobs claimed at or after ``since`` and now in one of ``states``."""
        return list(
            self.session.exec(
                select(JobRun).where(
                    col(JobRun.job).in_(set(jobs)), JobRun.claimed_at >= since, col(JobRun.state).in_(set(states))
                )
            )
        )

    def job_runs_since_any(self, since: dt.datetime) -> list[JobRun]:
        """Every run claimed at or after ``since``, oldest first (for the runs overview)."""
        return list(
            self.session.exec(select(JobRun).where(JobRun.claimed_at >= since).order_by(col(JobRun.claimed_at)))
        )

    def update_job_run(self, run: JobRun, expected_state: str, values: dict[str, object]) -> bool:
        """Change a run only if it is still in ``expected_state`` at the same attempt; ``True`` if it was.

        One conditional UPDATE, so of two processes acting on the same run exactly one succeeds
        (PostgreSQL makes the second wait for the first and then re-checks the condition).
        """
        result = self.session.execute(
            update(JobRun)
            .where(col(JobRun.id) == run.id, col(JobRun.state) == expected_state, col(JobRun.attempts) == run.attempts)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        for name, value in values.items():
            set_committed_value(run, name, value)
        return True

    def subscriptions(self) -> list[ChannelSubscription]:
        """Every channel subscription, by job, platform, then channel."""
        return list(
            self.session.exec(
                select(ChannelSubscription).order_by(
                    col(ChannelSubscription.job), col(ChannelSubscription.platform), col(ChannelSubscription.channel)
                )
            )
        )

    def subscription(self, platform: str, channel: str, job: str) -> ChannelSubscription | None:
        return self.session.exec(
            select(ChannelSubscription).where(
                ChannelSubscription.platform == platform,
                ChannelSubscription.channel == channel,
                ChannelSubscription.job == job,
            )
        ).first()

    def delete(self, row: object) -> None:
        """Remove a row that may be removed (a channel subscription, a role holding, a delegation; never an
        update or audit entry)."""
        if row is self._current:
            self._current = None
        self.session.delete(row)
        self.session.flush()

    # -- Teams conversations -----------------------------------------------------------------

    def teams_conversation(self, conversation_id: str) -> TeamsConversation | None:
        return self.session.exec(
            select(TeamsConversation).where(TeamsConversation.conversation_id == conversation_id)
        ).first()

    def remember_teams_conversation(self, seen: TeamsConversation) -> TeamsConversation:
        """Keep ``seen``'s service URL, tenant and person on its conversation's row, adding it the first time.

        Two processes seeing a new conversation at once race on the unique id; the loser updates the
        winner's row instead.
        """
        row = self.teams_conversation(seen.conversation_id)
        if row is not None and _unchanged(row, seen):
            return row
        if row is None and self.insert_once(seen):
            return seen
        row = row or self.teams_conversation(seen.conversation_id)
        assert row is not None, "the row that won the race"
        for name in ("kind", "service_url", "tenant_id", "seen_at", "active"):
            setattr(row, name, getattr(seen, name))
        row.person_id = seen.person_id if seen.person_id is not None else row.person_id
        self.session.add(row)
        self.session.flush()
        return row

    def teams_personal_chat(self, person_id: int) -> TeamsConversation | None:
        """The person's 1:1 chat with planbot on Teams, the most recently seen if several."""
        return self.session.exec(
            select(TeamsConversation)
            .where(
                TeamsConversation.person_id == person_id,
                TeamsConversation.kind == "personal",
                col(TeamsConversation.active).is_(True),
            )
            .order_by(col(TeamsConversation.seen_at).desc())
        ).first()

    # -- Panel charts ------------------------------------------------------------------------

    def panel_charts(self, plan_id: int, quarter_key: str) -> dict[str, PanelChart]:
        """The charts kept for a quarter's Panel appendix, by kind, in one query: as the database
        holds them now, even when this unit of work has since kept others (``keep_panel_chart``
        writes past the session's copies)."""
        rows = self.session.exec(
            select(PanelChart)
            .where(PanelChart.plan_id == plan_id, PanelChart.quarter_key == quarter_key)
            .execution_options(populate_existing=True)
        )
        return {row.kind: row for row in rows}

    def keep_panel_chart(self, chart: PanelChart) -> None:
        """Keep ``chart`` as its plan, quarter and kind's chart, in place of any kept before, in one
        ``INSERT … ON CONFLICT DO UPDATE``: two exports keeping the same chart at once both succeed."""
        table: Table = PanelChart.__table__  # type: ignore[attr-defined]
        key = ("plan_id", "quarter_key", "kind")
        kept = ("fingerprint", "title", "alt", "png")
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table).values({name: getattr(chart, name) for name in (*key, *kept)})
        self.session.execute(
            insert.on_conflict_do_update(index_elements=key, set_={name: insert.excluded[name] for name in kept})
        )


TEAMS_SEEN_EVERY = dt.timedelta(hours=1)
"""How stale a Teams conversation's ``seen_at`` may grow before an activity rewrites an unchanged row."""


def _unchanged(row: TeamsConversation, seen: TeamsConversation) -> bool:
    """Nothing a later post needs has changed, and the row was seen recently: no write is needed."""
    same = all(getattr(row, name) == getattr(seen, name) for name in ("kind", "service_url", "tenant_id", "active"))
    person = seen.person_id is None or seen.person_id == row.person_id
    return same and person and seen.seen_at - row.seen_at < TEAMS_SEEN_EVERY
