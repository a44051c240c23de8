"""What each governance report says in Slack: a header, headline lines, and titled parts per theme.

The choices mirror the console's (``bot.report_render``): a status is always its word, with the
colour emoji beside it; direction of travel is arrow and word; "Not yet reported" is shown, never
hidden; restricted reasons are marked. Every piece of text from the plan or from people is escaped
here with ``render.escape``, so ``bot.slack.report_blocks`` only lays escaped mrkdwn out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.slack.render import clip, escape
from commands.report_model import (
    ActionHistory,
    ActionRow,
    ColourCount,
    Digest,
    ExceptionItem,
    OverdueList,
    QuarterlySummary,
    ReprofileRequest,
    Summary,
    ThemeBlock,
)
from commands.rules import DEFAULT_SCHEME, Direction, RagScheme, london_date, show_date

MAX_REASON = 300
"""Reasons are cut in reports (the full text is one ``/rag V9`` away), so 300 actions stay readable."""
MAX_TITLE = 160
NOT_REPORTED_EMOJI = ":white_circle:"


@dataclass(frozen=True)
class Part:
    """A titled run of escaped mrkdwn lines; a thread reply (or several, when long)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """A report in Slack's terms: ``header`` is plain (escaped when laid out), the rest escaped mrkdwn."""

    header: str
    headline: tuple[str, ...]
    parts: tuple[Part, ...]


class Wording:
    """Statuses, directions and rows as escaped mrkdwn, for one RAG scheme."""

    def __init__(self, scheme: RagScheme = DEFAULT_SCHEME) -> None:
        self.scheme = scheme

    def status(self, code: str | None) -> str:
        emoji = NOT_REPORTED_EMOJI if code is None else f":{self.scheme.status(code).emoji}:"
        return f"{emoji} {escape(self.scheme.label(code))}"

    def counts(self, counts: Iterable[ColourCount]) -> str:
        return " · ".join(f"{self.status(c.status)} {c.count}{_change(c.change)}" for c in counts)

    def row(self, row: ActionRow, *, reason: bool = False, days: bool = False, why: str = "") -> str:
        """``*V9* 🔴 Red · ↓ Deteriorating · due 31 Dec 2018 · Owner — Title``, and the reason below."""
        bits = [f"*{escape(row.code)}* {self.status(row.status)}"]
        if row.direction is not None:
            bits.append(str(row.direction))
        bits.append(f"due {show_date(row.due)}{' (re-profiled)' if row.reprofiled else ''}")
        if days:
            bits.append(f"{row.days_overdue} days overdue")
        if why:
            bits.append(f"_{escape(why)}_")
        if row.owner_role:
            bits.append(escape(row.owner_role))
        line = f"{' · '.join(bits)} — {clip(escape(row.title), MAX_TITLE)}"
        if reason and row.reason:
            marked = f"{clip(escape(row.reason), MAX_REASON)}{' (restricted)' if row.restricted else ''}"
            line += f"\n      Reason: {marked}"
        return line


def directions(rows: Iterable[ActionRow]) -> str:
    """ "↑ 2 Improving · ↓ 1 Deteriorating": how many actions travelled each way."""
    counted = Counter(row.direction for row in rows if row.direction is not None)
    return " · ".join(f"{d.arrow} {counted[d]} {d.word}" for d in Direction if counted[d])


def summary_layout(summary: Summary, words: Wording) -> Layout:
    scope = summary.theme or "whole plan"
    headline = [*_theme_lines(summary.themes, words), f"*Whole plan*: {words.counts(summary.totals)}"]
    headline.append(f"Exceptions (red, deteriorating or overdue): {len(summary.exceptions)}")
    parts = [_theme_part(block, [words.row(r) for r in block.rows]) for block in summary.themes]
    parts.append(Part("Exceptions: red, deteriorating or overdue", _rows(summary.exceptions, words, reason=True)))
    return Layout(f"{summary.plan_name}: summary of {scope} as of {_day(summary.as_of)}", tuple(headline), tuple(parts))


