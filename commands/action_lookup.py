"""Looking an action up by the id a person typed (``V9``), for every command that names one.

``rag``, ``plan admin``, the update form, reconfirmation, measures and the history report all
refuse an unknown id the same way: naming the plan and suggesting the ids it may have meant.
"""

from __future__ import annotations

import difflib

from commands.command_words import command_words
from commands.errors import UnknownAction
from commands.rules import word_list
from storage.models import Action
from storage.repository import PlanRepository


def mine_hint() -> str:
    """Where to find one's own actions, after a refusal naming an action that is not in the plan."""
    return f"{command_words().rag} mine lists your actions."


def look_up_action(action_id: str, repo: PlanRepository) -> Action:
    """The current plan's action with this id, or an error that suggests the ids it may have meant.

    Raises:
        UnknownAction: no plan is loaded, or the plan has no such action.
    """
    plan = repo.current_plan()
    if plan is None or plan.id is None:
        raise UnknownAction(
            f"There is no action {action_id}: no plan is loaded yet.",
            "An admin can load one with: planbot plan import FILE",
        )
    action = repo.action_by_code(action_id)
    if action is None:
        codes = [code.upper() for code in repo.action_codes(plan.id)]
        close = difflib.get_close_matches(action_id, codes, n=3, cutoff=0.6)
        hint = f" Did you mean {word_list(close)}?" if close else ""
        raise UnknownAction(f"There is no action {action_id} in {plan.short_name}.{hint}", mine_hint())
    return action
