"""Who gets a direct message from the scheduled passes: nudges, escalations and quarter-close reminders.

Nudges go to the holders of an action's owner role when its update is due within three days or
overdue (the same ``UpdateTiming`` that ``/rag mine`` shows), at most once per action per person in
seven days, counted from what was delivered, so that a lead on leave is not chased daily.
Escalations go to the SRO role's holders when an action is more than 14 days past its current due
date, on the same seven-day rule. The quarter-close reminder asks every owner of an open action for
the quarter-end status before the cut-off. Selection costs a fixed number of queries; the scheduler
claims and sends each message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from commands.job_status import RunState
from commands.model import Line, Reply, Section
from commands.periods import Quarter, cut_off
from commands.ports import Recipient
from commands.rag_views import plain_text
from commands.rules import (
    RagScheme,
    UpdateTiming,
    is_open,
    london_date,
    next_update_due,
    show_date,
    update_timing,
)
from storage.models import Action, Person, StatusUpdate
from storage.repository import PlanRepository

NUDGE = "nudge"
ESCALATION = "escalation"
QUARTER_CLOSE_REMINDER = "quarter_close_reminder"
REPEAT_AFTER = dt.timedelta(days=7)
ESCALATE_AFTER_DAYS = 14


@dataclass(frozen=True)
class DirectMessage:
    """One message to one person, with the key its run is claimed under.

    ``action_code`` and ``status`` are set for single-action messages so a renderer can offer
    "Still <colour>" and "Update…" buttons.
    """

    job: str
    recipient: Recipient
    period_key: str
    reply: Reply
    action_code: str | None = None
    status: str | None = None

    @property
    def target(self) -> str:
        return person_target(self.recipient.person_id)


UPDATE_BUTTON = "Update…"


def still_label(word: str) -> str:
    """The reminder's one-click answer: the action stands where it was ("Still Amber")."""
    return f"Still {word}"


def person_target(person_id: int) -> str:
    """How a person is named in ``JobRun.target`` (ids are short and survive a change of email)."""
    return f"person:{person_id}"


def nudges_and_escalations(
    repo: PlanRepository, day_key: str, now: dt.datetime, scheme: RagScheme
) -> list[DirectMessage]:
    """The nudges and escalations of one working day's pass (``day_key`` like "2018-11-26").

    Returns:
        One message per person and action, leaving out anyone already nudged (or escalated to)
        about that action in the last seven days.
    """
    unfinished = _unfinished_actions(repo, scheme)
    today = london_date(now)
    recent = _recently_messaged(repo, dt.date.fromisoformat(day_key), now)
    holders = repo.holders({a.owner_role_id for a, _ in unfinished} | {a.sro_role_id for a, _ in unfinished})
    messages: list[DirectMessage] = []
    for action, update in unfinished:
        status = update.status if update else None
        wanted = [(NUDGE, action.owner_role_id, _nudge_text(action, update, today, scheme))]
        days_late = (today - action.current_due).days
        if days_late > ESCALATE_AFTER_DAYS:
            wanted.append((ESCALATION, action.sro_role_id, _escalation_text(action, status, days_late, scheme)))
        for job, role_id, text in wanted:
            if text is None:
                continue
            for person in holders.get(role_id, []):
                recipient = _recipient(person)
                if (job, person_target(recipient.person_id), action.code) in recent:
                    continue
                reply = Reply(text=text, status=status)
                key = f"{action.code}:{day_key}"
                messages.append(DirectMessage(job, recipient, key, reply, action.code, status))
    return messages


