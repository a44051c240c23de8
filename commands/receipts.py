"""Each platform request is answered once: a replay of a signed slash command inside its 5-minute
window, or an Events API retry (``X-Slack-Retry-Num``) of an event already taken, is acknowledged
and dropped.

The claim is a row with a unique (kind, key), so it holds across every planbot process on the
database, not only inside one. A retry of a request whose first delivery was claimed but then
failed is dropped too: the person hears of that failure from the error handler instead.
"""

from __future__ import annotations

import datetime as dt

from storage.models import ReceivedRequest
from storage.repository import PlanRepository

# Slack retries an event for about five minutes and refuses a signature older than five; a day
# is far beyond both and keeps the table small.
KEPT_FOR = dt.timedelta(days=1)


def first_delivery(repo: PlanRepository, kind: str, key: str, now: dt.datetime) -> bool:
    """Claim ``key``; ``True`` the first time it is seen, ``False`` for a replay or a retry.

    Args:
        kind: what the key is ("command", "interaction", "event").
        key: the platform's id for the request (a ``trigger_id``, an ``event_id``).
        now: the moment of receipt, naive UTC; claims older than ``KEPT_FOR`` are forgotten.
    """
    repo.forget_received_before(now - KEPT_FOR)
    return repo.insert_once(ReceivedRequest(kind=kind, key=key[:255], received_at=now))
