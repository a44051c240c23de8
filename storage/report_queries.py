"""The queries behind governance reports, mixed into ``PlanRepository``.

Each method is one SQL statement over the whole plan (joined on ``action.plan_id`` rather than a
list of ids), so a report costs the same number of queries on a 34-action plan as on a
3,000-action one. Correlated subqueries walking the (action, created_at, id) index pick each
action's newest updates in the database instead of loading every update into Python, and rows come
back as plain columns (named tuples), not ORM objects, because reports read thousands of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Executable,
    Row,
    ScalarSelect,
    Select,
    Table,
    bindparam,
    case,
    func,
    literal,
    union_all,
    update,
)
from sqlalchemy import select as select_columns
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Action,
    Delegate,
    JobRun,
    Measure,
    MeasureValue,
    Person,
    QuarterSnapshot,
    Reprofile,
    Role,
    StatusUpdate,
    Theme,
)


class UpdateFacts(NamedTuple):
    """What reports read of a status update: plain columns, not an ORM object, because building
    tens of thousands of ORM objects would cost more than the queries themselves."""

    id: int
    action_id: int
    status: str
    reason: str
    restricted: bool
    created_at: dt.datetime
    mitigation: str = ""
    outcome: str = ""


UPDATE_FACTS = (
    col(StatusUpdate.id),
    col(StatusUpdate.action_id),
    col(StatusUpdate.status),
    col(StatusUpdate.reason),
    col(StatusUpdate.restricted),
    col(StatusUpdate.created_at),
    col(StatusUpdate.mitigation),
    col(StatusUpdate.outcome),
)
_FACTS = len(UPDATE_FACTS)


class ActionFacts(NamedTuple):
    """What reports read of an action, as plain columns: reports walk every action of the plan,
    and 3,000 ORM objects cost several times the query that reads them."""

    id: int
    theme_id: int
    code: str
    title: str
    owner_role_id: int
    baseline_due: dt.date
    current_due: dt.date
    priority: bool
    state: str
    state_approval: str | None
    state_changed_at: dt.datetime | None
    objective: str
    joint_lead_role_id: int | None = None


ACTION_FACTS = (
    col(Action.id),
    col(Action.theme_id),
    col(Action.code),
    col(Action.title),
    col(Action.owner_role_id),
    col(Action.baseline_due),
    col(Action.current_due),
    col(Action.priority),
    col(Action.state),
    col(Action.state_approval),
    col(Action.state_changed_at),
    col(Action.objective),
    col(Action.joint_lead_role_id),
)


class ThemeFacts(NamedTuple):
    """A theme as reports show it, as plain columns: reports keep these between units of work,
    which ORM objects, tied to their session, cannot be."""

    id: int
    code: str
    name: str
    sro_role_id: int | None


class SnapshotRow(NamedTuple):
    """An action's row in a quarter's snapshot: the status frozen (``None``: not reported by the
    cut-off), how many updates the quarter's window held (``None``: frozen before planbot kept
    the count) and the update frozen, as the snapshot recorded it."""

    status: str | None
    updates: int | None
    update: UpdateFacts | None


class MeasureFacts(NamedTuple):
    """A strategic measure as reports show it, as plain columns: its action and what it measures."""

    id: int
    action_code: str
    name: str
    unit: str
    polarity: str


class RequestFacts(NamedTuple):
    """A re-profile request: the update that proposed a new due date, and who made it."""

    action_id: int
    proposed_due: dt.date
    requested_at: dt.datetime
    author: str
    reason: str
    restricted: bool


class WindowFacts(NamedTuple):
    """An action's newest update, its status when a window opened (``None``: not yet reported
    then) and how many updates the window holds."""

    newest: UpdateFacts
    was: str | None
    updates: int


# A moment in a query: a value, or a bound parameter of a statement built once and reused.
Moment = dt.datetime | BindParameter[dt.datetime] | None

SINCE: BindParameter[dt.datetime] = bindparam("since")
BEFORE: BindParameter[dt.datetime] = bindparam("before")
PLAN_ID: BindParameter[int] = bindparam("plan_id")


def _on(update: type[StatusUpdate], since: Moment, before: Moment) -> list[ColumnElement[bool]]:
    """The conditions that keep an (aliased) update inside ``[since, before)``."""
    conditions = []
    if since is not None:
        conditions.append(col(update.created_at) >= since)
    if before is not None:
        conditions.append(col(update.created_at) < before)
    return conditions


def _newest(since: Moment, before: Moment, offset: int, column: str) -> ScalarSelect[Any]:
    """``column`` of the outer ``Action``'s update at ``offset`` from the newest in ``[since, before)``:
    a walk backwards down the (action, created_at, id) index that stops at once."""
    picked = aliased(StatusUpdate)
    return (
        select(getattr(picked, column))
        .where(picked.action_id == Action.id, *_on(picked, since, before))
        .order_by(col(picked.created_at).desc(), col(picked.id).desc())
        .limit(1)
        .offset(offset)
        .correlate(Action)
        .scalar_subquery()
    )


def _update_count(since: Moment, before: Moment, action_id: Any = Action.id) -> ScalarSelect[int]:
    """How many updates the action of the outer row (``Action`` unless another column is given)
    has in ``[since, before)``."""
    counted = aliased(StatusUpdate)
    return (
        select(func.count())
        .where(counted.action_id == action_id, *_on(counted, since, before))
        .correlate_except(counted)
        .scalar_subquery()
    )


def _newest_first(update: UpdateFacts) -> tuple[dt.datetime, int]:
    """Orders an action's updates by time, then id: the order the index walk found them in."""
    return update.created_at, update.id


