"""The read-only side of ``/rag``: one action (``/rag V9``), your actions (``/rag mine``) and help.

Anyone may read. Each view costs a fixed number of queries however many actions or updates there
are, so ``/rag mine`` stays quick for an SRO who sponsors a hundred actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from commands.action_lookup import look_up_action
from commands.command_words import command_words
from commands.model import Actor, Line, Reply, Section
from commands.on_leave import leave_line
from commands.permissions import Capacity, describe_people, lead_roles, person_name
from commands.rag_grammar import RESTRICTED_FLAG
from commands.rules import (
    DUE_SOON_DAYS,
    MITIGATION,
    OUTCOME,
    Need,
    RagScheme,
    RagStatus,
    UpdateTiming,
    is_open,
    london_date,
    next_update_due,
    show_date,
    update_timing,
    word_list,
)
from storage.models import Action, Person, StatusUpdate
from storage.repository import PlanRepository

SHOWN_UPDATES = 5
RESTRICTED_ANNOUNCED = "reason restricted, not shown here"
"""What a reply everyone reads says in place of a restricted reason (the channel announcement, a Teams channel)."""


def due_text(action: Action, overdue: bool) -> str:
    """The current due date, the baseline when it was re-profiled, and whether it has passed."""
    text = show_date(action.current_due)
    if action.current_due != action.baseline_due:
        text += f" (re-profiled from {show_date(action.baseline_due)})"
    return f"{text}, overdue" if overdue else text


def plain_text(sections: Sequence[Section]) -> str:
    """The whole reply as plain text: each section's title over its lines, a blank line between."""
    return "\n\n".join("\n".join([section.title, *(line.text for line in section.lines)]) for section in sections)


def show_action(
    action_id: str, repo: PlanRepository, now: dt.datetime, scheme: RagScheme, withhold_restricted: bool = False
) -> Reply:
    """Title, owner and SRO with their holders, due dates, current status and the last five updates.

    ``withhold_restricted``: the reply is read by everyone in the conversation, so restricted reasons
    are replaced by a note that they are not shown here.
    """
    action = look_up_action(action_id, repo)
    assert action.id is not None
    role_ids = [*lead_roles(action), action.sro_role_id]
    roles = repo.roles(role_ids)
    holders = repo.holders(role_ids)
    delegates = repo.delegates(action.id)
    updates = repo.recent_updates(action.id, SHOWN_UPDATES)
    authors = repo.people(u.author_id for u in updates)
    latest = updates[0].status if updates else None

    def role_line(label: str, role_id: int) -> Line:
        title = roles[role_id].title if role_id in roles else "(role missing)"
        return Line(f"{label}: {title} ({describe_people(holders[role_id])})")

    details = [role_line("Owner", action.owner_role_id)]
    details += [role_line("Joint lead", role_id) for role_id in lead_roles(action)[1:]]
    details.append(role_line("SRO", action.sro_role_id))
    if delegates:
        details.append(Line(f"Delegates: {describe_people(delegates)}"))
    overdue = scheme.action_overdue(action.current_due, action.state, latest, london_date(now))
    details.append(Line(f"Due: {due_text(action, overdue)}"))
    if not is_open(action.state):
        approval = f" ({action.state_approval})" if action.state_approval else ""
        details.append(Line(f"State: {action.state}{approval}"))
    details.append(_status_line(updates, scheme))
    history = [_history_line(u, authors, scheme, withhold_restricted) for u in updates] or [Line("No updates yet.")]
    sections = (
        Section(f"{action.code} {action.title}", tuple(details)),
        Section("Last update" if len(updates) == 1 else "Last updates", tuple(history)),
    )
    return Reply(text=plain_text(sections), status=latest, sections=sections)


