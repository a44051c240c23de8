"""Scheduled job times from the environment, such as ``PLANBOT_DIGEST_TIME="MON 09:00"``.

Read once at start: a mistyped time stops planbot with a message naming the variable and the form
it expects, rather than letting the bot post at a time nobody chose. Unset or blank variables keep
the defaults of ``commands.schedule.ScheduleConfig``. Times are 24-hour wall-clock times in
Europe/London (``commands.rules.LONDON``), as everywhere in planbot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from commands.schedule import ScheduleConfig

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
TIME_FORM = 'a 24-hour time such as "10:00"'
DIGEST_FORM = 'a weekday and a 24-hour time such as "MON 09:00"'
SECONDS_FORM = 'a number of seconds from 0 to 60, such as "1.1"'
WORKING_DAYS_FORM = 'a whole number of working days from 1 to 40, such as "10"'
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")

# Each variable holding a time alone, and the ScheduleConfig field it sets.
TIME_VARIABLES = {
    "PLANBOT_NUDGE_TIME": "nudge_time",
    "PLANBOT_QUARTER_CLOSE_TIME": "quarter_close_time",
    "PLANBOT_QUARTERLY_TIME": "summary_time",
    "PLANBOT_FREEZE_TIME": "freeze_time",
}


class BadSetting(ValueError):
    """An environment variable planbot cannot use; the message names it and the form expected."""

    def __init__(self, name: str, value: str, form: str) -> None:
        super().__init__(f'{name} is "{value}"; expected {form}.')


def schedule_from_env(env: Mapping[str, str]) -> ScheduleConfig:
    """The job times set in ``env``, defaults for the rest (the zone is set by the scheduler).

    Raises:
        BadSetting: a variable is set to something that is not the form it takes.
    """
    values: dict[str, Any] = {}
    digest = env.get("PLANBOT_DIGEST_TIME", "").strip()
    if digest:
        values["digest_weekday"], values["digest_time"] = _weekday_and_time("PLANBOT_DIGEST_TIME", digest)
    for name, field in TIME_VARIABLES.items():
        text = env.get(name, "").strip()
        if text:
            values[field] = _time(name, text)
    days = env.get("PLANBOT_QUARTER_CLOSE_WORKING_DAYS", "").strip()
    if days:
        values["quarter_close_working_days"] = _working_days("PLANBOT_QUARTER_CLOSE_WORKING_DAYS", days)
    return ScheduleConfig(**values)


def _clock(text: str) -> dt.time | None:
    """``HH:MM`` on the 24-hour clock, or ``None`` for anything else."""
    match = _TIME.fullmatch(text)
    return dt.time(int(match[1]), int(match[2])) if match is not None else None


def _time(name: str, text: str) -> dt.time:
    time = _clock(text)
    if time is None:
        raise BadSetting(name, text, TIME_FORM)
    return time


def _weekday_and_time(name: str, text: str) -> tuple[int, dt.time]:
    """``MON 09:00`` (or ``Monday 09:00``) as ``datetime.date.weekday`` numbering and a time."""
    day, _, at = text.partition(" ")
    wanted = day.upper()
    weekday = next((n for n, full in enumerate(WEEKDAYS) if wanted in (full, full[:3])), None)
    time = _clock(at.strip())
    if weekday is None or time is None:
        raise BadSetting(name, text, DIGEST_FORM)
    return weekday, time


def _working_days(name: str, text: str) -> int:
    """Between 1 and 40: a reminder needs a day's notice, and 40 working days is a whole quarter."""
    if not text.isdigit() or not 1 <= int(text) <= 40:
        raise BadSetting(name, text, WORKING_DAYS_FORM)
    return int(text)


def seconds_from_env(env: Mapping[str, str], name: str, default: float) -> float:
    """A number of seconds from 0 to 60 (the delivery engine's pacing and polling), ``default`` when unset."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise BadSetting(name, text, SECONDS_FORM) from None
    if not 0 <= value <= 60:
        raise BadSetting(name, text, SECONDS_FORM)
    return value
