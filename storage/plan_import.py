"""Bring the database in line with a checked plan file: add, change and close, never delete.

The import is an upsert keyed by plan short name, role title, person email, theme code, action id
and measure name, so importing the same file twice changes nothing the second time. Every change
is audited. Nothing here commits: the caller's unit of work does, and a dry run is the same code
with the unit of work rolled back.

Plans sit side by side: an import updates the current plan, or adds a new one beside it only when
asked (``new_plan``), or renames the current plan to the file's (``replace_current``); any other
file is refused before anything is written. Roles and people are the force's and the office's,
shared by every plan: an import changes the holders only of the roles its file names, and takes
away only the admin rights and holdings its own plan's last import gave (``ImportedValue``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from commands.errors import UserError
from commands.plan_spec import PlanSpec
from commands.rag_scheme import scheme_json
from commands.rules import DEFAULT_SCHEME, word_list
from storage.models import Action, ActionState, ImportedValue, Measure, Person, Plan, Role, RoleHolder, Theme
from storage.repository import PlanRepository

REMOVED_FROM_FILE = "removed from plan file"
ADD, CHANGE, CLOSE = "add", "change", "close"
KEEP = "keep"
"""An import that leaves a value changed since the last import (in chat, say) as it is."""
HOLDERS, ADMIN, CADENCE = "holders", "admin", "cadence"
UNDOES = "undoes a change made since the last import"


class SchemeRefused(UserError):
    """The file's RAG scheme drops a colour the plan's updates are already in."""


class PlanChoiceRefused(UserError):
    """The file names a plan other than the current one and the import was not told what to do with it."""


# Actions are ordered theme by theme; spacing themes this far apart means adding an action at
# the end of one theme does not move every action after it.
_THEME_STRIDE = 100_000
_FIELD_NAMES = {
    "owner_role_id": "owner",
    "joint_lead_role_id": "joint lead",
    "sro_role_id": "sro",
    "theme_id": "theme",
    "baseline_due": "due",
    "current_due": "current due",
    "position": "order",
    "is_admin": "admin",
    "state_approval": "state approval",
    "rag_scheme": "RAG scheme",
}


class _PlanFields(TypedDict):
    """What a plan file sets on its plan row (the short name is its key)."""

    name: str
    period_start: dt.date
    period_end: dt.date
    financial_year_start: str
    rag_scheme: str | None


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
    """What the import did (or, in a dry run, would do), in the order it did it.

    ``plan`` is the short name of the plan imported; ``made_current`` the short name of the plan
    that was current before, when this import made another plan current (``None`` otherwise).
    """

    changes: list[Change] = field(default_factory=list)
    plan: str = ""
    made_current: str | None = None
    new_plan: bool = False

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

    @property
    def kept(self) -> int:
        return self.count(KEEP)

    def summary(self) -> str:
        kept = f", {self.kept} kept as changed since the last import" if self.kept else ""
        return f"{self.added} added, {self.changed} changed, {self.closed} closed{kept}"


def import_plan(
    repo: PlanRepository,
    spec: PlanSpec,
    *,
    actor: str,
    at: dt.datetime,
    new_plan: bool = False,
    replace_current: bool = False,
    from_file_wins: bool = False,
) -> ImportResult:
    """Upsert the plan, its roles, people, themes, actions and measures; close what the file dropped.

    Args:
        repo: the unit of work's repository; it is flushed, never committed.
        spec: a plan file already checked by ``commands.plan_file.load_plan``.
        actor: who is importing, as written to the audit log.
        at: the import's time (naive UTC), stamped on every audit entry.
        new_plan: the file is a plan not imported before: add it beside the others and make it current.
        replace_current: the file is the current plan under a new short name: update that plan in place.
        from_file_wins: take the file's role holders and cadences even where they were changed
            since the last import (in chat) and the file did not change; otherwise those are kept.

    Returns:
        Every change made, each already written to the audit log.

    Raises:
        PlanChoiceRefused: the file's plan is not the current plan and neither option says what
            to do with it, or the option given does not fit (before anything is written).
    """
    return _Importer(repo, actor, at, from_file_wins).run(spec, new_plan=new_plan, replace_current=replace_current)


class _Importer:
    def __init__(self, repo: PlanRepository, actor: str, at: dt.datetime, from_file_wins: bool) -> None:
        self.repo = repo
        self.from_file_wins = from_file_wins
        self.actor = actor
        self.at = at
        self.result = ImportResult()
        self.role_titles: dict[int, str] = {}
        self.theme_codes: dict[int, str] = {}
        self.last: dict[tuple[str, str], str] = {}
        self.undone_cadences: set[str] = set()
        self.others_last: dict[tuple[str, str], str] = {}

    def run(self, spec: PlanSpec, *, new_plan: bool, replace_current: bool) -> ImportResult:
        plan = self._plan(spec, new_plan=new_plan, replace_current=replace_current)
        assert plan.id is not None
        for row in self.repo.imported_values():
            (self.last if row.plan_id == plan.id else self.others_last)[(row.entity, row.key)] = row.value
        roles = self._roles(spec)
        people = self._people(spec)
        self._holders(spec, plan, roles, people)
        themes = self._themes(spec, plan, roles)
        actions = self._actions(spec, plan, themes, roles)
        self._measures(spec, plan, actions)
        self._remember(spec, plan)
        return self.result

    # -- recording ------------------------------------------------------------------------

    def record(
        self,
        kind: str,
        entity: str,
        key: str,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        text: str,
        note: Mapping[str, Any] | None = None,
    ) -> None:
        self.repo.audit(
            at=self.at,
            actor=self.actor,
            entity=entity,
            key=key[:300],
            change=kind,
            detail={"before": before, "after": after, **(note or {})},
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
            undoes = entity == "action" and "cadence" in after and key in self.undone_cadences
            note = {"undoes": f"cadence: {UNDOES}"} if undoes else None
            self.record(CHANGE, entity, key, before, after, text + (f" (cadence {UNDOES})" if undoes else ""), note)

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

    def _plan(self, spec: PlanSpec, *, new_plan: bool, replace_current: bool) -> Plan:
        """The plan the file updates, or a new one; refused before any write when the file is
        another plan than the current one and the options do not say what to do with it."""
        wanted: _PlanFields = {
            "name": spec.name,
            "period_start": spec.period_start,
            "period_end": spec.period_end,
            "financial_year_start": spec.financial_year_start,
            "rag_scheme": scheme_json(spec.rag_scheme),
        }
        current = self.repo.current_plan()
        named = self.repo.plan_by_short_name(spec.short_name)
        plan = _chosen_plan(spec.short_name, current, named, new_plan=new_plan, replace_current=replace_current)
        if plan is not None and plan.id is not None:
            _check_scheme_keeps(spec, self.repo.status_codes_used(plan.id))
        self.result.plan = spec.short_name
        if plan is None:
            plan = Plan(short_name=spec.short_name, **wanted)
            self.flush_new([plan])
            self.record(ADD, "plan", spec.short_name, {}, wanted, spec.name)
            self.result.new_plan = True
        else:
            self.update(plan, {"short_name": spec.short_name, **wanted}, "plan", spec.short_name)
        assert plan.id is not None
        if current is not None and current.id != plan.id:
            self.result.made_current = current.short_name
        if current is None or current.id != plan.id or not plan.is_current:
            before = current.short_name if current is not None and current.id != plan.id else None
            self.repo.make_current(plan.id)
            if before is not None:
                self.repo.audit(
                    at=self.at,
                    actor=self.actor,
                    entity="plan",
                    key=spec.short_name,
                    change="current",
                    detail={"before": before, "after": spec.short_name},
                )
        return plan

    def _roles(self, spec: PlanSpec) -> dict[str, int]:
        """Roles are never changed or removed by an import: a title is the role."""
        named = [role for person in spec.people for role in person.roles]
        named += [theme.sro for theme in spec.themes if theme.sro]
        named += [role for action in spec.actions for role in (*action.leads, action.sro)]
        existing = {role.title: role for role in self.repo.all_roles()}
        new = [Role(title=title) for title in dict.fromkeys(named) if title not in existing]
        self.flush_new(new)
        for role in new:
            self.record(ADD, "role", role.title, {}, {"title": role.title}, "")
        roles = {role.title: role for role in [*existing.values(), *new]}
        self.role_titles = {role.id: title for title, role in roles.items() if role.id is not None}
        return {title: role.id for title, role in roles.items() if role.id is not None}

    def _people(self, spec: PlanSpec) -> dict[str, Person]:
        """People are matched by email and never deleted. The file's admins are made admins; an
        admin the file leaves out loses the right only if this plan's last import gave it and no
        other plan's last import did."""
        existing = {person.email: person for person in self.repo.everyone()}
        admins = {person.email for person in spec.people if person.is_admin}
        new: list[Person] = []
        for person in spec.people:
            row = existing.get(person.email)
            if row is None:
                new.append(Person(email=person.email, name=person.name, is_admin=person.is_admin))
                continue
            wanted: dict[str, Any] = {"is_admin": row.is_admin or person.is_admin}
            if person.name:
                wanted["name"] = person.name
            self.update(row, wanted, "person", person.email)
        for email, row in existing.items():
            if row.is_admin and email not in admins and self._gave_admin(email):
                self.update(row, {"is_admin": False}, "person", email)
        self.flush_new(new)
        for row in new:
            after = {"name": row.name, "admin": row.is_admin}
            self.record(ADD, "person", row.email, {}, after, row.name + (" (admin)" if row.is_admin else ""))
        return {**existing, **{row.email: row for row in new}}

    def _gave_admin(self, email: str) -> bool:
        """This plan's last import made ``email`` an admin, and no other plan's last import did."""
        return (ADMIN, email) in self.last and (ADMIN, email) not in self.others_last

    def _holders(self, spec: PlanSpec, plan: Plan, roles: dict[str, int], people: dict[str, Person]) -> None:
        """The file lists every current holder of the roles it names: a holding of one of them it
        no longer lists is removed. A role only this plan's last import named loses its holders
        too, unless another plan names it; other roles are left as they are.

        A role whose holders changed since this plan's last import (``/plan admin assign``, say)
        while the file still says what it said then keeps today's holders, listed as kept, unless
        ``from_file_wins``; when the file changed too, the file's holders are taken, listed as
        undoing the change made since."""
        person_ids = {email: row.id for email, row in people.items() if row.id is not None}
        emails = {row.id: email for email, row in people.items()}
        in_scope = {roles[title] for title in _roles_named(spec)}
        others = self.repo.roles_named_by_plans(p.id for p in self.repo.all_plans() if p.id not in (None, plan.id))
        others |= {roles[key] for (entity, key) in self.others_last if entity == HOLDERS and key in roles}
        in_scope |= {
            roles[key] for (entity, key) in self.last if entity == HOLDERS and key in roles and roles[key] not in others
        }
        wanted = {
            (roles[title], person_ids[person.email]): (title, person.email)
            for person in spec.people
            for title in person.roles
        }
        existing = {
            (row.role_id, row.person_id): row for row in self.repo.all_role_holdings() if row.role_id in in_scope
        }
        kept, undone = self._since_last_import(in_scope, wanted, existing, emails, people)
        wanted = {pair: named for pair, named in wanted.items() if pair[0] not in kept}
        existing = {pair: row for pair, row in existing.items() if pair[0] not in kept}
        note = {"undoes": UNDOES} if undone else {}
        for pair, row in existing.items():
            if pair not in wanted:
                title, email = self.role_titles.get(row.role_id, ""), emails.get(row.person_id, "")
                self.repo.delete(row)
                undoes = row.role_id in undone
                self.record(
                    CLOSE,
                    "role holder",
                    f"{title} / {email}",
                    {"role": title, "email": email},
                    {},
                    f"{_name(people, email)} no longer holds it" + (f" ({UNDOES})" if undoes else ""),
                    note if undoes else None,
                )
        new = [
            RoleHolder(role_id=role_id, person_id=person_id)
            for role_id, person_id in wanted
            if (role_id, person_id) not in existing
        ]
        self.flush_new(new)
        for row in new:
            title, email = wanted[(row.role_id, row.person_id)]
            undoes = row.role_id in undone
            self.record(
                ADD,
                "role holder",
                f"{title} / {email}",
                {},
                {"role": title, "email": email},
                f"{_name(people, email)} holds it" + (f" ({UNDOES})" if undoes else ""),
                note if undoes else None,
            )

    def _since_last_import(
        self,
        in_scope: set[int],
        wanted: Mapping[tuple[int, int], tuple[str, str]],
        existing: Mapping[tuple[int, int], RoleHolder],
        emails: Mapping[int | None, str],
        people: dict[str, Person],
    ) -> tuple[set[int], set[int]]:
        """The roles whose holders changed since this plan's last import: those kept as they are
        now (each recorded as kept), and those the file's holders replace."""
        filed: dict[int, set[str]] = {role_id: set() for role_id in in_scope}
        held: dict[int, set[str]] = {role_id: set() for role_id in in_scope}
        for (role_id, _), (_, email) in wanted.items():
            filed[role_id].add(email)
        for role_id, person_id in existing:
            held[role_id].add(emails.get(person_id, ""))
        kept: set[int] = set()
        undone: set[int] = set()
        for role_id in sorted(in_scope, key=lambda rid: self.role_titles.get(rid, "")):
            title = self.role_titles.get(role_id, "")
            said = self.last.get((HOLDERS, title))
            last = set(json.loads(said)) if said is not None else None
            file_value, now = filed[role_id], held[role_id]
            if file_value == now or last is None or last == now:
                continue
            if last != file_value or self.from_file_wins:
                undone.add(role_id)
                continue
            kept.add(role_id)
            self.record(
                KEEP,
                "role holder",
                title,
                {"file": sorted(file_value)},
                {"kept": sorted(now)},
                f"kept: held by {_names(people, now)} since the file was last imported; the file still says "
                f"{_names(people, file_value)} (--from-file-wins applies the file's)",
            )
        return kept, undone

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
                    "joint_lead_role_id": roles[action.joint_lead] if action.joint_lead else None,
                    "sro_role_id": roles[action.sro],
                }
                if row is not None and row.baseline_due != action.due:
                    wanted["baseline_due"] = action.due
                    if row.current_due == row.baseline_due:
                        wanted["current_due"] = action.due
                wanted |= {
                    "cadence": action.cadence if row is None else self._cadence(row, action.cadence),
                    "priority": action.priority,
                    "objective": action.objective,
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
                **(
                    {"joint lead": self.shown("joint_lead_role_id", row.joint_lead_role_id)}
                    if row.joint_lead_role_id
                    else {}
                ),
                "sro": self.shown("sro_role_id", row.sro_role_id),
                "due": row.baseline_due,
            }
            self.record(ADD, "action", row.code, {}, after, _short(row.title))
        return {**existing, **{row.code: row for row in new}}

    def _cadence(self, row: Action, filed: str) -> str:
        """The file's cadence, unless the action's was changed since the last import
        (``/plan admin cadence``) and the file still says what it said then: that one is kept."""
        said = self.last.get((CADENCE, row.code))
        if row.cadence == filed or said is None or said == row.cadence:
            return filed
        if said != filed or self.from_file_wins:
            self.undone_cadences.add(row.code)
            return filed
        self.record(
            KEEP,
            "action",
            row.code,
            {"cadence": filed},
            {"cadence": row.cadence},
            f"kept: updated {row.cadence} since the file was last imported; the file still says {filed} "
            "(--from-file-wins applies the file's)",
        )
        return row.cadence

    def _close_dropped(self, actions: Iterable[Action], listed: set[str]) -> None:
        """An active action the file no longer lists is closed, keeping its history; complete ones stay complete."""
        for row in actions:
            if row.code not in listed and row.state == ActionState.ACTIVE:
                before = {"state": row.state, "state approval": row.state_approval}
                row.state, row.state_approval = ActionState.CLOSED.value, REMOVED_FROM_FILE
                row.state_changed_at = self.at
                after = {"state": row.state, "state approval": row.state_approval}
                self.record(CLOSE, "action", row.code, before, after, REMOVED_FROM_FILE)

    def _remember(self, spec: PlanSpec, plan: Plan) -> None:
        """Keep what this file said about what chat may also change, for the next import to compare."""
        assert plan.id is not None
        held: dict[str, list[str]] = {title: [] for title in _roles_named(spec)}
        for person in spec.people:
            for title in person.roles:
                held[title].append(person.email)
        said = {(HOLDERS, title): json.dumps(sorted(emails)) for title, emails in held.items()}
        said |= {(ADMIN, person.email): "yes" for person in spec.people if person.is_admin}
        said |= {(CADENCE, action.code): action.cadence for action in spec.actions}
        rows = {(row.entity, row.key): row for row in self.repo.imported_values(plan.id)}
        for key, row in rows.items():
            if key not in said:
                self.repo.delete(row)
            elif row.value != said[key]:
                row.value = said[key]
                self.repo.add(row)
        self.flush_new(
            ImportedValue(plan_id=plan.id, entity=entity, key=key, value=value)
            for (entity, key), value in said.items()
            if (entity, key) not in rows
        )

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


