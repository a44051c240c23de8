"""Strategic measure values: better or worse by polarity, typed numbers, recording with an audit trail."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from support.report_support import london

from commands.errors import InvalidMeasure
from commands.measures import measure_trend, parse_measure_value, record_measure_value
from commands.periods import Quarter
from commands.report_model import MeasureTrend
from storage.models import AuditEntry, MeasureValue, Plan
from storage.repository import PlanRepository

Q3 = Quarter(2018, 3)
NOW = london(2019, 1, 16)
TRIALS = "Ineffective trials caused by prosecution witness issues"


class TestTrend:
    @pytest.mark.parametrize(
        ("polarity", "previous", "value", "trend"),
        [
            ("higher_is_better", 70.0, 75.0, MeasureTrend.BETTER),
            ("higher_is_better", 75.0, 70.0, MeasureTrend.WORSE),
            ("lower_is_better", 20.0, 15.0, MeasureTrend.BETTER),
            ("lower_is_better", 15.0, 20.0, MeasureTrend.WORSE),
            ("lower_is_better", 15.0, 15.0, MeasureTrend.NO_CHANGE),
            ("higher_is_better", None, 15.0, None),
            ("higher_is_better", 15.0, None, None),
        ],
    )
    def test_better_or_worse_follows_polarity(
        self, polarity: str, previous: float | None, value: float | None, trend: MeasureTrend | None
    ) -> None:
        """A fall is better when lower is better; with one value missing there is no comparison."""
        assert trend == measure_trend(polarity, previous, value)

    def test_trend_reads_as_arrow_and_word(self) -> None:
        assert ["↑ Better", "→ No change", "↓ Worse"] == [str(t) for t in MeasureTrend]


class TestParse:
    @pytest.mark.parametrize(("typed", "value"), [("72", 72.0), ("72.5%", 72.5), ("1,234", 1234.0), (" -3 ", -3.0)])
    def test_numbers_as_people_type_them(self, typed: str, value: float) -> None:
        assert value == parse_measure_value(typed)

    @pytest.mark.parametrize("typed", ["abc", "", "nan", "inf", "12 victims"])
    def test_not_a_number(self, typed: str) -> None:
        with pytest.raises(InvalidMeasure, match="is not a number"):
            parse_measure_value(typed)


class TestRecord:
    def record(self, repo: PlanRepository, name: str = TRIALS, value: str = "15", quarter: Quarter = Q3) -> object:
        return record_measure_value(
            repo, action_code="v9", measure_name=name, value_text=value, quarter=quarter, actor="analyst", now=NOW
        )

    def test_recorded_then_replaced_with_audit(self, repo: PlanRepository, plan: Plan) -> None:
        """The second value replaces the first; the audit log keeps both."""
        self.record(repo, value="15")
        result = self.record(repo, name=TRIALS.upper(), value="14")

        assert (14.0, 15.0) == (result.value, result.replaced)
        assert [14.0] == [v.value for v in repo.session.exec(select(MeasureValue))]
        audits = [
            json.loads(a.detail)
            for a in repo.session.exec(select(AuditEntry).where(AuditEntry.entity == "measure_value"))
        ]
        assert [(15.0, None), (14.0, 15.0)] == [(a["value"], a["replaced"]) for a in audits]

    def test_unknown_measure_lists_the_actions_measures(self, repo: PlanRepository, plan: Plan) -> None:
        with pytest.raises(InvalidMeasure) as error:
            self.record(repo, name="Ineffective trial")

        assert 'Did you mean "Ineffective trials caused by prosecution witness issues"?' in error.value.message
        assert "Victim and witness satisfaction" in error.value.usage

    def test_action_without_measures(self, repo: PlanRepository, plan: Plan) -> None:
        with pytest.raises(InvalidMeasure, match="V5 has no strategic measures"):
            record_measure_value(
                repo, action_code="V5", measure_name="x", value_text="1", quarter=Q3, actor="analyst", now=NOW
            )

    def test_future_quarter_refused(self, repo: PlanRepository, plan: Plan) -> None:
        """Nobody can know next quarter's figure yet; nothing is stored."""
        with pytest.raises(InvalidMeasure, match="has not started yet"):
            self.record(repo, quarter=Quarter(2019, 1))
        assert [] == list(repo.session.exec(select(MeasureValue)))
