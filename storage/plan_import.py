"""Bring the database in line with a checked plan file: add, change and close, never delete.

The import is an upsert keyed by plan short name, role title, person email, theme code, action id
and measure name, so importing the same file twice changes nothing the second time. Every change
is audited. Nothing here commits: the caller's unit of work does, and a dry run is the same code
with the unit of work rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from commands.plan_spec import PlanSpec
from storage.models import Action, ActionState, Measure, Person, Plan, Role, RoleHolder, Theme
from storage.repository import PlanRepository

REMOVED_FROM_FILE = "removed from plan file"
ADD, CHANGE, CLOSE = "add", "change", "close"

# Actions are ordered theme by theme; spacing themes this far apart means adding an action at
# the end of one theme does not move every action after it.
_THEME_STRIDE = 100_000
_FIELD_NAMES = {
    "owner_role_id": "owner",
    "sro_role_id": "sro",
    "theme_id": "theme",
    "baseline_due": "due",
    "current_due": "current due",
    "position": "order",
    "is_admin": "admin",
    "state_approval": "state approval",
}


class _PlanFields(TypedDict):
    """What a plan file sets on its plan row (the short name is its key)."""

    name: str
    period_start: dt.date
    period_end: dt.date
    financial_year_start: str


class _ThemeFields(TypedDict):
    """What a plan file sets on a theme row (the code is its key)."""

    name: str
    sro_role_id: int | None
    position: int


class _MeasureFields(TypedDict):
    """What a plan file sets on a measure row (its action and name are its key)."""

    unit: str
    polarity: str


@dataclass(frozen=True)
class Change:
    """One row of the import's report; ``kind`` is add, change or close."""

    kind: str
    entity: str
    key: str
    detail: str


@dataclass
class ImportResult:
    """What the import did (or, in a dry run, would do), in the order it did it."""

    changes: list[Change] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def added(self) -> int:
        return self.count(ADD)

    @property
    def changed(self) -> int:
        return self.count(CHANGE)

    @property
    def closed(self) -> int:
        return self.count(CLOSE)

    def summary(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.closed} closed"


def import_plan(repo: PlanRepository, spec: PlanSpec, *, actor: str, at: dt.datetime) -> ImportResult:
    """Upsert the plan, its roles, people, themes, actions and measures; close what the file dropped.

    Args:
        repo: the unit of work's repository; it is flushed, never committed.
        spec: a plan file already checked by ``commands.plan_file.load_plan``.
        actor: who is importing, as written to the audit log.
        at: the import's time (naive UTC), stamped on every audit entry.

    Returns:
        Every change made, each already written to the audit log.
    """
    return _Importer(repo, actor, at).run(spec)


