"""Strategic measures: recording a quarter's value, and whether it got better or worse.

"Better" depends on the measure's polarity (victim satisfaction: higher is better; repeat
victimisation: lower is better), so reports say better or worse, never up or down. Setting a value
again for the same quarter replaces it and the audit log keeps the old one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from dataclasses import dataclass

from commands.action_lookup import look_up_action
from commands.errors import InvalidMeasure
from commands.periods import Quarter
from commands.report_inputs import PlanData
from commands.report_model import MeasureRow, MeasureTrend
from commands.rules import london_date, word_list
from storage.models import MeasureValue
from storage.repository import PlanRepository

LOWER_IS_BETTER = "lower_is_better"
MEASURE_USAGE = 'planbot measure set ACTION "MEASURE NAME" VALUE --quarter "2018/19 Q3"'


@dataclass(frozen=True)
class MeasureRecorded:
    """What was stored: the value, and the one it replaced for the same quarter, if any."""

    action_code: str
    measure: str
    unit: str
    quarter: Quarter
    value: float
    replaced: float | None


def measure_trend(polarity: str, previous: float | None, value: float | None) -> MeasureTrend | None:
    """Better or worse from ``previous`` to ``value`` by polarity; ``None`` unless both are known."""
    if previous is None or value is None:
        return None
    if value == previous:
        return MeasureTrend.NO_CHANGE
    improved = value < previous if polarity == LOWER_IS_BETTER else value > previous
    return MeasureTrend.BETTER if improved else MeasureTrend.WORSE


def measure_rows(repo: PlanRepository, data: PlanData, quarter: Quarter) -> tuple[MeasureRow, ...]:
    """Every measure of the plan with this quarter's and last quarter's values, in one query (the
    measures themselves are part of the plan's structure)."""
    this, last = quarter.key, quarter.previous().key
    values = repo.measure_values([this, last])
    rows = []
    for m in data.structure.measures:
        value, previous = values.get((m.id, this)), values.get((m.id, last))
        rows.append(
            MeasureRow(
                action_code=m.action_code,
                name=m.name,
                unit=m.unit,
                polarity=m.polarity,
                value=value,
                previous=previous,
                trend=measure_trend(m.polarity, previous, value),
            )
        )
    return tuple(rows)


def parse_measure_value(text: str) -> float:
    """A number as people type it: "72", "72.5", "72%", "1,234".

    Raises:
        InvalidMeasure: it is not a finite number.
    """
    cleaned = text.strip().removesuffix("%").replace(",", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidMeasure(f'"{text.strip()}" is not a number.', MEASURE_USAGE)
    return value


def record_measure_value(
    repo: PlanRepository,
    *,
    action_code: str,
    measure_name: str,
    value_text: str,
    quarter: Quarter,
    actor: str,
    now: dt.datetime,
) -> MeasureRecorded:
    """Store a measure's value for a quarter (replacing an earlier one) and audit it.

    Every check runs before anything is written.

    Raises:
        UnknownAction: the plan has no such action.
        InvalidMeasure: the action has no such measure, the value is not a number, or the quarter
            has not started yet.
    """
    action = look_up_action(action_code, repo)
    assert action.id is not None
    value = parse_measure_value(value_text)
    if quarter.start > london_date(now):
        raise InvalidMeasure(f"{quarter.label} has not started yet; record values for quarters that have.")
    measures = repo.action_measures(action.id)
    wanted = " ".join(measure_name.lower().split())
    measure = next((m for m in measures if m.name.lower() == wanted), None)
    if measure is None or measure.id is None:
        names = [m.name for m in measures]
        if not names:
            raise InvalidMeasure(f"{action.code} has no strategic measures; they are listed in the plan file.")
        quoted = {n: f'"{n}"' for n in names}
        lowered = {n.lower(): n for n in names}
        close = [n for n in names if wanted in n.lower()] or [
            lowered[m] for m in difflib.get_close_matches(wanted, list(lowered), n=3, cutoff=0.5)
        ]
        hint = f" Did you mean {word_list([quoted[n] for n in close])}?" if close else ""
        raise InvalidMeasure(
            f'{action.code} has no measure "{measure_name.strip()}".{hint}',
            f"Its measures: {word_list(list(quoted.values()), 'and')}.",
        )
    stored = repo.measure_value(measure.id, quarter.key)
    replaced = stored.value if stored is not None else None
    if stored is None:
        repo.add(
            MeasureValue(
                measure_id=measure.id, quarter_key=quarter.key, value=value, recorded_at=now, recorded_by=actor
            )
        )
    else:
        stored.value, stored.recorded_at, stored.recorded_by = value, now, actor
        repo.add(stored)
    repo.audit(
        at=now,
        actor=actor,
        entity="measure_value",
        key=f"{action.code}:{measure.name}:{quarter.key}",
        change="add" if stored is None else "change",
        detail={"value": value, "replaced": replaced, "quarter": quarter.label},
    )
    return MeasureRecorded(action.code, measure.name, measure.unit, quarter, value, replaced)