def overdue_layout(overdue: OverdueList, words: Wording) -> Layout:
    by_theme = _by_theme(overdue.rows)
    headline = [f"*Theme {escape(code)}*: {len(rows)} overdue" for code, rows in by_theme.items()]
    parts = [Part(f"Theme {escape(code)}", _rows(rows, words, days=True)) for code, rows in by_theme.items()]
    header = f"{overdue.plan_name}: {len(overdue.rows)} overdue action(s) as of {_day(overdue.as_of)}, oldest first"
    return Layout(header, tuple(headline) or ("No action is overdue.",), tuple(parts))


def digest_layout(digest: Digest, words: Wording) -> Layout:
    """Totals first, then one line per theme; the thread holds each theme's changes, overdue and due actions."""
    totals = (
        f"{digest.update_count} update(s) to {len(digest.updated)} action(s) · {len(digest.changes)} colour "
        f"change(s) · {len(digest.new_reds)} new red(s) · {len(digest.overdue)} overdue · {len(digest.due_soon)} due "
        f"in the next {digest.due_soon_days} days · {len(digest.not_reported)} not yet reported"
        f" · {len(digest.reprofile_requests)} re-profile request(s) awaiting approval"
    )
    codes = dict.fromkeys(r.theme_code for r in (*digest.updated, *digest.overdue, *digest.due_soon))
    headline, parts = [*_late(digest.late), totals], []
    for code in codes:
        updated = [r for r in digest.updated if r.theme_code == code]
        overdue = [r for r in digest.overdue if r.theme_code == code]
        travel = f" ({directions(updated)})" if updated else ""
        headline.append(f"*Theme {escape(code)}*: {len(updated)} updated{travel} · {len(overdue)} overdue")
        lines = _group("Colour changes", [r for r in digest.changes if r.theme_code == code], words, reason=True)
        reds = [escape(r.code) for r in digest.new_reds if r.theme_code == code]
        lines += [f"_New reds_: {', '.join(reds)}"] if reds else []
        lines += _group("Overdue", overdue, words, days=True)
        lines += _group(f"Due in the next {digest.due_soon_days} days", _of(digest.due_soon, code), words)
        lines += _group("Not yet reported", _of(digest.not_reported, code), words)
        parts.append(Part(f"Theme {escape(code)}", tuple(lines or ["Updated, no colour changed."])))
    if digest.reprofile_requests:
        parts.append(Part("Re-profile requests awaiting approval", tuple(map(_request, digest.reprofile_requests))))
    header = f"{digest.plan_name}: weekly digest, {_day(digest.since)} to {_day(digest.until)}"
    return Layout(header, tuple(headline), tuple(parts))


def _late(note: str) -> list[str]:
    """A caught-up report's note that it is late, first in its headline, in italics."""
    return [f"_{escape(note)}_"] if note else []


def _request(request: ReprofileRequest) -> str:
    """One request: the action, its due date and the one proposed, who asked, when and why."""
    marked = " (restricted)" if request.restricted else ""
    why = f": {clip(escape(request.reason), MAX_REASON)}{marked}" if request.reason else ""
    return (
        f"*{escape(request.code)}* {clip(escape(request.title), MAX_TITLE)} · due {show_date(request.due)}, "
        f"proposed {show_date(request.proposed_due)} by {escape(request.requested_by)} on "
        f"{_day(request.requested_at)}{why}"
    )


def quarterly_layout(summary: QuarterlySummary, words: Wording) -> Layout:
    """Counts with the change on last quarter per theme up top; each theme's detail in its own thread part."""
    quarter = summary.quarter
    state = "PROVISIONAL: the cut-off has not passed" if summary.provisional else "frozen"
    headline = [
        *_late(summary.late),
        f"{quarter.months}. Cut-off {show_date(summary.cut_off)}; snapshot {state}; "
        f"compared with {quarter.previous().label}.",
        *_theme_lines(summary.themes, words),
        f"*Whole plan*: {words.counts(summary.totals)}",
        f"{len(summary.exceptions)} exception(s) · {len(summary.completed)} completed · "
        f"{len(summary.progress)} updated this quarter · {len(summary.next_quarter)} due in {quarter.next().label}",
    ]
    parts = []
    for block in summary.themes:
        lines = _group("Direction of travel", block.rows, words)
        lines += _exceptions([e for e in summary.exceptions if e.row.theme_code == block.code], words)
        lines += _group("Completed this quarter", _of(summary.completed, block.code), words)
        lines += _group("Progress this quarter", _of(summary.progress, block.code), words, reason=True)
        lines += _group(f"Due in {quarter.next().label}", _of(summary.next_quarter, block.code), words)
        parts.append(_theme_part(block, lines))
    parts += [_measures(summary), _changes(summary)]
    header = f"{summary.plan_name}: quarterly summary {quarter.label}"
    return Layout(header, tuple(headline), tuple(p for p in parts if p.lines))


