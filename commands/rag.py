"""``/rag``: the one entry point every platform (Slack, console, demo) calls, and recording an update.

The platform identifies the person and hands over the text; this module parses it, checks the
action and the person's right to update it, appends the status update and its audit entry, and
answers with a neutral ``Reply``. Mistakes the user can fix come back as a reply, never as an
exception, and nothing is written for them: every check runs before the first ``repo.add``.
"""

from __future__ import annotations

import datetime as dt

from commands.action_lookup import look_up_action
from commands.command_words import command_words
from commands.errors import InvalidStatus, NothingToCorrect, UserError
from commands.leave import come_back, go_away
from commands.leave_grammar import AwayRequest, BackRequest
from commands.model import Invocation, Line, Reply, Section
from commands.permissions import Capacity, authorise_update
from commands.rag_grammar import HelpRequest, MineRequest, ShowRequest, UpdateRequest, parse_rag, usage
from commands.rag_views import (
    RESTRICTED_ANNOUNCED,
    due_text,
    my_actions,
    plain_text,
    rag_help,
    show_action,
)
from commands.rules import (
    DEFAULT_SCHEME,
    MITIGATION,
    OUTCOME,
    Extra,
    Need,
    RagScheme,
    is_open,
    london_date,
    show_date,
)
from storage.models import Action, StatusUpdate
from storage.repository import PlanRepository


def handle_rag(
    invocation: Invocation, repo: PlanRepository, now: dt.datetime, scheme: RagScheme = DEFAULT_SCHEME
) -> Reply:
    """Answer one ``/rag`` command.

    Args:
        invocation: who typed what, and on which platform.
        repo: the caller's unit of work; this function adds rows but never commits.
        now: the moment of the command, naive UTC.
        scheme: the deployment's RAG colours.

    Returns:
        The reply; ``ok`` is False, and nothing has been stored, when the command was refused.
    """
    try:
        request = parse_rag(invocation.text, scheme)
        match request:
            case UpdateRequest():
                reply = record_update(request, invocation, repo, now, scheme)
                return everyones_reply(reply) if invocation.shared else reply
            case ShowRequest(action_id=action_id):
                return show_action(action_id, repo, now, scheme, withhold_restricted=invocation.shared)
            case MineRequest():
                return my_actions(invocation.actor, repo, now, scheme)
            case HelpRequest():
                return rag_help(scheme)
            case AwayRequest():
                return go_away(invocation.actor, repo, request, now)
            case BackRequest():
                return come_back(invocation.actor, repo, request, now)
    except UserError as err:
        return Reply(text=err.reply_text(), ok=False)


