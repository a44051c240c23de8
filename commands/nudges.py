"""Who gets a direct message from the scheduled passes: nudges, escalations and quarter-close reminders.

Nudges go to the holders of an action's owner and joint lead roles when its update is due within
three days or overdue (the same ``UpdateTiming`` that ``/rag mine`` shows), at most once per action per person in
seven days, counted from what was delivered, so that a lead on leave is not chased daily.
Escalations go to the SRO role's holders when an action is more than 14 days past its current due
date, on the same seven-day rule. The quarter-close reminder asks every owner of an open action for
the quarter-end status before the cut-off. Selection costs a fixed number of queries; the scheduler
claims and sends each message. Someone on leave (``commands.leave``) is not messaged: their
cover, or else the action's delegates, or else its SRO, is nudged instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from commands.command_words import DEFAULT, CommandWords
from commands.job_status import RunState
from commands.model import Line, Reply, Section
from commands.on_leave import leave_note
from commands.periods import Quarter, cut_off
from commands.permissions import involved_roles, lead_roles
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
    covering: str = ""
    """Whom the recipient stands in for while they are on leave ("" when the action is their own)."""

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
    repo: PlanRepository,
    day_key: str,
    now: dt.datetime,
    scheme: RagScheme,
    words_of: Callable[[int], CommandWords] = lambda _person_id: DEFAULT,
) -> list[DirectMessage]:
    """The nudges and escalations of one working day's pass (``day_key`` like "2018-11-26").

    ``words_of`` answers how a person (by id) types planbot's commands: a nudge asks for the update in
    the words of the platform it reaches them on, which is chosen per person.

    Someone on leave is not messaged: a nudge for them goes to their stand-in (``Recipients``), and
    an action whose leads are all away is not escalated about (its stand-in is nudged instead).

    Returns:
        One message per person and action, leaving out anyone already nudged (or escalated to)
        about that action in the last seven days.
    """
    unfinished = _unfinished_actions(repo, scheme)
    today = london_date(now)
    recent = _recently_messaged(repo, dt.date.fromisoformat(day_key), now)
    recipients = Recipients(repo, [action for action, _ in unfinished], today)
    messages: list[DirectMessage] = []
    for action, update in unfinished:
        status = update.status if update else None
        wanted = [(NUDGE, recipients.of_leads(action), _nudge_text(action, update, today))]
        days_late = (today - action.current_due).days
        if days_late > ESCALATE_AFTER_DAYS and not recipients.leads_all_away(action):
            escalation = _escalation_text(action, status, days_late, scheme)
            wanted.append((ESCALATION, recipients.of_sro(action), escalation))
        for job, people, text in wanted:
            if text is None:
                continue
            for person, covering in people:
                recipient = _recipient(person)
                if (job, person_target(recipient.person_id), action.code) in recent:
                    continue
                ask = f" {_ask(action, scheme, words_of(recipient.person_id))}" if job == NUDGE else ""
                reply = Reply(text=covering_text(covering) + text + ask, status=status)
                key = f"{action.code}:{day_key}"
                messages.append(DirectMessage(job, recipient, key, reply, action.code, status, covering))
    return messages


def quarter_close_reminders(
    repo: PlanRepository, quarter: Quarter, scheme: RagScheme, now: dt.datetime
) -> list[DirectMessage]:
    """One reminder per lead listing their open actions and the quarter's cut-off date; an away
    lead's actions are listed to their stand-in instead."""
    unfinished = _unfinished_actions(repo, scheme)
    recipients = Recipients(repo, [action for action, _ in unfinished], london_date(now))
    by_person: dict[int, tuple[Person, list[Line]]] = {}
    for action, update in unfinished:
        status = update.status if update else None
        for person, covering in recipients.of_leads(action):
            assert person.id is not None
            line = Line(f"{action.code}: {action.title} (now {scheme.label(status)}){_for(covering)}", status)
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


Chosen = tuple[Person, str]
"""Someone to message about an action, and whom they stand in for ("" when it is their own)."""


