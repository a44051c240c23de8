"""The start of every long-running planbot process (``planbot run``, ``planbot serve --http``), whichever
platforms it serves: open the runtime, then begin the scheduler."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from bot.config import Settings
from bot.runtime import Runtime
from commands.ports import TEAMS

if TYPE_CHECKING:
    from bot.teams.gateway import TokenProviders


def open_runtime(settings: Settings, sleep: Callable[[float], None] = time.sleep) -> Runtime | None:
    """The runtime on the configured database, or ``None`` (said on stderr) when it stays unreachable.

    ``sleep`` waits between attempts; it may raise to give up waiting (a stop asked meanwhile).
    """
    try:
        return Runtime.open(settings, sleep=sleep)
    except OperationalError as error:
        from bot.db_command import database_problem  # with rich, which only this message needs

        print(f"{database_problem(settings.database_url, error)} (gave up waiting for it).", file=sys.stderr)
        return None


def begin(runtime: Runtime, scheduler: bool) -> None:
    """Start the scheduler (unless ``scheduler`` is false, ``--no-scheduler``) over the platforms added."""
    from bot.engine import ProcessIdInUse

    if scheduler and runtime.notifiers:
        try:
            runtime.start_scheduler()
        except ProcessIdInUse as error:
            print(f"planbot cannot start its scheduler: {error}.", file=sys.stderr)
            raise SystemExit(1) from None
    # Everything built so far lives as long as the process. Freezing it keeps the collector's full
    # passes short, so a busy moment's garbage never stalls an acknowledgement for tens of milliseconds.
    gc.freeze()


def send_to_teams(runtime: Runtime, providers: TokenProviders | None = None) -> None:
    """Post Teams' scheduled reports and messages from a process that does not answer Teams (``planbot
    run``, Slack's Socket Mode, beside a ``planbot serve --http --no-scheduler`` that does): the SDK's
    adapter and event loop, for sending only. ``providers`` gives outbound tokens (tests)."""
    from bot.teams.gateway import TeamsGateway

    assert runtime.container.settings.teams is not None
    gateway = TeamsGateway(runtime.container, runtime.container.settings.teams, providers)
    runtime.add_platform(TEAMS, gateway.notifier(), stop=gateway.stop)
