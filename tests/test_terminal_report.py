"""Reports in the terminal (``bot.terminal_report``): every word of the layout, lines within the width,
big tables as lines, and a long report shortened unless every action is asked for."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from support.teams_cards import big_digest, big_quarterly, with_exceptions

from bot.terminal_report import GRID_ROWS, LayoutView, render_report
from commands.layout import Layout, Line, Section, Strong, Table, plain, row_line
from commands.report_layout import report_layout


def printed(renderable: object, width: int = 80, terminal: bool = False) -> str:
    out = Console(file=io.StringIO(), width=width, force_terminal=terminal, color_system=None, highlight=False)
    out.print(renderable)
    return out.file.getvalue()  # type: ignore[attr-defined]


def words_of(layout: Layout) -> list[str]:
    """Every word the layout holds, in order, as a text-only medium writes it."""
    text = [layout.heading]
    for block in layout.headline + tuple(b for s in layout.sections for b in (Line((s.title,)), *s.blocks)):
        if isinstance(block, Table):
            text += [block.title] + [line_words(row_line(block, row)) for row in block.rows]
        elif isinstance(block, Line):
            text.append(line_words(block))
        else:
            text.append(block.text)
    return " ".join(text).split()


def line_words(line: Line) -> str:
    return f"{plain(line.runs)} {plain(line.detail)}"


@pytest.mark.parametrize("width", [40, 80, 160])
def test_every_word_is_printed_in_order_within_the_width(width):
    layout = report_layout(with_exceptions(big_quarterly(300)))

    out = printed(LayoutView(layout), width)

    assert words_of(layout) == out.split()
    assert all(len(line) <= width for line in out.splitlines())


def test_a_word_longer_than_the_line_is_folded_and_a_typed_line_break_kept():
    line = Line((Strong("V9"), " ", "x" * 50, " then\nnext"), ("reason " * 12,))
    out = printed(LayoutView(Layout("Heading", (line,), ())), 20)
    assert all(len(text) <= 20 for text in out.splitlines())
    assert "x" * 50 in out.replace("\n", "")
    assert "next" in out.splitlines()
    assert any(text.startswith("      reason") for text in out.splitlines())


def test_a_table_of_more_than_grid_rows_is_lines_even_at_a_wide_terminal():
    small = report_layout(with_exceptions(big_quarterly(30, themes=1)))
    big = report_layout(with_exceptions(big_quarterly(GRID_ROWS + 1, themes=1)))

    assert "│" in printed(LayoutView(small), 400, terminal=True) or "┃" in printed(LayoutView(small), 400, True)
    wide = printed(LayoutView(Layout("H", (), (Section("S", (big.sections[0].blocks[0],)),))), 400, terminal=True)
    assert "│" not in wide and "┃" not in wide


def test_a_long_report_is_its_summary_unless_every_action_is_asked_for():
    digest = big_digest(3000)
    short = printed(render_report(digest, every_action=False), 160)
    whole = printed(render_report(digest), 160)

    assert "every action: planbot report digest --all (the same --as-of)." in " ".join(short.split())
    assert len(short.splitlines()) < 150 < len(whole.splitlines())


def test_stored_control_characters_never_reach_the_terminal():
    line = Line(
        (
            Strong("V9"),
            " Red \x1b[31mpainted\x1b[0m\r over",
        ),
        ("\x07bell",),
    )
    out = printed(LayoutView(Layout("Heading\x1b]0;title\x07", (line,), ())), 80)
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert "painted" in out and "bell" in out
