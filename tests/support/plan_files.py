"""Plan files written for a test: the sample plan edited, and a second plan that follows it."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

NEXT_PLAN = "PCP 2021-24"
NEW_ROLE = "Head of Victims' Commissioning (OPCC)"
NEW_PERSON = "nadia.stone@example.org"


@cache
def _parsed(plan_file: Path) -> dict[str, Any]:
    return yaml.safe_load(plan_file.read_text(encoding="utf-8"))


def sample_doc(sample_plan_path: Path) -> dict[str, Any]:
    """The sample plan file as the YAML mapping it is, to edit: a copy of the run's one parse of it
    (parsing the file takes a tenth of a second; copying it, milliseconds)."""
    return copy.deepcopy(_parsed(sample_plan_path))


def write_doc(doc: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def next_plan_doc(sample_plan_path: Path) -> dict[str, Any]:
    """A 2021-24 plan after the sample's: its Victims theme, three actions (V1 owned by a new
    role), the people holding the roles it names (the same people as the sample's, plus Nadia
    Stone for the new role), and one admin of the sample's two (Emily Carter is left out)."""
    doc = sample_doc(sample_plan_path)
    doc["plan"] = {
        "name": "Police and Crime Plan 2021-24 (test)",
        "short_name": NEXT_PLAN,
        "period": {"start": "2021-04-01", "end": "2024-03-31"},
        "financial_year_start": "04-01",
    }
    victims = doc["themes"][0]
    victims["actions"] = victims["actions"][:3]
    victims["actions"][0]["owner"] = NEW_ROLE
    for action in victims["actions"]:
        action["title"] = "2021-24: " + action["title"]
        action["due"] = "2022-03-31"
    doc["themes"] = [victims]
    named = {victims["sro"]} | {r for a in victims["actions"] for r in (a["owner"], a.get("sro", victims["sro"]))}
    people = [p for p in doc["people"] if set(p["roles"]) & named]
    for person in people:
        person["roles"] = [r for r in person["roles"] if r in named]
    people.append({"name": "Nadia Stone", "email": NEW_PERSON, "roles": [NEW_ROLE]})
    doc["people"] = people
    doc["admins"] = ["jo.haynes@example.org"]
    return doc
