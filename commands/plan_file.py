"""Read a plan file (YAML or CSV) and check all of it before anything is imported.

Every fault is collected and reported together, each naming the file, the entry and the field,
so the person who keeps the plan can fix their file in one pass. ``docs/plan-format.md`` describes
both formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from commands.plan_check import check_plan
from commands.plan_csv import read_csv_plan
from commands.plan_spec import (
    ActionSpec,
    MeasureSpec,
    PersonSpec,
    PlanFileError,
    PlanSpec,
    Problems,
    RawItem,
    RawPlan,
    RawScheme,
    RawTheme,
    ThemeSpec,
)

__all__ = ["ActionSpec", "MeasureSpec", "PersonSpec", "PlanFileError", "PlanSpec", "ThemeSpec", "load_plan"]

_TOP_KEYS = {"plan", "themes", "people", "admins", "rag_scheme"}


def load_plan(path: Path, *, assume_higher_is_better: bool = False) -> PlanSpec:
    """Read and validate a plan file; its suffix (.yaml, .yml or .csv) picks the format.

    Args:
        path: the file.
        assume_higher_is_better: take a measure that does not state its polarity as
            higher-is-better (listed in the spec's ``assumed_higher``) instead of refusing the file.

    Raises:
        PlanFileError: listing every problem found, each naming the file, entry and field.
    """
    problems = Problems(path.name)
    raw = _read(path, problems)
    problems.raise_if_any()
    assert raw is not None, "a reader that records no problem returns the plan"
    spec = check_plan(raw, problems, assume_higher_is_better=assume_higher_is_better)
    problems.raise_if_any()
    return spec


def _read(path: Path, problems: Problems) -> RawPlan | None:
    if not path.is_file():
        problems.file("no such file")
        return None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path, problems)
    if suffix == ".csv":
        return read_csv_plan(path, problems)
    problems.file("use a .yaml, .yml or .csv file")
    return None


def _read_yaml(path: Path, problems: Problems) -> RawPlan | None:
    """Parse the YAML document into the shape the checker shares with CSV."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.file(f"not valid YAML{place}: {getattr(exc, 'problem', None) or exc}")
        return None
    except UnicodeDecodeError:
        problems.file("not a UTF-8 text file")
        return None
    if not isinstance(doc, dict):
        problems.file("expected a mapping with plan, themes, people and admins")
        return None
    for key in sorted(doc.keys() - _TOP_KEYS, key=str):
        problems.file(f'"{key}" is not a known section (known: {", ".join(sorted(_TOP_KEYS))})')
    themes = []
    number = 0
    for t_index, entry in enumerate(_list(doc, "themes", problems), start=1):
        theme = _mapping(entry, f"theme {t_index}", problems)
        actions = []
        for action in _list(theme, "actions", problems, where=f"theme {t_index}"):
            number += 1
            actions.append(RawItem(f"action {number}", _mapping(action, f"action {number}", problems)))
        named: set[str] = set()
        for o_index, entry in enumerate(_list(theme, "objectives", problems, where=f"theme {t_index}"), start=1):
            where = f"theme {t_index} objective {o_index}"
            objective = _mapping(entry, where, problems)
            for key in sorted(objective.keys() - {"name", "actions"}, key=str):
                problems.at(where, str(key), "not a known field (known: name, actions)")
            name = objective.get("name")
            if name is None or not str(name).strip():
                problems.at(where, "name", "missing")
            elif str(name).strip() in named:
                problems.at(where, "name", f'"{name}" is listed twice in this theme')
            named.add(str(name).strip())
            for action in _list(objective, "actions", problems, where=where):
                number += 1
                fields = _mapping(action, f"action {number}", problems)
                own = fields.get("objective")
                if own is not None and str(own).strip() != str(name).strip():
                    problems.at(
                        f"action {number}", "objective", f'"{own}" is not "{name}", the objective it is listed under'
                    )
                actions.append(RawItem(f"action {number}", {**fields, "objective": name}))
        themes.append(RawTheme(RawItem(f"theme {t_index}", theme), tuple(actions)))
    people = tuple(
        RawItem(f"person {i}", _mapping(p, f"person {i}", problems))
        for i, p in enumerate(_list(doc, "people", problems), start=1)
    )
    admins = tuple(
        RawItem(f"admins entry {i}", {"email": a}, {"email": "admins"})
        for i, a in enumerate(_list(doc, "admins", problems), start=1)
    )
    plan = RawItem("plan", _mapping(doc.get("plan"), "plan", problems))
    return RawPlan(plan, tuple(themes), people, admins, people_source="people", rag_scheme=_scheme(doc, problems))


def _scheme(doc: dict[str, Any], problems: Problems) -> RawScheme | None:
    """The ``rag_scheme`` section: its colours, and the order worst to best."""
    if "rag_scheme" not in doc:
        return None
    section = _mapping(doc.get("rag_scheme"), "rag_scheme", problems)
    for key in sorted(section.keys() - {"colours", "order"}, key=str):
        problems.at("rag_scheme", str(key), "not a known field (known: colours, order)")
    colours = tuple(
        RawItem(f"rag_scheme colour {i}", _mapping(c, f"rag_scheme colour {i}", problems))
        for i, c in enumerate(_list(section, "colours", problems, where="rag_scheme"), start=1)
    )
    return RawScheme(colours, section.get("order"))


def _list(doc: dict[str, Any], key: str, problems: Problems, where: str = "") -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if where:
        problems.at(where, key, "must be a list")
    else:
        problems.file(f'"{key}" must be a list')
    return []


def _mapping(value: Any, where: str, problems: Problems) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    problems.file(f"{where} is missing" if value is None else f"{where} must be a mapping of fields")
    return {}
