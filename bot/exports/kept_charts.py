"""The appendix's two charts, drawn once for a frozen quarter and kept.

Drawing costs seconds a file (importing matplotlib, then laying out two hatched, numbered figures)
while a frozen quarter's charts show the same numbers every time it is exported. So the first
export of a frozen quarter draws them and keeps them (``storage.models.PanelChart``); later exports,
from any process, embed the kept PNG, alt text and title and never import matplotlib. A provisional
quarter's numbers still move: its charts are drawn fresh every time and not kept.

A kept chart is used only while its fingerprint matches: a digest of everything the picture shows
(every count, label and quarter name it is drawn from) and of the code that draws it. So it cannot
disagree with the tables printed beside it: a quarter frozen again, an action closed since (closed
actions leave every quarter), a renamed theme or a changed drawing style gives a new fingerprint,
and the chart is drawn again and kept in place of the old one. The public and internal versions
chart the same counts (the public filter changes rows, never counts), so they share one kept chart.
The matplotlib version is left out of the digest on purpose: a new release may move a pixel but
shows the same numbers, and a published quarter's paper is better left as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.exports.picture import Chart
from commands.chart_data import QuarterShare, ThemeCounts, status_shares, theme_counts
from commands.panel import PanelReport, build_panel
from commands.periods import Quarter
from commands.rag_scheme import plan_scheme
from storage.models import PanelChart
from storage.repository import PlanRepository

THEMES, SHARES = "themes", "shares"
"""The two charts, in the order the appendix shows them: statuses per theme this quarter beside
last, and each status's share per quarter."""

DRAWING_CODE = ("charts.py", "palette.py")
"""The modules whose code decides what a chart looks like (part of every fingerprint)."""


@dataclass(frozen=True)
class ChartNumbers:
    """What one chart shows, before it is drawn: ``themes`` with this and last quarter's labels for
    the theme chart, ``shares`` for the share chart (the other left empty)."""

    kind: str
    themes: tuple[ThemeCounts, ...] = ()
    this_label: str = ""
    last_label: str = ""
    shares: tuple[QuarterShare, ...] = ()

    @property
    def fingerprint(self) -> str:
        """A digest of everything the picture shows and of the code that draws it."""
        return hashlib.sha256(repr(self).encode() + _drawing_digest()).hexdigest()


def chart_numbers(repo: PlanRepository, panel: PanelReport, now: dt.datetime) -> tuple[ChartNumbers, ...]:
    """The numbers of the appendix's two charts, in the order it shows them (one read of each
    quarter's frozen statuses; the theme chart's come from the appendix's own theme blocks).

    Raises:
        UserError: no plan is loaded.
    """
    quarter = panel.quarter
    return (
        ChartNumbers(
            THEMES,
            themes=theme_counts(panel.themes, panel.scheme),
            this_label=quarter.label,
            last_label=quarter.previous().label,
        ),
        ChartNumbers(SHARES, shares=status_shares(repo, quarter, now, panel.scheme)),
    )


def draw_charts(repo: PlanRepository, panel: PanelReport, now: dt.datetime) -> tuple[Chart, ...]:
    """The appendix's two charts, drawn now (matplotlib is imported for them)."""
    return tuple(draw(numbers) for numbers in chart_numbers(repo, panel, now))


def appendix_charts(repo: PlanRepository, panel: PanelReport, now: dt.datetime) -> tuple[Chart, ...]:
    """The appendix's two charts as an export embeds them: for a frozen quarter, the kept ones while
    they match what the charts would show now, else drawn and kept (in the caller's unit of work);
    for a provisional quarter, drawn fresh and not kept.

    Raises:
        UserError: no plan is loaded.
    """
    if panel.provisional:
        return draw_charts(repo, panel, now)
    plan = repo.current_plan()
    assert plan is not None and plan.id is not None  # the appendix was built from it
    kept = repo.panel_charts(plan.id, panel.quarter.key)
    charts = []
    for numbers in chart_numbers(repo, panel, now):
        fingerprint = numbers.fingerprint
        row = kept.get(numbers.kind)
        if row is not None and row.fingerprint == fingerprint:
            charts.append(Chart(row.png, row.alt, row.title))
            continue
        chart = draw(numbers)
        repo.keep_panel_chart(
            PanelChart(
                plan_id=plan.id,
                quarter_key=panel.quarter.key,
                kind=numbers.kind,
                fingerprint=fingerprint,
                title=chart.title,
                alt=chart.alt,
                png=chart.png,
            )
        )
        charts.append(chart)
    return tuple(charts)


def draw(numbers: ChartNumbers) -> Chart:
    """One chart drawn from its numbers; matplotlib is imported here, on the first drawing."""
    from bot.exports.charts import status_share_chart, theme_comparison_chart

    if numbers.kind == THEMES:
        return theme_comparison_chart(numbers.themes, numbers.this_label, numbers.last_label)
    return status_share_chart(numbers.shares)


@cache
def _drawing_digest() -> bytes:
    """The drawing code's digest, read once a process: a chart kept by older code is drawn again."""
    folder = Path(__file__).parent
    return hashlib.sha256(b"".join((folder / name).read_bytes() for name in DRAWING_CODE)).digest()


def keep_quarter_charts(repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> None:
    """Draw and keep a frozen quarter's two charts before anyone asks for its appendix, so its first
    Word, HTML or Markdown export is as quick as every later one (``bot.chart_keeper`` runs this
    right after the scheduler's freeze). Charts still matching what they show are left as they are.

    Raises:
        UserError: no plan is loaded.
    """
    appendix_charts(repo, build_panel(repo, quarter, now, public=False, scheme=plan_scheme(repo)), now)
