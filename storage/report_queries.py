"""The queries behind governance reports, mixed into ``PlanRepository``.

Each method is one SQL statement over the whole plan (joined on ``action.plan_id`` rather than a
list of ids), so a report costs the same number of queries on a 34-action plan as on a
3,000-action one. Correlated subqueries walking the (action, created_at, id) index pick each
action's newest updates in the database instead of loading every update into Python, and rows come
back as plain columns (named tuples), not ORM objects, because reports read thousands of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, ScalarSelect, Select, Table, func, insert, null, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Action,
    JobRun,
    Measure,
    MeasureValue,
    QuarterSnapshot,
    Reprofile,
    Role,
    StatusUpdate,
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


UPDATE_FACTS = (
    StatusUpdate.id,
    StatusUpdate.action_id,
    StatusUpdate.status,
    StatusUpdate.reason,
    StatusUpdate.restricted,
    StatusUpdate.created_at,
)


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


ACTION_FACTS = (
    Action.id,
    Action.theme_id,
    Action.code,
    Action.title,
    Action.owner_role_id,
    Action.baseline_due,
    Action.current_due,
    Action.priority,
    Action.state,
    Action.state_approval,
    Action.state_changed_at,
)


class FrozenStatus(NamedTuple):
    """An action's row in a quarter's snapshot: the status frozen and the update that set it
    (both ``None`` when the action had not been reported by the cut-off)."""

    status: str | None
    update_id: int | None


class MeasureFacts(NamedTuple):
    """A strategic measure as reports show it: its action, what it measures, and two quarters' values."""

    action_code: str
    name: str
    unit: str
    polarity: str
    value: float | None
    previous: float | None


class WindowFacts(NamedTuple):
    """An action's newest update, its status when a window opened (``None``: not yet reported
    then) and how many updates the window holds."""

    newest: UpdateFacts
    was: str | None
    count: int


class ActionUpdates(NamedTuple):
    """An action's newest updates in a window (newest first) and how many updates the window holds
    (a tuple, not a dataclass: reports build one per action)."""

    newest: tuple[UpdateFacts, ...]
    count: int | None


def _on(update: type[StatusUpdate], since: dt.datetime | None, before: dt.datetime | None) -> list[ColumnElement[bool]]:
    """The conditions that keep an (aliased) update inside ``[since, before)``."""
    conditions = []
    if since is not None:
        conditions.append(update.created_at >= since)
    if before is not None:
        conditions.append(update.created_at < before)
    return conditions


def _newest(since: dt.datetime | None, before: dt.datetime | None, offset: int, column: str) -> ScalarSelect[Any]:
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


def _update_count(since: dt.datetime | None, before: dt.datetime | None) -> ScalarSelect[int]:
    """How many updates the outer ``Action`` has in ``[since, before)``."""
    counted = aliased(StatusUpdate)
    return (
        select(func.count())
        .where(counted.action_id == Action.id, *_on(counted, since, before))
        .correlate(Action)
        .scalar_subquery()
    )


def _newest_first(update: UpdateFacts) -> tuple[dt.datetime, int]:
    """Orders an action's updates by time, then id: the order the index walk found them in."""
    return update.created_at, update.id


