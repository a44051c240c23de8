"""``plan admin`` for people and roles: assign a role, name or remove a delegate.

Plans name roles, so handing a post to someone new is one change: every action the role owns or
sponsors moves with it. Each change is audited and answered with a ``Reply`` whose ``notices`` tell
the people it affects (the new and old holders, the delegate, the action's owner) by direct message;
the person who made the change reads the reply instead. Every check runs before the first write, so
a refused command stores nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable

from commands.action_lookup import look_up_action
from commands.command_words import command_words
from commands.errors import NotAuthorised, ParseError, UnknownPerson, UnknownRole
from commands.model import Actor, Notice, Reply
from commands.permissions import describe_people, lead_roles, person_name, require_admin
from commands.plan_grammar import usage as plan_usage
from commands.rag_scheme import plan_scheme
from commands.rules import RagScheme, word_list
from storage.models import Action, Delegate, Person, Role, RoleHolder
from storage.repository import PlanRepository

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def assign_role(actor: Actor, repo: PlanRepository, role_text: str, person_text: str, now: dt.datetime) -> Reply:
    """Make ``person`` the only holder of a role, moving every action it owns or sponsors to them.

    Raises:
        NotAuthorised: the actor is not an admin.
        UnknownRole: no role has that title (the message suggests near misses).
        UnknownPerson: no one has that email.
    """
    require_admin(actor, repo, "assign roles")
    role, person = find_role(repo, role_text), find_person(repo, person_text)
    assert role.id is not None and person.id is not None
    holdings = repo.role_holdings(role.id)
    previous = [p for p in repo.holders([role.id])[role.id] if p.id != person.id]
    holds_it = any(h.person_id == person.id for h in holdings)
    if holds_it and not previous:
        return Reply(text=f"{person_name(person)} already holds the {role.title}; nothing changed.")
    for holding in holdings:
        if holding.person_id != person.id:
            repo.delete(holding)
    if not holds_it:
        repo.add(RoleHolder(role_id=role.id, person_id=person.id))
    owns, sponsors = _actions_of(repo, role)
    repo.audit(
        at=now,
        actor=actor.email,
        entity="role",
        key=role.title,
        change="assign",
        detail={"before": [p.email for p in previous], "after": person.email, "owns": owns, "sponsors": sponsors},
    )
    moved = _moved_text(owns, sponsors)
    was = f" (was {describe_people(previous)})" if previous else ""
    text = f"{person_name(person)} now holds the {role.title}{was}. {moved}"
    notices = notices_for(
        actor, [person], f"{who(actor)} has made you the {role.title}. {moved} {command_words().rag} mine lists them."
    )
    notices += notices_for(
        actor,
        previous,
        f"{who(actor)} has given the {role.title} to {person_name(person)}; its actions are theirs now.",
    )
    return Reply(text=text, notices=notices)


def delegate(actor: Actor, repo: PlanRepository, action_code: str, person_text: str, now: dt.datetime) -> Reply:
    """Let ``person`` update one action; its owner or an admin may do this.

    Raises:
        UnknownAction, UnknownPerson: as their names say.
        NotAuthorised: the actor is neither the action's owner nor an admin.
    """
    action, person = _delegation(actor, repo, action_code, person_text)
    assert action.id is not None and person.id is not None
    if repo.delegation(action.id, person.id) is not None:
        return Reply(text=f"{person_name(person)} is already a delegate for {action.code}; nothing changed.")
    repo.add(Delegate(action_id=action.id, person_id=person.id, added_by_id=actor.person_id, created_at=now))
    _audit_delegate(repo, actor, action, person, "add", now)
    notices = notices_for(
        actor,
        [person],
        f"{who(actor)} has named you a delegate for {action.code} ({action.title}). "
        f"You can post its status: {command_words().rag} {action.code} {_colour_words(plan_scheme(repo))} REASON.",
    )
    notices += notices_for(
        actor, _owners(repo, action), f"{who(actor)} named {person_name(person)} a delegate for {action.code}."
    )
    return Reply(
        text=f"{person_name(person)} is now a delegate for {action.code} and may post its status.", notices=notices
    )


def undelegate(actor: Actor, repo: PlanRepository, action_code: str, person_text: str, now: dt.datetime) -> Reply:
    """Stop ``person`` updating an action as a delegate; its owner or an admin may do this.

    Raises:
        UnknownAction, UnknownPerson: as their names say.
        NotAuthorised: the actor is neither the action's owner nor an admin.
    """
    action, person = _delegation(actor, repo, action_code, person_text)
    assert action.id is not None and person.id is not None
    existing = repo.delegation(action.id, person.id)
    if existing is None:
        return Reply(text=f"{person_name(person)} is not a delegate for {action.code}; nothing changed.")
    repo.delete(existing)
    _audit_delegate(repo, actor, action, person, "remove", now)
    notices = notices_for(actor, [person], f"{who(actor)} has removed you as a delegate for {action.code}.")
    notices += notices_for(
        actor, _owners(repo, action), f"{who(actor)} removed {person_name(person)} as a delegate for {action.code}."
    )
    return Reply(text=f"{person_name(person)} is no longer a delegate for {action.code}.", notices=notices)


def _delegation(actor: Actor, repo: PlanRepository, action_code: str, person_text: str) -> tuple[Action, Person]:
    """The action and person a (un)delegation names, once the actor is known to be its owner or an admin."""
    action = look_up_action(action_code, repo)
    _require_owner_or_admin(actor, repo, action)
    return action, find_person(repo, person_text)


def find_role(repo: PlanRepository, text: str) -> Role:
    """The role with this title, in any case, or an error suggesting the titles it may have meant.

    Raises:
        UnknownRole: no role has that title.
    """
    wanted = " ".join(text.split()).lower()
    roles = repo.all_roles()
    for role in roles:
        if role.title.lower() == wanted:
            return role
    titles = {role.title.lower(): role.title for role in roles}
    close = [t for t in titles.values() if wanted and wanted in t.lower()][:3] or [
        titles[t] for t in difflib.get_close_matches(wanted, list(titles), n=3, cutoff=0.75)
    ]
    quoted = [f'"{t}"' for t in close]
    hint = f" Did you mean {word_list(quoted)}?" if close else ""
    raise UnknownRole(f'There is no role "{text.strip()}".{hint}', plan_usage())


def find_person(repo: PlanRepository, text: str, usage: str | None = None) -> Person:
    """The person with this email (platforms turn a mention into the email before calling the core);
    ``usage`` is the form of the command that named them, shown after a refusal (``plan``'s by default).

    Raises:
        ParseError: the text is not an email.
        UnknownPerson: no one planbot knows has it.
    """
    email = text.strip().lower()
    if not _EMAIL.match(email):
        raise ParseError(
            f'"{text.strip()}" is not a person: mention them (@name) or give their email.', usage or plan_usage()
        )
    person = repo.person_by_email(email)
    if person is None:
        raise UnknownPerson(
            f"No one with the email {email} is known to planbot. Add them to the plan file's people, "
            "or mention them in Slack so planbot can read their email."
        )
    return person


def notices_for(actor: Actor, people: Iterable[Person], text: str) -> tuple[Notice, ...]:
    """One notice per person, each once, leaving out the actor (who reads the reply)."""
    chosen = {p.id: p for p in people if p.id is not None and p.id != actor.person_id}
    return tuple(Notice(person_id=pid, email=p.email, name=person_name(p), text=text) for pid, p in chosen.items())


def affected_by(repo: PlanRepository, action: Action) -> list[Person]:
    """Who hears of a change to an action: its owner's (and joint lead's) holders, its delegates and its
    SRO's holders."""
    assert action.id is not None
    leads = lead_roles(action)
    holders = repo.holders([*leads, action.sro_role_id])
    led = [person for role in leads for person in holders[role]]
    return [*led, *repo.delegates(action.id), *holders[action.sro_role_id]]