@cache
def _newest_updates_statement(depth: int, themed: bool) -> Executable:
    """Each action's newest ``depth`` updates before ``before``, built once per shape.

    For each action and each of the ``depth`` places, a correlated scalar subquery walks the
    (action, created_at, id) index backwards and stops at once, so the cost follows the number
    of actions, not the length of their histories (a window function over every update is
    many times slower at 500,000 updates). Scalar subqueries in the select list, rather than
    ``IN (… LIMIT n)`` in a join, because PostgreSQL plans those per update, not per action.
    """

    def nth_newest(offset: int) -> Select[*tuple[Any, ...]]:
        chosen = (
            select_columns(*UPDATE_FACTS)
            .select_from(Action)
            .join(StatusUpdate, col(StatusUpdate.id) == _newest(None, BEFORE, offset, "id"))
            .where(col(Action.plan_id) == PLAN_ID)
        )
        return chosen.where(col(Action.theme_id) == bindparam("theme_id")) if themed else chosen

    return nth_newest(0) if depth == 1 else union_all(*(nth_newest(offset) for offset in range(depth)))


@cache
def _window_updates_statement() -> Executable:
    """Each action's newest update before ``before``, its status at ``since`` and its number of
    updates in between, built once.

    An action has updates in the window exactly when its newest update falls in it, so the
    count and the earlier status are looked up only for those actions (``CASE`` evaluates its
    branches lazily); for the rest the count is 0 and the status is the newest's.
    """
    moved = col(StatusUpdate.created_at) >= SINCE
    was = case((moved, _newest(None, SINCE, 0, "status")), else_=StatusUpdate.status)
    total = case((moved, _update_count(SINCE, BEFORE)), else_=0)
    return (
        select_columns(*UPDATE_FACTS, was.label("was"), total.label("total"))
        .select_from(Action)
        .join(StatusUpdate, col(StatusUpdate.id) == _newest(None, BEFORE, 0, "id"))
        .where(col(Action.plan_id) == PLAN_ID)
    )


