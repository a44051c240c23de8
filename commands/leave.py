"""Leave: ``/rag away until DATE [cover @person]`` and ``/rag back``, and the same set by an admin.

A leave pauses reminders, never deadlines: while someone is away the nudge and quarter-close
passes send what would have gone to them to their cover (or else the action's delegates, or else
its SRO), nobody escalates about their late actions, and reports say "on leave until …" beside
them; overdue counts stay as they are. A leave ends by itself after its date. Each change is
audited, and the cover and (when an admin set it) the person are told by direct message. Every
check runs before the first write, so a refused command stores nothing.
"""

from __future__ import annotations

import datetime as dt

from commands.admin import find_person, notices_for, who
from commands.command_words import command_words
from commands.errors import InvalidLeave
from commands.leave_grammar import AwayRequest, BackRequest, away_usage
from commands.model import Actor, Reply
from commands.on_leave import PAUSED
from commands.permissions import person_name, require_admin
from commands.rules import london_date, show_date
from storage.models import Leave, Person
from storage.repository import PlanRepository


def go_away(actor: Actor, repo: PlanRepository, request: AwayRequest, now: dt.datetime) -> Reply:
    """Set (or replace) a leave, for the actor or, by an admin, for someone else.

    Raises:
        NotAuthorised: someone not an admin names another person.
        UnknownPerson, ParseError: the person or the cover is not someone planbot knows.
        InvalidLeave: the date has passed, or the cover is the person on leave.
    """
    person = _whose(actor, repo, request.person, "set leave for someone else")
    assert person.id is not None
    today = london_date(now)
    if request.until < today:
        raise InvalidLeave(f"{show_date(request.until)} has passed; give the last day of the leave.", away_usage())
    cover = find_person(repo, request.cover, away_usage()) if request.cover is not None else None
    if cover is not None and cover.id == person.id:
        raise InvalidLeave("Choose someone else to cover: the cover is nudged while the person is away.", away_usage())
    row = repo.leave(person.id)
    before = {"until": row.until, "cover": _email(repo, row.cover_id)} if row and row.until >= today else None
    row = row or Leave(person_id=person.id, until=request.until, set_by=actor.email, created_at=now)
    row.until, row.cover_id, row.set_by, row.created_at = request.until, cover.id if cover else None, actor.email, now
    repo.add(row)
    cover_email = cover.email if cover else None
    detail = {"until": request.until, "cover": cover_email, "before": before}
    repo.audit(at=now, actor=actor.email, entity="leave", key=person.email, change="set", detail=detail)
    goes_to = person_name(cover) if cover else "each action's delegates, or else its SRO"
    yourself = person.id == actor.person_id
    subject, whose = ("You are", "your") if yourself else (f"{person_name(person)} is", "their")
    words = command_words()
    ends = f"{words.rag} back ends it early." if yourself else f"{words.plan} admin back {person.email} ends it early."
    text = (
        f"{subject} on leave until {show_date(request.until)}: reminders about {whose} actions go to {goes_to} "
        f"meanwhile, and deadlines do not move. {ends}"
    )
    notices = notices_for(
        actor,
        [cover] if cover else [],
        f"{person_name(person)} is on leave until {show_date(request.until)} and has you as cover: "
        "planbot sends you the reminders about their actions meanwhile.",
    )
    notices += notices_for(
        actor, [person], f"{who(actor)} has set you on leave until {show_date(request.until)}; {PAUSED}."
    )
    return Reply(text=text, notices=notices)


def come_back(actor: Actor, repo: PlanRepository, request: BackRequest, now: dt.datetime) -> Reply:
    """End a leave early, so reminders resume with the next pass.

    Raises:
        NotAuthorised: someone not an admin names another person.
        UnknownPerson, ParseError: the person is not someone planbot knows.
    """
    person = _whose(actor, repo, request.person, "end someone else's leave")
    assert person.id is not None
    row = repo.leave(person.id)
    yourself = person.id == actor.person_id
    if row is None or row.until < london_date(now):
        subject = "You are" if yourself else f"{person_name(person)} is"
        return Reply(text=f"{subject} not on leave; nothing changed.")
    detail = {"until": row.until, "cover": _email(repo, row.cover_id)}
    cover = repo.person(row.cover_id) if row.cover_id is not None else None
    repo.delete(row)
    repo.audit(at=now, actor=actor.email, entity="leave", key=person.email, change="end", detail=detail)
    text = ("Welcome back: " if yourself else f"{person_name(person)} is back: ") + "reminders resume as before."
    notices = notices_for(actor, [cover] if cover else [], f"{person_name(person)} is back; you no longer cover.")
    notices += notices_for(actor, [person], f"{who(actor)} has ended your leave; reminders resume as before.")
    return Reply(text=text, notices=notices)


def _whose(actor: Actor, repo: PlanRepository, named: str | None, doing: str) -> Person:
    """The person a leave is about: the actor, or whom an admin named (the actor may name themselves).

    Raises:
        NotAuthorised: the actor named someone else and is not an admin.
    """
    if named is None:
        me = repo.person(actor.person_id)
        assert me is not None, "an identified actor is a known person"
        return me
    person = find_person(repo, named, away_usage())
    if person.id != actor.person_id:
        require_admin(actor, repo, doing)
    return person


def _email(repo: PlanRepository, person_id: int | None) -> str | None:
    person = repo.person(person_id) if person_id is not None else None
    return person.email if person else None
