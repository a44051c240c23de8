"""PNG charts for the Panel report: statuses per theme this quarter beside last, and each status's
share per quarter across the plan period.

Drawn with matplotlib's Agg renderer on a bare ``Figure`` (no pyplot, so no display, no global
figure list and nothing shared between threads). The Panel reads these on paper, often printed in
greyscale, and some members do not see red and green apart, so colour is never the only cue:
fills come from Paul Tol's colour-blind-safe "muted" palette and step clearly in lightness, every
status has its own hatching, segments carry their numbers, the legend names statuses in words,
and ``Chart.alt`` states every number for screen readers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.exports.palette import STATUS_STYLES
from bot.exports.picture import Chart
from commands.chart_data import QuarterShare, Segment, ThemeCounts

DPI = 150
# Segments narrower than this share of the axis carry no number (it would not fit); the legend,
# hatching and alt text still account for them.
MIN_LABELLED_SHARE = 0.04


def theme_comparison_chart(themes: Sequence[ThemeCounts], this_label: str, last_label: str) -> Chart:
    """Each theme's open actions by status: a bar for ``this_label``'s quarter above one for
    ``last_label``'s, segments numbered, themes in plan order from the top.

    Raises:
        ValueError: there are no themes to chart.
    """
    if not themes:
        raise ValueError("no themes to chart")
    title = f"Actions by status in each theme: {this_label} beside {last_label}"
    bars = [
        (f"{t.name} · {label}", segments)
        for t in themes
        for label, segments in ((this_label, t.this), (last_label, t.last))
    ]
    widest = max(sum(s.count for s in segments) for _, segments in bars) or 1
    figure = Figure(figsize=(10, 1.4 + 0.42 * len(bars)), dpi=DPI)
    axes = figure.add_subplot()
    for row, (_, segments) in enumerate(bars):
        left = 0
        for segment in segments:
            _draw(axes, segment, row, left, widest, horizontal=True, text=str(segment.count))
            left += segment.count
        axes.text(left + widest * 0.01, row, _actions(left), va="center", fontsize=8)
    axes.set_yticks(range(len(bars)), [name for name, _ in bars], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, widest * 1.12)
    axes.set_xlabel("Open actions")
    _finish(figure, axes, title, themes[0].this)
    lines = [f"{t.name} ({t.code}): {this_label}: {_counts(t.this)}; {last_label}: {_counts(t.last)}." for t in themes]
    return Chart(_png(figure), f"{title}. " + " ".join(lines), title)


def status_share_chart(quarters: Sequence[QuarterShare]) -> Chart:
    """The share of open actions at each status per quarter, one bar of 100% per quarter in
    order, segments labelled with percentages; a provisional quarter says so under its bar.

    Raises:
        ValueError: there are no quarters to chart.
    """
    if not quarters:
        raise ValueError("no quarters to chart")
    title = f"Share of actions by status per quarter, {quarters[0].quarter} to {quarters[-1].quarter}"
    figure = Figure(figsize=(max(7.0, 1.6 + 0.75 * len(quarters)), 5.5), dpi=DPI)
    axes = figure.add_subplot()
    for column, share in enumerate(quarters):
        bottom = 0.0
        for segment in share.segments:
            part = _percent(segment.count, share.total)
            _draw(axes, segment, column, bottom, 100, horizontal=False, text=f"{part:.0f}%", size=part)
            bottom += part
    names = [f"{q.quarter}\n(provisional)" if q.provisional else q.quarter for q in quarters]
    slant = {"rotation": 45, "ha": "right", "rotation_mode": "anchor"} if len(quarters) > 8 else {}
    axes.set_xticks(range(len(quarters)), names, fontsize=8, **slant)
    axes.set_ylim(0, 100)
    axes.set_ylabel("Share of open actions (%)")
    _finish(figure, axes, title, quarters[0].segments)
    lines = [
        f"{q.quarter}{' (provisional)' if q.provisional else ''}, {_actions(q.total)}: "
        + ", ".join(f"{s.label} {s.count} ({_percent(s.count, q.total):.0f}%)" for s in q.segments)
        + "."
        for q in quarters
    ]
    return Chart(_png(figure), f"{title}. " + " ".join(lines), title)


def _draw(
    axes: Axes,
    segment: Segment,
    position: int,
    start: float,
    scale: float,
    *,
    horizontal: bool,
    text: str,
    size: float | None = None,
) -> None:
    """One status's segment of a stacked bar, with its number when there is room for it."""
    length = segment.count if size is None else size
    if length <= 0:
        return
    style = STATUS_STYLES[segment.status]
    draw = axes.barh if horizontal else axes.bar
    draw(position, length, 0.72, start, color=style.fill, edgecolor=style.ink, hatch=style.hatch, linewidth=0.6)
    if length / scale >= MIN_LABELLED_SHARE:
        middle = start + length / 2
        x, y = (middle, position) if horizontal else (position, middle)
        axes.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color=style.ink,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": style.fill, "edgecolor": "none"},
        )


def _finish(figure: Figure, axes: Axes, title: str, segments: Sequence[Segment]) -> None:
    """Title, a legend naming each status in words with its fill and hatching, and tidy axes."""
    axes.set_title(title, fontsize=11, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    handles = [
        Patch(
            facecolor=STATUS_STYLES[s.status].fill,
            edgecolor=STATUS_STYLES[s.status].ink,
            hatch=STATUS_STYLES[s.status].hatch,
            label=s.label,
        )
        for s in segments
    ]
    figure.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.07, 1, 1))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _percent(count: int, total: int) -> float:
    return 100 * count / total if total else 0.0


def _counts(segments: Sequence[Segment]) -> str:
    total = sum(s.count for s in segments)
    return ", ".join(f"{s.label} {s.count}" for s in segments) + f" ({_actions(total)})"


def _actions(count: int) -> str:
    return f"{count} action" if count == 1 else f"{count} actions"
