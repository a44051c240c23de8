"""The workspace the Slack tests act in: its people, a clock, and what the database holds."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from storage.db import session_scope
from storage.models import PlatformIdentity, StatusUpdate
from support.fake_slack import SlackUser

OWNER = SlackUser("U0OLLIE001", "Ollie Kerr", "Ollie.Kerr@Example.org")  # V9's owner; Slack keeps the case
ADMIN = SlackUser("U0EMILY001", "Emily Carter", "emily.carter@example.org")
STRANGER = SlackUser("U0VISIT001", "Vic Visitor", "vic.visitor@example.net")  # not in the plan
BOT = SlackUser("U0OTHERBOT", "Some Bot", None, is_bot=True)


class TickingClock:
    """Naive UTC in the plan's second year, a minute later at each reading, so updates have an order."""

    def __init__(self, start: dt.datetime = dt.datetime(2018, 6, 15, 9, 0)) -> None:
        self._minutes = itertools.count()
        self._lock = threading.Lock()
        self._start = start

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._start + dt.timedelta(minutes=next(self._minutes))


def stored_updates(engine: Engine) -> list[StatusUpdate]:
    """Every status update in the database, read in a fresh transaction, oldest first."""
    with session_scope(engine) as session:
        return list(session.exec(select(StatusUpdate).order_by(StatusUpdate.id)))


def identities(engine: Engine) -> int:
    """How many Slack users planbot has matched to people."""
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(PlatformIdentity)).one()
