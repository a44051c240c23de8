"""The running bot process: the database, the notifier of each configured platform, and the scheduler.

The runtime, not any one platform's runner, owns the scheduler, because a scheduled post belongs
to no platform until its target names one: the scheduler hands each post to the notifier of its
target's platform (``commands.ports.Notifiers``). Each platform's runner registers its notifier
and then serves its own listener; SIGTERM (a deploy's restart) is turned into the same orderly stop
as Ctrl+C: the post in flight finishes and the scheduler ends before the process exits.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from bot.chart_keeper import draw_in_background
from bot.config import Settings
from bot.container import Container
from commands.ports import Notifier

if TYPE_CHECKING:
    from bot.scheduler import SchedulerThread

START_BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
"""Waits between attempts to reach a database that refuses at start; the last repeats."""
START_PATIENCE_SECONDS = 300.0
"""How long a start waits for the database before giving up (a deploy that never gets one should fail)."""

logger = logging.getLogger(__name__)


class Runtime:
    """One process's shared parts; built once by ``planbot run`` / ``planbot serve``."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.notifiers: dict[str, Notifier] = {}
        self.scheduler: SchedulerThread | None = None
        self._stops: list[Callable[[], None]] = []

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        patience: float = START_PATIENCE_SECONDS,
    ) -> Runtime:
        """Log at INFO, then open and migrate the database, retrying with backoff while it refuses
        (it is often still starting beside planbot after a reboot).

        Raises:
            OperationalError: the database still refused after ``patience`` seconds of waiting.
        """
        log_at_info()
        waited, attempt = 0.0, 0
        while True:
            try:
                return cls(Container.open(settings))
            except OperationalError as error:
                wait = START_BACKOFF_SECONDS[min(attempt, len(START_BACKOFF_SECONDS) - 1)]
                if waited + wait > patience:
                    raise
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[:1]
                logger.warning("The database refused (%s); trying again in %.0f s", " ".join(reason), wait)
                sleep(wait)
                waited, attempt = waited + wait, attempt + 1

    def add_platform(self, platform: str, notifier: Notifier, stop: Callable[[], None] | None = None) -> None:
        """Deliver this platform's scheduled posts through ``notifier``; ``stop`` ends what it runs on
        (Teams' event loop), called once the scheduler has stopped, as posts in flight need it till then."""
        self.notifiers[platform] = notifier
        if stop is not None:
            self._stops.append(stop)

    def start_scheduler(self) -> None:
        """Start the scheduler over every platform added so far (call once, after adding them).

        The scheduler and its delivery engine (DBOS) are imported here, not with the runtime: a
        server starts them once it is ready (``bot.serve``)."""
        from bot.scheduler import start_scheduler_thread

        keep_charts = partial(draw_in_background, self.container.settings.database_url)
        self.scheduler = start_scheduler_thread(self.container, dict(self.notifiers), on_frozen=keep_charts)
        logger.info("Scheduler started for %s", ", ".join(self.notifiers))

    def stop(self) -> None:
        """Let the posts in flight finish, hand the rest of each run back, then stop the engine."""
        if self.scheduler is not None:
            logger.info("Stopping: finishing the posts in flight, then the delivery engine")
            self.scheduler.stop()
            self.scheduler = None
        while self._stops:
            self._stops.pop()()


def log_at_info() -> None:
    """How every long-running planbot process logs: INFO and above, with time, level and source."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def interrupt_on_sigterm() -> None:
    """Make SIGTERM raise ``KeyboardInterrupt`` in the main thread, so it stops planbot as Ctrl+C does."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
