"""Reports as a channel reads them: a summary that fits a few messages, however big the plan.

A report posted to a channel (the scheduled weekly digest and quarterly summary, or a report asked
for by a mention) is read by everyone there, at one message per second of posting: a 3,000-action
quarterly summary laid out whole (``commands.report_layout``) was 156 Slack messages. The channel
variant keeps the whole report's heading and headline (counts by theme with the change, the whole
plan's line: the same blocks, so the same numbers), then only the exceptions that matter most,
capped, with "and N more" and where the full detail is one step away (a direct message with planbot,
the Panel file, the terminal).

**The order of exceptions** (``attention_order``), decided here for every platform:

1. the worst status first, by the scheme's rank (red, then amber), with "not yet reported" just
   after the second-worst colour (a gap is treated as a warning, never as green), then the rest;
2. then the longest overdue first (most days past the current due date);
3. then deteriorating before any other direction of travel;
4. then plan order (theme, then action), so ties read as the plan does.

A platform has a budget (``CHANNEL_MESSAGES``: Slack messages including thread replies, or Teams
cards). Its renderer tries ``CUTS`` from the longest to the shortest and posts the first whose
messages fit the budget; every cut keeps the heading, the whole plan's counts and the pointer to the
full detail, and says how many exceptions and themes it left out.

The terminal shows the same short version of a long report (``long_report``: more than
``LONG_REPORT_ROWS`` rows laid out whole) at ``TERMINAL_CUT``, pointing to ``--all`` for every action.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from commands.command_words import command_words
from commands.layout import Block, Layout, Line, Note, Section, Table
from commands.report_layout import (
    actions_table,
    digest_heading,
    digest_headline,
    overdue_heading,
    overdue_headline,
    quarterly_heading,
    quarterly_headline,
    report_layout,
    requests_table,
    summary_heading,
    summary_headline,
)
from commands.report_model import ActionRow, Digest, OverdueList, QuarterlySummary, Summary
from commands.rules import DEFAULT_SCHEME, Direction, RagScheme

CHANNEL_MESSAGES = 5
"""The most messages (Slack, thread replies included) or cards (Teams) a report posted to a channel takes."""

ATTENTION_ORDER = "worst status, then longest overdue, then deteriorating, first"
NEW_RED = "new red"
DETERIORATING = "deteriorating"
OVERDUE = "overdue"


@dataclass(frozen=True)
class Cut:
    """How much of a report a channel gets: at most ``exceptions`` rows per list and ``themes`` theme lines."""

    exceptions: int
    themes: int | None


CUTS = (Cut(10, 30), Cut(5, 30), Cut(5, 12), Cut(0, 12), Cut(0, 5), Cut(0, 0))
"""From the longest to the shortest; a renderer posts the first that fits its platform's budget."""

TERMINAL_CUT = Cut(20, None)
"""A long report in the terminal: every theme's line and the 20 exceptions that matter most."""
LONG_REPORT_ROWS = 100
"""More action rows than this laid out whole and the terminal shows the short version unless asked for ``--all``."""


def shortens(content: object) -> bool:
    """Whether a channel gets ``content`` shortened (the reports that grow with the plan)."""
    return isinstance(content, Summary | OverdueList | Digest | QuarterlySummary)


def channel_layout(
    content: object,
    scheme: RagScheme = DEFAULT_SCHEME,
    cut: Cut = CUTS[0],
    *,
    files: bool = True,
    detail: str | None = None,
) -> Layout:
    """The report as a channel gets it; any other report (an action's history) is laid out whole.

    Args:
        cut: how many exceptions and theme lines to show.
        files: the platform can send the Panel file (``plan report``); else the pointer names the
            terminal command that writes it.
        detail: where the full detail is, instead of ``full_detail_text`` (the terminal's ``--all``).

    Raises:
        TypeError: ``content`` is not a report.
    """
    pointer = Note(detail if detail is not None else full_detail_text(content, files=files))
    match content:
        case QuarterlySummary():
            return _quarterly(content, scheme, cut, pointer)
        case Digest():
            return _digest(content, scheme, cut, pointer)
        case Summary():
            return _summary(content, scheme, cut, pointer)
        case OverdueList():
            return _overdue(content, scheme, cut, pointer)
    return report_layout(content, scheme)


def long_report(content: object, limit: int = LONG_REPORT_ROWS) -> bool:
    """Whether the report laid out whole lists more than ``limit`` action rows (counted, not laid out)."""
    match content:
        case QuarterlySummary():
            listed = (content.exceptions, content.completed, content.progress, content.next_quarter, content.changes)
            rows = sum(len(b.rows) for b in content.themes) + sum(len(items) for items in listed)
        case Digest():
            lists = (content.changes, content.overdue, content.due_soon, content.not_reported)
            rows = sum(len(items) for items in lists) + len(content.reprofile_requests)
        case Summary():
            rows = sum(len(b.rows) for b in content.themes) + len(content.exceptions)
        case OverdueList():
            rows = len(content.rows)
        case _:
            return False
    return rows > limit


def terminal_detail_text(content: object) -> str:
    """Where every action is, under a long report's short version in the terminal."""
    match content:
        case QuarterlySummary(quarter=quarter):
            command = f'planbot report quarter "{quarter.label}" --all'
        case Digest():
            command = "planbot report digest --all"
        case Summary(theme=theme):
            command = f"planbot report summary{f' {theme}' if theme else ''} --all"
        case _:
            command = "planbot report overdue --all"
    return f"This is the summary and the exceptions that matter most; every action: {command} (the same --as-of)."


