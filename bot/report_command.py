"""``planbot report summary [THEME] | overdue | digest | quarter [QUARTER] | panel | annual | theme THEME``
and ``planbot measure set``.

Input is checked before the database is touched where it can be (dates, quarters, numbers), and
every report runs in one unit of work, so a refused command writes nothing. Only the quarterly
summary writes, and only the snapshot of a quarter whose cut-off has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from rich.console import Console, RenderableType
from rich.text import Text

from bot.collector import imports_frozen
from bot.config import Settings
from bot.container import utc_now
from bot.db_command import open_container
from bot.local_user import local_actor
from bot.plans_command import find_plan
from bot.terminal_report import render_measure_recorded, render_report
from commands.errors import BadDate, UserError
from commands.measures import record_measure_value
from commands.panel import ANNUAL, EXPORT_FORMATS, QUARTERLY, THEME, PanelOrder
from commands.periods import Quarter, parse_financial_year, parse_quarter
from commands.rag_scheme import plan_scheme
from commands.report_builders import overdue_list, quarterly_summary, theme_summary, weekly_digest
from commands.rules import LONDON, london_date, parse_date
from storage.repository import PlanRepository

AS_OF_USAGE = "--as-of is the day the report is as at, for example --as-of 2019-01-16."
REPORTS = ("summary", "overdue", "digest", "quarter", "panel", "annual", "theme")
_FILE_OPTIONS = "--format docx|xlsx|csv|html|md [--public] --output FILE [--force]"
PANEL_USAGE = f'planbot report panel --quarter "2018/19 Q3" {_FILE_OPTIONS}'
ANNUAL_USAGE = f"planbot report annual --year 2018/19 {_FILE_OPTIONS}"
THEME_USAGE = f'planbot report theme THEME [--quarter "2018/19 Q3"] {_FILE_OPTIONS}'
USAGES = {QUARTERLY: PANEL_USAGE, ANNUAL: ANNUAL_USAGE, THEME: THEME_USAGE}


def as_of_moment(text: str | None, clock: Callable[[], dt.datetime]) -> dt.datetime:
    """The moment a report is "as of": the end of the given London day, or now.

    Raises:
        BadDate: the text is not a YYYY-MM-DD date.
    """
    if text is None:
        return clock()
    day = parse_date(text, AS_OF_USAGE)
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LONDON)
    return end.astimezone(dt.UTC).replace(tzinfo=None)


def run_report(
    settings: Settings,
    kind: str,
    subject: str | None,
    as_of: str | None,
    plan: str | None = None,
    *,
    every_action: bool = False,
) -> int:
    """Print one report, on the current plan or the one ``plan`` names by short name: a long one as its
    summary and the exceptions that matter most, unless ``every_action`` (``--all``).

    Returns:
        0 when printed, 1 when the database cannot be reached, 2 when the input was refused.
    """

    def build(repo: PlanRepository, now: dt.datetime) -> RenderableType:
        # The renderer makes the laid-out text safe for a terminal (``commands.text.safe_copy``).
        scheme = plan_scheme(repo)
        if kind == "summary":
            content: object = theme_summary(repo, now, subject, scheme)
        elif kind == "overdue":
            content = overdue_list(repo, now, scheme)
        elif kind == "digest":
            content = weekly_digest(repo, now, scheme=scheme)
        else:
            content = quarterly_summary(repo, parse_quarter(subject or "", london_date(now)), now, scheme)
        return render_report(content, scheme, every_action=every_action)

    return run_in_database(settings, as_of, build, plan)


def run_panel(
    settings: Settings,
    quarter: str | None,
    fmt: str,
    public: bool,
    output: Path,
    as_of: str | None,
    *,
    force: bool,
    report: str = QUARTERLY,
    theme: str = "",
    year: str | None = None,
    plan: str | None = None,
) -> int:
    """Write a Panel document to ``output``: the quarterly appendix, the annual report for ``year``
    (``report`` ANNUAL) or the deep dive into ``theme`` (``report`` THEME), of the current plan or the
    one ``plan`` names; nothing is written when anything is refused (an unknown theme, a year with no
    frozen quarter, a year or quarter that cannot be read).

    The build is the core's one Panel build (``commands.panel_orders.produce_panel``), the same as
    Slack's; the file is written under a temporary name and renamed into place.

    Returns:
        0 when written, 1 when the database cannot be reached, 2 when the input was refused.
    """
    problem = _panel_problem(report, quarter, year, theme, fmt, output, force)
    if problem is not None:
        Console(stderr=True).print(Text(problem, style="red"), soft_wrap=True)
        return 2

    # The writers (python-docx, openpyxl, matplotlib) and the builds of the annual report and the deep
    # dive are imported only for a file, not for every report.
    from bot.exports import write_panel_file
    from commands.panel_orders import produce_panel, written_text

    def export(repo: PlanRepository, now: dt.datetime) -> RenderableType:
        # The person at the terminal can read the database itself: any version is theirs to write.
        today = london_date(now)
        if report == ANNUAL:
            period = Quarter(parse_financial_year(year or "", today), 4)
        else:
            period = parse_quarter(quarter or "", today)
        order = PanelOrder(period, fmt, public, report=report, theme=theme)
        panel = produce_panel(repo, order, now, output, write_panel_file)
        return Text(written_text(panel, str(output)))

    with imports_frozen():
        return run_in_database(settings, as_of, export, plan)


def _panel_problem(
    report: str, quarter: str | None, year: str | None, theme: str, fmt: str, output: Path, force: bool
) -> str | None:
    """What is wrong with the options before the database is opened, or ``None``: an existing file is
    replaced only with ``--force``, and a file is never named for one format and written in another."""
    usage = USAGES[report]
    if fmt not in EXPORT_FORMATS:
        return f'"{fmt}" is not an export format: use docx, xlsx, csv, html or md.\n{usage}'
    if report == ANNUAL and quarter is not None:
        return f"The annual report covers a whole financial year: give --year, not --quarter.\n{usage}"
    if report != ANNUAL and year is not None:
        return f"--year is for the annual report (planbot report annual); give --quarter here.\n{usage}"
    if report == ANNUAL and year is None:
        return f"Say which financial year with --year, for example --year 2018/19.\n{usage}"
    if report == THEME and not theme.strip():
        return f"Say which theme to look at in depth, for example planbot report theme Victims.\n{usage}"
    if report == QUARTERLY and quarter is None:
        return f"Say which quarter with --quarter.\n{usage}"
    if not output.parent.is_dir():
        return f"{output.parent} is not a folder; the report would have nowhere to go."
    if output.is_dir():
        return f"{output} is a folder; give a file name such as panel-report.{fmt}."
    if output.suffix.lower() != f".{fmt}":
        given = f"ends in {output.suffix}" if output.suffix else "has no extension"
        return (
            f"{output} {given} but the format is {fmt}: name it {output.with_suffix(f'.{fmt}').name}, "
            f"or give the --format its name says."
        )
    if output.exists() and not force:
        return f"{output} already exists; add --force to replace it, or choose another --output."
    return None


def run_measure_set(
    settings: Settings, action: str, measure: str, value: str, quarter: str, as_of: str | None, plan: str | None = None
) -> int:
    """Record a strategic measure's value for a quarter (on the current plan's action, or the
    one ``plan`` names) and print what was stored.

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

    return run_in_database(settings, as_of, record, plan)


def run_in_database(
    settings: Settings,
    as_of: str | None,
    work: Callable[[PlanRepository, dt.datetime], RenderableType],
    plan: str | None = None,
) -> int:
    """Run ``work`` in one unit of work as at ``as_of`` (default now), on the current plan or the one
    ``plan`` names, and print what it answers; a refusal (``UserError``) goes to stderr with exit code
    2, an unreachable database exits 1."""
    out, err = Console(highlight=False), Console(stderr=True)
    try:
        now = as_of_moment(as_of, utc_now)
    except BadDate as exc:
        err.print(Text(exc.reply_text(), style="red"), soft_wrap=True)
        return 2
    container = open_container(settings, err)
    if container is None:
        return 1
    try:
        with container.unit_of_work() as repo:
            if plan is not None:
                # Every question the report asks of "the current plan" is answered for this one.
                repo.pin_plan(find_plan(repo, plan))
            shown = work(repo, now)
    except UserError as exc:
        err.print(Text(exc.reply_text(), style="red"), soft_wrap=True)
        return 2
    finally:
        container.engine.dispose()
    out.print(shown)
    return 0