@cache
def _quarter_statuses_statement() -> Executable:
    return select(QuarterSnapshot.quarter_key, QuarterSnapshot.action_id, QuarterSnapshot.status).where(
        col(QuarterSnapshot.plan_id) == PLAN_ID, col(QuarterSnapshot.quarter_key).in_(bindparam("keys", expanding=True))
    )


@cache
def _quarter_snapshot_statement() -> Executable:
    return select_columns(
        col(QuarterSnapshot.action_id),
        col(QuarterSnapshot.status),
        col(QuarterSnapshot.updates),
        col(QuarterSnapshot.update_id),
        col(QuarterSnapshot.reason),
        col(QuarterSnapshot.restricted),
        col(QuarterSnapshot.reported_at),
        col(QuarterSnapshot.mitigation),
        col(QuarterSnapshot.outcome),
    ).where(col(QuarterSnapshot.plan_id) == PLAN_ID, col(QuarterSnapshot.quarter_key) == bindparam("key"))


@cache
def _measure_values_statement() -> Executable:
    return select(MeasureValue.measure_id, MeasureValue.quarter_key, MeasureValue.value).where(
        col(MeasureValue.quarter_key).in_(bindparam("keys", expanding=True))
    )


@cache
def _reprofile_requests_statement() -> Executable:
    approved = select(Reprofile.id).where(
        Reprofile.action_id == StatusUpdate.action_id,
        Reprofile.created_at >= StatusUpdate.created_at,
        Reprofile.created_at < BEFORE,
    )
    return (
        select_columns(
            col(StatusUpdate.action_id),
            col(StatusUpdate.proposed_due),
            col(StatusUpdate.created_at),
            func.coalesce(func.nullif(Person.name, ""), Person.email),
            col(StatusUpdate.reason),
            col(StatusUpdate.restricted),
        )
        .join(Action, col(Action.id) == StatusUpdate.action_id)
        .join(Person, col(Person.id) == StatusUpdate.author_id)
        .where(
            col(Action.plan_id) == PLAN_ID,
            col(StatusUpdate.proposed_due).is_not(None),
            StatusUpdate.created_at < BEFORE,
            ~approved.exists(),
        )
        .order_by(col(StatusUpdate.created_at), col(StatusUpdate.id))
    )


