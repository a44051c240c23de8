"""Financial-year quarters, England and Wales working days and the quarterly cut-off."""

from __future__ import annotations

import datetime as dt

import pytest

from commands.errors import ParseError
from commands.periods import (
    BANK_HOLIDAYS_ENGLAND_AND_WALES,
    Quarter,
    add_working_days,
    cut_off,
    is_working_day,
    parse_quarter,
)

D = dt.date

QUARTER_ENDS = [
    # date, label, first day, last day
    (D(2018, 4, 1), "2018/19 Q1", D(2018, 4, 1), D(2018, 6, 30)),
    (D(2018, 6, 30), "2018/19 Q1", D(2018, 4, 1), D(2018, 6, 30)),
    (D(2018, 7, 1), "2018/19 Q2", D(2018, 7, 1), D(2018, 9, 30)),
    (D(2018, 9, 30), "2018/19 Q2", D(2018, 7, 1), D(2018, 9, 30)),
    (D(2018, 10, 1), "2018/19 Q3", D(2018, 10, 1), D(2018, 12, 31)),
    (D(2018, 12, 31), "2018/19 Q3", D(2018, 10, 1), D(2018, 12, 31)),
    (D(2019, 1, 1), "2018/19 Q4", D(2019, 1, 1), D(2019, 3, 31)),
    (D(2019, 3, 31), "2018/19 Q4", D(2019, 1, 1), D(2019, 3, 31)),
    (D(2019, 4, 1), "2019/20 Q1", D(2019, 4, 1), D(2019, 6, 30)),
    (D(2020, 2, 29), "2019/20 Q4", D(2020, 1, 1), D(2020, 3, 31)),
    (D(1999, 12, 31), "1999/00 Q3", D(1999, 10, 1), D(1999, 12, 31)),
]


@pytest.mark.parametrize(("day", "label", "first", "last"), QUARTER_ENDS)
def test_date_falls_in_financial_year_quarter(day: dt.date, label: str, first: dt.date, last: dt.date) -> None:
    """Every date maps to its April-to-March quarter, at both ends of each quarter."""
    quarter = Quarter.containing(day)
    assert (label, first, last) == (quarter.label, quarter.start, quarter.end)


def test_neighbouring_quarters_cross_the_year_end() -> None:
    """Q4 follows Q3 in the same financial year, and Q1 of the next follows Q4."""
    q3 = Quarter(2018, 3)
    assert "2018/19 Q4" == q3.next().label
    assert "2019/20 Q1" == q3.next().next().label
    assert "2018/19 Q2" == q3.previous().label
    assert "2017/18 Q4" == Quarter(2018, 1).previous().label
    assert "FY2018-19-Q3" == q3.key
    assert "October–December 2018" == q3.months
    assert "January–March 2019" == Quarter(2018, 4).months


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2018/19 Q3", "2018/19 Q3"),
        ("Q3 2018-19", "2018/19 Q3"),
        ("q3 2018/2019", "2018/19 Q3"),
        ("2018-19 q3", "2018/19 Q3"),
        ("Q3 2018–19", "2018/19 Q3"),
        ("last quarter", "2018/19 Q3"),
        ("", "2018/19 Q3"),
        ("this quarter", "2018/19 Q4"),
        ("Q3", "2018/19 Q3"),
        ("Q4", "2017/18 Q4"),
        ("Q1", "2018/19 Q1"),
    ],
)
def test_quarter_as_people_write_it(text: str, label: str) -> None:
    """Quarters parse from the forms boards use, relative to 20 February 2019."""
    assert label == parse_quarter(text, D(2019, 2, 20)).label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Q5", '"Q5" is not a quarter.'),
        ("summer", '"summer" is not a quarter.'),
        ("2018/20 Q3", '"2018/20 Q3" is not a financial year: it runs April to March, as in 2018/19.'),
    ],
)
def test_bad_quarter_is_refused_with_the_forms_that_work(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_quarter(text, D(2019, 2, 20))
    assert message == caught.value.message
    assert "2018/19 Q3" in caught.value.usage


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2018, 12, 24), True),  # Monday before Christmas
        (D(2018, 12, 25), False),  # Christmas Day
        (D(2018, 12, 26), False),  # Boxing Day
        (D(2018, 12, 29), False),  # Saturday
        (D(2019, 4, 19), False),  # Good Friday
        (D(2019, 4, 22), False),  # Easter Monday
        (D(2019, 5, 6), False),  # Early May bank holiday
        (D(2019, 8, 26), False),  # Summer bank holiday (England and Wales, not Scotland's date)
        (D(2019, 8, 5), True),  # Scotland's summer bank holiday is a working day here
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(day: dt.date, working: bool) -> None:
    assert working is is_working_day(day)


def test_cut_off_is_ten_working_days_after_quarter_end() -> None:
    """Q3 2018/19 ends on Monday 31 Dec; 1 Jan is a bank holiday, so the 10th working day is Tuesday 15 Jan."""
    assert D(2019, 1, 15) == cut_off(Quarter(2018, 3))
    assert D(2018, 7, 13) == cut_off(Quarter(2018, 1))
    assert D(2018, 12, 20) == add_working_days(D(2018, 12, 27), -3)  # back over Boxing and Christmas Day


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS_ENGLAND_AND_WALES))
def test_the_written_out_bank_holidays_are_the_maintained_packages(year: int) -> None:
    """The table that spares each report importing ``holidays`` says what the package says, year by year."""
    import holidays

    expected = " ".join(f"{day:%m-%d}" for day in sorted(holidays.country_holidays("GB", subdiv="ENG", years=year)))
    assert expected == BANK_HOLIDAYS_ENGLAND_AND_WALES[year]


def test_a_year_beyond_the_table_asks_the_maintained_package() -> None:
    """2040's Good Friday and Easter Monday (30 March and 2 April) come from ``holidays`` itself."""
    assert max(BANK_HOLIDAYS_ENGLAND_AND_WALES) < 2040
    assert not is_working_day(D(2040, 3, 30))
    assert not is_working_day(D(2040, 4, 2))
    assert is_working_day(D(2040, 4, 3))
