"""The ``planbot`` command: argument parsing only; each sub-command lives in its own module."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

from bot.config import Settings
from bot.schedule_settings import BadSetting
from storage.db import DEFAULT_DATABASE_URL

DATABASE_NOTE = f"The database is the one DATABASE_URL names (default: {DEFAULT_DATABASE_URL})."
REPORTS = {
    "summary": "where each theme stands now, with exceptions (give a THEME for one theme)",
    "overdue": "open actions past their due date, oldest first",
    "digest": "the weekly digest as it stands now",
    "quarter": 'the quarterly summary (give a QUARTER such as "2018/19 Q3")',
    "panel": "write the Panel's quarterly appendix to a file (--quarter, --format, --public, --output)",
    "annual": "write the PCC's annual report for a financial year to a file (--year, --format, --public, --output)",
    "theme": "write an in-depth report on one THEME for a quarter to a file (--quarter, --format, --public, --output)",
}

# The reports written to files: the core's name for each and the file written when --output is not given.
FILE_REPORTS = {
    "panel": ("quarterly", "panel-report"),
    "annual": ("annual", "annual-report"),
    "theme": ("theme", "deep-dive"),
}


def _reads_database(sub: argparse._SubParsersAction, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A sub-command that reads the database: its --help says which database that is."""
    return sub.add_parser(name, epilog=DATABASE_NOTE, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planbot",
        description="Police and Crime Plan delivery monitoring: RAG updates in Slack and Teams, stored in SQL.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="load the demo plan into a fresh SQLite file and simulate a quarter")
    demo.add_argument("--db", type=Path, default=Path("planbot-demo.db"), help="SQLite file to (re)create")
    demo.add_argument("--force", action="store_true", help="replace the file even if it holds another plan")

    console = _reads_database(sub, "console", help="type /rag and /plan commands as a person from the plan")
    console.add_argument("--as", dest="as_person", metavar="EMAIL_OR_NAME", help="who you are (asked if left out)")

    run = _reads_database(sub, "run", help="connect to Slack (Socket Mode when SLACK_APP_TOKEN is set)")
    _scheduler_option(run)

    serve = _reads_database(sub, "serve", help="serve Slack's and Teams' HTTP requests (whichever are configured)")
    serve.add_argument("--http", action="store_true", required=True, help="HTTP mode (signatures and tokens verified)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    _scheduler_option(serve)

    doctor = _reads_database(
        sub, "doctor", help="check the database, Slack's tokens, scopes and channels and Teams'; say what to fix"
    )
    doctor.add_argument(
        "--teams-package",
        type=Path,
        metavar="FILE",
        help="a Teams app package to compare with PLANBOT_TEAMS_APP_ID (default: planbot-teams.zip, if here)",
    )
    _reads_database(sub, "jobs", help="list scheduled runs that failed or are stuck, and the last of each job")

    db = _reads_database(sub, "db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    _reads_database(db_sub, "upgrade", help="apply every pending migration")

    plan = _reads_database(sub, "plan", help="plan maintenance")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar="PLAN_COMMAND")
    plan_import = _reads_database(plan_sub, "import", help="load or update the plan from a YAML or CSV file")
    plan_import.add_argument("file", type=Path)
    plan_import.add_argument("--dry-run", action="store_true", help="show the changes without writing them")

    listing = "\n".join(f"  {name:<8} {what}" for name, what in REPORTS.items())
    report = sub.add_parser(
        "report",
        help="print a governance report (summary, overdue, digest, quarter) or write a file (panel, annual, theme)",
        description=f"Reports (REPORT):\n{listing}",
        epilog=DATABASE_NOTE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("report", choices=tuple(REPORTS), metavar="REPORT", help="one of: " + ", ".join(REPORTS))
    report.add_argument(
        "subject", nargs="*", help='a THEME for summary and theme, a QUARTER such as "2018/19 Q3" for quarter'
    )
    report.add_argument("--as-of", metavar="YYYY-MM-DD", help="report as at the end of this day (default: now)")
    report.add_argument(
        "--quarter", help='panel, theme: the quarter, e.g. "2018/19 Q3" or "last quarter" (theme\'s default)'
    )
    report.add_argument("--year", help='annual: the financial year, e.g. "2018/19" or "last year"')
    report.add_argument(
        "--format", dest="fmt", default="docx", help="panel, annual, theme: docx (default), xlsx, csv, html or md"
    )
    report.add_argument("--public", action="store_true", help="files: role titles only, restricted commentary left out")
    report.add_argument("--output", type=Path, help="files: the file to write (its extension is the format's)")
    report.add_argument("--force", action="store_true", help="files: replace --output if it exists")

    teams = sub.add_parser("teams", help="Microsoft Teams: build the app package a Teams admin uploads")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True, metavar="TEAMS_COMMAND")
    package = teams_sub.add_parser(
        "package",
        help="write the Teams app package (manifest.json and icons) for PLANBOT_TEAMS_APP_ID",
        epilog="The bot id is PLANBOT_TEAMS_APP_ID; no secret is needed. See docs/teams-setup.md.",
    )
    package.add_argument("--output", type=Path, default=Path("planbot-teams.zip"), help="the zip to write")
    package.add_argument("--force", action="store_true", help="replace --output if it exists")
    package.add_argument("--developer", default="Office of the PCC", help="the publisher Teams shows (≤ 32 characters)")
    package.add_argument("--website", help="https:// address of the OPCC's website, shown on the app's page")
    package.add_argument("--privacy-url", help="https:// address of the privacy notice (default: --website)")
    package.add_argument("--terms-url", help="https:// address of the terms of use (default: --website)")

    measure = _reads_database(sub, "measure", help="strategic measure values")
    measure_sub = measure.add_subparsers(dest="measure_command", required=True, metavar="MEASURE_COMMAND")
    measure_set = _reads_database(measure_sub, "set", help="record a measure's value for a quarter")
    measure_set.add_argument("action", help="the action id, e.g. V9")
    measure_set.add_argument("measure", help="the measure's name, quoted")
    measure_set.add_argument("value", help="a number, e.g. 72.5 or 72.5%%")
    measure_set.add_argument("--quarter", required=True, help='e.g. "2018/19 Q3", or "last quarter"')
    measure_set.add_argument("--as-of", metavar="YYYY-MM-DD", help="record as if on this day (default: now)")
    return parser


def _scheduler_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-scheduler",
        dest="scheduler",
        action="store_false",
        help="answer Slack only; send no scheduled reports or nudges (another planbot process sends them)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    load_dotenv(Path.cwd() / ".env", override=False)
    args = build_parser().parse_args(argv)
    if args.command == "teams":
        # Before the settings: building the package needs the app id only, not the secret or a database.
        from bot.teams.package import PLACEHOLDER_SITE, Developer, run_package

        developer = Developer(args.developer, args.website or PLACEHOLDER_SITE, args.privacy_url, args.terms_url)
        return run_package(os.environ, args.output, force=args.force, developer=developer)
    try:
        settings = Settings.from_env()
    except BadSetting as error:
        print(f"planbot: {error}", file=sys.stderr)
        return 2

    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(args.db, force=args.force)
    if args.command == "console":
        from bot.console import run_console

        return run_console(settings, args.as_person)
    if args.command == "run":
        from bot.slack.runner import run

        return run(settings, scheduler=args.scheduler)
    if args.command == "serve":
        from bot.serve import serve_http

        return serve_http(settings, host=args.host, port=args.port, scheduler=args.scheduler)
    if args.command == "report" and args.report in FILE_REPORTS:
        from bot.report_command import run_panel

        report, default_name = FILE_REPORTS[args.report]
        output = args.output or Path(f"{default_name}.{args.fmt}")
        return run_panel(
            settings,
            args.quarter,
            args.fmt,
            args.public,
            output,
            args.as_of,
            force=args.force,
            report=report,
            theme=" ".join(args.subject),
            year=args.year,
        )
    if args.command == "report":
        from bot.report_command import run_report

        return run_report(settings, args.report, " ".join(args.subject) or None, args.as_of)
    if args.command == "measure":
        from bot.report_command import run_measure_set

        return run_measure_set(settings, args.action, args.measure, args.value, args.quarter, args.as_of)
    if args.command == "jobs":
        from bot.jobs_command import run_jobs

        return run_jobs(settings)
    if args.command == "doctor":
        from bot.doctor import run_doctor

        return run_doctor(settings, teams_package=args.teams_package)
    if args.command == "db":
        from bot.db_command import run_upgrade

        return run_upgrade(settings)
    from bot.plan_import_command import run_plan_import

    return run_plan_import(settings, args.file, dry_run=args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