def who(actor: Actor) -> str:
    """The actor as notices name them."""
    return actor.name or actor.email


def _owners(repo: PlanRepository, action: Action) -> list[Person]:
    return repo.holders([action.owner_role_id])[action.owner_role_id]


def _require_owner_or_admin(actor: Actor, repo: PlanRepository, action: Action) -> None:
    """Owners name delegates for their own actions (SPEC §1); admins for any."""
    if actor.is_admin or action.owner_role_id in repo.roles_held(actor.person_id):
        return
    role = repo.role(action.owner_role_id)
    owner = f"the {role.title}" if role else "its owner"
    holders = describe_people(_owners(repo, action))
    raise NotAuthorised(
        f"Only {action.code}'s owner ({owner}, held by {holders}) or an admin "
        f"({describe_people(repo.admins(), 'or')}) can change its delegates."
    )


def _actions_of(repo: PlanRepository, role: Role) -> tuple[list[str], list[str]]:
    """Codes of the current plan's actions a role owns, and those it sponsors as SRO."""
    plan = repo.current_plan()
    if plan is None or plan.id is None or role.id is None:
        return [], []
    actions = repo.actions_involving(plan.id, [role.id], [])
    owns = [a.code for a in actions if a.owner_role_id == role.id]
    sponsors = [a.code for a in actions if a.sro_role_id == role.id]
    return owns, sponsors


def _moved_text(owns: list[str], sponsors: list[str]) -> str:
    parts = [f"owner of {word_list(owns, 'and')}"] if owns else []
    parts += [f"SRO of {word_list(sponsors, 'and')}"] if sponsors else []
    return f"The role is {' and '.join(parts)}." if parts else "The role has no actions in the current plan."


def _audit_delegate(
    repo: PlanRepository, actor: Actor, action: Action, person: Person, change: str, now: dt.datetime
) -> None:
    repo.audit(
        at=now,
        actor=actor.email,
        entity="delegate",
        key=f"{action.code} / {person.email}",
        change=change,
        detail={"action": action.code, "email": person.email},
    )


def _colour_words(scheme: RagScheme) -> str:
    """ "green|amber|red": the words for the colours an open action is usually given, best first."""
    return "|".join(s.aliases[0] for s in sorted(scheme.statuses, key=lambda s: -s.rank) if not s.completes)