def attention_order(rows: Iterable[ActionRow], scheme: RagScheme = DEFAULT_SCHEME) -> list[ActionRow]:
    """``rows`` in the order a board reads exceptions (see the module's docstring); stable, so ties keep plan order."""
    ranks = sorted({s.rank for s in scheme.statuses})
    gap = (ranks[1] if len(ranks) > 1 else ranks[0], 1)

    def key(row: ActionRow) -> tuple[tuple[int, int], int, int]:
        status = (scheme.status(row.status).rank, 0) if row.status is not None else gap
        return status, -row.days_overdue, 0 if row.direction is Direction.DETERIORATING else 1

    return sorted(rows, key=key)


def full_detail_text(content: object, *, files: bool = True) -> str:
    """Where the whole report is, one step from a channel's summary of it."""
    plan = command_words().plan
    match content:
        case QuarterlySummary(quarter=quarter):
            panel = (
                f"{plan} report {quarter.label}"
                if files
                else f'the terminal: planbot report panel --quarter "{quarter.label}"'
            )
            return (
                f"Full detail: {plan} quarter {quarter.label} in a direct message with me, "
                f"or the Panel file with {panel}."
            )
        case Digest():
            return (
                f"Full detail: {plan} digest in a direct message with me (the digest as it stands then), "
                "or planbot report digest --all on the terminal."
            )
        case Summary(theme=theme):
            return f"Full detail: {plan} summary{f' {theme}' if theme else ''} in a direct message with me."
        case OverdueList():
            return f"Full detail: {plan} overdue in a direct message with me."
    return ""


def more_text(hidden: int, what: str) -> str:
    """ "and 12 more exceptions." under a list a channel's summary cut."""
    return f"and {hidden} more {what}."


def _quarterly(summary: QuarterlySummary, scheme: RagScheme, cut: Cut, pointer: Note) -> Layout:
    why = {item.row.code: ", ".join(kind.value for kind in item.kinds) for item in summary.exceptions}
    rows = attention_order((item.row for item in summary.exceptions), scheme)
    section = _listed(f"Exceptions, {ATTENTION_ORDER}", rows, cut, "exceptions", scheme, why)
    headline = (*quarterly_headline(summary, scheme, cut.themes), pointer)
    return Layout(quarterly_heading(summary), headline, (section,))


def _digest(digest: Digest, scheme: RagScheme, cut: Cut, pointer: Note) -> Layout:
    """What needs attention this week: new reds, deteriorating colour changes and overdue actions."""
    reds = {row.code for row in digest.new_reds}
    picked: dict[str, ActionRow] = {}
    for row in (*digest.new_reds, *digest.changes, *digest.overdue):
        if row.code in reds or row.direction is Direction.DETERIORATING or row.overdue:
            picked.setdefault(row.code, row)
    why = {code: _digest_why(row, code in reds) for code, row in picked.items()}
    rows = attention_order(picked.values(), scheme)
    title = f"Needs attention: new reds, deteriorating and overdue, {ATTENTION_ORDER}"
    sections = [_listed(title, rows, cut, "actions needing attention", scheme, why)]
    if digest.reprofile_requests:
        shown = digest.reprofile_requests[: cut.exceptions]
        blocks: list[Block] = [requests_table(shown)] if shown else []
        blocks += _more(len(digest.reprofile_requests) - len(shown), "re-profile requests")
        sections.append(Section("Re-profile requests awaiting approval", tuple(blocks)))
    headline = (*digest_headline(digest, cut.themes), pointer)
    return Layout(digest_heading(digest), headline, tuple(sections))


def _digest_why(row: ActionRow, new_red: bool) -> str:
    kinds = [NEW_RED] if new_red else []
    kinds += [DETERIORATING] if row.direction is Direction.DETERIORATING else []
    kinds += [OVERDUE] if row.overdue else []
    return ", ".join(kinds)


def _summary(summary: Summary, scheme: RagScheme, cut: Cut, pointer: Note) -> Layout:
    rows = attention_order(summary.exceptions, scheme)
    title = f"Exceptions: red, deteriorating or overdue, {ATTENTION_ORDER}"
    section = _listed(title, rows, cut, "exceptions", scheme, reason=True)
    headline = (*summary_headline(summary, scheme, cut.themes), pointer)
    return Layout(summary_heading(summary), headline, (section,))


def _overdue(overdue: OverdueList, scheme: RagScheme, cut: Cut, pointer: Note) -> Layout:
    shown = overdue.rows[: cut.exceptions]
    blocks: list[Block] = [actions_table("", shown, scheme, days=True)] if shown else []
    blocks += _more(len(overdue.rows) - len(shown), "overdue actions")
    headline = (*overdue_headline(overdue, cut.themes), pointer)
    sections = (Section("Longest overdue", tuple(blocks)),) if overdue.rows else ()
    return Layout(overdue_heading(overdue), headline, sections)


def _listed(
    title: str,
    rows: Sequence[ActionRow],
    cut: Cut,
    what: str,
    scheme: RagScheme,
    why: dict[str, str] | None = None,
    *,
    reason: bool = True,
) -> Section:
    """The first ``cut.exceptions`` rows with their reasons (and why each is listed), then how many more."""
    shown = rows[: cut.exceptions]
    blocks: list[Block] = []
    if shown:
        reasons = [why[row.code] for row in shown] if why else ()
        table: Table = actions_table("", shown, scheme, reason=reason, days=True, why=reasons)
        blocks.append(table)
    blocks += _more(len(rows) - len(shown), what)
    return Section(title, tuple(blocks) or (Line(("None.",)),))


def _more(hidden: int, what: str) -> list[Block]:
    return [Note(more_text(hidden, what))] if hidden > 0 else []