class ReportQueries:
    """Plan-wide reads and bulk writes for reports; the session belongs to the caller's unit of work."""

    session: Session

    def _columns(self, statement: Executable, values: dict[str, Any] | None = None) -> Sequence[Row[*tuple[Any, ...]]]:
        """Every row of a statement that selects plain columns, run through the session's
        connection after flushing anything pending, and fetched at once: the ORM's result
        machinery, or fetching row by row, costs more than the query itself at thousands of rows.
        Report statements are built once with bound parameters (``values``): building one costs
        milliseconds, as much as a small query."""
        self.session.flush()
        return self.session.connection().execute(statement, values).all()

    def plan_actions(self, plan_id: int) -> list[ActionFacts]:
        """Every action of a plan in plan order, as plain columns."""
        rows = self._columns(
            select_columns(*ACTION_FACTS)
            .where(col(Action.plan_id) == plan_id)
            .order_by(col(Action.position), col(Action.id))
        )
        return [ActionFacts(*row) for row in rows]

    def plan_themes(self, plan_id: int) -> list[ThemeFacts]:
        """Every theme of a plan in plan order, as plain columns."""
        rows = self._columns(
            select_columns(col(Theme.id), col(Theme.code), col(Theme.name), col(Theme.sro_role_id))
            .where(col(Theme.plan_id) == plan_id)
            .order_by(col(Theme.position), col(Theme.id))
        )
        return [ThemeFacts(*row) for row in rows]

    def role_titles(self, role_ids: Iterable[int]) -> dict[int, str]:
        """The titles of several roles in one query, keyed by role id."""
        ids = set(role_ids)
        if not ids:
            return {}
        rows = self._columns(select_columns(col(Role.id), col(Role.title)).where(col(Role.id).in_(ids)))
        return dict(rows)

    def newest_updates(
        self, plan_id: int, *, before: dt.datetime, depth: int = 1, theme_id: int | None = None
    ) -> dict[int, tuple[UpdateFacts, ...]]:
        """For each action of a plan (or of one of its themes) with updates before ``before``: its
        newest ``depth`` of them, newest first, in one query. Actions not yet reported are absent.
        """
        values = {"plan_id": plan_id, "before": before, "theme_id": theme_id}
        found: dict[int, list[UpdateFacts]] = {}
        for facts in self._columns(_newest_updates_statement(depth, theme_id is not None), values):
            update = UpdateFacts(*facts)
            found.setdefault(update.action_id, []).append(update)
        if depth > 1:
            for updates in found.values():
                updates.sort(key=_newest_first, reverse=True)
        return {action_id: tuple(updates) for action_id, updates in found.items()}

    def window_updates(self, plan_id: int, *, since: dt.datetime, before: dt.datetime) -> dict[int, WindowFacts]:
        """For each action of a plan with an update before ``before``: its newest update, the
        status it stood at when ``since`` came, and how many updates it had in ``[since, before)``;
        what the weekly digest needs, in one query: one pass over the actions rather than one
        before the window and another inside it."""
        rows = self._columns(_window_updates_statement(), {"plan_id": plan_id, "since": since, "before": before})
        return {row[1]: WindowFacts(UpdateFacts(*row[:_FACTS]), row[_FACTS], row[_FACTS + 1]) for row in rows}

    def latest_updates(self, actions: Sequence[Action]) -> list[tuple[Action, StatusUpdate | None]]:
        """Each action with its newest update (``None``: never reported), in the order given, in
        one query: for each action a walk down the (action, created_at, id) index that stops at
        once. Nudges, ``/rag mine``, the Home view and each new update read it this way; a window
        function over every update measured about 37 times slower at 500,000 updates."""
        ids = [action.id for action in actions if action.id is not None]
        if not ids:
            return [(action, None) for action in actions]
        rows = self.session.exec(
            select(StatusUpdate)
            .select_from(Action)
            .join(StatusUpdate, col(StatusUpdate.id) == _newest(None, None, 0, "id"))
            .where(col(Action.id).in_(ids))
        )
        newest: dict[int | None, StatusUpdate] = {update.action_id: update for update in rows}
        return [(action, newest.get(action.id)) for action in actions]

    def latest_update(self, action: Action) -> StatusUpdate | None:
        """The action's newest update (``None``: never reported), by the same query as ``latest_updates``."""
        [(_, update)] = self.latest_updates([action])
        return update

    def action_updates(self, action_id: int) -> list[StatusUpdate]:
        """Every update of one action, oldest first: its whole history."""
        return list(
            self.session.exec(
                select(StatusUpdate)
                .where(StatusUpdate.action_id == action_id)
                .order_by(col(StatusUpdate.created_at), col(StatusUpdate.id))
            )
        )

    def updates_of(self, action_ids: Iterable[int], since: dt.datetime, before: dt.datetime) -> list[StatusUpdate]:
        """Every update of the given actions made in ``[since, before)``, oldest first, in one query
        (a theme's deep dive lists each of them)."""
        ids = set(action_ids)
        if not ids:
            return []
        return list(
            self.session.exec(
                select(StatusUpdate)
                .where(
                    col(StatusUpdate.action_id).in_(ids),
                    StatusUpdate.created_at >= since,
                    StatusUpdate.created_at < before,
                )
                .order_by(col(StatusUpdate.created_at), col(StatusUpdate.id))
            )
        )

    def delegations(self, action_ids: Iterable[int]) -> list[tuple[Delegate, Person]]:
        """The delegates named for the given actions, with who they are, oldest first, in one query."""
        ids = set(action_ids)
        if not ids:
            return []
        rows = self.session.exec(
            select(Delegate, Person)
            .join(Person, col(Person.id) == Delegate.person_id)
            .where(col(Delegate.action_id).in_(ids))
            .order_by(col(Delegate.created_at), col(Delegate.id))
        )
        return [(delegate, person) for delegate, person in rows]

    def quarter_statuses(self, plan_id: int, quarter_keys: Iterable[str]) -> dict[str, dict[int, str | None]]:
        """The statuses frozen in the given quarters' snapshots, keyed by quarter then action (``None``:
        not reported by the cut-off), in one query: comparing quarters needs nothing more."""
        keys = set(quarter_keys)
        result: dict[str, dict[int, str | None]] = {key: {} for key in keys}
        for key, action_id, status in self._columns(_quarter_statuses_statement(), {"plan_id": plan_id, "keys": keys}):
            result[key][action_id] = status
        return result

    def quarter_snapshot(self, plan_id: int, quarter_key: str) -> dict[int, SnapshotRow]:
        """A quarter's snapshot by action, read from the snapshot table alone: each row carries
        what a summary shows of the update it froze."""
        rows = self._columns(_quarter_snapshot_statement(), {"plan_id": plan_id, "key": quarter_key})
        return {
            action_id: SnapshotRow(
                status,
                updates,
                UpdateFacts(
                    update_id,
                    action_id,
                    status,
                    reason or "",
                    bool(restricted),
                    reported_at,
                    mitigation or "",
                    outcome or "",
                )
                if update_id is not None
                else None,
            )
            for action_id, status, updates, update_id, reason, restricted, reported_at, mitigation, outcome in rows
        }

    def write_quarter_snapshot(
        self, plan_id: int, quarter_key: str, *, since: dt.datetime, before: dt.datetime, now: dt.datetime
    ) -> None:
        """Snapshot every action of the plan not yet frozen for the quarter: its newest update
        before ``before`` (the end of the cut-off day) and the number of its updates in
        ``[since, before)``, in one ``INSERT … SELECT`` that sends no rows through Python.

        Rows already there are never touched, and a row another process inserts meanwhile is
        skipped (``ON CONFLICT DO NOTHING``), so two bots freezing the same quarter both succeed.
        """
        frozen = aliased(StatusUpdate)
        already = select(QuarterSnapshot.id).where(
            QuarterSnapshot.action_id == Action.id, QuarterSnapshot.quarter_key == quarter_key
        )
        chosen = (
            select_columns(
                literal(plan_id),
                literal(quarter_key),
                col(Action.id),
                col(frozen.status),
                col(frozen.id),
                # The newest update falls in the window exactly when the window holds any.
                case((col(frozen.created_at) >= since, _update_count(since, before)), else_=0),
                col(frozen.reason),
                col(frozen.restricted),
                col(frozen.created_at),
                literal(now, DateTime()),
                col(frozen.mitigation),
                col(frozen.outcome),
            )
            .select_from(Action)
            .outerjoin(frozen, col(frozen.id) == _newest(None, before, 0, "id"))
            .where(col(Action.plan_id) == plan_id, ~already.exists())
        )
        columns = [
            "plan_id",
            "quarter_key",
            "action_id",
            "status",
            "update_id",
            "updates",
            "reason",
            "restricted",
            "reported_at",
            "frozen_at",
            "mitigation",
            "outcome",
        ]
        table: Table = QuarterSnapshot.__table__  # type: ignore[attr-defined]
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        self.session.execute(dialect.insert(table).from_select(columns, chosen).on_conflict_do_nothing())

    def complete_snapshot(self, plan_id: int, quarter_key: str, *, since: dt.datetime, before: dt.datetime) -> None:
        """Complete a quarter's snapshot rows frozen before planbot kept the update count and the
        frozen update's reason and time: the count of updates in ``[since, before)``, and the
        rest from the update each row froze. Rows that are complete are left alone."""
        table: Table = QuarterSnapshot.__table__  # type: ignore[attr-defined]

        def frozen(column: str) -> ScalarSelect[Any]:
            picked = aliased(StatusUpdate)
            return select(getattr(picked, column)).where(picked.id == table.c.update_id).scalar_subquery()

        self.session.execute(
            update(table)
            .where(table.c.plan_id == plan_id, table.c.quarter_key == quarter_key, table.c.updates.is_(None))
            .values(
                updates=_update_count(since, before, table.c.action_id),
                reason=frozen("reason"),
                mitigation=frozen("mitigation"),
                outcome=frozen("outcome"),
                restricted=frozen("restricted"),
                reported_at=frozen("created_at"),
            )
        )

    def reprofile_requests(self, plan_id: int, before: dt.datetime) -> list[RequestFacts]:
        """Re-profile requests (updates proposing a new due date) made before ``before`` and not
        followed by a re-profile of their action by then, oldest first, in one query that reads
        only the requests (a partial index holds them)."""
        rows = self._columns(_reprofile_requests_statement(), {"plan_id": plan_id, "before": before})
        return [RequestFacts(*row) for row in rows]

    def reprofiles(self, plan_id: int, since: dt.datetime, before: dt.datetime) -> list[Reprofile]:
        """Due-date changes approved in ``[since, before)``, oldest first."""
        return list(
            self.session.exec(
                select(Reprofile)
                .join(Action, col(Action.id) == Reprofile.action_id)
                .where(col(Action.plan_id) == plan_id, Reprofile.created_at >= since, Reprofile.created_at < before)
                .order_by(col(Reprofile.created_at), col(Reprofile.id))
            )
        )

    def action_reprofiles(self, action_id: int) -> list[Reprofile]:
        """Every due-date change of one action, oldest first."""
        return list(
            self.session.exec(
                select(Reprofile)
                .where(Reprofile.action_id == action_id)
                .order_by(col(Reprofile.created_at), col(Reprofile.id))
            )
        )

    def plan_measures(self, plan_id: int) -> list[MeasureFacts]:
        """Every strategic measure of a plan's actions, in plan order."""
        rows = self._columns(
            select_columns(
                col(Measure.id), col(Action.code), col(Measure.name), col(Measure.unit), col(Measure.polarity)
            )
            .join(Action, col(Action.id) == Measure.action_id)
            .where(col(Action.plan_id) == plan_id)
            .order_by(col(Action.position), col(Action.id), col(Measure.id))
        )
        return [MeasureFacts(*row) for row in rows]

    def measure_values(self, quarter_keys: Iterable[str]) -> dict[tuple[int, str], float]:
        """Every measure value recorded for the given quarters, keyed by (measure id, quarter), in
        one query; the caller picks its plan's measures (values are few beside their measures)."""
        rows = self._columns(_measure_values_statement(), {"keys": set(quarter_keys)})
        return {(measure_id, key): value for measure_id, key, value in rows}

    def measure_value(self, measure_id: int, quarter_key: str) -> MeasureValue | None:
        return self.session.exec(
            select(MeasureValue).where(MeasureValue.measure_id == measure_id, MeasureValue.quarter_key == quarter_key)
        ).first()

    def action_measures(self, action_id: int) -> list[Measure]:
        return list(self.session.exec(select(Measure).where(Measure.action_id == action_id).order_by(col(Measure.id))))

    def last_run(self, job: str, state: str, platform: str | None = None, target: str | None = None) -> JobRun | None:
        """The most recently claimed run of a job in ``state`` (e.g. the last digest sent), to one
        target when ``platform`` and ``target`` are given."""
        query = select(JobRun).where(JobRun.job == job, JobRun.state == state)
        if platform is not None and target is not None:
            query = query.where(JobRun.platform == platform, JobRun.target == target)
        return self.session.exec(query.order_by(col(JobRun.claimed_at).desc())).first()
