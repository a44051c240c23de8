"""Governance reports as plain frozen data: what the Slack, console and file renderers walk.

Nothing here is formatted for a platform. Text (titles, reasons) is stored unescaped, times are
naive UTC and dates are Europe/London calendar dates, statuses are scheme codes with ``None`` for
"not yet reported", and direction of travel is a ``Direction`` (renderers print arrow and word).
``restricted`` marks a reason its author kept out of public reports; a public renderer leaves it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from commands.periods import Quarter
from commands.rules import ArrowAndWord, Direction


class ActionRow(NamedTuple):
    """One action as a report shows it (a named tuple rather than a frozen dataclass: reports
    build one per action, and at 3,000 actions a frozen dataclass's slower construction alone
    cost more than reading the rows from the database).

    ``status`` is the status for the report's period (``None``: not yet reported); ``previous`` is
    the status it is compared with, and ``direction`` the travel between them (``None`` only when
    nothing has been reported). ``reason`` and ``updated_at`` belong to the update that set
    ``status``. ``days_overdue`` is 0 unless the action is past its current due date unfinished.
    ``updates`` counts the action's updates in the report's window (digest week, quarter); 0 in
    reports without one. ``mitigation`` and ``outcome`` belong to the update too (empty when not
    given); ``restricted`` covers them as it covers the reason. ``objective`` is the objective
    (portfolio area) of its theme it serves, "" where the plan has none.
    """

    code: str
    title: str
    theme_code: str
    owner_role: str
    status: str | None
    previous: str | None
    direction: Direction | None
    reason: str
    restricted: bool
    updated_at: dt.datetime | None
    due: dt.date
    baseline_due: dt.date
    days_overdue: int
    priority: bool = False
    updates: int = 0
    mitigation: str = ""
    outcome: str = ""
    objective: str = ""

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def reprofiled(self) -> bool:
        return self.due != self.baseline_due


@dataclass(frozen=True)
class ColourCount:
    """How many open actions stand at one status (``None``: not yet reported), and the change on
    the comparison period (``None`` when there is nothing to compare with)."""

    status: str | None
    count: int
    change: int | None = None


@dataclass(frozen=True)
class ThemeBlock:
    """A theme's counts by colour and its open actions in plan order; closed actions are counted apart."""

    code: str
    name: str
    sro_role: str
    counts: tuple[ColourCount, ...]
    rows: tuple[ActionRow, ...]
    closed: int = 0


@dataclass(frozen=True)
class Summary:
    """``plan summary [THEME]``: where each theme stands now, with exceptions (red, deteriorating
    since the previous update, or overdue) listed with their reasons. ``theme`` is the theme
    asked for, or ``None`` for the whole plan."""

    plan_name: str
    as_of: dt.datetime
    theme: str | None
    themes: tuple[ThemeBlock, ...]
    totals: tuple[ColourCount, ...]
    exceptions: tuple[ActionRow, ...]


@dataclass(frozen=True)
class OverdueList:
    """``plan overdue``: open actions past their current due date, oldest due date first."""

    plan_name: str
    as_of: dt.datetime
    rows: tuple[ActionRow, ...]


class PendingReprofileRequest(NamedTuple):
    """An owner's request for a new due date, awaiting an admin's re-profile (``plan admin reprofile``)."""

    code: str
    title: str
    theme_code: str
    due: dt.date
    proposed_due: dt.date
    requested_by: str
    requested_at: dt.datetime
    reason: str
    restricted: bool = False


@dataclass(frozen=True)
class Digest:
    """The weekly digest of ``[since, until)``.

    ``updated`` has one row per action updated in the window (its newest update; ``previous`` is
    its status when the window opened, ``updates`` how many updates it had); ``changes`` are the
    rows whose colour changed, ``new_reds`` those that turned red. ``overdue``, ``due_soon`` (due
    in the next ``due_soon_days``), ``not_reported`` and ``reprofile_requests`` (each open action's
    newest request for a new due date not yet approved) describe the plan at ``until``.
    """

    plan_name: str
    since: dt.datetime
    until: dt.datetime
    update_count: int
    updated: tuple[ActionRow, ...]
    changes: tuple[ActionRow, ...]
    new_reds: tuple[ActionRow, ...]
    overdue: tuple[ActionRow, ...]
    due_soon: tuple[ActionRow, ...]
    not_reported: tuple[ActionRow, ...]
    due_soon_days: int = 14
    reprofile_requests: tuple[PendingReprofileRequest, ...] = ()
    late: str = ""
    """Set on a digest caught up after an outage ("This is Monday's digest, sent late after an outage.")."""
    priority: tuple[ActionRow, ...] = ()
    """The open priority actions as they stand at ``until`` (the headline counts them and names the reds)."""


