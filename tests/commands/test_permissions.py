"""Who may update an action: owner, delegate, SRO and admin may; anyone else is told who can."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from support.rag_support import ADMIN_EMAILS, NOW, STRANGER, V9, V9_OWNER, V9_SRO, actor_for, stored_rows

from commands.errors import NotAuthorised
from commands.model import Invocation
from commands.permissions import Capacity, authorise_update
from commands.rag import handle_rag
from storage.models import Delegate, Plan, RoleHolder, StatusUpdate
from storage.repository import PlanRepository

REFUSAL = f"You can't update V9. It is owned by the {V9['owner']} (held by {V9_OWNER['name']}); "


def name_delegate(repo: PlanRepository, email: str) -> None:
    """Make someone V9's delegate, as an owner would."""
    action = repo.action_by_code("V9")
    assert action is not None and action.id is not None
    person = actor_for(repo, email)
    repo.add(Delegate(action_id=action.id, person_id=person.person_id, created_at=NOW))


MATRIX = [
    # who, delegated for V9, whether the update is recorded on behalf (None: refused), the reply's note
    (V9_OWNER["email"], False, False, None),
    (STRANGER["email"], True, False, "Recorded as made by the action's delegate."),
    (V9_SRO["email"], False, False, "Recorded as made by the action's SRO."),
    (ADMIN_EMAILS[0], False, True, "Recorded as made by an admin on behalf of the owner."),
    (STRANGER["email"], False, None, None),
]


@pytest.mark.parametrize(
    ("email", "delegated", "on_behalf", "note"), MATRIX, ids=["owner", "delegate", "SRO", "admin", "stranger"]
)
def test_who_may_update_v9(
    email: str,
    delegated: bool,
    on_behalf: bool | None,
    note: str | None,
    plan: Plan,
    repo: PlanRepository,
    session: Session,
) -> None:
    """Owner, delegate and SRO update in their own name, an admin on behalf; a stranger is refused by name."""
    if delegated:
        name_delegate(repo, email)
    before = stored_rows(session)
    reply = handle_rag(Invocation(actor_for(repo, email), "V9 amber Waiting on CJS review"), repo, NOW)
    if on_behalf is None:
        assert (REFUSAL + "ask them, a delegate or an admin.", False) == (reply.text, reply.ok)
        assert before == stored_rows(session)
        return
    update = session.exec(select(StatusUpdate)).one()
    assert (actor_for(repo, email).person_id, on_behalf) == (update.author_id, update.on_behalf)
    notes = [line for line in reply.text.splitlines() if line.startswith("Recorded as")]
    assert ([note] if note else []) == notes


def test_refusal_names_the_delegates(plan: Plan, repo: PlanRepository) -> None:
    """When V9 has delegates the refusal says who they are."""
    name_delegate(repo, V9_SRO["email"])
    with pytest.raises(NotAuthorised) as refused:
        action = repo.action_by_code("V9")
        assert action is not None
        authorise_update(actor_for(repo, STRANGER["email"]), action, repo, NOW.date())
    assert REFUSAL + f"ask them, a delegate ({V9_SRO['name']}) or an admin." == refused.value.message


def test_refusal_when_no_one_holds_the_owner_role(plan: Plan, repo: PlanRepository, session: Session) -> None:
    """If the owner has moved on, the refusal says the role is vacant and sends people to an admin."""
    action = repo.action_by_code("V9")
    assert action is not None
    for holder in session.exec(select(RoleHolder).where(RoleHolder.role_id == action.owner_role_id)):
        session.delete(holder)
    session.flush()
    with pytest.raises(NotAuthorised) as refused:
        authorise_update(actor_for(repo, STRANGER["email"]), action, repo, NOW.date())
    assert (
        f"You can't update V9. It is owned by the {V9['owner']}, which no one holds at present; ask an admin."
        == refused.value.message
    )


@pytest.mark.parametrize(
    ("make_admin", "delegated", "capacity"),
    [(True, False, Capacity.OWNER), (False, True, Capacity.OWNER)],
    ids=["owner-and-admin", "owner-and-delegate"],
)
def test_the_strongest_claim_wins(
    make_admin: bool, delegated: bool, capacity: Capacity, plan: Plan, repo: PlanRepository, session: Session
) -> None:
    """An owner who is also an admin or a delegate updates as owner, never "on behalf"."""
    owner = repo.person_by_email(V9_OWNER["email"])
    assert owner is not None
    owner.is_admin = make_admin
    session.flush()
    if delegated:
        name_delegate(repo, owner.email)
    action = repo.action_by_code("V9")
    assert action is not None
    permission = authorise_update(actor_for(repo, owner.email), action, repo, NOW.date())
    assert (capacity, False) == (permission.capacity, permission.on_behalf)
