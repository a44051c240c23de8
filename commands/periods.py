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


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays, from the maintained ``holidays`` tables (imported on first use:
    the package loads every country's tables, a tenth of a second that most commands never need)."""
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
