"""The numbers behind the Panel's charts, as plain frozen data that any chart writer can draw.

Two charts: each theme's open actions by status this quarter beside last quarter (read off the
theme blocks of the quarterly summary the Panel report is built from, so chart and table cannot
disagree), and the share of each status per quarter across the plan period (frozen snapshots
where a quarter has one, else the plan as it stood at the quarter's cut-off, read live just as an
unfrozen quarterly summary is). Nothing here draws; ``bot.exports.charts`` does, so the core needs no plotting library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from commands.periods import Quarter, cut_off
from commands.quarterly import CUT_OFF_WORKING_DAYS, quarter_window_end
from commands.report_inputs import colour_counts, load_plan_data
from commands.report_model import ColourCount, ThemeBlock
from commands.rules import DEFAULT_SCHEME, RagScheme, is_open, london_date
from storage.repository import PlanRepository


@dataclass(frozen=True)
class Segment:
    """How many actions stand at one status: ``status`` is the scheme code (``None``: not yet
    reported), ``label`` the word people read ("Red", "Blue (complete)", "Not yet reported")."""

    status: str | None
    label: str
    count: int


@dataclass(frozen=True)
class ThemeCounts:
    """A theme's open actions by status in the quarter (``this``) and the quarter before (``last``),
    both with one segment per status of the scheme plus "not yet reported", in the same order."""

    code: str
    name: str
    this: tuple[Segment, ...]
    last: tuple[Segment, ...]


@dataclass(frozen=True)
class QuarterShare:
    """The plan's open actions by status in one quarter; ``provisional`` while its cut-off has not
    passed (the counts may still move)."""

    quarter: str
    provisional: bool
    segments: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.segments)


def theme_counts(blocks: Sequence[ThemeBlock], scheme: RagScheme = DEFAULT_SCHEME) -> tuple[ThemeCounts, ...]:
    """Each theme's counts this quarter and last, from the theme blocks the report already holds
    (``QuarterlySummary.themes`` or ``PanelReport.themes``; no queries).

    Last quarter's count is this quarter's less the change the summary records against it.

    Raises:
        ValueError: a count has no change on last quarter (a summary built without a comparison).
    """
    return tuple(
        ThemeCounts(
            code=block.code,
            name=block.name,
            this=_segments(((c.status, c.count) for c in block.counts), scheme),
            last=_segments(((c.status, c.count - _change(c)) for c in block.counts), scheme),
        )
        for block in blocks
    )


def status_shares(
    repo: PlanRepository,
    through: Quarter,
    now: dt.datetime,
    scheme: RagScheme = DEFAULT_SCHEME,
    working_days: int = CUT_OFF_WORKING_DAYS,
) -> tuple[QuarterShare, ...]:
    """The plan's open actions by status in every quarter of the plan period up to ``through``
    (quarters not yet begun at ``now`` are left out).

    A quarter whose snapshot covers every open action reads the snapshot; any other reads each
    action's newest update before the end of its window (``quarter_window_end``), with the
    snapshot's rows kept where it has some. Nothing is frozen: a chart only reads. Closed actions
    are left out of every quarter, as every report leaves them out. Costs six queries (two once this process holds the
    plan's structure) plus one per quarter without a complete snapshot, however many actions
    the plan holds.

    Raises:
        UserError: no plan is loaded.
    """
    data = load_plan_data(repo)
    today = london_date(now)
    first, last = Quarter.containing(data.plan.period_start), min(through, Quarter.containing(data.plan.period_end))
    quarters = [q for q in _quarters(first, last) if q.start <= today]
    open_ids = {a.id for a in data.actions if a.id is not None and is_open(a.state)}
    snapshots = repo.quarter_statuses(data.plan_id, [q.key for q in quarters])
    shares = []
    for quarter in quarters:
        standing: dict[int, str | None] = dict(snapshots[quarter.key])
        if not open_ids <= standing.keys():
            live = repo.newest_updates(data.plan_id, before=quarter_window_end(quarter, now, working_days))
            reported: dict[int, str | None] = {i: newest[0].status for i, newest in live.items()}
            standing = reported | standing
        counts = colour_counts((standing.get(i) for i in open_ids), None, scheme)
        shares.append(
            QuarterShare(
                quarter=quarter.label,
                provisional=today <= cut_off(quarter, working_days),
                segments=_segments(((c.status, c.count) for c in counts), scheme),
            )
        )
    return tuple(shares)


def _quarters(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last`` inclusive (none when ``last`` comes first)."""
    quarters = []
    current = first
    while current <= last:
        quarters.append(current)
        current = current.next()
    return quarters


def _segments(counts: Iterable[tuple[str | None, int]], scheme: RagScheme) -> tuple[Segment, ...]:
    return tuple(Segment(status, scheme.label(status), count) for status, count in counts)


def _change(count: ColourCount) -> int:
    if count.change is None:
        raise ValueError("the quarterly summary has no change on last quarter to chart")
    return count.change
