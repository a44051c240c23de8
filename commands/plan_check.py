"""Check a plan file's entries and build the ``PlanSpec``; shared by the YAML and CSV readers.

Problems are recorded, not raised, so one run reports every fault in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from commands.errors import BadDate, UnsafeText
from commands.plan_spec import (
    CADENCES,
    POLARITIES,
    POLARITY_SUFFIX,
    ActionSpec,
    MeasureSpec,
    PersonSpec,
    PlanSpec,
    Problems,
    RawItem,
    RawPlan,
    ThemeSpec,
    read_flag,
)
from commands.rag_scheme import check_scheme
from commands.rules import parse_date
from commands.text import clean_text

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_THEME_CODE = re.compile(r"[A-Z]{1,10}")
_ACTION_KEYS = {"id", "title", "owner", "joint_lead", "sro", "due", "priority", "cadence", "measures", "objective"}
_THEME_KEYS = {"code", "name", "sro", "actions", "objectives"}
_PERSON_KEYS = {"name", "email", "roles"}
_PLAN_KEYS = {"name", "short_name", "period", "financial_year_start"}


def check_plan(raw: RawPlan, problems: Problems, *, assume_higher_is_better: bool = False) -> PlanSpec:
    """Build the spec, recording in ``problems`` every entry that breaks the format's rules.

    A measure that does not state its polarity is a problem too, unless ``assume_higher_is_better``
    (it is then taken as higher-is-better and named in the spec's ``assumed_higher``).
    The spec returned is only meaningful when no problem was recorded.
    """
    v = _Validator(raw, problems, assume_higher_is_better)
    plan = raw.plan
    v.unknown_keys(plan, _PLAN_KEYS, "plan")
    start = v.date(plan, "period.start", where="plan")
    end = v.date(plan, "period.end", where="plan")
    if start and end and end < start:
        problems.at("plan", plan.label("period.end"), f"{end} is before the start, {start}")
    fy_start = v.text(plan, "financial_year_start", where="plan", max_len=5, required=False) or "04-01"
    if not _valid_month_day(fy_start):
        problems.at("plan", plan.label("financial_year_start"), f'"{fy_start}" is not a month and day (use MM-DD)')
    people, holders = _people(v)
    return PlanSpec(
        name=v.text(plan, "name", where="plan", max_len=300),
        short_name=v.text(plan, "short_name", where="plan", max_len=100),
        period_start=start or dt.date.min,
        period_end=end or dt.date.min,
        financial_year_start=fy_start,
        themes=_themes(v, holders),
        people=people,
        assumed_higher=tuple(v.assumed),
        rag_scheme=check_scheme(raw.rag_scheme, problems) if raw.rag_scheme is not None else None,
    )


class _Validator:
    """Turns a ``RawPlan`` into a ``PlanSpec``, recording every problem instead of stopping."""

    def __init__(self, raw: RawPlan, problems: Problems, assume_higher_is_better: bool = False) -> None:
        self.raw = raw
        self.problems = problems
        self.assume_higher_is_better = assume_higher_is_better
        self.assumed: list[str] = []

    def text(self, item: RawItem, name: str, *, where: str, max_len: int, required: bool = True) -> str:
        value = _get(item.fields, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.at(where, item.label(name), "missing")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problems.at(where, item.label(name), "must be text")
            return ""
        try:
            text = clean_text(str(value), "The text")
        except UnsafeText as refusal:
            self.problems.at(where, item.label(name), refusal.message)
            return ""
        if not text:
            if required:
                self.problems.at(where, item.label(name), "missing (only invisible characters)")
            return ""
        if len(text) > max_len:
            self.problems.at(where, item.label(name), f"longer than {max_len} characters")
        return text

    def date(self, item: RawItem, name: str, *, where: str) -> dt.date | None:
        value = _get(item.fields, name)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problems.at(where, item.label(name), "missing (use YYYY-MM-DD)")
            return None
        text = str(value).strip()
        try:
            return parse_date(text)
        except BadDate:
            self.problems.at(where, item.label(name), f'"{text}" is not a date (use YYYY-MM-DD)')
            return None

    def flag(self, item: RawItem, name: str, *, where: str) -> bool:
        return read_flag(item, name, _get(item.fields, name), where, self.problems)

    def unknown_keys(self, item: RawItem, known: set[str], where: str) -> None:
        for key in sorted(set(item.fields) - known, key=str):
            self.problems.at(where, str(key), f"not a known field (known: {', '.join(sorted(known))})")

    def held(self, item: RawItem, name: str, role: str, *, where: str, holders: set[str]) -> None:
        if role and role not in holders:
            self.problems.at(
                where,
                item.label(name),
                f'no one holds the role "{role}" (add its holder under {self.raw.people_source})',
            )


def _get(fields: Any, dotted: str) -> Any:
    """``period.start`` reads the nested mapping the YAML format uses."""
    value = fields
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _name_and_polarity(text: str) -> tuple[str, str | None]:
    """A measure's name without a trailing ``[higher_is_better]`` or ``[lower_is_better]``, and that polarity."""
    for polarity, suffix in zip(POLARITIES, POLARITY_SUFFIX, strict=True):
        if text.lower().endswith(suffix):
            return text[: -len(suffix)].rstrip(), polarity
    return text, None


def _valid_month_day(text: str) -> bool:
    match = _MONTH_DAY.fullmatch(text)
    if not match:
        return False
    try:
        dt.date(2000, int(match[1]), int(match[2]))
    except ValueError:
        return False
    return True


def _people(v: _Validator) -> tuple[tuple[PersonSpec, ...], set[str]]:
    """People in file order, then admins who are not also role holders; and every role held.

    Roles listed against a faulty entry still count as held, so one bad email address does not
    also make every action its owner leads look wrong.
    """
    found: dict[str, PersonSpec] = {}
    first_seen: dict[str, str] = {}
    holders: set[str] = set()
    for item in v.raw.people:
        email = _email(v, item, item.where)
        where = f"{item.where} ({email})" if email else item.where
        v.unknown_keys(item, _PERSON_KEYS, where)
        name = v.text(item, "name", where=where, max_len=200, required=False)
        roles = _roles(v, item, where)
        holders.update(roles)
        if email in found:
            v.problems.at(where, item.label("email"), f'"{email}" is listed twice (first as {first_seen[email]})')
        elif email:
            found[email] = PersonSpec(email=email, name=name, roles=roles)
            first_seen[email] = item.where
    admins: set[str] = set()
    for item in v.raw.admins:
        email = _email(v, item, item.where)
        if email:
            admins.add(email)
            found.setdefault(email, PersonSpec(email=email))
    people = tuple(PersonSpec(p.email, p.name, p.roles, is_admin=p.email in admins) for p in found.values())
    return people, holders


def _email(v: _Validator, item: RawItem, where: str) -> str:
    email = v.text(item, "email", where=where, max_len=320).lower()
    if email and not _EMAIL.fullmatch(email):
        v.problems.at(where, item.label("email"), f'"{email}" is not an email address')
        return ""
    return email


def _roles(v: _Validator, item: RawItem, where: str) -> tuple[str, ...]:
    value = item.fields.get("roles")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        v.problems.at(where, item.label("roles"), "must be a list of role titles")
        return ()
    roles = tuple(dict.fromkeys(" ".join(r.split()) for r in value if r.strip()))
    for role in roles:
        if len(role) > 200:
            v.problems.at(where, item.label("roles"), f'"{role[:40]}…" is longer than 200 characters')
    return roles


def _themes(v: _Validator, holders: set[str]) -> tuple[ThemeSpec, ...]:
    themes: list[ThemeSpec] = []
    theme_codes: set[str] = set()
    action_codes: dict[str, str] = {}
    for raw_theme in v.raw.themes:
        item = raw_theme.item
        code = v.text(item, "code", where=item.where, max_len=10).upper()
        where = f"{item.where} ({code})" if code else item.where
        v.unknown_keys(item, _THEME_KEYS, where)
        if code and not _THEME_CODE.fullmatch(code):
            v.problems.at(where, item.label("code"), f'"{code}" must be letters only (such as V)')
        elif code in theme_codes:
            v.problems.at(where, item.label("code"), f'theme "{code}" is listed twice')
        theme_codes.add(code)
        name = v.text(item, "name", where=where, max_len=200)
        sro = v.text(item, "sro", where=where, max_len=200, required=False) or None
        if sro:
            v.held(item, "sro", sro, where=where, holders=holders)
        actions = [_action(v, a, code, sro, holders, action_codes) for a in raw_theme.actions]
        objectives = list(dict.fromkeys(a.objective for a in actions))
        actions.sort(key=lambda a: (bool(a.objective), objectives.index(a.objective)))
        themes.append(ThemeSpec(code=code, name=name, sro=sro, actions=tuple(actions)))
    return tuple(themes)


def _action(
    v: _Validator, item: RawItem, theme_code: str, theme_sro: str | None, holders: set[str], seen: dict[str, str]
) -> ActionSpec:
    code = v.text(item, "id", where=item.where, max_len=20).upper().replace(" ", "")
    where = f"{item.where} ({code})" if code else item.where
    v.unknown_keys(item, _ACTION_KEYS, where)
    if code in seen:
        v.problems.at(where, item.label("id"), f'"{code}" is used twice (first by {seen[code]})')
    elif code:
        seen[code] = item.where
        if theme_code and not re.fullmatch(re.escape(theme_code) + r"\d+", code):
            v.problems.at(
                where, item.label("id"), f'"{code}" must be its theme code "{theme_code}" followed by a number'
            )
    title = v.text(item, "title", where=where, max_len=5000)
    owner = v.text(item, "owner", where=where, max_len=200)
    v.held(item, "owner", owner, where=where, holders=holders)
    joint_lead = v.text(item, "joint_lead", where=where, max_len=200, required=False) or None
    if joint_lead and joint_lead == owner:
        v.problems.at(where, item.label("joint_lead"), f'"{joint_lead}" is the owner already; name a second role')
    elif joint_lead:
        v.held(item, "joint_lead", joint_lead, where=where, holders=holders)
    own_sro = v.text(item, "sro", where=where, max_len=200, required=theme_sro is None)
    v.held(item, "sro", own_sro, where=where, holders=holders)
    due = v.date(item, "due", where=where)
    cadence = (v.text(item, "cadence", where=where, max_len=20, required=False) or "monthly").lower()
    if cadence not in CADENCES:
        v.problems.at(where, item.label("cadence"), f'"{cadence}" is not one of {", ".join(CADENCES)}')
    return ActionSpec(
        code=code,
        title=title,
        owner=owner,
        sro=own_sro or theme_sro or "",
        due=due or dt.date.min,
        priority=v.flag(item, "priority", where=where),
        cadence=cadence,
        measures=_measures(v, item, where, code),
        joint_lead=joint_lead,
        objective=v.text(item, "objective", where=where, max_len=200, required=False),
    )


def _measures(v: _Validator, item: RawItem, where: str, code: str) -> tuple[MeasureSpec, ...]:
    value = item.fields.get("measures")
    if value is None:
        return ()
    label = item.label("measures")
    if not isinstance(value, list):
        v.problems.at(where, label, "must be a list of measures")
        return ()
    measures: dict[str, MeasureSpec] = {}
    for number, entry in enumerate(value, start=1):
        fields = {"name": entry} if isinstance(entry, str) else entry
        if not isinstance(fields, dict):
            v.problems.at(where, label, f"measure {number} must be a name or a mapping with name, unit, polarity")
            continue
        unknown = sorted(set(fields) - {"name", "unit", "polarity"}, key=str)
        if unknown:
            v.problems.at(where, label, f'measure {number} has unknown field "{unknown[0]}" (use name, unit, polarity)')
        name, suffix = _name_and_polarity(" ".join(str(fields.get("name") or "").split()))
        unit = str(fields.get("unit") or "").strip()
        stated = str(fields.get("polarity") or "").strip() or None
        polarity = stated or suffix
        if not name:
            v.problems.at(where, label, f"measure {number} has no name")
        elif name in measures:
            v.problems.at(where, label, f'measure "{name}" is listed twice')
        elif len(name) > 300 or len(unit) > 30:
            v.problems.at(where, label, f"measure {number}: name over 300 or unit over 30 characters")
        elif stated and suffix and stated != suffix:
            v.problems.at(where, label, f'measure "{name}": its name says {suffix} but its polarity says {stated}')
        elif polarity is not None and polarity not in POLARITIES:
            v.problems.at(
                where, label, f'measure {number}: polarity "{polarity}" is not one of {", ".join(POLARITIES)}'
            )
        elif polarity is None and not v.assume_higher_is_better:
            v.problems.at(
                where,
                label,
                f'measure "{name}" does not say which way is better: add [lower_is_better] or '
                "[higher_is_better] after its name (in YAML, polarity: works too), or import with "
                "--assume-higher-is-better",
            )
        else:
            if polarity is None:
                v.assumed.append(f"{code}: {name}" if code else name)
            measures[name] = MeasureSpec(name=name, unit=unit, polarity=polarity or "higher_is_better")
    return tuple(measures.values())
