"""``safe_copy``: every string in a report's data made safe to write, and the data itself answered
when nothing in it needs cleaning (the appendix at 3,000 actions holds 190,000 values)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

from support.panel_support import AFTER_Q3_CUT_OFF, Q3, play_quarter
from support.report_support import london, report

from commands import text as text_module
from commands.panel import build_panel
from commands.text import safe_copy
from storage.models import Plan
from storage.repository import PlanRepository


class Row(NamedTuple):
    code: str
    reason: str
    count: int


@dataclasses.dataclass(frozen=True)
class Block:
    name: str
    rows: tuple[Row, ...]
    derived: str = dataclasses.field(init=False, default="")


@dataclasses.dataclass
class Editable:
    rows: list[str]


def test_frozen_data_holding_only_safe_text_is_its_own_safe_copy() -> None:
    block = Block("Victims", (Row("V1", "On track\nsince May\tstill", 2), Row("V2", "", 0)))

    assert block is safe_copy(block)


def test_an_unsafe_character_deep_inside_is_removed_and_the_original_left_alone() -> None:
    block = Block("Victims", (Row("V1", "On track", 2), Row("V2", "Screen\x1b[2J cleared\x07", 0)))

    copied = safe_copy(block)

    assert Block("Victims", (Row("V1", "On track", 2), Row("V2", "Screen[2J cleared", 0))) == copied
    assert "Screen\x1b[2J cleared\x07" == block.rows[1].reason
    assert isinstance(copied.rows[1], Row)


def test_lists_dicts_and_dataclasses_that_can_change_are_always_copied() -> None:
    for value in (Editable(["safe"]), ("safe", ["safe"]), {"key": "safe"}):
        copied = safe_copy(value)
        assert value == copied
        assert value is not copied


def test_a_clean_appendix_is_answered_as_the_full_copy_would_build_it(repo: PlanRepository, plan: Plan) -> None:
    play_quarter(repo)
    panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)

    assert panel is safe_copy(panel)
    assert text_module._safe(panel) == panel


def test_an_appendix_with_odd_text_is_the_full_copy(repo: PlanRepository, plan: Plan) -> None:
    play_quarter(repo)
    report(repo, "V9", "R", london(2018, 12, 20), "Screen\x1b[2J cleared\x07 \u202eevil")
    panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)

    copied = safe_copy(panel)

    assert text_module._safe(panel) == copied
    assert "Screen[2J cleared evil" in {line.row.reason for line in copied.actions}
    assert "Screen\x1b[2J cleared\x07 \u202eevil" in {line.row.reason for line in panel.actions}
