"""``planbot report summary [THEME] | overdue | digest | quarter [QUARTER] | panel`` and ``planbot measure set``.

Input is checked before the database is touched where it can be (dates, quarters, numbers), and
every report runs in one unit of work, so a refused command writes nothing. Only the quarterly
summary writes, and only the snapshot of a quarter whose cut-off has passed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console, RenderableType
from rich.text import Text

from bot.config import Settings
from bot.container import Container, utc_now
from bot.db_command import DATABASE_ERRORS, database_problem
from bot.exports import EXPORT_FORMATS, draw_charts, write_panel
from bot.local_user import local_actor
from bot.report_render import render_measure_recorded, render_report
from commands.errors import UserError
from commands.measures import record_measure_value
from commands.panel import build_panel
from commands.periods import parse_quarter
from commands.reports import overdue_list, quarterly_summary, theme_summary, weekly_digest
from commands.rules import LONDON, london_date
from storage.repository import PlanRepository

AS_OF_USAGE = "Give --as-of as a date: YYYY-MM-DD, for example 2019-01-16."
REPORTS = ("summary", "overdue", "digest", "quarter", "panel")
PANEL_USAGE = 'planbot report panel --quarter "2018/19 Q3" --format docx|xlsx|csv|html|md [--public] --output FILE'


class BadInput(UserError):
    """A command-line value (date, quarter) could not be read."""


def as_of_moment(text: str | None, clock: Callable[[], dt.datetime]) -> dt.datetime:
    """The moment a report is "as of": the end of the given London day, or now.

    Raises:
        BadInput: the text is not a YYYY-MM-DD date.
    """
    if text is None:
        return clock()
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f'"{text}" is not a date.', AS_OF_USAGE) from None
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LONDON)
    return end.astimezone(dt.UTC).replace(tzinfo=None)


def run_report(settings: Settings, kind: str, subject: str | None, as_of: str | None) -> int:
    """Print one report.

    Returns:
        0 when printed, 1 when the database cannot be reached, 2 when the input was refused.
    """

    def build(repo: PlanRepository, now: dt.datetime) -> RenderableType:
        if kind == "summary":
            return render_report(theme_summary(repo, now, subject))
        if kind == "overdue":
            return render_report(overdue_list(repo, now))
        if kind == "digest":
            return render_report(weekly_digest(repo, now))
        return render_report(quarterly_summary(repo, parse_quarter(subject or "", london_date(now)), now))

    return _run(settings, as_of, build)


def run_panel(settings: Settings, quarter: str | None, fmt: str, public: bool, output: Path, as_of: str | None) -> int:
    """Write the Panel appendix to ``output``; nothing is written when anything is refused.

    The file is written beside ``output`` under a temporary name and renamed into place, so a
    failure never leaves half a document where the paper is expected.

    Returns:
        0 when written, 1 when the database cannot be reached, 2 when the input was refused.
    """
    problem = _panel_problem(quarter, fmt, output)
    if problem is not None:
        Console(stderr=True).print(Text(problem, style="red"), soft_wrap=True)
        return 2

    def export(repo: PlanRepository, now: dt.datetime) -> RenderableType:
        panel = build_panel(repo, parse_quarter(quarter or "", london_date(now)), now, public)
        charts = draw_charts(repo, panel, now) if fmt in ("docx", "html", "md") else ()
        handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=".planbot-", suffix=f".{fmt}")
        os.close(handle)
        try:
            write_panel(panel, fmt, Path(temporary), charts)
            os.replace(temporary, output)
        finally:
            Path(temporary).unlink(missing_ok=True)
        withheld = f"; {panel.withheld_sentence}" if public else ""
        return Text(f"Wrote the {panel.audience} Panel report for {panel.period} to {output}{withheld}.")

    return _run(settings, as_of, export)


def _panel_problem(quarter: str | None, fmt: str, output: Path) -> str | None:
    """What is wrong with the options before the database is opened, or ``None``."""
    if fmt not in EXPORT_FORMATS:
        return f'"{fmt}" is not an export format: use docx, xlsx, csv, html or md.\n{PANEL_USAGE}'
    if quarter is None:
        return f"Say which quarter with --quarter.\n{PANEL_USAGE}"
    if not output.parent.is_dir():
        return f"{output.parent} is not a folder; the report would have nowhere to go."
    if output.is_dir():
        return f"{output} is a folder; give a file name such as panel-report.{fmt}."
    return None


def run_measure_set(settings: Settings, action: str, measure: str, value: str, quarter: str, as_of: str | None) -> int:
    """Record a strategic measure's value for a quarter and print what was stored.

    Returns:
        0 when stored, 1 when the database cannot be reached, 2 when the input was refused.
    """

    def record(repo: PlanRepository, now: dt.datetime) -> RenderableType:
        recorded = record_measure_value(
            repo,
            action_code=action,
            measure_name=measure,
            value_text=value,
            quarter=parse_quarter(quarter, london_date(now)),
            actor=local_actor("console"),
            now=now,
        )
        return render_measure_recorded(recorded)

    return _run(settings, as_of, record)


def _run(settings: Settings, as_of: str | None, work: Callable[[PlanRepository, dt.datetime], RenderableType]) -> int:
    out, err = Console(highlight=False), Console(stderr=True)
    try:
        now = as_of_moment(as_of, utc_now)
    except BadInput as exc:
        err.print(Text(exc.reply_text(), style="red"), soft_wrap=True)
        return 2
    try:
        container = Container.open(settings)
    except DATABASE_ERRORS as exc:
        err.print(Text(database_problem(settings.database_url, exc), style="red"), soft_wrap=True)
        return 1
    try:
        with container.unit_of_work() as repo:
            shown = work(repo, now)
    except UserError as exc:
        err.print(Text(exc.reply_text(), style="red"), soft_wrap=True)
        return 2
    finally:
        container.engine.dispose()
    out.print(shown)
    return 0
