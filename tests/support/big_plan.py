"""A generated 300-action plan (10 themes × 30 actions) with long and hostile reasons, for Slack's limits.

Reasons are as long as the RAG scheme allows, and some carry Slack markup a malicious or careless
owner might type, so every report built from this plan tests both size and escaping.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from functools import cache
from pathlib import Path

import yaml

from commands.plan_file import load_plan
from commands.plan_spec import PlanSpec
from commands.rules import DEFAULT_SCHEME
from storage.models import StatusUpdate
from storage.plan_import import import_plan
from storage.repository import PlanRepository

THEMES = 10
ACTIONS_PER_THEME = 30
HOSTILE = ("<!channel>", "<!here>", "<https://evil.example|click>", "&amp;")
HOSTILE_ESCAPED = ("&lt;!channel&gt;", "&lt;!here&gt;", "&lt;https://evil.example|click&gt;", "&amp;amp;")
STATUSES = ("G", "A", "R", "B", "A", "R")


def plan_document() -> dict:
    """The plan file: themes A–J, each with its own SRO and two owner roles held by named people."""
    themes, people = [], []
    for t in range(THEMES):
        code = chr(ord("A") + t)
        owners = [f"Theme {code} Lead {n} & Partners <Team>" for n in (1, 2)]
        people += [
            {"name": f"Owner {code}{n}", "email": f"owner.{code.lower()}{n}@example.org", "roles": [owners[n - 1]]}
            for n in (1, 2)
        ]
        actions = [
            {
                "id": f"{code}{a}",
                "title": f"Deliver workstream {a} of theme {code}: " + "improve outcomes for victims " * 6,
                "owner": owners[a % 2],
                "due": (dt.date(2018, 7, 1) + dt.timedelta(days=3 * a + t)).isoformat(),
            }
            for a in range(1, ACTIONS_PER_THEME + 1)
        ]
        themes.append(
            {"code": code, "name": f"Theme {code} & <Partners>", "sro": "Deputy Chief Constable", "actions": actions}
        )
    people.append({"name": "Emily Carter", "email": "emily.carter@example.org", "roles": ["Deputy Chief Constable"]})
    return {
        "plan": {
            "name": "Generated plan",
            "short_name": "GEN 2018-21",
            "period": {"start": "2018-04-01", "end": "2021-03-31"},
            "financial_year_start": "04-01",
        },
        "themes": themes,
        "people": people,
        "admins": ["emily.carter@example.org"],
    }


def reason(number: int, step: int) -> str:
    """As long as the scheme accepts, every third one with Slack markup in it."""
    hostile = f"Escalated {HOSTILE[number % len(HOSTILE)]} R&D " if number % 3 == 0 else ""
    filler = f"Update {step} on action {number}: waiting on partners; recovery plan agreed. "
    return (hostile + filler * 40)[: DEFAULT_SCHEME.max_reason_length]


@cache
def big_plan_spec() -> PlanSpec:
    """The generated plan written as a YAML file and read back as ``planbot plan import`` reads it,
    once per run: the spec is frozen, and parsing 300 actions' YAML took longer than importing them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big-plan.yaml"
        path.write_text(yaml.safe_dump(plan_document(), sort_keys=False))
        return load_plan(path)


def load_big_plan(repo: PlanRepository, first_update: dt.datetime) -> None:
    """Import the plan, then give every action two or three updates a week apart from ``first_update``
    (every fourth action's reds proposing a due date 90 days later)."""
    import_plan(repo, big_plan_spec(), actor="tests", at=first_update - dt.timedelta(days=30))
    plan = repo.current_plan()
    assert plan is not None and plan.id is not None
    author = repo.admins()[0]
    assert author.id is not None
    updates = []
    for number, action in enumerate(repo.actions(plan.id)):
        assert action.id is not None
        for step in range(2 + number % 2):
            status = STATUSES[(number + step) % len(STATUSES)]
            asks = status == "R" and number % 4 == 0
            updates.append(
                StatusUpdate(
                    action_id=action.id,
                    status=status,
                    reason=reason(number, step),
                    author_id=author.id,
                    created_at=first_update + dt.timedelta(days=7 * step, minutes=number),
                    # Some reds ask for a later due date, so digests carry re-profile requests too.
                    proposed_due=action.current_due + dt.timedelta(days=90) if asks else None,
                )
            )
    repo.add_all(updates)
