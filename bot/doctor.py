"""``planbot doctor``: check everything planbot needs and print what is fine and what to fix.

Set-up problems otherwise show up as silence (a digest that never arrives), so this checks them in
one go: the database and its migrations, the Slack tokens and scopes, planbot's membership of
every channel it posts to and, when Teams is configured, its token, signing keys and app package
(a Teams-only deployment is not told to set up Slack). It changes nothing, not even the database's
schema, and exits 1 when anything must be fixed, so it can gate a deployment.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from bot.config import Settings
from bot.container import utc_now
from bot.health import Check, Status
from bot.slack.doctor_checks import slack_checks
from commands.job_status import JobsOverview, jobs_overview, jobs_reply
from commands.ports import SLACK, TEAMS
from commands.subscriptions import DESCRIPTIONS, subscribed_channels
from storage.db import make_engine, session_scope
from storage.migrate import current_revision, head_revision
from storage.models import TeamsConversation
from storage.repository import PlanRepository

STYLES = {Status.OK: "green", Status.WARN: "yellow", Status.FIX: "bold red"}


def run_doctor(settings: Settings, console: Console | None = None, *, teams_package: Path | None = None) -> int:
    """Run every check, print the table, and return the exit code (1 if anything is marked FIX).

    Args:
        settings: what to check.
        console: where the table goes (default: the terminal).
        teams_package: a Teams app package whose bot id is compared with ``PLANBOT_TEAMS_APP_ID``
            (default: ``planbot-teams.zip`` in the working directory, when there is one).
    """
    console = console or Console()
    checks, channels = database_checks(settings)
    if settings.teams is not None and not slack_configured(settings):
        checks.append(_slack_not_configured(channels))
    else:
        checks += slack_checks(settings, channels)
    if settings.teams is not None:
        from bot.teams.doctor_checks import teams_checks

        checks += teams_checks(settings.teams, teams_package)
    table = Table(title="planbot doctor", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail, and what to do")
    for check in checks:
        table.add_row(check.name, f"[{STYLES[check.status]}]{check.status}[/]", check.detail)
    console.print(table)
    to_fix = sum(1 for check in checks if check.status is Status.FIX)
    console.print(f"{to_fix} thing(s) to fix." if to_fix else "Everything planbot needs is in place.")
    return 1 if to_fix else 0


def slack_configured(settings: Settings) -> bool:
    """Whether any Slack token or secret is set: a deployment without one does not use Slack."""
    return any((settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret))


def _slack_not_configured(channels: dict[str, list[str]]) -> Check:
    """A Teams-only deployment: Slack is left out, unless Slack channels are still set to receive posts."""
    if channels:
        listed = ", ".join(sorted(channels))
        return Check(
            "Slack",
            Status.WARN,
            f"not configured, yet Slack channels {listed} are set to receive posts that cannot be sent: set "
            "SLACK_BOT_TOKEN, or remove them (PLANBOT_*_CHANNELS, /plan admin unsubscribe).",
        )
    return Check("Slack", Status.OK, "not configured (no SLACK_* token or secret): this deployment serves Teams")


def database_checks(settings: Settings) -> tuple[list[Check], dict[str, list[str]]]:
    """The database and its schema, and (read from it) the channels planbot posts to.

    Returns:
        The checks, and each channel with what it receives (configured channels even when the
        database cannot be read).
    """
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    engine = make_engine(settings.database_url)
    try:
        current = current_revision(engine)
        head = head_revision()
        checks = [Check("Database", Status.OK, f"connected to {shown}")]
        if current != head:
            found = "has no planbot tables" if current is None else f"is at revision {current}"
            checks.append(
                Check("Migrations", Status.FIX, f"The database {found}; planbot needs {head}: run planbot db upgrade.")
            )
            return checks, _channels(settings, None)
        checks.append(Check("Migrations", Status.OK, f"at the newest revision ({head})"))
        with session_scope(engine) as session:
            repo = PlanRepository(session)
            checks.append(runs_check(jobs_overview(repo, utc_now())))
            if settings.teams is not None:
                checks.append(teams_references_check(repo))
            return checks, _channels(settings, repo)
    except SQLAlchemyError as error:
        reason = str(error.orig if getattr(error, "orig", None) else error).splitlines()[0]
        fix = f"Cannot use {shown}: {reason}. Check DATABASE_URL and that the server is running."
        return [Check("Database", Status.FIX, fix)], _channels(settings, None)
    finally:
        engine.dispose()


def runs_check(overview: JobsOverview) -> Check:
    """Failed or stuck scheduled runs need looking at; otherwise the last run of each job."""
    if overview.problems:
        detail = jobs_reply(overview).text.replace("\n", "; ")
        return Check("Scheduled runs", Status.FIX, f"{detail}. planbot jobs lists them.")
    last = ", ".join(f"{r.job} {r.state} {r.period_key}" for r in overview.last) or "none yet"
    return Check("Scheduled runs", Status.OK, f"none failed or stuck; last of each: {last}")


def teams_references_check(repo: PlanRepository) -> Check:
    """The Teams conversations planbot stopped posting to because Teams refused it there (403: removed,
    not installed, blocked) or no longer has them (404). A subscribed channel among them needs fixing:
    its reports cannot arrive until planbot is added back (its next activity there reactivates it)."""
    inactive = repo.session.exec(
        select(TeamsConversation).where(col(TeamsConversation.active).is_(False)).order_by(TeamsConversation.id)
    ).all()
    if not inactive:
        return Check("Teams conversations", Status.OK, "planbot can post in every Teams conversation it knows")
    subscribed = {s.channel for s in repo.subscriptions() if s.platform == TEAMS}
    shown = [
        f"{row.kind} {row.conversation_id}" + (" (subscribed to reports)" if row.conversation_id in subscribed else "")
        for row in inactive
    ]
    needed = any(row.conversation_id in subscribed for row in inactive)
    fix = (
        "add planbot back to the team (the team's ⋯ menu → Manage team → Apps), or unsubscribe the channel "
        "(@planbot plan admin unsubscribe, typed in it); a person's chat is created anew at the next message"
    )
    return Check(
        "Teams conversations",
        Status.FIX if needed else Status.WARN,
        f"inactive (Teams refused planbot or deleted them): {', '.join(shown)}. To fix: {fix}.",
    )


def _channels(settings: Settings, repo: PlanRepository | None) -> dict[str, list[str]]:
    """Configured Slack channels and, when the database can be read, subscribed ones, with what each
    receives (the Slack checks look at Slack's channels; other platforms check their own)."""
    found: dict[str, list[str]] = {}
    for job, description in DESCRIPTIONS.items():
        configured = settings.report_channels.get(job, ())
        if repo is None:
            channels = list(configured)
        else:
            channels = [t.address for t in subscribed_channels(repo, job, configured) if t.platform == SLACK]
        for channel in channels:
            found.setdefault(channel, []).append(description)
    return found