class _Importer:
    def __init__(self, repo: PlanRepository, actor: str, at: dt.datetime) -> None:
        self.repo = repo
        self.actor = actor
        self.at = at
        self.result = ImportResult()
        self.role_titles: dict[int, str] = {}
        self.theme_codes: dict[int, str] = {}

    def run(self, spec: PlanSpec) -> ImportResult:
        plan = self._plan(spec)
        roles = self._roles(spec)
        people = self._people(spec)
        self._holders(spec, roles, people)
        themes = self._themes(spec, plan, roles)
        actions = self._actions(spec, plan, themes, roles)
        self._measures(spec, plan, actions)
        return self.result

    # -- recording ------------------------------------------------------------------------

    def record(
        self, kind: str, entity: str, key: str, before: Mapping[str, Any], after: Mapping[str, Any], text: str
    ) -> None:
        self.repo.audit(
            at=self.at,
            actor=self.actor,
            entity=entity,
            key=key[:300],
            change=kind,
            detail={"before": before, "after": after},
        )
        self.result.changes.append(Change(kind, entity, key, text))

    def update(self, row: Any, wanted: Mapping[str, Any], entity: str, key: str) -> None:
        """Set the fields that differ and record them as one change, shown by name not by id."""
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, value in wanted.items():
            old = getattr(row, name)
            if old != value:
                label = _FIELD_NAMES.get(name, name)
                before[label], after[label] = self.shown(name, old), self.shown(name, value)
                setattr(row, name, value)
        if after:
            text = "; ".join(f"{label}: {_short(before[label])} → {_short(after[label])}" for label in after)
            self.record(CHANGE, entity, key, before, after, text)

    def shown(self, name: str, value: Any) -> Any:
        if name.endswith("role_id"):
            return self.role_titles.get(value) if value is not None else None
        if name == "theme_id":
            return self.theme_codes.get(value)
        return value

    def flush_new(self, rows: Iterable[object]) -> None:
        """Insert the stage's new rows in one flush so later stages can use their ids."""
        self.repo.add_all(rows)

    # -- stages ---------------------------------------------------------------------------

    def _plan(self, spec: PlanSpec) -> Plan:
        wanted: _PlanFields = {
            "name": spec.name,
            "period_start": spec.period_start,
            "period_end": spec.period_end,
            "financial_year_start": spec.financial_year_start,
        }
        plan = self.repo.plan_by_short_name(spec.short_name)
        if plan is not None:
            self.update(plan, wanted, "plan", spec.short_name)
            return plan
        plan = Plan(short_name=spec.short_name, **wanted)
        self.flush_new([plan])
        self.record(ADD, "plan", spec.short_name, {}, wanted, spec.name)
        return plan

    def _roles(self, spec: PlanSpec) -> dict[str, int]:
        """Roles are never changed or removed by an import: a title is the role."""
        named = [role for person in spec.people for role in person.roles]
        named += [theme.sro for theme in spec.themes if theme.sro]
        named += [role for action in spec.actions for role in (action.owner, action.sro)]
        existing = {role.title: role for role in self.repo.all_roles()}
        new = [Role(title=title) for title in dict.fromkeys(named) if title not in existing]
        self.flush_new(new)
        for role in new:
            self.record(ADD, "role", role.title, {}, {"title": role.title}, "")
        roles = {role.title: role for role in [*existing.values(), *new]}
        self.role_titles = {role.id: title for title, role in roles.items() if role.id is not None}
        return {title: role.id for title, role in roles.items() if role.id is not None}

    def _people(self, spec: PlanSpec) -> dict[str, Person]:
        """People are matched by email and never deleted; admin rights follow the file's admins."""
        existing = {person.email: person for person in self.repo.everyone()}
        listed = {person.email for person in spec.people}
        new: list[Person] = []
        for person in spec.people:
            row = existing.get(person.email)
            if row is None:
                new.append(Person(email=person.email, name=person.name, is_admin=person.is_admin))
                continue
            wanted: dict[str, Any] = {"is_admin": person.is_admin}
            if person.name:
                wanted["name"] = person.name
            self.update(row, wanted, "person", person.email)
        for email, row in existing.items():
            if email not in listed and row.is_admin:
                self.update(row, {"is_admin": False}, "person", email)
        self.flush_new(new)
        for row in new:
            after = {"name": row.name, "admin": row.is_admin}
            self.record(ADD, "person", row.email, {}, after, row.name + (" (admin)" if row.is_admin else ""))
        return {**existing, **{row.email: row for row in new}}

    def _holders(self, spec: PlanSpec, roles: dict[str, int], people: dict[str, Person]) -> None:
        """The file lists every current holder: a holding it no longer lists is removed."""
        person_ids = {email: row.id for email, row in people.items() if row.id is not None}
        wanted = {
            (roles[title], person_ids[person.email]): (title, person.email)
            for person in spec.people
            for title in person.roles
        }
        existing = {(row.role_id, row.person_id): row for row in self.repo.all_role_holdings()}
        emails = {row.id: email for email, row in people.items()}
        for pair, row in existing.items():
            if pair not in wanted:
                title, email = self.role_titles.get(row.role_id, ""), emails.get(row.person_id, "")
                self.repo.delete(row)
                self.record(
                    CLOSE,
                    "role holder",
                    f"{title} / {email}",
                    {"role": title, "email": email},
                    {},
                    f"{_name(people, email)} no longer holds it",
                )
        new = [
            RoleHolder(role_id=role_id, person_id=person_id)
            for role_id, person_id in wanted
            if (role_id, person_id) not in existing
        ]
        self.flush_new(new)
        for title, email in (wanted[(row.role_id, row.person_id)] for row in new):
            self.record(
                ADD,
                "role holder",
                f"{title} / {email}",
                {},
                {"role": title, "email": email},
                f"{_name(people, email)} holds it",
            )

    def _themes(self, spec: PlanSpec, plan: Plan, roles: dict[str, int]) -> dict[str, Theme]:
        assert plan.id is not None
        existing = {theme.code: theme for theme in self.repo.themes(plan.id)}
        new: list[Theme] = []
        for position, theme in enumerate(spec.themes):
            wanted: _ThemeFields = {"name": theme.name, "sro_role_id": roles.get(theme.sro or ""), "position": position}
            row = existing.get(theme.code)
            if row is None:
                new.append(Theme(plan_id=plan.id, code=theme.code, **wanted))
            else:
                self.update(row, wanted, "theme", theme.code)
        self.flush_new(new)
        for row in new:
            self.record(
                ADD,
                "theme",
                row.code,
                {},
                {"name": row.name, "sro": self.shown("sro_role_id", row.sro_role_id)},
                row.name,
            )
        themes = {**existing, **{row.code: row for row in new}}
        self.theme_codes = {row.id: code for code, row in themes.items() if row.id is not None}
        return themes

    def _actions(
        self, spec: PlanSpec, plan: Plan, themes: dict[str, Theme], roles: dict[str, int]
    ) -> dict[str, Action]:
        """The file's due date is the baseline; a re-profiled current due date is left alone."""
        assert plan.id is not None
        existing = {action.code: action for action in self.repo.actions(plan.id)}
        new: list[Action] = []
        for theme_position, theme in enumerate(spec.themes):
            for index, action in enumerate(theme.actions):
                row = existing.get(action.code)
                wanted: dict[str, Any] = {
                    "theme_id": themes[theme.code].id,
                    "title": action.title,
                    "owner_role_id": roles[action.owner],
                    "sro_role_id": roles[action.sro],
                }
                if row is not None and row.baseline_due != action.due:
                    wanted["baseline_due"] = action.due
                    if row.current_due == row.baseline_due:
                        wanted["current_due"] = action.due
                wanted |= {
                    "cadence": action.cadence,
                    "priority": action.priority,
                    "position": theme_position * _THEME_STRIDE + index,
                }
                if row is None:
                    new.append(
                        Action(
                            plan_id=plan.id, code=action.code, baseline_due=action.due, current_due=action.due, **wanted
                        )
                    )
                    continue
                if row.state == ActionState.CLOSED and row.state_approval == REMOVED_FROM_FILE:
                    wanted |= {"state": ActionState.ACTIVE.value, "state_approval": None}
                    row.state_changed_at = self.at
                self.update(row, wanted, "action", action.code)
        self._close_dropped(existing.values(), {action.code for action in spec.actions})
        self.flush_new(new)
        for row in new:
            after = {
                "title": row.title,
                "owner": self.shown("owner_role_id", row.owner_role_id),
                "sro": self.shown("sro_role_id", row.sro_role_id),
                "due": row.baseline_due,
            }
            self.record(ADD, "action", row.code, {}, after, _short(row.title))
        return {**existing, **{row.code: row for row in new}}

    def _close_dropped(self, actions: Iterable[Action], listed: set[str]) -> None:
        """An active action the file no longer lists is closed, keeping its history; complete ones stay complete."""
        for row in actions:
            if row.code not in listed and row.state == ActionState.ACTIVE:
                before = {"state": row.state, "state approval": row.state_approval}
                row.state, row.state_approval = ActionState.CLOSED.value, REMOVED_FROM_FILE
                row.state_changed_at = self.at
                after = {"state": row.state, "state approval": row.state_approval}
                self.record(CLOSE, "action", row.code, before, after, REMOVED_FROM_FILE)

    def _measures(self, spec: PlanSpec, plan: Plan, actions: dict[str, Action]) -> None:
        """Measures are matched by name within their action; one the file drops is kept with its values."""
        assert plan.id is not None
        existing = {(row.action_id, row.name): row for row in self.repo.plan_measure_rows(plan.id)}
        new: list[tuple[str, Measure]] = []
        for action in spec.actions:
            action_id = actions[action.code].id
            assert action_id is not None
            for measure in action.measures:
                key = f"{action.code}: {measure.name}"
                wanted: _MeasureFields = {"unit": measure.unit, "polarity": measure.polarity}
                row = existing.get((action_id, measure.name))
                if row is None:
                    new.append((key, Measure(action_id=action_id, name=measure.name, **wanted)))
                else:
                    self.update(row, wanted, "measure", key)
        self.flush_new(row for _, row in new)
        for key, row in new:
            text = row.polarity.replace("_", " ") + (f", in {row.unit}" if row.unit else "")
            self.record(ADD, "measure", key, {}, {"unit": row.unit, "polarity": row.polarity}, text)


def _short(value: Any, limit: int = 60) -> str:
    """Values as the change table shows them; the audit log keeps them whole."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(people: dict[str, Person], email: str) -> str:
    person = people.get(email)
    return person.name if person is not None and person.name else email
