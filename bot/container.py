"""Composition root: the one engine, the clock and the unit-of-work factory; nothing else builds these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from bot.config import Settings
from commands.rag_scheme import plan_scheme
from commands.rules import RagScheme
from storage.db import make_engine, session_scope
from storage.repository import PlanRepository


def utc_now() -> dt.datetime:
    """The wall clock, as the naive UTC the database stores; the core only ever receives it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Container:
    """Holds the process's shared resources; handlers ask it for a repository per unit of work."""

    def __init__(self, settings: Settings, engine: Engine, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock

    @classmethod
    def open(cls, settings: Settings, clock: Callable[[], dt.datetime] = utc_now) -> Container:
        """Connect and bring the database to the newest migration before anything reads it."""
        from storage.migrate import upgrade_to_head

        engine = make_engine(settings.database_url)
        upgrade_to_head(engine)
        return cls(settings, engine, clock)

    @classmethod
    def connect(cls, settings: Settings) -> Container:
        """Connect without migrating: for a process working beside the one that migrated (Slack's worker)."""
        return cls(settings, make_engine(settings.database_url))

    @contextmanager
    def unit_of_work(self) -> Iterator[PlanRepository]:
        """One session for one command or job: committed if the block succeeds, rolled back if not."""
        with session_scope(self.engine) as session:
            yield PlanRepository(session)

    def scheme(self) -> RagScheme:
        """The current plan's colour key, for what is worded outside a unit of work (scheduled posts):
        each plan reports in its own file's ``rag_scheme``, or the default one."""
        with self.unit_of_work() as repo:
            return plan_scheme(repo)
