"""The ``planbot`` command: argument parsing only; each sub-command lives in its own module.

Nothing heavy is imported here: ``planbot --help`` needs argparse alone, the settings (and the
database layer they name) are imported once the arguments are read, and each sub-command imports
its own module, so a report in the terminal never loads Slack's, Teams' or the file writers' libraries
(``tests/test_cli.py`` runs the process and checks ``sys.modules``)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import collector

DEFAULT_DATABASE_URL = "sqlite:///planbot.db"
"""``storage.db.DEFAULT_DATABASE_URL``, written out so that ``planbot --help`` imports no database code
(``tests/test_cli.py`` checks the two agree)."""
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
    plan_import = _reads_database(plan_sub, "import", help="load or update the current plan from a YAML or CSV file")
    plan_import.add_argument("file", type=Path)
    plan_import.add_argument("--dry-run", action="store_true", help="show the changes without writing them")
    choice = plan_import.add_mutually_exclusive_group()
    choice.add_argument(
        "--new-plan",
        action="store_true",
        help="the file is a plan not imported before: add it beside the others and make it current",
    )
    choice.add_argument(
        "--replace-current",
        action="store_true",
        help="the file is the current plan under a new short name: update the current plan in place",
    )
    plan_import.add_argument(
        "--from-file-wins",
        action="store_true",
        help="take the file's role holders and cadences even where chat changed them since the last import",
    )
    plan_import.add_argument(
        "--assume-higher-is-better",
        action="store_true",
        help="take a measure that states neither higher_is_better nor lower_is_better as higher-is-better",
    )
    _reads_database(plan_sub, "list", help="list the plans, marking the current one")
    plan_use = _reads_database(plan_sub, "use", help="make a plan current (chat commands and scheduled reports)")
    plan_use.add_argument("short_name", metavar="SHORT_NAME", help='the plan\'s short name, e.g. "PCP 2017-20"')

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
        "--all",
        dest="every_action",
        action="store_true",
        help="every action of a long report (default: its summary and the exceptions that matter most)",
    )
    report.add_argument("--plan", metavar="SHORT_NAME", help="report on this plan (default: the current plan)")
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

    publish = _reads_database(
        sub, "publish", help="write the public site: every frozen quarter's and year's public reports, with an index"
    )
    publish.add_argument("--output", type=Path, default=Path("site"), help="the folder to write (default: site)")
    publish.add_argument("--as-of", metavar="YYYY-MM-DD", help="publish as at the end of this day (default: now)")

    measure = _reads_database(sub, "measure", help="strategic measure values")
    measure_sub = measure.add_subparsers(dest="measure_command", required=True, metavar="MEASURE_COMMAND")
    measure_set = _reads_database(measure_sub, "set", help="record a measure's value for a quarter")
    measure_set.add_argument("action", help="the action id, e.g. V9")
    measure_set.add_argument("measure", help="the measure's name, quoted")
    measure_set.add_argument("value", help="a number, e.g. 72.5 or 72.5%%")
    measure_set.add_argument("--quarter", required=True, help='e.g. "2018/19 Q3", or "last quarter"')
    measure_set.add_argument("--as-of", metavar="YYYY-MM-DD", help="record as if on this day (default: now)")
    measure_set.add_argument("--plan", metavar="SHORT_NAME", help="the action's plan (default: the current plan)")
    return parser


def _scheduler_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-scheduler",
        dest="scheduler",
        action="store_false",
        help="answer Slack only; send no scheduled reports or nudges (another planbot process sends them)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code.

    A report printed in the terminal runs with the cyclic garbage collector paused
    (``bot.collector.pause``); commands that run for long (Slack, Teams, the console) or draw charts keep it.
    """
    env_file = Path.cwd() / ".env"
    if env_file.exists():
        # python-dotenv is imported only when there is a file for it to read.
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
    args = build_parser().parse_args(argv)
    paused = args.command == "report" and args.report not in FILE_REPORTS and gc.isenabled()
    if paused:
        collector.pause()
    try:
        return _run(args)
    finally:
        if paused:
            collector.resume()


def _run(args: argparse.Namespace) -> int:
    """Run the sub-command ``args`` names."""
    if args.command == "teams":
        # Before the settings: building the package needs the app id only, not the secret or a database.
        from bot.teams.package import PLACEHOLDER_SITE, Developer, run_package

        developer = Developer(args.developer, args.website or PLACEHOLDER_SITE, args.privacy_url, args.terms_url)
        return run_package(os.environ, args.output, force=args.force, developer=developer)
    from bot.config import Settings
    from bot.schedule_settings import BadSetting

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
            plan=args.plan,
        )
    if args.command == "report":
        from bot.report_command import run_report

        subject = " ".join(args.subject) or None
        return run_report(settings, args.report, subject, args.as_of, args.plan, every_action=args.every_action)
    if args.command == "measure":
        from bot.report_command import run_measure_set

        return run_measure_set(settings, args.action, args.measure, args.value, args.quarter, args.as_of, args.plan)
    if args.command == "publish":
        from bot.publish_command import run_publish

        return run_publish(settings, args.output, args.as_of)
    if args.command == "jobs":
        from bot.jobs_command import run_jobs

        return run_jobs(settings)
    if args.command == "doctor":
        from bot.doctor import run_doctor

        return run_doctor(settings, teams_package=args.teams_package)
    if args.command == "db":
        from bot.db_command import run_upgrade

        return run_upgrade(settings)
    if args.plan_command == "list":
        from bot.plans_command import run_plan_list

        return run_plan_list(settings)
    if args.plan_command == "use":
        from bot.plans_command import run_plan_use

        return run_plan_use(settings, args.short_name)
    from bot.plan_import_command import run_plan_import

    return run_plan_import(
        settings,
        args.file,
        dry_run=args.dry_run,
        new_plan=args.new_plan,
        replace_current=args.replace_current,
        from_file_wins=args.from_file_wins,
        assume_higher_is_better=args.assume_higher_is_better,
    )


if __name__ == "__main__":
    sys.exit(main())
