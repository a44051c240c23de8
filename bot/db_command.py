"""``planbot db upgrade``: bring the database to the newest schema and say what changed."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.config import Settings
from bot.container import Container
from storage.db import make_engine, normalise_url
from storage.migrate import current_revision, upgrade_to_head

DATABASE_ERRORS = (DBAPIError, ArgumentError)


def database_problem(database_url: str, exc: Exception) -> str:
    """One line for whoever ran the command: which database (password hidden) and why it failed."""
    try:
        shown = make_url(normalise_url(database_url)).render_as_string(hide_password=True)
    except ArgumentError:
        shown = "DATABASE_URL"
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"Cannot use the database {shown}: {reason[0] if reason else type(exc).__name__}"


def open_container(settings: Settings, err: Console) -> Container | None:
    """The database for a terminal command, or ``None`` after telling ``err`` in one line why it
    cannot be used (the caller exits 1)."""
    try:
        return Container.open(settings)
    except DATABASE_ERRORS as exc:
        err.print(Text(database_problem(settings.database_url, exc), style="red"), soft_wrap=True)
        return None


def run_upgrade(settings: Settings) -> int:
    """Apply pending migrations; exit 1 with a one-line reason when the database cannot be reached."""
    out, err = Console(), Console(stderr=True)
    try:
        engine = make_engine(settings.database_url)
        try:
            before = current_revision(engine)
            upgrade_to_head(engine)
            after = current_revision(engine)
        finally:
            engine.dispose()
    except DATABASE_ERRORS as exc:
        err.print(Text(database_problem(settings.database_url, exc), style="red"), soft_wrap=True)
        return 1
    if before == after:
        out.print(f"Database already at the newest revision, [bold]{after}[/bold]; nothing to do.")
    else:
        out.print(f"Database upgraded from [bold]{before or 'empty'}[/bold] to [bold]{after}[/bold].")
    return 0