class Recipients:
    """Who is messaged about each action, with leave taken into account, in a fixed number of queries.

    An action's leads are the holders of its owner and joint lead roles. A lead on leave is replaced
    by their stand-in: their cover when they named one who is not away too; else, when no other lead
    is at work, the action's delegates at work, or else its SRO's holders at work. An SRO on leave
    is replaced by their cover only (an escalation is theirs to answer, not a delegate's).
    """

    def __init__(self, repo: PlanRepository, actions: list[Action], today: dt.date) -> None:
        self.holders = repo.holders(role for action in actions for role in involved_roles(action))
        self.away = repo.leaves_on(today)
        self.covers = repo.people(leave.cover_id for leave in self.away.values() if leave.cover_id is not None)
        ids = [a.id for a in actions if a.id is not None]
        self.delegates = repo.delegates_of(ids) if self.away else {}

    def leads(self, action: Action) -> list[Person]:
        """The holders of the action's owner role, then of its joint lead role, each once."""
        found = {p.id: p for role in lead_roles(action) for p in self.holders.get(role, [])}
        return list(found.values())

    def leads_all_away(self, action: Action) -> bool:
        """Whether the action has leads and every one is on leave (so no one is escalated about it)."""
        leads = self.leads(action)
        return bool(leads) and all(p.id in self.away for p in leads)

    def of_leads(self, action: Action) -> list[Chosen]:
        """Who is nudged about the action: its leads at work, and the stand-ins of those away."""
        leads = self.leads(action)
        at_work = [p for p in leads if p.id not in self.away]
        chosen: list[Chosen] = [(p, "") for p in at_work]
        for person in leads:
            if person.id not in self.away:
                continue
            cover = self._cover(person)
            if cover is not None:
                chosen.append((cover, self._who(person)))
            elif not at_work:
                chosen += [(p, self._who(person)) for p in self._fallback(action)]
        return _once(chosen)

    def of_sro(self, action: Action) -> list[Chosen]:
        """Who is escalated to: the SRO's holders at work, and the covers of those away."""
        chosen: list[Chosen] = []
        for person in self.holders.get(action.sro_role_id, []):
            cover = self._cover(person) if person.id in self.away else person
            if cover is not None:
                chosen.append((cover, "" if cover is person else self._who(person)))
        return _once(chosen)

    def _cover(self, person: Person) -> Person | None:
        """The person's cover, when they named one who is not away too."""
        leave = self.away.get(person.id) if person.id is not None else None
        cover = self.covers.get(leave.cover_id) if leave is not None and leave.cover_id is not None else None
        return cover if cover is not None and cover.id not in self.away else None

    def _fallback(self, action: Action) -> list[Person]:
        """The action's delegates at work, or else its SRO's holders at work."""
        delegates = [p for p in self.delegates.get(action.id or 0, []) if p.id not in self.away]
        return delegates or [p for p in self.holders.get(action.sro_role_id, []) if p.id not in self.away]

    def _who(self, person: Person) -> str:
        assert person.id is not None
        return f"{person.name or person.email}, {leave_note(self.away[person.id])}"


def covering_text(covering: str) -> str:
    """What a message sent to a stand-in says first: "You are covering for Jo Bloggs, on leave until …"."""
    return f"You are covering for {covering}. " if covering else ""


def _sent(message: DirectMessage) -> str:
    return "escalated to" if message.job == ESCALATION else "nudged"


def _for(covering: str) -> str:
    return f" (covering for {covering})" if covering else ""


def _once(chosen: list[Chosen]) -> list[Chosen]:
    """Each person once, keeping the first reason they were chosen for."""
    seen: dict[int | None, Chosen] = {}
    for person, covering in chosen:
        seen.setdefault(person.id, (person, covering))
    return list(seen.values())


def nudge_digest(messages: Iterable[DirectMessage]) -> Reply | None:
    """What channels subscribed to nudges see: who was nudged or escalated to, about what; ``None`` if no one."""
    lines = [Line(f"{m.action_code}: {_sent(m)} {m.recipient.name}{_for(m.covering)}", m.status) for m in messages]
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


def _nudge_text(action: Action, update: StatusUpdate | None, today: dt.date) -> str | None:
    """Why an action whose update is due soon or overdue is nudged about; ``None`` when it is not due.
    The request itself (``_ask``) follows, in the reader's words."""
    if update is None:
        return f"{action.code} ({action.title}) has no update yet."
    due = next_update_due(london_date(update.created_at), action.cadence)
    timing = update_timing(due, today)
    if timing is UpdateTiming.NOT_DUE:
        return None
    when = "was due" if timing is UpdateTiming.OVERDUE else "is due"
    return f"The {action.cadence} update on {action.code} ({action.title}) {when} by {show_date(due)}."


def _ask(action: Action, scheme: RagScheme, words: CommandWords) -> str:
    """A nudge's request, typed as the reader types it."""
    colours = "|".join(status.aliases[0] for status in scheme.statuses)
    return f"Please post an update: {words.rag} {action.code} {colours} <reason>."


def _escalation_text(action: Action, status: str | None, days_late: int, scheme: RagScheme) -> str:
    return (
        f"{action.code} ({action.title}) was due on {show_date(action.current_due)} and is {days_late} days "
        f"overdue; its status is {scheme.label(status)}. As SRO, please agree a recovery or a re-profiled date."
    )


def _recipient(person: Person) -> Recipient:
    assert person.id is not None
    return Recipient(person.id, person.email, person.name or person.email)