def record_update(
    request: UpdateRequest, invocation: Invocation, repo: PlanRepository, now: dt.datetime, scheme: RagScheme
) -> Reply:
    """Append a status update (and its audit entry) after every check has passed.

    Raises:
        UnknownAction: the plan has no such action.
        InvalidStatus: the action is closed, or the colour needs a mitigation or outcome not given
            (or takes none and one was given).
        NothingToCorrect: the update corrects the last one, and there is none.
        NotAuthorised: the person may not update it.
    """
    action = look_up_action(request.action_id, repo)
    assert action.id is not None
    _check_open(action)
    actor = invocation.actor
    permission = authorise_update(actor, action, repo, london_date(now))
    check_extras(request, scheme)
    # The plain newest-first query for one action: cheaper to build than ``latest_update``'s
    # correlated subquery (made for many actions at once), and the same row.
    previous = next(iter(repo.recent_updates(action.id, 1)), None)
    before = previous.status if previous else None
    if request.corrects_last and previous is None:
        raise NothingToCorrect(f"{action.code} has no earlier update to correct.")
    direction = scheme.direction(before, request.status)
    label = scheme.label(request.status)
    change = f"{label}, {direction}" + (f" (was {scheme.label(before)})" if before else " (first update)")
    overdue = scheme.action_overdue(action.current_due, action.state, request.status, london_date(now))
    status = scheme.status(request.status)
    lines = [
        Line(f"Now {change}", request.status),
        Line(f"Reason: {request.reason}" if request.reason else "Reason: none given"),
        *_extra_line(MITIGATION, MITIGATION.need(status), request.mitigation),
        *_extra_line(OUTCOME, OUTCOME.need(status), request.outcome),
        Line(f"Due: {due_text(action, overdue)}"),
    ]
    if permission.capacity is not Capacity.OWNER:
        lines.append(Line(_capacity_note(permission.capacity)))
    if request.restricted:
        lines.append(Line("Restricted: the reason is left out of public reports."))
    corrects = previous.id if request.corrects_last and previous else None
    if corrects is not None:
        lines.append(Line("Recorded as a correction of the previous update."))
    if request.proposed_due:
        proposed = show_date(request.proposed_due)
        lines.append(
            Line(
                f"Re-profile requested: new due date {proposed}, for an admin to approve; "
                "the weekly digest lists it until then."
            )
        )
    sections = (Section(f"{action.code} updated", tuple(lines)),)
    who = actor.name or actor.email
    if permission.on_behalf:
        who += " (admin, on behalf of the owner)"
    # The channel announcement is read by everyone there: a restricted reason stays in the reply only.
    shown = f" ({RESTRICTED_ANNOUNCED})" if request.restricted else ""
    extras = "".join(
        f"; {part.noun}: {text}"
        for part, text in ((MITIGATION, request.mitigation), (OUTCOME, request.outcome))
        if text
    )
    reason = shown or (f": {request.reason}" if request.reason else "") + extras
    # Written last, after the reply is worded: on SQLite the first write takes the database's one write
    # lock until the unit of work commits, and a Slack acknowledgement (its receipt) waits for it.
    update = StatusUpdate(
        action_id=action.id,
        status=request.status,
        reason=request.reason,
        author_id=actor.person_id,
        on_behalf=permission.on_behalf,
        restricted=request.restricted,
        mitigation=request.mitigation,
        outcome=request.outcome,
        corrects_id=corrects,
        proposed_due=request.proposed_due,
        created_at=now,
        source=invocation.platform,
        source_ref=invocation.source_ref,
    )
    repo.add(update)
    repo.audit(
        at=now,
        actor=actor.email,
        entity="status_update",
        key=f"{action.code}#{update.id}",
        change="add",
        detail={
            "action": action.code,
            "status": request.status,
            "previous": before,
            "reason": request.reason,
            "mitigation": request.mitigation,
            "outcome": request.outcome,
            "capacity": str(permission.capacity),
            "on_behalf": permission.on_behalf,
            "restricted": request.restricted,
            "corrects": update.corrects_id,
            "proposed_due": request.proposed_due,
            "source": invocation.platform,
        },
    )
    return Reply(
        text=plain_text(sections),
        status=request.status,
        sections=sections,
        announcement=f"{who} updated {action.code} to {change}{reason}",
        stored=True,
    )


def check_extras(request: UpdateRequest, scheme: RagScheme) -> None:
    """The scheme's rules for the mitigation and the outcome, for every way an update arrives.

    Raises:
        InvalidStatus: one is required and missing, given for a colour that takes none, or too long.
    """
    status = scheme.status(request.status)
    problem = scheme.mitigation_problem(status, request.mitigation) or scheme.outcome_problem(status, request.outcome)
    if problem:
        raise InvalidStatus(problem, usage())


def _extra_line(part: Extra, need: Need, text: str) -> list[Line]:
    """ "Mitigation: Escalated to LCJB", or, where the scheme asks for one, that none was given."""
    if text:
        return [Line(f"{part.noun.capitalize()}: {text}")]
    if need is Need.ASKED:
        return [Line(f'{part.noun.capitalize()}: none given; next time {part.ask} with {part.flag} "…"')]
    return []


def everyones_reply(reply: Reply) -> Reply:
    """A stored update's reply where everyone in the conversation reads it: the announcement's words,
    which withhold a restricted reason, rather than the private reply's."""
    assert reply.announcement is not None, "a stored update always has its announcement"
    return Reply(text=reply.announcement, status=reply.status, stored=reply.stored)


def _check_open(action: Action) -> None:
    """Closed actions keep their history but take no new updates."""
    if not is_open(action.state):
        approval = f" ({action.state_approval})" if action.state_approval else ""
        raise InvalidStatus(
            f"{action.code} is closed{approval}, so it takes no more updates.",
            f"{command_words().rag} {action.code} shows its history.",
        )


def _capacity_note(capacity: Capacity) -> str:
    if capacity is Capacity.ADMIN:
        return "Recorded as made by an admin on behalf of the owner."
    if capacity is Capacity.COVER:
        return "Recorded as made by the cover of someone on leave who leads or sponsors it."
    return f"Recorded as made by the action's {capacity}."
