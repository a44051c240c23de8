"""UK financial-year quarters, working days in England and Wales, and the quarterly cut-off.

The public sector's year runs 1 April to 31 March and is labelled "2018/19"; Q1 is April–June.
Boards and the Panel speak in these labels, so every report keys its periods on them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from dateutil.relativedelta import relativedelta

from commands.errors import ParseError

QUARTER_USAGE = 'Name a quarter as "Q3", "2018/19 Q3", "Q3 2018-19" or "last quarter".'
YEAR_USAGE = 'Name a financial year as "2018/19", "2018-19" or "last year".'


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter: ``Quarter(2018, 3)`` is 2018/19 Q3, October to December 2018."""

    year: int  # the calendar year in which the financial year starts
    number: int  # 1..4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number must be 1 to 4, not {self.number}")

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter a date falls in (31 March 2019 is 2018/19 Q4)."""
        months_into_year = (day.month - 4) % 12
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, months_into_year // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 4, 1) + relativedelta(months=3 * (self.number - 1))

    @property
    def end(self) -> dt.date:
        """The last day of the quarter (inclusive)."""
        return self.start + relativedelta(months=3, days=-1)

    @property
    def financial_year(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        return f"{self.financial_year} Q{self.number}"

    @property
    def key(self) -> str:
        """A stable identifier for job-run and snapshot keys: ``FY2018-19-Q3``."""
        return f"FY{self.year}-{(self.year + 1) % 100:02d}-Q{self.number}"

    @property
    def months(self) -> str:
        """ "October–December 2018", as cover pages write the period."""
        first, last = self.start, self.end
        if first.year == last.year:
            return f"{first:%B}–{last:%B %Y}"
        return f"{first:%B %Y}–{last:%B %Y}"

    def previous(self) -> Quarter:
        return Quarter.containing(self.start - dt.timedelta(days=1))

    def next(self) -> Quarter:
        return Quarter.containing(self.end + dt.timedelta(days=1))

    def __str__(self) -> str:
        return self.label


_FULL = re.compile(
    r"^(?:(?P<y1>\d{4})\s*[/-]\s*(?P<y1b>\d{2}|\d{4})\s*q(?P<q1>[1-4])"
    r"|q(?P<q2>[1-4])\s*(?:(?P<y2>\d{4})\s*[/-]\s*(?P<y2b>\d{2}|\d{4}))?)$"
)


def parse_quarter(text: str, today: dt.date) -> Quarter:
    """Read a quarter as people write it; a bare "Q3" means the latest Q3 that has ended.

    Raises:
        ParseError: the text is not a quarter, or names a year that does not follow its start year.
    """
    cleaned = " ".join(text.lower().replace("–", "-").split())
    current = Quarter.containing(today)
    if cleaned in ("", "last quarter", "last", "previous quarter"):
        return current.previous()
    if cleaned in ("this quarter", "current quarter"):
        return current
    match = _FULL.match(cleaned)
    if match is None:
        raise ParseError(f'"{text.strip()}" is not a quarter.', QUARTER_USAGE)
    number = int(match["q1"] or match["q2"])
    start_text, end_text = (match["y1"], match["y1b"]) if match["y1"] else (match["y2"], match["y2b"])
    if start_text is None:
        candidate = Quarter(current.year, number)
        return candidate if candidate.end < today else Quarter(current.year - 1, number)
    year = int(start_text)
    if int(end_text) % 100 != (year + 1) % 100:
        raise ParseError(
            f'"{text.strip()}" is not a financial year: it runs April to March, as in {year}/{(year + 1) % 100:02d}.',
            QUARTER_USAGE,
        )
    return Quarter(year, number)


_YEAR = re.compile(r"^(?:fy\s*)?(?P<start>\d{4})\s*[/-]\s*(?P<end>\d{2}|\d{4})$")


def parse_financial_year(text: str, today: dt.date) -> int:
    """Read a financial year as people write it ("2018/19", "2018-2019", "last year"), as the
    calendar year it starts in; "" or "last year" is the latest year that has ended.

    Raises:
        ParseError: the text is not a financial year, or its second year does not follow its first.
    """
    cleaned = " ".join(text.lower().replace("–", "-").split())
    current = Quarter.containing(today).year
    if cleaned in ("", "last year", "last", "previous year", "last financial year"):
        return current - 1
    if cleaned in ("this year", "current year"):
        return current
    match = _YEAR.match(cleaned)
    if match is None:
        raise ParseError(f'"{text.strip()}" is not a financial year.', YEAR_USAGE)
    year = int(match["start"])
    if int(match["end"]) % 100 != (year + 1) % 100:
        raise ParseError(
            f'"{text.strip()}" is not a financial year: it runs April to March, as in {year}/{(year + 1) % 100:02d}.',
            YEAR_USAGE,
        )
    return year


def year_label(year: int) -> str:
    """ "2018/19" for the financial year starting in April 2018."""
    return f"{year}/{(year + 1) % 100:02d}"


def year_quarters(year: int) -> tuple[Quarter, Quarter, Quarter, Quarter]:
    """The four quarters of the financial year starting in April ``year``, Q1 first."""
    return Quarter(year, 1), Quarter(year, 2), Quarter(year, 3), Quarter(year, 4)


BANK_HOLIDAYS_ENGLAND_AND_WALES = {
    2010: "01-01 04-02 04-05 05-03 05-31 08-30 12-25 12-26 12-27 12-28",
    2011: "01-01 01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-25 12-26 12-27",
    2012: "01-01 01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26",
    2013: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2014: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2015: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-26 12-28",
    2016: "01-01 03-25 03-28 05-02 05-30 08-29 12-25 12-26 12-27",
    2017: "01-01 01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
    2018: "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
    2019: "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
    2020: "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-26 12-28",
    2021: "01-01 04-02 04-05 05-03 05-31 08-30 12-25 12-26 12-27 12-28",
    2022: "01-01 01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-25 12-26 12-27",
    2023: "01-01 01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-26 12-28",
    2027: "01-01 03-26 03-29 05-03 05-31 08-30 12-25 12-26 12-27 12-28",
    2028: "01-01 01-03 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
    2029: "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
    2030: "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
}
"""England and Wales bank holidays (month-day) as the ``holidays`` package gives them for these years,
written out because importing that package costs a reporting command about 0.15 s (it loads every
country's tables); ``tests/commands/test_periods.py`` checks each year against the package, so an
upgrade that adds a holiday fails there until this table is brought up to date."""


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays: the table above, or the maintained ``holidays`` package
    (imported on first use) for a year the table does not cover."""
    days = BANK_HOLIDAYS_ENGLAND_AND_WALES.get(year)
    if days is not None:
        return frozenset(dt.date(year, int(day[:2]), int(day[3:])) for day in days.split())
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``day`` (before it when negative); ``day`` itself not counted."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def cut_off(quarter: Quarter, working_days: int = 10) -> dt.date:
    """The last day whose updates count towards the quarter's frozen snapshot."""
    return add_working_days(quarter.end, working_days)