def history_layout(action: ActionHistory, words: Wording) -> Layout:
    due = f"due {show_date(action.due)}" + (f" (baseline {show_date(action.baseline_due)})" if action.changes else "")
    headline = (f"{clip(escape(action.title), MAX_TITLE)}", f"Owner: {escape(action.owner_role)} · {due}")
    entries = tuple(
        f"{_day(e.at)} · {words.status(e.status)} · {e.direction} · {escape(e.author)}"
        f"{' (on the owner’s behalf)' if e.on_behalf else ''}"
        + (f" — {clip(escape(e.reason), MAX_REASON)}{' (restricted)' if e.restricted else ''}" if e.reason else "")
        for e in action.entries
    )
    changes = tuple(f"{_day(c.at)} · {escape(c.detail)} · approved: {escape(c.approval)}" for c in action.changes)
    parts = (Part("Updates, oldest first", entries or ("Not yet reported.",)), Part("Re-profiles", changes))
    return Layout(f"History of {action.code}", headline, tuple(p for p in parts if p.lines))


def _theme_lines(blocks: Sequence[ThemeBlock], words: Wording) -> list[str]:
    lines = []
    for block in blocks:
        travel = directions(block.rows)
        lines.append(f"*{escape(block.code)} {escape(block.name)}*: {words.counts(block.counts)}")
        lines[-1] += f"\n      {travel}" if travel else ""
    return lines


def _theme_part(block: ThemeBlock, lines: Sequence[str]) -> Part:
    sro = f" (SRO: {escape(block.sro_role)})" if block.sro_role else ""
    return Part(f"{escape(block.code)} {escape(block.name)}{sro}", tuple(lines) or ("No open actions.",))


def _exceptions(items: Sequence[ExceptionItem], words: Wording) -> list[str]:
    lines = [words.row(i.row, reason=True, why=", ".join(k.value for k in i.kinds)) for i in items]
    return ["_Exceptions_", *lines] if lines else []


def _measures(summary: QuarterlySummary) -> Part:
    lines = tuple(
        f"*{escape(m.action_code)}* {escape(m.name)}: {_value(m.value, m.unit)} "
        f"(last quarter {_value(m.previous, m.unit)}) · {m.trend or 'no comparison'}"
        for m in summary.measures
        if m.value is not None or m.previous is not None
    )
    return Part("Strategic measures", lines)


def _changes(summary: QuarterlySummary) -> Part:
    lines = tuple(
        f"*{escape(c.action_code)}* {escape(c.change)} {escape(c.detail)} · "
        f"approved: {escape(c.approval)} · {_day(c.at)}"
        for c in summary.changes
    )
    return Part("Changes to the plan", lines)


def _group(
    title: str, rows: Sequence[ActionRow], words: Wording, *, reason: bool = False, days: bool = False
) -> list[str]:
    return [f"_{title}_", *_rows(rows, words, reason=reason, days=days)] if rows else []


def _rows(rows: Iterable[ActionRow], words: Wording, *, reason: bool = False, days: bool = False) -> tuple[str, ...]:
    return tuple(words.row(r, reason=reason, days=days) for r in rows)


def _by_theme(rows: Iterable[ActionRow]) -> dict[str, list[ActionRow]]:
    grouped: dict[str, list[ActionRow]] = {}
    for row in rows:
        grouped.setdefault(row.theme_code, []).append(row)
    return grouped


def _of(rows: Iterable[ActionRow], theme_code: str) -> list[ActionRow]:
    return [r for r in rows if r.theme_code == theme_code]


def _change(change: int | None) -> str:
    if change is None:
        return ""
    return f" ({change:+d})" if change else " (=)"


def _value(value: float | None, unit: str) -> str:
    return "not recorded" if value is None else f"{value:g}{escape(unit) if unit == '%' else ''}"


def _day(moment: dt.datetime) -> str:
    return show_date(london_date(moment))
