"""Job times set in the environment: read at start, and refused with a clear message when mistyped
(``tests/test_scheduler.py`` shows the scheduler obeying them)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.cli import main
from bot.config import Settings
from bot.schedule_settings import BadSetting
from commands.schedule import ScheduleConfig


class TestParsing:
    def test_unset_or_blank_keeps_the_usual_times(self) -> None:
        assert ScheduleConfig() == Settings.from_env({"PLANBOT_DIGEST_TIME": " ", "PLANBOT_NUDGE_TIME": ""}).schedule

    def test_each_time_is_read(self) -> None:
        schedule = Settings.from_env(
            {
                "PLANBOT_DIGEST_TIME": "fri 16:30",
                "PLANBOT_NUDGE_TIME": "8:15",
                "PLANBOT_QUARTER_CLOSE_TIME": "11:00",
                "PLANBOT_QUARTERLY_TIME": "07:45",
                "PLANBOT_FREEZE_TIME": "05:30",
                "PLANBOT_QUARTER_CLOSE_WORKING_DAYS": "5",
            }
        ).schedule
        assert (4, dt.time(16, 30)) == (schedule.digest_weekday, schedule.digest_time)
        assert dt.time(8, 15) == schedule.nudge_time
        assert dt.time(11, 0) == schedule.quarter_close_time
        assert dt.time(7, 45) == schedule.summary_time
        assert dt.time(5, 30) == schedule.freeze_time
        assert 5 == schedule.quarter_close_working_days

    def test_full_weekday_names_are_understood(self) -> None:
        assert 2 == Settings.from_env({"PLANBOT_DIGEST_TIME": "Wednesday 09:00"}).schedule.digest_weekday

    @pytest.mark.parametrize(
        ("name", "value", "expected"),
        [
            ("PLANBOT_DIGEST_TIME", "09:00", '"MON 09:00"'),
            ("PLANBOT_DIGEST_TIME", "Funday 09:00", '"MON 09:00"'),
            ("PLANBOT_DIGEST_TIME", "MON 9am", '"MON 09:00"'),
            ("PLANBOT_NUDGE_TIME", "25:00", '"10:00"'),
            ("PLANBOT_QUARTERLY_TIME", "9.00", '"10:00"'),
            ("PLANBOT_QUARTER_CLOSE_WORKING_DAYS", "ten", '"10"'),
            ("PLANBOT_QUARTER_CLOSE_WORKING_DAYS", "0", '"10"'),
        ],
    )
    def test_a_bad_value_names_the_variable_and_the_form(self, name: str, value: str, expected: str) -> None:
        with pytest.raises(BadSetting) as refused:
            Settings.from_env({name: value})
        assert f'{name} is "{value}"' in str(refused.value)
        assert expected in str(refused.value)

    def test_planbot_stops_at_start_with_the_message(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setenv("PLANBOT_NUDGE_TIME", "ten o'clock")
        assert 2 == main(["db", "upgrade"])
        assert 'PLANBOT_NUDGE_TIME is "ten o\'clock"; expected a 24-hour time' in capsys.readouterr().err