class ExceptionKind(Enum):
    """Why an action is reported by exception (domain brief §8)."""

    RED = "red"
    DETERIORATING = "deteriorating"
    OVERDUE = "overdue"
    REPROFILED = "re-profiled this quarter"
    NOT_REPORTED = "not reported by the cut-off"


class ExceptionItem(NamedTuple):
    """A row departing from the plan, with every reason it qualifies (a named tuple, like
    ``ActionRow``: a plan in trouble has thousands)."""

    row: ActionRow
    kinds: tuple[ExceptionKind, ...]


class MeasureTrend(ArrowAndWord):
    """Better or worse by the measure's polarity, never plain up or down."""

    BETTER = ("↑", "Better")
    NO_CHANGE = ("→", "No change")
    WORSE = ("↓", "Worse")


@dataclass(frozen=True)
class MeasureRow:
    """A strategic measure's value this quarter and last; ``trend`` is ``None`` unless both are known."""

    action_code: str
    name: str
    unit: str
    polarity: str
    value: float | None
    previous: float | None
    trend: MeasureTrend | None


@dataclass(frozen=True)
class PlanChange:
    """A change to the plan in the quarter: a re-profiled due date or a closed action, with its approval."""

    action_code: str
    title: str
    change: str
    detail: str
    approval: str
    at: dt.datetime


@dataclass(frozen=True)
class QuarterlySummary:
    """The quarterly summary for boards and the Panel.

    Statuses come from the quarter's frozen snapshot (``provisional`` when the cut-off has not
    passed yet and they were read live) compared with the previous quarter's; counts carry the
    change on that quarter. ``progress`` holds the actions updated in the quarter (its window runs
    from the previous cut-off to this one), ``next_quarter`` the open actions due next quarter.
    """

    plan_name: str
    quarter: Quarter
    cut_off: dt.date
    provisional: bool
    as_of: dt.datetime
    themes: tuple[ThemeBlock, ...]
    totals: tuple[ColourCount, ...]
    exceptions: tuple[ExceptionItem, ...]
    completed: tuple[ActionRow, ...]
    progress: tuple[ActionRow, ...]
    next_quarter: tuple[ActionRow, ...]
    measures: tuple[MeasureRow, ...]
    changes: tuple[PlanChange, ...]
    late: str = ""
    """Set on a summary caught up after an outage, as on the digest."""


@dataclass(frozen=True)
class HistoryEntry:
    """One update in an action's history, with the colour before it and the travel it made."""

    at: dt.datetime
    status: str
    previous: str | None
    direction: Direction
    reason: str
    restricted: bool
    author: str
    on_behalf: bool


@dataclass(frozen=True)
class ActionHistory:
    """ "History of V9": every update oldest first, and the re-profiles of its due date."""

    code: str
    title: str
    owner_role: str
    due: dt.date
    baseline_due: dt.date
    entries: tuple[HistoryEntry, ...]
    changes: tuple[PlanChange, ...]


class Standing(Enum):
    """Whether a quarter's statuses can be reported: frozen at its cut-off, read live before it
    (provisional), not frozen yet (its cut-off has not passed), or before the plan began."""

    FROZEN = "frozen"
    PROVISIONAL = "provisional"
    NOT_FROZEN = "not frozen"
    BEFORE_PLAN = "before the plan"


@dataclass(frozen=True)
class QuarterStatus:
    """An action's status in one quarter: ``status`` is meaningful only when the quarter is frozen
    or provisional (``None`` then means not reported by the cut-off)."""

    quarter: Quarter
    standing: Standing
    status: str | None = None


@dataclass(frozen=True)
class ApprovedChange:
    """A re-profile or closure with who approved it and where (``approval``, as typed by the admin)
    and the admin who recorded it (``recorded_by``: a name internally, a role in public)."""

    action_code: str
    title: str
    change: str
    detail: str
    approval: str
    recorded_by: str
    at: dt.datetime
