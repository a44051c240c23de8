"""``planbot plan import FILE [--dry-run] [--new-plan | --replace-current] [--from-file-wins]``: check
a plan file, apply it in one unit of work, report.

A dry run goes through exactly the same import and then rolls the unit of work back, so what it
shows (and what it refuses) is what a real import would do.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.config import Settings
from bot.db_command import open_container
from bot.local_user import local_actor
from commands.errors import UserError
from commands.plan_file import PlanFileError, load_plan
from storage.plan_import import ImportResult, import_plan

_KIND_STYLES = {"add": "green", "change": "yellow", "close": "red", "keep": "cyan"}


class _RollBack(Exception):
    """Raised inside the unit of work to undo a dry run; never leaves this module."""


def run_plan_import(
    settings: Settings,
    path: Path,
    dry_run: bool,
    *,
    new_plan: bool = False,
    replace_current: bool = False,
    from_file_wins: bool = False,
    assume_higher_is_better: bool = False,
) -> int:
    """Import a plan file and print its changes.

    Returns:
        0 on success, 1 when the database cannot be reached, 2 when the file has problems or names
        a plan other than the current one without saying what to do with it (nothing is written).
    """
    out, err = Console(), Console(stderr=True)
    try:
        spec = load_plan(path, assume_higher_is_better=assume_higher_is_better)
    except PlanFileError as exc:
        err.print(Text(exc.message, style="red"), soft_wrap=True)
        return 2
    container = open_container(settings, err)
    if container is None:
        return 1
    result = ImportResult()
    try:
        with container.unit_of_work() as repo:
            result = import_plan(
                repo,
                spec,
                actor=local_actor("plan import"),
                at=container.clock(),
                new_plan=new_plan,
                replace_current=replace_current,
                from_file_wins=from_file_wins,
            )
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    except UserError as exc:
        err.print(Text(f"{path.name}: {exc.reply_text()}", style="red"), soft_wrap=True)
        return 2
    finally:
        container.engine.dispose()
    _report(out, result, path, dry_run)
    if spec.assumed_higher:
        out.print(
            f"Higher is better was assumed for {len(spec.assumed_higher)} measure"
            f"{'s' if len(spec.assumed_higher) > 1 else ''} the file gives no polarity: "
            + "; ".join(spec.assumed_higher),
            soft_wrap=True,
        )
    return 0


def _report(out: Console, result: ImportResult, path: Path, dry_run: bool) -> None:
    if result.changes:
        title = f"Dry run of {path.name}: nothing written" if dry_run else f"Imported {path.name}"
        table = Table(title=title, title_justify="left")
        for column in ("kind", "entity", "key", "detail"):
            table.add_column(column, overflow="fold")
        for change in result.changes:
            table.add_row(Text(change.kind, style=_KIND_STYLES[change.kind]), change.entity, change.key, change.detail)
        out.print(table)
    else:
        out.print(f"No changes: the database already matches {path.name}.", soft_wrap=True)
    if result.kept:
        out.print(
            f"{result.kept} value{'s' if result.kept > 1 else ''} changed since the last import (in chat, say) "
            f"{'were' if result.kept > 1 else 'was'} kept where the file still says what it said then; "
            "--from-file-wins applies the file's instead.",
            soft_wrap=True,
        )
    prefix = "Dry run, nothing written: " if dry_run else ""
    out.print(f"{prefix}{result.summary()}", soft_wrap=True)
    if result.made_current is not None:
        would = "would be" if dry_run else "is now"
        stays = "would stay" if dry_run else "stays"
        out.print(
            f'"{result.plan}" {would} the current plan (chat commands and scheduled reports use it). '
            f'"{result.made_current}" {stays} as it was; its reports and history: '
            f'planbot report … --plan "{result.made_current}", and planbot plan use "{result.made_current}" '
            "makes it current again.",
            soft_wrap=True,
        )
