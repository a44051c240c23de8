"""Who may post an update on an action, and in which capacity they act.

Plans name roles, not people, so the check goes through role holders at the moment of the update:
when a post changes hands the new holder can update at once. An admin may update anything, but
when they are not otherwise entitled the update is recorded as made on someone's behalf so that
boards can tell a lead's own words from an admin's transcription.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from commands.errors import NotAuthorised
from commands.model import Actor
from commands.rules import word_list
from storage.models import Action, Person
from storage.repository import PlanRepository


class Capacity(StrEnum):
    """Why someone may update an action, strongest claim first."""

    OWNER = "owner"
    JOINT_LEAD = "joint lead"
    DELEGATE = "delegate"
    SRO = "SRO"
    COVER = "cover"
    ADMIN = "admin"


@dataclass(frozen=True)
class Permission:
    """The outcome of a successful check."""

    capacity: Capacity

    @property
    def on_behalf(self) -> bool:
        """Only an admin with no other claim writes on someone else's behalf."""
        return self.capacity is Capacity.ADMIN


def authorise_update(actor: Actor, action: Action, repo: PlanRepository, today: dt.date) -> Permission:
    """Decide whether ``actor`` may post a status on ``action``.

    Args:
        actor: the person typing, as identified by the platform.
        action: the action they want to update.
        repo: where role holders and delegates are read (one query for a lead, up to three for others).
        today: the London date, to tell whether the actor is covering for someone on leave who
            leads or sponsors the action (a cover is nudged in their place, so may answer).

    Returns:
        The capacity they act in: owner, joint lead, delegate, SRO, the cover of one of those on
        leave, or admin (the last recorded as on behalf).

    Raises:
        NotAuthorised: naming the owner role, its holders and who else can act.
    """
    held = repo.roles_held(actor.person_id)
    if action.owner_role_id in held:
        return Permission(Capacity.OWNER)
    if action.joint_lead_role_id is not None and action.joint_lead_role_id in held:
        return Permission(Capacity.JOINT_LEAD)
    # Asked only now: a lead, who sends most updates, is answered by the one query above.
    delegates = repo.delegates(action.id) if action.id is not None else []
    if any(person.id == actor.person_id for person in delegates):
        return Permission(Capacity.DELEGATE)
    if action.sro_role_id in held:
        return Permission(Capacity.SRO)
    if involved_roles(action) & repo.roles_covered(actor.person_id, today):
        return Permission(Capacity.COVER)
    if actor.is_admin:
        return Permission(Capacity.ADMIN)
    raise NotAuthorised(_refusal(action, delegates, repo))


def lead_roles(action: Action) -> list[int]:
    """The roles that lead an action: its owner, then its joint lead when it has one."""
    joint = [action.joint_lead_role_id] if action.joint_lead_role_id is not None else []
    return [action.owner_role_id, *joint]


def involved_roles(action: Action) -> set[int]:
    """The roles that may update an action: its leads and its SRO."""
    return {*lead_roles(action), action.sro_role_id}


def require_admin(actor: Actor, repo: PlanRepository, doing: str) -> None:
    """Refuse anyone but an admin, naming the admins so the person knows whom to ask.

    Raises:
        NotAuthorised: "Only admins can {doing}; ask Emily Carter or Jo Haynes."
    """
    if not actor.is_admin:
        raise NotAuthorised(f"Only admins can {doing}; ask {describe_people(repo.admins(), 'or')}.")


def _refusal(action: Action, delegates: Sequence[Person], repo: PlanRepository) -> str:
    role = repo.role(action.owner_role_id)
    holders = repo.holders([action.owner_role_id])[action.owner_role_id]
    owner = f"the {role.title}" if role else "a role that no longer exists"
    delegate = f"a delegate ({describe_people(delegates)})" if delegates else "a delegate"
    joint = _joint_lead(action, repo)
    if not holders:
        return (
            f"You can't update {action.code}. It is owned by {owner}, which no one holds at present{joint}; "
            f"ask {delegate + ' or ' if delegates else ''}an admin."
        )
    return (
        f"You can't update {action.code}. It is owned by {owner} (held by {describe_people(holders)}){joint}; "
        f"ask them, {delegate} or an admin."
    )


def _joint_lead(action: Action, repo: PlanRepository) -> str:
    """ ", jointly with the OPCC Lead (held by Jo Haynes)", or nothing for an action with one owner."""
    if action.joint_lead_role_id is None:
        return ""
    role = repo.role(action.joint_lead_role_id)
    holders = repo.holders([action.joint_lead_role_id])[action.joint_lead_role_id]
    return f", jointly with the {role.title if role else 'joint lead'} (held by {describe_people(holders)})"


def person_name(person: Person) -> str:
    """A person as replies name them: their name, or their email when the plan gave none."""
    return person.name or person.email


def describe_people(people: Sequence[Person], conjunction: str = "and") -> str:
    """ "Ollie Kerr", "Ollie Kerr and Jo Haynes", "A, B or C"; "no one" for an empty role."""
    return word_list([person_name(p) for p in people], conjunction) or "no one"
