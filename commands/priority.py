"""Priority actions: the plan file's ``priority: true``, and how every report words it.

Cambridgeshire's Panel report is built around its priority actions ("V9 … is currently the only
'red' rated priority action"), so each report marks them and says how many there are and which
stand at the scheme's worst colour. The mark is a word, never a colour: a table gains a
"Priority" column (a row written as one line reads "priority"), and a summary gains one line.
Plans that flag no action look as they always did: no column, no line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from commands.layout import Column, Kind, Line, Strong, status_cell
from commands.report_inputs import worst_status
from commands.report_model import ActionRow
from commands.rules import DEFAULT_SCHEME, RagScheme, word_list

PRIORITY_LABEL = "Priority actions"
PRIORITY_YES = "Yes"
PRIORITY_MARK = "priority"
PRIORITY_COLUMN = Column("Priority", Kind.SHORT, inline=PRIORITY_MARK)
"""A table column whose cell is ``PRIORITY_YES`` for a priority action; a row written as one line
reads "priority" there (the column's inline wording takes the place of the cell)."""


def priority_cell(priority: bool) -> str:
    """The cell of ``PRIORITY_COLUMN``: the word for a priority action, empty otherwise."""
    return PRIORITY_YES if priority else ""


def any_priority(rows: Iterable[ActionRow]) -> bool:
    """Whether a table of these rows needs the priority column."""
    return any(row.priority for row in rows)


def priority_reds(rows: Sequence[ActionRow], scheme: RagScheme = DEFAULT_SCHEME) -> list[str]:
    """The codes of the priority actions standing at the worst colour, in plan order."""
    worst = worst_status(scheme)
    return [row.code for row in rows if row.priority and row.status == worst]


def priority_line(rows: Sequence[ActionRow], scheme: RagScheme = DEFAULT_SCHEME) -> Line | None:
    """ "Priority actions: 7 · Red: V9": how many open actions are priorities and which are red
    (``None`` when the plan flags none, so such plans read as before)."""
    flagged = [row for row in rows if row.priority]
    if not flagged:
        return None
    reds = priority_reds(flagged, scheme)
    return Line(
        (Strong(PRIORITY_LABEL), f": {len(flagged)} · ", status_cell(worst_status(scheme), scheme), f": {_codes(reds)}")
    )


def priority_sentence(rows: Sequence[ActionRow], scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """The Panel summary's sentence, as Cambridgeshire writes it: "7 priority actions; V9 is the
    only Red one." (empty when the plan flags none)."""
    flagged = [row for row in rows if row.priority]
    if not flagged:
        return ""
    label = scheme.label(worst_status(scheme))
    reds = priority_reds(flagged, scheme)
    count = f"{len(flagged)} priority action{'' if len(flagged) == 1 else 's'}"
    if not reds:
        return f"{count}; none is {label}."
    if len(reds) == 1:
        return f"{count}; {reds[0]} is the only {label} one."
    return f"{count}; {len(reds)} are {label}: {word_list(reds, 'and')}."


def _codes(codes: Sequence[str]) -> str:
    return ", ".join(codes) if codes else "none"
