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

from sqlalchemy import Table, func, insert
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


@dataclass(frozen=True)
class ActionUpdates:
    """An action's newest updates in a window (newest first) and how many updates the window holds."""

    newest: tuple[StatusUpdate, ...]
    count: int


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
    ) -> dict[int, ActionUpdates]:
        """For each action of a plan with updates in ``[since, before)``: its newest ``depth`` of them
        and their number, in one query. Actions without an update in the window are absent."""
        order = (col(StatusUpdate.created_at).desc(), col(StatusUpdate.id).desc())
        ranked = (
            select(
                StatusUpdate.id,
                func.row_number().over(partition_by=StatusUpdate.action_id, order_by=order).label("rank"),
                func.count().over(partition_by=StatusUpdate.action_id).label("total"),
            )
            .join(Action, col(Action.id) == StatusUpdate.action_id)
            .where(Action.plan_id == plan_id)
        )
        if since is not None:
            ranked = ranked.where(StatusUpdate.created_at >= since)
        if before is not None:
            ranked = ranked.where(StatusUpdate.created_at < before)
        sub = ranked.subquery()
        rows = self.session.exec(
            select(StatusUpdate, sub.c.total)
            .join(sub, col(StatusUpdate.id) == sub.c.id)
            .where(sub.c.rank <= depth)
            .order_by(col(StatusUpdate.action_id), sub.c.rank)
        )
        found: dict[int, tuple[list[StatusUpdate], int]] = {}
        for update, total in rows:
            found.setdefault(update.action_id, ([], total))[0].append(update)
        return {action_id: ActionUpdates(tuple(updates), total) for action_id, (updates, total) in found.items()}

    def action_updates(self, action_id: int) -> list[StatusUpdate]:
        """Every update of one action, oldest first: its whole history."""
        return list(
            self.session.exec(
                select(StatusUpdate)
                .where(StatusUpdate.action_id == action_id)
                .order_by(col(StatusUpdate.created_at), col(StatusUpdate.id))
            )
        )

    def snapshots(
        self, plan_id: int, quarter_keys: Iterable[str]
    ) -> dict[str, dict[int, tuple[QuarterSnapshot, StatusUpdate | None]]]:
        """Frozen snapshot rows of the given quarters, keyed by quarter then action, each with the
        update it froze (for its reason), in one query."""
        keys = set(quarter_keys)
        result: dict[str, dict[int, tuple[QuarterSnapshot, StatusUpdate | None]]] = {key: {} for key in keys}
        rows = self.session.exec(
            select(QuarterSnapshot, StatusUpdate)
            .outerjoin(StatusUpdate, col(StatusUpdate.id) == QuarterSnapshot.update_id)
            .where(QuarterSnapshot.plan_id == plan_id, col(QuarterSnapshot.quarter_key).in_(keys))
        )
        for snapshot, update in rows:
            result[snapshot.quarter_key][snapshot.action_id] = (snapshot, update)
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

    def measure_values(self, plan_id: int, quarter_keys: Iterable[str]) -> dict[tuple[int, str], MeasureValue]:
        """Recorded values of a plan's measures for the given quarters, keyed by (measure id, quarter key)."""
        rows = self.session.exec(
            select(MeasureValue)
            .join(Measure, col(Measure.id) == MeasureValue.measure_id)
            .join(Action, col(Action.id) == Measure.action_id)
            .where(Action.plan_id == plan_id, col(MeasureValue.quarter_key).in_(set(quarter_keys)))
        )
        return {(v.measure_id, v.quarter_key): v for v in rows}

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
