"""What a plan file says, as frozen values, and the error that lists everything wrong with one.

``commands.plan_file`` builds these from YAML or CSV; ``storage.plan_import`` writes them to SQL.
Nothing here reads files or touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from commands.errors import UserError
from commands.rules import CADENCES as CADENCE_PERIODS
from commands.rules import RagScheme

CADENCES = tuple(CADENCE_PERIODS)
POLARITIES = ("higher_is_better", "lower_is_better")
POLARITY_SUFFIX = tuple(f"[{polarity}]" for polarity in POLARITIES)
"""A measure's name may end with its polarity in brackets (``Reoffending rate (%) [lower_is_better]``):
the one way a CSV plan states it, accepted in YAML too."""
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class MeasureSpec:
    """A strategic measure; polarity decides whether a rise is shown as better or worse."""

    name: str
    unit: str = ""
    polarity: str = "higher_is_better"


@dataclass(frozen=True)
class ActionSpec:
    """One action as the file states it; ``due`` is the baseline due date."""

    code: str
    title: str
    owner: str
    sro: str
    due: dt.date
    priority: bool = False
    cadence: str = "monthly"
    measures: tuple[MeasureSpec, ...] = ()
    joint_lead: str | None = None
    """A second lead role working with the owner (a Force lead beside an OPCC lead), or ``None``."""
    objective: str = ""
    """The objective (portfolio area) of its theme the action serves; "" for a theme without them."""

    @property
    def leads(self) -> tuple[str, ...]:
        """The owner role, then the joint lead role when there is one."""
        return (self.owner, self.joint_lead) if self.joint_lead else (self.owner,)


@dataclass(frozen=True)
class ThemeSpec:
    """A theme and its actions, those under no objective first, then each objective's in file order;
    ``sro`` is the role actions fall back to."""

    code: str
    name: str
    sro: str | None
    actions: tuple[ActionSpec, ...] = ()


@dataclass(frozen=True)
class PersonSpec:
    """Someone the plan names: the roles they hold and whether they administer planbot."""

    email: str
    name: str = ""
    roles: tuple[str, ...] = ()
    is_admin: bool = False


@dataclass(frozen=True)
class PlanSpec:
    """A whole, validated plan file: every role an action names is held by someone in ``people``."""

    name: str
    short_name: str
    period_start: dt.date
    period_end: dt.date
    financial_year_start: str
    themes: tuple[ThemeSpec, ...]
    people: tuple[PersonSpec, ...]
    assumed_higher: tuple[str, ...] = ()
    """Measures (``"V1: name"``) the file gave no polarity, taken as higher-is-better because the
    import was told to assume it (``--assume-higher-is-better``)."""
    rag_scheme: RagScheme | None = None
    """The file's own colour key (``rag_scheme``); ``None``: the default scheme."""

    @property
    def actions(self) -> tuple[ActionSpec, ...]:
        """Every action in file order, across themes."""
        return tuple(action for theme in self.themes for action in theme.actions)


class PlanFileError(UserError):
    """The plan file cannot be imported; ``problems`` holds one line per fault, each naming where."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        hidden = len(problems) - len(shown)
        if hidden:
            shown = [*shown, f"…and {hidden} more problem{'s' if hidden > 1 else ''}"]
        super().__init__("\n".join(shown))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class RawItem:
    """One entry of a file before validation, with where it is in words its author recognises.

    ``labels`` renames fields for messages, so a CSV author reads ``theme_name`` where the
    YAML author reads ``name``.
    """

    where: str
    fields: Mapping[str, Any]
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


@dataclass(frozen=True)
class RawTheme:
    item: RawItem
    actions: tuple[RawItem, ...]


@dataclass(frozen=True)
class RawScheme:
    """A ``rag_scheme`` section before checking: one entry per colour, and the order worst to best.

    ``order_where`` and ``order_field`` say where the order was written, in the author's words
    (``rag_scheme``, ``order`` in YAML; ``plan``, ``rag_order`` in a CSV plan's details)."""

    colours: tuple[RawItem, ...]
    order: Any
    order_where: str = "rag_scheme"
    order_field: str = "order"


@dataclass(frozen=True)
class RawPlan:
    """Either file format read into the same shape, so one validator serves both."""

    plan: RawItem
    themes: tuple[RawTheme, ...]
    people: tuple[RawItem, ...]
    admins: tuple[RawItem, ...]
    people_source: str = "people"
    rag_scheme: RawScheme | None = None
    """The ``rag_scheme`` section as read, if the file has one."""


FLAGS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


def read_flag(item: RawItem, name: str, value: Any, where: str, problems: Problems) -> bool:
    """A yes/no field (YAML's true/false, a sheet's yes, no or blank); anything else is recorded as a problem."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in FLAGS or not text:
        return FLAGS.get(text, False)
    problems.at(where, item.label(name), f'"{value}" is not yes or no')
    return False


class Problems:
    """Collects every fault in a file so that its author can fix them all in one pass."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.lines: list[str] = []

    def file(self, text: str) -> None:
        """A fault of the file as a whole."""
        self._add(f"{self.file_name}: {text}")

    def at(self, where: str, field_label: str, text: str) -> None:
        """A fault in one field of one entry."""
        self._add(f'{self.file_name}: {where}, field "{field_label}": {text}')

    def _add(self, line: str) -> None:
        """One entry can be read twice (a CSV admin is also a person); say each fault once."""
        if line not in self.lines:
            self.lines.append(line)

    def raise_if_any(self) -> None:
        if self.lines:
            raise PlanFileError(self.lines)
