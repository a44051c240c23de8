"""``planbot plan list`` and ``planbot plan use SHORT_NAME``: the plans side by side, and which is current.

One plan is current: chat commands, the Home view and scheduled reports use it. Every plan keeps
its actions, updates, snapshots and measures; ``planbot report … --plan SHORT_NAME`` reports on
any of them.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.config import Settings
from bot.db_command import open_container
from bot.local_user import local_actor
from commands.errors import UserError
from commands.rules import show_date
from storage.models import Plan
from storage.repository import PlanRepository


class UnknownPlan(UserError):
    """No plan has the short name given."""


def find_plan(repo: PlanRepository, short_name: str) -> Plan:
    """The plan with this short name (exactly, or failing that in any case and spacing).

    Raises:
        UnknownPlan: no plan has it; the message lists those there are.
    """
    plans = repo.all_plans()
    wanted = " ".join(short_name.split())
    for plan in plans:
        if plan.short_name == wanted:
            return plan
    for plan in plans:
        if plan.short_name.casefold() == wanted.casefold():
            return plan
    known = ", ".join(f'"{plan.short_name}"' for plan in plans)
    raise UnknownPlan(
        f'There is no plan "{wanted}". '
        + (f"The plans are {known} (planbot plan list)." if plans else "No plan is imported yet.")
    )


def run_plan_list(settings: Settings) -> int:
    """Print every plan, marking the current one.

    Returns:
        0, or 1 when the database cannot be reached.
    """
    out, err = Console(highlight=False), Console(stderr=True)
    container = open_container(settings, err)
    if container is None:
        return 1
    try:
        with container.unit_of_work() as repo:
            plans = repo.all_plans()
            current = repo.current_plan()
            counts = repo.plan_action_counts()
            table = Table(title="Plans", title_justify="left")
            for column in ("current", "short name", "name", "period", "actions"):
                table.add_column(column, overflow="fold")
            for plan in plans:
                total, active = counts.get(plan.id or 0, (0, 0))
                is_current = current is not None and plan.id == current.id
                table.add_row(
                    Text("current", style="bold green") if is_current else "",
                    plan.short_name,
                    plan.name,
                    f"{show_date(plan.period_start)} to {show_date(plan.period_end)}",
                    f"{total} ({active} active)",
                )
    finally:
        container.engine.dispose()
    if not plans:
        out.print("No plan is imported yet: planbot plan import FILE loads one.", soft_wrap=True)
        return 0
    out.print(table)
    out.print(
        "Chat commands and scheduled reports use the current plan; planbot plan use SHORT_NAME changes it, "
        "and planbot report … --plan SHORT_NAME reports on any plan.",
        soft_wrap=True,
    )
    return 0


def run_plan_use(settings: Settings, short_name: str) -> int:
    """Make the named plan current (audited).

    Returns:
        0 when it is current, 1 when the database cannot be reached, 2 when no plan has that name.
    """
    out, err = Console(highlight=False), Console(stderr=True)
    container = open_container(settings, err)
    if container is None:
        return 1
    try:
        with container.unit_of_work() as repo:
            plan = find_plan(repo, short_name)
            before = repo.current_plan()
            assert plan.id is not None
            if before is not None and before.id == plan.id and plan.is_current:
                message = f'"{plan.short_name}" is already the current plan; nothing changed.'
            else:
                repo.make_current(plan.id)
                repo.audit(
                    at=container.clock(),
                    actor=local_actor("plan use"),
                    entity="plan",
                    key=plan.short_name,
                    change="current",
                    detail={"before": before.short_name if before else None, "after": plan.short_name},
                )
                was = f' (was "{before.short_name}")' if before is not None and before.id != plan.id else ""
                message = (
                    f'"{plan.short_name}" is now the current plan{was}: chat commands, the Home view and '
                    "scheduled reports use it."
                )
    except UserError as exc:
        err.print(Text(exc.reply_text(), style="red"), soft_wrap=True)
        return 2
    finally:
        container.engine.dispose()
    out.print(message, soft_wrap=True)
    return 0
