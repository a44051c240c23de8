"""The queries behind governance reports, mixed into ``PlanRepository``.

Each method is one SQL statement over the whole plan (joined on ``action.plan_id`` rather than a
list of ids), so a report costs the same number of queries on a 34-action plan as on a
3,000-action one. Window functions pick each action's newest updates in the database instead of
loading every update into Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, Table, func, insert, null, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Action,
    JobRun,
    Measure,
    MeasureValue,
    QuarterSnapshot,
    Reprofile,
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


@dataclass(frozen=True)
class ActionUpdates:
    """An action's newest updates in a window (newest first) and how many updates the window holds."""

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


class ReportQueries:
    """Plan-wide reads and bulk writes for reports; the session belongs to the caller's unit of work."""

    session: Session

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
        counted = aliased(StatusUpdate)
        total = (
            select(func.count())
            .where(counted.action_id == Action.id, *_on(counted, since, before))
            .correlate(Action)
            .scalar_subquery()
        )

        def nth_newest(offset: int) -> Select[tuple[int | None, int | None]]:
            picked = aliased(StatusUpdate)
            update_id = (
                select(picked.id)
                .where(picked.action_id == Action.id, *_on(picked, since, before))
                .order_by(col(picked.created_at).desc(), col(picked.id).desc())
                .limit(1)
                .offset(offset)
                .correlate(Action)
                .scalar_subquery()
            )
            tally = total if count and offset == 0 else null()
            chosen = select(update_id.label("id"), tally.label("total")).where(Action.plan_id == plan_id)
            return chosen.where(Action.theme_id == theme_id) if theme_id is not None else chosen

        picks = union_all(*(nth_newest(offset) for offset in range(depth))).subquery()
        totals: dict[int, int | None] = {}
        rows = self.session.exec(
            select(*UPDATE_FACTS, picks.c.total)
            .join(picks, col(StatusUpdate.id) == picks.c.id)
            .order_by(col(StatusUpdate.action_id), col(StatusUpdate.created_at).desc(), col(StatusUpdate.id).desc())
        )
        found: dict[int, list[UpdateFacts]] = {}
        for *facts, tally in rows:
            update = UpdateFacts(*facts)
            found.setdefault(update.action_id, []).append(update)
            if tally is not None:
                totals[update.action_id] = tally
        return {action_id: ActionUpdates(tuple(updates), totals.get(action_id)) for action_id, updates in found.items()}

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

    def snapshot_action_ids(self, plan_id: int, quarter_key: str) -> set[int]:
        """Actions already frozen for a quarter, so freezing again adds only what is missing."""
        return set(
            self.session.exec(
                select(QuarterSnapshot.action_id).where(
                    QuarterSnapshot.plan_id == plan_id, QuarterSnapshot.quarter_key == quarter_key
                )
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

    def plan_measures(self, plan_id: int) -> list[Measure]:
        """Every strategic measure of a plan's actions."""
        return list(
            self.session.exec(
                select(Measure)
                .join(Action, col(Action.id) == Measure.action_id)
                .where(Action.plan_id == plan_id)
                .order_by(col(Action.position), col(Action.id), col(Measure.id))
            )
        )

    def measure_values(self, plan_id: int, quarter_keys: Iterable[str]) -> dict[tuple[int, str], float]:
        """Recorded values of a plan's measures for the given quarters, keyed by (measure id, quarter key)."""
        rows = self.session.exec(
            select(MeasureValue.measure_id, MeasureValue.quarter_key, MeasureValue.value)
            .join(Measure, col(Measure.id) == MeasureValue.measure_id)
            .join(Action, col(Action.id) == Measure.action_id)
            .where(Action.plan_id == plan_id, col(MeasureValue.quarter_key).in_(set(quarter_keys)))
        )
        return {(measure_id, key): value for measure_id, key, value in rows}

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