class ReportQueries:
    """Plan-wide reads and bulk writes for reports; the session belongs to the caller's unit of work."""

    session: Session

    def plan_actions(self, plan_id: int) -> list[ActionFacts]:
        """Every action of a plan in plan order, as plain columns."""
        rows = self.session.exec(
            select(*ACTION_FACTS).where(Action.plan_id == plan_id).order_by(col(Action.position), col(Action.id))
        )
        return [ActionFacts(*row) for row in rows]

    def role_titles(self, role_ids: Iterable[int]) -> dict[int, str]:
        """The titles of several roles in one query, keyed by role id."""
        ids = set(role_ids)
        if not ids:
            return {}
        return dict(self.session.exec(select(Role.id, Role.title).where(col(Role.id).in_(ids))).all())

    def newest_updates(
        self,
        plan_id: int,
        *,
        since: dt.datetime | None = None,
        before: dt.datetime | None = None,
        depth: int = 1,
        theme_id: int | None = None,
        count: bool = False,
    ) -> dict[int, ActionUpdates]:
        """For each action of a plan (or of one of its themes) with updates in ``[since, before)``:
        its newest ``depth`` of them and, with ``count``, how many it had (else ``None``: counting
        a whole history costs more than finding its newest entries), in one query. Actions without
        an update in the window are absent.

        For each action and each of the ``depth`` places, a correlated scalar subquery walks the
        (action, created_at, id) index backwards and stops at once, so the cost follows the number
        of actions, not the length of their histories (a window function over every update is
        many times slower at 500,000 updates). Scalar subqueries in the select list, rather than
        ``IN (… LIMIT n)`` in a join, because PostgreSQL plans those per update, not per action.
        """
        total = _update_count(since, before)

        def nth_newest(offset: int) -> Select[tuple[object, ...]]:
            tally = total if count and offset == 0 else null()
            chosen = (
                select(*UPDATE_FACTS, tally.label("total"))
                .select_from(Action)
                .join(StatusUpdate, col(StatusUpdate.id) == _newest(since, before, offset, "id"))
                .where(Action.plan_id == plan_id)
            )
            return chosen.where(Action.theme_id == theme_id) if theme_id is not None else chosen

        query = nth_newest(0) if depth == 1 else union_all(*(nth_newest(offset) for offset in range(depth)))
        found: dict[int, list[UpdateFacts]] = {}
        totals: dict[int, int | None] = {}
        for *facts, tally in self.session.exec(query):
            update = UpdateFacts(*facts)
            found.setdefault(update.action_id, []).append(update)
            if tally is not None:
                totals[update.action_id] = tally
        if depth > 1:
            for updates in found.values():
                updates.sort(key=_newest_first, reverse=True)
        return {action_id: ActionUpdates(tuple(updates), totals.get(action_id)) for action_id, updates in found.items()}

    def window_updates(self, plan_id: int, *, since: dt.datetime, before: dt.datetime) -> dict[int, WindowFacts]:
        """For each action of a plan with an update before ``before``: its newest update, the
        status it stood at when ``since`` came, and how many updates it had in ``[since, before)``;
        what the weekly digest needs, in one query: one pass over the actions rather than one
        before the window and another inside it."""
        was = _newest(None, since, 0, "status")
        rows = self.session.exec(
            select(*UPDATE_FACTS, was.label("was"), _update_count(since, before).label("total"))
            .select_from(Action)
            .join(StatusUpdate, col(StatusUpdate.id) == _newest(None, before, 0, "id"))
            .where(Action.plan_id == plan_id)
        )
        return {row[1]: WindowFacts(UpdateFacts(*row[:6]), row[6], row[7]) for row in rows}

    def action_updates(self, action_id: int) -> list[StatusUpdate]:
        """Every update of one action, oldest first: its whole history."""
        return list(
            self.session.exec(
                select(StatusUpdate)
                .where(StatusUpdate.action_id == action_id)
                .order_by(col(StatusUpdate.created_at), col(StatusUpdate.id))
            )
        )

    def snapshots(self, plan_id: int, quarter_keys: Iterable[str]) -> dict[str, dict[int, UpdateFacts | None]]:
        """Frozen snapshots of the given quarters, keyed by quarter then action: the update each
        froze (for its status and reason), or ``None`` for an action not yet reported; one query."""
        keys = set(quarter_keys)
        result: dict[str, dict[int, UpdateFacts | None]] = {key: {} for key in keys}
        rows = self.session.exec(
            select(QuarterSnapshot.quarter_key, QuarterSnapshot.action_id, *UPDATE_FACTS)
            .outerjoin(StatusUpdate, col(StatusUpdate.id) == QuarterSnapshot.update_id)
            .where(QuarterSnapshot.plan_id == plan_id, col(QuarterSnapshot.quarter_key).in_(keys))
        )
        for quarter_key, action_id, *facts in rows:
            result[quarter_key][action_id] = UpdateFacts(*facts) if facts[0] is not None else None
        return result

    def frozen_statuses(self, plan_id: int, quarter_keys: Iterable[str]) -> dict[str, dict[int, FrozenStatus]]:
        """Frozen snapshots of the given quarters, keyed by quarter then action, without the updates
        they froze: comparing quarters needs only the status, and reading 3,000 updates by id costs
        more than the rest of the query; ``updates_by_id`` reads the few a report still needs."""
        keys = set(quarter_keys)
        result: dict[str, dict[int, FrozenStatus]] = {key: {} for key in keys}
        rows = self.session.exec(
            select(
                QuarterSnapshot.quarter_key,
                QuarterSnapshot.action_id,
                QuarterSnapshot.status,
                QuarterSnapshot.update_id,
            ).where(QuarterSnapshot.plan_id == plan_id, col(QuarterSnapshot.quarter_key).in_(keys))
        )
        for quarter_key, action_id, status, update_id in rows:
            result[quarter_key][action_id] = FrozenStatus(status, update_id)
        return result

    def updates_by_id(self, update_ids: Iterable[int]) -> dict[int, UpdateFacts]:
        """Updates by id, as plain columns, in one query (none when no id is given)."""
        ids = set(update_ids)
        if not ids:
            return {}
        rows = self.session.exec(select(*UPDATE_FACTS).where(col(StatusUpdate.id).in_(ids)))
        return {row[0]: UpdateFacts(*row) for row in rows}

    def unfrozen_action_ids(self, plan_id: int, quarter_key: str) -> list[int]:
        """Actions of a plan with no snapshot for a quarter yet, in plan order, so freezing adds only
        what is missing and checking an already frozen quarter reads no rows."""
        frozen = select(QuarterSnapshot.id).where(
            QuarterSnapshot.action_id == Action.id, QuarterSnapshot.quarter_key == quarter_key
        )
        return list(
            self.session.exec(
                select(Action.id)
                .where(Action.plan_id == plan_id, ~frozen.exists())
                .order_by(col(Action.position), col(Action.id))
            )
        )

    def add_snapshots(self, rows: list[dict[str, object]]) -> None:
        """Insert snapshot rows in one executemany; rows are plain column dictionaries.

        A Core insert on the table, because the ORM's bulk insert splits rows into batches by
        which columns are ``None`` (here: every unreported action), one statement per batch.
        """
        if rows:
            table: Table = QuarterSnapshot.__table__  # type: ignore[attr-defined]
            self.session.execute(insert(table), rows)

    def reprofiles(self, plan_id: int, since: dt.datetime, before: dt.datetime) -> list[Reprofile]:
        """Due-date changes approved in ``[since, before)``, oldest first."""
        return list(
            self.session.exec(
                select(Reprofile)
                .join(Action, col(Action.id) == Reprofile.action_id)
                .where(Action.plan_id == plan_id, Reprofile.created_at >= since, Reprofile.created_at < before)
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

    def measures_by_quarter(self, plan_id: int, quarter_key: str, previous_key: str) -> list[MeasureFacts]:
        """Every strategic measure of a plan's actions in plan order, with its values for two
        quarters (``None`` where none was recorded), in one query."""
        this, last = aliased(MeasureValue), aliased(MeasureValue)
        rows = self.session.exec(
            select(Action.code, Measure.name, Measure.unit, Measure.polarity, this.value, last.value)
            .join(Action, col(Action.id) == Measure.action_id)
            .outerjoin(this, (this.measure_id == Measure.id) & (this.quarter_key == quarter_key))
            .outerjoin(last, (last.measure_id == Measure.id) & (last.quarter_key == previous_key))
            .where(Action.plan_id == plan_id)
            .order_by(col(Action.position), col(Action.id), col(Measure.id))
        )
        return [MeasureFacts(*row) for row in rows]

    def measure_value(self, measure_id: int, quarter_key: str) -> MeasureValue | None:
        return self.session.exec(
            select(MeasureValue).where(MeasureValue.measure_id == measure_id, MeasureValue.quarter_key == quarter_key)
        ).first()

    def action_measures(self, action_id: int) -> list[Measure]:
        return list(self.session.exec(select(Measure).where(Measure.action_id == action_id).order_by(col(Measure.id))))

    def last_run(self, job: str, state: str) -> JobRun | None:
        """The most recently claimed run of a job in ``state`` (e.g. the last digest sent)."""
        return self.session.exec(
            select(JobRun).where(JobRun.job == job, JobRun.state == state).order_by(col(JobRun.claimed_at).desc())
        ).first()