def _status_line(updates: Sequence[StatusUpdate], scheme: RagScheme) -> Line:
    if not updates:
        return Line(f"Status: {scheme.label(None)}")
    latest, previous = updates[0], updates[1].status if len(updates) > 1 else None
    was = f" (was {scheme.label(previous)})" if previous else ""
    direction = scheme.direction(previous, latest.status)
    when = show_date(london_date(latest.created_at))
    return Line(f"Status: {scheme.label(latest.status)}, {direction}{was}, updated {when}", latest.status)


def _history_line(update: StatusUpdate, authors: dict[int, Person], scheme: RagScheme, withhold: bool) -> Line:
    author = authors.get(update.author_id)
    name = person_name(author) if author is not None else "someone no longer known"
    marks = "".join(
        mark for mark, applies in ((" (on behalf)", update.on_behalf), (" (restricted)", update.restricted)) if applies
    )
    reason = f": {update.reason}" if update.reason else ""
    for noun, text in (("mitigation", update.mitigation), ("outcome", update.outcome)):
        reason += f" · {noun}: {text}" if text else ""
    if withhold and update.restricted:
        marks, reason = "", f" ({RESTRICTED_ANNOUNCED})"
    when = show_date(london_date(update.created_at))
    return Line(f"{when} · {scheme.label(update.status)} · {name}{marks}{reason}", update.status)


def my_actions(actor: Actor, repo: PlanRepository, now: dt.datetime, scheme: RagScheme) -> Reply:
    """The actor's open actions (as owner, delegate or SRO), their status and what is due."""
    plan = repo.current_plan()
    if plan is None or plan.id is None:
        return _no_actions(repo, "the plan")
    held = repo.roles_held(actor.person_id)
    delegated = repo.delegated_action_ids(actor.person_id)
    involved = repo.actions_involving(plan.id, held, delegated)
    actions = [a for a in involved if is_open(a.state)]
    if not actions:
        return _no_actions(repo, plan.short_name)
    today = london_date(now)
    away = leave_line(repo, actor.person_id, today)
    lines = [_mine_line(a, latest, held, delegated, today, scheme) for a, latest in repo.latest_updates(actions)]
    counts = {timing: sum(1 for _, t, _ in lines if t is timing) for timing in UpdateTiming}
    late_actions = sum(1 for _, _, late in lines if late)
    summary = (
        f"Updates overdue: {counts[UpdateTiming.OVERDUE]} · "
        f"due within {DUE_SOON_DAYS} days: {counts[UpdateTiming.DUE_SOON]} · "
        f"actions past their due date: {late_actions}"
    )
    title = f"Your actions in {plan.short_name} ({len(actions)})"
    opening = (Line(away),) if away else ()
    sections = (Section(title, (*opening, Line(summary), *(line for line, _, _ in lines))),)
    return Reply(text=plain_text(sections), sections=sections)


def _mine_line(
    action: Action,
    latest: StatusUpdate | None,
    held: set[int],
    delegated: set[int],
    today: dt.date,
    scheme: RagScheme,
) -> tuple[Line, UpdateTiming | None, bool]:
    """One action's line, with its update timing and whether the action itself is overdue."""
    capacities = [
        str(capacity)
        for capacity, applies in (
            (Capacity.OWNER, action.owner_role_id in held),
            (Capacity.JOINT_LEAD, action.joint_lead_role_id in held),
            (Capacity.DELEGATE, action.id in delegated),
            (Capacity.SRO, action.sro_role_id in held),
        )
        if applies
    ]
    status = latest.status if latest else None
    parts = [f"{action.code} ({word_list(capacities, 'and')}): {scheme.label(status)}"]
    timing: UpdateTiming | None = None
    if latest is None:
        timing = UpdateTiming.OVERDUE
        parts.append("first update due now")
    else:
        last = london_date(latest.created_at)
        parts[0] += f", updated {show_date(last)}"
        if not scheme.finished(action.state, status):
            due = next_update_due(last, action.cadence)
            timing = update_timing(due, today)
            parts.append(timing_text(timing, due, action.cadence))
    late = scheme.action_overdue(action.current_due, action.state, status, today)
    action_due = show_date(action.current_due)
    parts.append(f"action overdue (was due {action_due})" if late else f"action due {action_due}")
    return Line(" · ".join(parts), status), timing, late