def _check_scheme_keeps(spec: PlanSpec, used: set[str]) -> None:
    """Refuse a scheme without a colour the plan's updates are in: its reports could not word them.

    Raises:
        SchemeRefused: naming the colours, before anything is written.
    """
    scheme = spec.rag_scheme or DEFAULT_SCHEME
    missing = sorted(used - {status.code for status in scheme.statuses})
    if missing:
        source = "rag_scheme" if spec.rag_scheme is not None else "default scheme (the file has no rag_scheme)"
        raise SchemeRefused(
            f"The {source} has no colour {word_list(missing, 'or')}, which updates of "
            f'"{spec.short_name}" are already in; nothing was imported. Keep those colours in the scheme '
            "(their labels and definitions may change)."
        )


def _roles_named(spec: PlanSpec) -> list[str]:
    """Every role title the file names: held by its people, owning or sponsoring its actions and themes."""
    named = [role for person in spec.people for role in person.roles]
    named += [theme.sro for theme in spec.themes if theme.sro]
    named += [role for action in spec.actions for role in (*action.leads, action.sro)]
    return list(dict.fromkeys(named))


def _chosen_plan(
    short_name: str, current: Plan | None, named: Plan | None, *, new_plan: bool, replace_current: bool
) -> Plan | None:
    """The existing plan the file updates, or ``None`` for a new one.

    Raises:
        PlanChoiceRefused: as ``import_plan`` says.
    """
    if new_plan and replace_current:
        raise PlanChoiceRefused("Give --new-plan or --replace-current, not both; nothing was imported.")
    if current is None:
        return named
    if new_plan:
        if named is not None:
            raise PlanChoiceRefused(
                f'The plan "{short_name}" is already imported, so it is not new; nothing was imported. '
                + _update_hint(short_name, current, named)
            )
        return None
    if named is not None and named.id == current.id:
        return current
    if replace_current:
        if named is not None:
            raise PlanChoiceRefused(
                f'The file is the plan "{short_name}", which is already imported beside the current plan '
                f'"{current.short_name}"; two plans cannot share a short name, so nothing was imported. '
                + _update_hint(short_name, current, named)
            )
        return current
    if named is not None:
        raise PlanChoiceRefused(
            f'The file is the plan "{short_name}", which is not the current plan ("{current.short_name}"); '
            "nothing was imported. " + _update_hint(short_name, current, named)
        )
    raise PlanChoiceRefused(
        f'The file is a new plan, "{short_name}", but the current plan is "{current.short_name}"; nothing was '
        f'imported. Add --new-plan to import it beside "{current.short_name}" (which stays as it is, its '
        f'reports and history still there with --plan "{current.short_name}") and make it current, or '
        f'--replace-current to update "{current.short_name}" in place under the new short name (actions '
        "matched by id keep their updates)."
    )


def _update_hint(short_name: str, current: Plan, named: Plan) -> str:
    if named.id == current.id:
        return "Import the file without --new-plan to update it."
    return f'To update it, make it current first (planbot plan use "{short_name}"), then import the file again.'


def _short(value: Any, limit: int = 60) -> str:
    """Values as the change table shows them; the audit log keeps them whole."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(people: dict[str, Person], emails: Iterable[str]) -> str:
    shown = sorted(_name(people, email) for email in emails)
    return ", ".join(shown) if shown else "no one"


def _name(people: dict[str, Person], email: str) -> str:
    person = people.get(email)
    return person.name if person is not None and person.name else email
