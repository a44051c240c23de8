"""A report as a channel reads it (``commands.channel_layout``): the whole report's headline, the
exceptions that matter most first, "and N more", and where the full detail is."""

from __future__ import annotations

import datetime as dt

import pytest
from support.teams_cards import action_row, big_digest, big_quarterly, with_exceptions

from commands.channel_layout import CUTS, Cut, attention_order, channel_layout, full_detail_text
from commands.layout import Layout, Note, Table, plain, row_line
from commands.report_layout import report_layout
from commands.report_model import OverdueList, Summary
from commands.rules import Direction


def notes(layout: Layout) -> list[str]:
    blocks = [*layout.headline, *(b for s in layout.sections for b in s.blocks)]
    return [b.text for b in blocks if isinstance(b, Note)]


def listed(layout: Layout) -> list[str]:
    """The action codes in the layout's sections, in order."""
    return [str(row[0]) for s in layout.sections for b in s.blocks if isinstance(b, Table) for row in b.rows]


def test_exceptions_come_worst_status_then_longest_overdue_then_deteriorating_then_plan_order():
    def row(code, status, days=0, direction=Direction.NO_CHANGE):
        return action_row(0, "T0")._replace(code=code, status=status, days_overdue=days, direction=direction)

    rows = [
        row("G1", "G", days=30),
        row("A1", "A"),
        row("R1", "R"),
        row("N1", None, days=3),
        row("R2", "R", days=5),
        row("A2", "A", direction=Direction.DETERIORATING),
        row("R3", "R", direction=Direction.DETERIORATING),
        row("R4", "R"),
    ]
    assert ["R2", "R3", "R1", "R4", "A2", "A1", "N1", "G1"] == [r.code for r in attention_order(rows)]


@pytest.mark.parametrize("actions", [300, 3000, 10_000])
def test_a_channels_quarterly_summary_keeps_the_headline_and_caps_the_exceptions(actions):
    summary = with_exceptions(big_quarterly(actions))
    whole, short = report_layout(summary), channel_layout(summary)

    assert whole.heading == short.heading
    assert whole.headline == short.headline[:-1]
    assert full_detail_text(summary) == notes(short)[0]
    assert "/plan quarter 2018/19 Q3 in a direct message with me" in notes(short)[0]
    assert "/plan report 2018/19 Q3" in notes(short)[0]
    assert CUTS[0].exceptions == len(listed(short))
    assert f"and {len(summary.exceptions) - CUTS[0].exceptions} more exceptions." in notes(short)
    assert [r.code for r in attention_order(e.row for e in summary.exceptions)][:10] == listed(short)


def test_why_each_exception_is_listed_is_on_its_line():
    summary = with_exceptions(big_quarterly(300))
    [section] = channel_layout(summary).sections
    table = next(b for b in section.blocks if isinstance(b, Table))
    first = plain(row_line(table, table.rows[0]).runs)
    assert "red" in first and "days overdue" in first


def test_a_plan_with_more_themes_than_the_cut_counts_the_rest_and_keeps_the_whole_plans_line():
    summary = with_exceptions(big_quarterly(3000, themes=100))
    whole, short = report_layout(summary), channel_layout(summary, cut=Cut(5, 12))

    whole_lines = [plain(b.runs) for b in whole.headline if not isinstance(b, Note | Table)]
    short_lines = [plain(b.runs) for b in short.headline if not isinstance(b, Note | Table)]
    assert set(short_lines) < set(whole_lines)
    assert next(line for line in whole_lines if line.startswith("Whole plan")) in short_lines
    assert "and 88 more theme(s); the whole plan's line counts them all." in notes(short)
    assert 5 == len(listed(short))


def test_a_channels_digest_lists_new_reds_deteriorating_and_overdue_worst_first():
    digest = big_digest(3000)
    whole, short = report_layout(digest), channel_layout(digest)

    assert whole.headline == short.headline[:-1]
    assert "Full detail: /plan digest in a direct message with me" in notes(short)[0]
    codes = listed(short)
    assert 10 == len(codes)
    first = next(r for r in digest.new_reds if r.code == codes[0])
    assert "R" == first.status
    assert any(text.startswith("and ") and text.endswith(" more actions needing attention.") for text in notes(short))


def test_a_channels_summary_and_overdue_list_are_capped_with_the_rest_counted():
    quarterly = with_exceptions(big_quarterly(3000))
    summary = Summary(
        "Plan", dt.datetime(2019, 1, 20), None, quarterly.themes, quarterly.totals, tuple(quarterly.themes[0].rows)
    )
    short = channel_layout(summary)
    assert report_layout(summary).headline == short.headline[:-1]
    assert 10 == len(listed(short))
    overdue = OverdueList(
        "Plan", dt.datetime(2019, 1, 20), tuple(r for b in quarterly.themes for r in b.rows if r.overdue)
    )
    short = channel_layout(overdue)
    assert [r.code for r in overdue.rows[:10]] == listed(short)
    assert f"and {len(overdue.rows) - 10} more overdue actions." in notes(short)


def test_the_shortest_cut_still_says_where_the_detail_is():
    summary = with_exceptions(big_quarterly(3000))
    short = channel_layout(summary, cut=CUTS[-1], files=False)
    assert [] == listed(short)
    assert f"and {len(summary.exceptions)} more exceptions." in notes(short)
    assert 'the terminal: planbot report panel --quarter "2018/19 Q3"' in notes(short)[-2]
