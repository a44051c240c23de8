"""Panel charts: the numbers behind them (commands.chart_data) and the PNGs (bot.exports.charts).

Charts must read without colour (greyscale print, colour-blind readers): the status fills are
checked for distinct grey levels in the rendered image, each status for its own hatching, and
the alt text for every number the chart shows.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from support.panel_support import AFTER_Q3_CUT_OFF, Q2, Q3, play_quarter
from support.report_support import QueryCounter, grow_plan, london, report

from bot.exports import charts
from bot.exports.charts import STATUS_STYLES, Chart, status_share_chart, theme_comparison_chart
from commands.chart_data import QuarterShare, Segment, ThemeCounts, status_shares, theme_counts
from commands.quarterly import quarterly_summary
from commands.rules import DEFAULT_SCHEME
from storage.models import Plan
from storage.repository import PlanRepository

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CODES: list[str | None] = [*(s.code for s in DEFAULT_SCHEME.statuses), None]


def segments(*counts: int) -> tuple[Segment, ...]:
    return tuple(Segment(code, DEFAULT_SCHEME.label(code), count) for code, count in zip(CODES, counts, strict=True))


THEMES = (
    ThemeCounts("V", "Victims", segments(1, 2, 5, 1, 2), segments(0, 3, 4, 0, 4)),
    ThemeCounts("O", "Offenders", segments(2, 1, 3, 1, 1), segments(1, 1, 3, 0, 3)),
)
EVEN = QuarterShare("2018/19 Q3", provisional=False, segments=segments(20, 20, 20, 20, 20))


def decoded(chart: Chart) -> Image.Image:
    assert chart.png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(chart.png))
    image.load()
    return image


def grey(colour: str) -> int:
    """The grey level a fill prints at (ITU-R 601 luma, as PIL's and most printers' conversion)."""
    level = Image.new("RGB", (1, 1), colour).convert("L").getpixel((0, 0))
    assert isinstance(level, int)
    return level


class TestPng:
    @pytest.mark.parametrize(
        "chart",
        [
            lambda: theme_comparison_chart(THEMES, "2018/19 Q3", "2018/19 Q2"),
            lambda: status_share_chart([EVEN, replace(EVEN, quarter="2018/19 Q4", provisional=True)]),
        ],
        ids=["themes", "shares"],
    )
    def test_valid_png_of_a_sane_size(self, chart) -> None:
        """Decodable, big enough to print at A4 width, small enough to email and attach in Slack."""
        rendered = chart()
        image = decoded(rendered)
        assert "PNG" == image.format
        assert 1000 <= image.width <= 4000 and 300 <= image.height <= 4000, image.size
        assert len(rendered.png) < 1_000_000
        assert rendered.title in rendered.alt

    def test_nothing_to_chart_is_refused(self) -> None:
        with pytest.raises(ValueError, match="no themes"):
            theme_comparison_chart([], "2018/19 Q3", "2018/19 Q2")
        with pytest.raises(ValueError, match="no quarters"):
            status_share_chart([])


class TestAltText:
    def test_theme_chart_states_every_theme_and_count(self) -> None:
        alt = theme_comparison_chart(THEMES, "2018/19 Q3", "2018/19 Q2").alt

        assert (
            "Victims (V): 2018/19 Q3: Red 1, Amber 2, Green 5, Blue (complete) 1, Not yet reported 2 (11 actions); "
            "2018/19 Q2: Red 0, Amber 3, Green 4, Blue (complete) 0, Not yet reported 4 (11 actions)."
        ) in alt
        assert (
            "Offenders (O): 2018/19 Q3: Red 2, Amber 1, Green 3, Blue (complete) 1, Not yet reported 1 (8 actions)"
            in alt
        )

    def test_share_chart_states_counts_and_percentages_per_quarter(self) -> None:
        shares = [
            QuarterShare("2018/19 Q2", provisional=False, segments=segments(1, 3, 0, 0, 0)),
            QuarterShare("2018/19 Q3", provisional=True, segments=segments(0, 0, 2, 2, 0)),
        ]
        alt = status_share_chart(shares).alt

        assert alt.startswith("Share of actions by status per quarter, 2018/19 Q2 to 2018/19 Q3.")
        assert "2018/19 Q2, 4 actions: Red 1 (25%), Amber 3 (75%), Green 0 (0%)" in alt
        assert (
            "2018/19 Q3 (provisional), 4 actions: Red 0 (0%), Amber 0 (0%), Green 2 (50%), Blue (complete) 2 (50%), "
            "Not yet reported 0 (0%)."
        ) in alt


class TestReadsWithoutColour:
    def test_fills_print_at_distinct_grey_levels(self) -> None:
        """No two statuses may print as the same grey: at least 25 levels (of 255) apart."""
        levels = {code: grey(style.fill) for code, style in STATUS_STYLES.items()}
        closest = min(abs(a - b) for a, b in itertools.combinations(levels.values(), 2))
        assert closest >= 25, levels

    def test_each_status_has_its_own_hatching(self) -> None:
        hatches = [style.hatch for style in STATUS_STYLES.values()]
        assert len(set(hatches)) == len(hatches)
        assert all(STATUS_STYLES[code].hatch for code in CODES if code is not None)

    def test_every_fill_appears_in_the_greyscale_image(self) -> None:
        """Each status's grey level covers a visible area of the printed chart, so its bar is there."""
        image = decoded(status_share_chart([EVEN])).convert("L")
        histogram = image.histogram()
        for code in CODES:  # the default scheme's chart; a plan's own key may use yellow instead
            level = grey(STATUS_STYLES[code].fill)
            assert sum(histogram[max(0, level - 1) : level + 2]) > 2_000, (code, level)

    def test_hatching_is_drawn(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same chart without hatching has far fewer pixels in hatch ink: the patterns reach the PNG."""

        def inked(image: Image.Image) -> int:
            histogram = image.convert("L").histogram()
            return sum(histogram[:20]) + sum(histogram[236:])

        hatched = decoded(status_share_chart([EVEN]))
        plain = {code: replace(style, hatch="") for code, style in STATUS_STYLES.items()}
        monkeypatch.setattr(charts, "STATUS_STYLES", plain)
        unhatched = decoded(status_share_chart([EVEN]))

        assert inked(hatched) > inked(unhatched) + 5_000

    def test_legend_and_labels_use_words(self) -> None:
        """Statuses are named in words wherever a chart names them (never by colour code alone)."""
        alt = status_share_chart([EVEN]).alt
        assert all(DEFAULT_SCHEME.label(code) in alt for code in CODES)


class TestChartData:
    def test_theme_counts_this_quarter_and_last(self, repo: PlanRepository, plan: Plan) -> None:
        """Last quarter's counts are what last quarter's own summary showed."""
        play_quarter(repo)
        this = theme_counts(quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF).themes)
        before = theme_counts(quarterly_summary(repo, Q2, AFTER_Q3_CUT_OFF).themes)

        assert [t.last for t in this] == [t.this for t in before]
        victims = {s.status: s.count for s in this[0].this}
        assert ("V", "Victims") == (this[0].code, this[0].name)
        assert {"R": 1, "A": 1, "G": 0, "B": 0, None: 8} == victims

    def test_status_shares_across_the_plan_period(self, repo: PlanRepository, plan: Plan) -> None:
        """2017/18 Q1 (the plan's start) to 2018/19 Q3; each quarter counts every open action."""
        play_quarter(repo)
        shares = status_shares(repo, Q3, AFTER_Q3_CUT_OFF)

        assert ["2017/18 Q1", "2017/18 Q2", "2017/18 Q3", "2017/18 Q4", "2018/19 Q1", "2018/19 Q2", "2018/19 Q3"] == [
            s.quarter for s in shares
        ]
        assert {34} == {s.total for s in shares}
        assert not any(s.provisional for s in shares)
        totals = {c.status: c.count for c in quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF).totals}
        assert totals == {s.status: s.count for s in shares[-1].segments}

    def test_a_quarter_before_its_cut_off_is_provisional_and_later_ones_absent(
        self, repo: PlanRepository, plan: Plan
    ) -> None:
        play_quarter(repo)
        shares = status_shares(repo, Q3.next(), london(2018, 12, 20))

        assert "2018/19 Q3" == shares[-1].quarter
        assert shares[-1].provisional and not shares[-2].provisional

    def test_frozen_snapshot_wins_over_a_late_entry(self, repo: PlanRepository, plan: Plan) -> None:
        """An update stamped inside Q2 but added after Q2 was frozen does not move Q2's published share."""
        play_quarter(repo)
        quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)  # freezes Q2 and Q3
        before = status_shares(repo, Q3, AFTER_Q3_CUT_OFF)
        report(repo, "C1", "R", london(2018, 6, 1), "Entered late")
        after = status_shares(repo, Q3, AFTER_Q3_CUT_OFF)

        assert before[-2:] == after[-2:]
        assert before[-3] != after[-3]  # 2018/19 Q1 was never frozen, so it reads the late entry

    def test_queries_do_not_grow_with_the_plan(self, repo: PlanRepository, plan: Plan, engine: Engine) -> None:
        """Six queries (the plan, its structure, the snapshots) plus one per quarter without a complete
        snapshot, on 300 actions as on 34."""
        grow_plan(repo, 300, london(2018, 7, 2))
        with QueryCounter(engine) as counter:
            shares = status_shares(repo, Q3, AFTER_Q3_CUT_OFF)
        assert 7 == len(shares)
        assert counter.count <= 6 + len(shares)


def test_a_300_action_plan_renders_both_charts(repo: PlanRepository, plan: Plan) -> None:
    grow_plan(repo, 300, london(2018, 7, 2))
    summary = quarterly_summary(repo, Q3, AFTER_Q3_CUT_OFF)
    themes = theme_comparison_chart(theme_counts(summary.themes), Q3.label, Q2.label)
    shares = status_share_chart(status_shares(repo, Q3, AFTER_Q3_CUT_OFF))

    for chart in (themes, shares):
        image = decoded(chart)
        assert image.width <= 4000 and image.height <= 4000
    assert all(f"{b.name} ({b.code}): 2018/19 Q3: " in themes.alt for b in summary.themes)
    assert "2018/19 Q3, 300 actions:" in shares.alt
