""" "Still <colour>": re-confirm an action's current status and reason in one click from a reminder.

A re-confirmation is an ordinary new status update (same colour, same reason, same restriction)
recorded through ``commands.rag.record_update``, so it passes the same permission check and is
audited the same way. Each reminder's button acts once: the first click claims a ``JobRun`` keyed
by the reminder (its period key, such as "V9:2018-06-15") under a unique constraint, so a double
click, or the owner and the SRO clicking the same day's reminders, stores one update; later clicks
are told when and by whom it was recorded. A refused click (a stranger's, or a reminder overtaken
by a newer update) gives its claim back, so the owner's own click still works.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from commands.action_lookup import look_up_action
from commands.errors import InvalidStatus, UserError
from commands.job_status import RunState
from commands.model import Invocation, Reply
from commands.rag import record_update
from commands.rag_grammar import UpdateRequest
from commands.rules import DEFAULT_SCHEME, RagScheme, london_date, show_date
from storage.models import JobRun
from storage.repository import PlanRepository

RECONFIRM = "reconfirm"


@dataclass(frozen=True)
class ReconfirmRequest:
    """The button's value: the reminder it came from and the colour it offered to keep."""

    reminder_key: str
    status: str

    @property
    def action_id(self) -> str:
        return self.reminder_key.rpartition(":")[0]


def reconfirm(
    request: ReconfirmRequest,
    invocation: Invocation,
    repo: PlanRepository,
    now: dt.datetime,
    scheme: RagScheme = DEFAULT_SCHEME,
) -> Reply:
    """Record the action's current status again, once per reminder.

    Returns:
        The stored update's reply; or, with ``ok`` False and nothing stored, why not: already
        re-confirmed, changed since the reminder, or the person may not update the action.
    """
    try:
        action = look_up_action(request.action_id, repo)
    except UserError as err:
        return Reply(text=err.reply_text(), ok=False)
    assert action.id is not None
    latest = repo.latest_update(action)
    claim = JobRun(
        job=RECONFIRM,
        target=_target(action.code),
        period_key=request.reminder_key,
        state=RunState.SENT.value,
        claimed_at=now,
        finished_at=now,
        detail=json.dumps({"by": invocation.actor.name or invocation.actor.email}),
    )
    if not repo.insert_once(claim):
        found = repo.job_run(RECONFIRM, _target(action.code), request.reminder_key)
        assert found is not None
        return _already(found)
    try:
        if latest is None or latest.status != request.status:
            raise InvalidStatus(
                f"{action.code} has changed since this reminder (it is now "
                f"{scheme.label(latest.status if latest else None)}); use Update… to post its status."
            )
        update = UpdateRequest(
            action.code,
            latest.status,
            latest.reason,
            latest.restricted,
            mitigation=latest.mitigation,
            outcome=latest.outcome,
        )
        return record_update(update, invocation, repo, now, scheme)
    except UserError as err:
        repo.delete(claim)
        return Reply(text=err.reply_text(), ok=False)


def _target(action_code: str) -> str:
    return f"action:{action_code}"


def _already(run: JobRun) -> Reply:
    by = json.loads(run.detail or "{}").get("by", "someone")
    code = run.target.removeprefix("action:")
    when = show_date(london_date(run.claimed_at))
    return Reply(text=f"Already recorded: {code} was re-confirmed on {when} by {by}.", ok=False)