def quarter_close_reminders(repo: PlanRepository, quarter: Quarter, scheme: RagScheme) -> list[DirectMessage]:
    """One reminder per owner listing their open actions and the quarter's cut-off date."""
    unfinished = _unfinished_actions(repo, scheme)
    holders = repo.holders({a.owner_role_id for a, _ in unfinished})
    by_person: dict[int, tuple[Person, list[Line]]] = {}
    for action, update in unfinished:
        status = update.status if update else None
        line = Line(f"{action.code}: {action.title} (now {scheme.label(status)})", status)
        for person in holders.get(action.owner_role_id, []):
            assert person.id is not None
            by_person.setdefault(person.id, (person, []))[1].append(line)
    intro = Line(
        f"{quarter.label} ends on {show_date(quarter.end)}. Please post the quarter-end status of each action "
        f"below by {show_date(cut_off(quarter))}, when the quarter's figures are frozen for the Panel."
    )
    messages = []
    for person, lines in by_person.values():
        sections = (Section(f"{quarter.label}: quarter-end update", (intro, *lines)),)
        reply = Reply(text=plain_text(sections), sections=sections)
        messages.append(DirectMessage(QUARTER_CLOSE_REMINDER, _recipient(person), quarter.key, reply))
    return messages


def nudge_digest(messages: Iterable[DirectMessage]) -> Reply | None:
    """What channels subscribed to nudges see: who was nudged or escalated to, about what; ``None`` if no one."""
    lines = [
        Line(f"{m.action_code}: {'escalated to' if m.job == ESCALATION else 'nudged'} {m.recipient.name}", m.status)
        for m in messages
    ]
    if not lines:
        return None
    sections = (Section("Reminders sent today", tuple(lines)),)
    return Reply(text=plain_text(sections), sections=sections)


def _recently_messaged(repo: PlanRepository, day: dt.date, now: dt.datetime) -> set[tuple[str, str, str]]:
    """(job, target, action code) of nudges and escalations delivered in the six days before ``day``.

    Counted from what was delivered (a claim whose message never went out does not count) and by
    the London date it was delivered, so a nudge sent at 10:00:05 does not hold back next week's
    10:00 pass. Messages of ``day``'s own pass are left in, so a pass resumed after a crash lists
    them again (their claims stop them being sent twice).
    """
    runs = repo.job_runs_since([NUDGE, ESCALATION], now - REPEAT_AFTER - dt.timedelta(days=1), [RunState.SENT.value])
    recent = set()
    for run in runs:
        code, _, pass_day = run.period_key.rpartition(":")
        delivered = london_date(run.finished_at or run.claimed_at)
        if pass_day != day.isoformat() and day - delivered < REPEAT_AFTER:
            recent.add((run.job, run.target, code))
    return recent


def _unfinished_actions(repo: PlanRepository, scheme: RagScheme) -> list[tuple[Action, StatusUpdate | None]]:
    """The current plan's open actions not yet reported complete, in plan order, each with its newest update."""
    plan = repo.current_plan()
    if plan is None or plan.id is None:
        return []
    open_actions = [a for a in repo.actions(plan.id) if is_open(a.state)]
    return [
        (action, update)
        for action, update in repo.latest_updates(open_actions)
        if not scheme.finished(action.state, update.status if update else None)
    ]


def _nudge_text(action: Action, update: StatusUpdate | None, today: dt.date, scheme: RagScheme) -> str | None:
    """The nudge for an action whose update is due soon or overdue; ``None`` when it is not due."""
    colours = "|".join(status.aliases[0] for status in scheme.statuses)
    ask = f"Please post an update: /rag {action.code} {colours} <reason>."
    if update is None:
        return f"{action.code} ({action.title}) has no update yet. {ask}"
    due = next_update_due(london_date(update.created_at), action.cadence)
    timing = update_timing(due, today)
    if timing is UpdateTiming.NOT_DUE:
        return None
    when = "was due" if timing is UpdateTiming.OVERDUE else "is due"
    return f"The {action.cadence} update on {action.code} ({action.title}) {when} by {show_date(due)}. {ask}"


def _escalation_text(action: Action, status: str | None, days_late: int, scheme: RagScheme) -> str:
    return (
        f"{action.code} ({action.title}) was due on {show_date(action.current_due)} and is {days_late} days "
        f"overdue; its status is {scheme.label(status)}. As SRO, please agree a recovery or a re-profiled date."
    )


def _recipient(person: Person) -> Recipient:
    assert person.id is not None
    return Recipient(person.id, person.email, person.name or person.email)