def timing_text(timing: UpdateTiming, due: dt.date, cadence: str) -> str:
    """ "update overdue since …", "update due soon, by …" or "next update by …", with the cadence."""
    if timing is UpdateTiming.OVERDUE:
        return f"update overdue since {show_date(due)} ({cadence})"
    if timing is UpdateTiming.DUE_SOON:
        return f"update due soon, by {show_date(due)} ({cadence})"
    return f"next update by {show_date(due)} ({cadence})"


def _no_actions(repo: PlanRepository, plan_name: str) -> Reply:
    admins = repo.admins()
    who = f"an admin ({describe_people(admins, 'or')})" if admins else "an admin"
    sections = (
        Section(
            "Your actions",
            (
                Line(f"You have no open actions in {plan_name} as owner, delegate or SRO."),
                Line(f"To be given one, ask {who} to assign you a role or name you as a delegate."),
                Line(f"Anyone can look at an action with {command_words().rag} V9."),
            ),
        ),
    )
    return Reply(text=plain_text(sections), sections=sections)


def _needs(status: RagStatus) -> str:
    """ " A mitigation is required." / " An outcome is asked for.": what else the colour takes."""
    said = ""
    for part in (MITIGATION, OUTCOME):
        need = part.need(status)
        if need is not Need.NONE:
            asked = "" if need is Need.REQUIRED else " for"
            said += f" {part.article.capitalize()} {part.noun} ({part.flag}) is {need}{asked}."
    return said


def rag_help(scheme: RagScheme) -> Reply:
    """Usage with examples, then each colour with the words that select it and its definition."""
    optional = word_list([s.aliases[0] for s in scheme.statuses if not s.reason_required], "and")
    # The examples use the plan's own words: its worst colour, its best completing one, its second, and
    # the first that needs no reason (red, blue, amber and green in the default key).
    ranked = sorted(scheme.statuses, key=lambda s: s.rank)
    worst, second = ranked[0].aliases[0], ranked[min(1, len(ranked) - 1)].aliases[0]
    done = next((s.aliases[0] for s in reversed(ranked) if s.completes), None)
    easy = next((s.aliases[0] for s in ranked if not s.reason_required), second)
    rag = command_words().rag
    usage = (
        Line(f"{rag} V9 {worst} Waiting on CJS review {MITIGATION.example} · a status, why, and what is being done"),
        *(
            (Line(f"{rag} V2 {done} Audit complete {OUTCOME.example} · complete, with what it delivered"),)
            if done
            else ()
        ),
        Line(f"{rag} v9 {second} Slipped a month {RESTRICTED_FLAG} · keep the reason out of public reports"),
        Line(f"{rag} V9 {easy} · a reason is optional for {optional}"),
        Line(f"{rag} V9 · status, owner, due date and the last five updates"),
        Line(f"{rag} mine · your actions and which updates are due"),
        Line(f"{rag} away until 2027-01-04 cover @person · on leave: your reminders go to your cover"),
        Line(f"{rag} back · back early: your reminders resume"),
    )
    colours = tuple(
        Line(
            f"{s.label}: type {', '.join(a for a in s.aliases if a.isalpha())} or the emoji. {s.definition}"
            + (" A reason is required." if s.reason_required else "")
            + _needs(s),
            s.code,
        )
        for s in scheme.statuses
    )
    rules = (
        Line(f"{scheme.label(None)}: no update yet; shown as a gap, never as green."),
        Line(f"Reasons may be up to {scheme.max_reason_length:,} characters."),
        Line(
            "Owners and joint leads, their delegates, SROs, the cover of any of them on leave, and admins "
            "may update an action; anyone may look."
        ),
    )
    sections = (Section(f"Using {rag}", usage), Section("Statuses", colours + rules))
    return Reply(text=plain_text(sections), sections=sections)
