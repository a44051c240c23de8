"""RAG rules: colour words, reasons, direction of travel, update cadence and overdue dates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from commands.errors import BadDate
from commands.layout import Shape, status_cell
from commands.rules import (
    DEFAULT_SCHEME,
    NOT_REPORTED,
    Direction,
    RagScheme,
    UpdateTiming,
    is_open,
    london_date,
    next_update_due,
    parse_date,
    show_date,
    update_timing,
)
from storage.models import ActionState

D = dt.date
LIMIT = DEFAULT_SCHEME.max_reason_length

COLOUR_WORDS = [
    ("red", "R"),
    ("R", "R"),
    ("RED", "R"),
    ("🔴", "R"),
    (":red_circle:", "R"),
    ("amber", "A"),
    ("a", "A"),
    ("Yellow", "A"),
    ("🟠", "A"),
    ("🟡", "A"),
    (":large_orange_circle:", "A"),
    (":large_yellow_circle:", "A"),
    ("green", "G"),
    ("g", "G"),
    ("🟢", "G"),
    (":large_green_circle:", "G"),
    ("blue", "B"),
    ("b", "B"),
    ("Complete", "B"),
    ("done", "B"),
    ("🔵", "B"),
    ("✅", "B"),
    ("✅\ufe0f", "B"),
    (":white_check_mark:", "B"),
    (":large_blue_circle:", "B"),
]


@pytest.mark.parametrize(("word", "code"), COLOUR_WORDS)
def test_colour_words_and_emoji_name_a_status(word: str, code: str) -> None:
    """Every accepted word, letter, emoji and Slack shortcode selects its colour, in any case."""
    status = DEFAULT_SCHEME.parse(word)
    assert status is not None
    assert code == status.code


@pytest.mark.parametrize("word", ["purple", "reds", "", "⚪", ":red:", "x"])
def test_other_words_are_not_statuses(word: str) -> None:
    """Anything else is refused rather than guessed."""
    assert DEFAULT_SCHEME.parse(word) is None


def test_default_scheme_offers_the_four_colours_as_cells_with_a_shape_each() -> None:
    """The core gives renderers a code, a word and a colour-free shape, worst first; no platform symbol."""
    cells = [status_cell(s.code) for s in DEFAULT_SCHEME.statuses]
    assert [("R", "Red", Shape.SQUARE), ("A", "Amber", Shape.TRIANGLE)] == [
        (c.code, c.word, c.shape) for c in cells[:2]
    ]
    assert [Shape.CIRCLE, Shape.TICK] == [c.shape for c in cells[2:]]
    assert Shape.RING == status_cell(None).shape
    assert not hasattr(DEFAULT_SCHEME.statuses[0], "emoji")
    assert "red, amber, green or blue (or r, a, g, b)" == DEFAULT_SCHEME.choices


def test_unreported_is_a_gap_never_green() -> None:
    """No status reads as "Not yet reported"."""
    assert NOT_REPORTED == DEFAULT_SCHEME.label(None)
    assert "Green" == DEFAULT_SCHEME.label("G")


def test_a_deployment_without_blue_does_not_accept_complete() -> None:
    """A scheme may drop blue; its words stop being statuses and are no longer offered."""
    no_blue = RagScheme(statuses=tuple(s for s in DEFAULT_SCHEME.statuses if s.code != "B"))
    assert no_blue.parse("done") is None
    assert "red, amber or green (or r, a, g)" == no_blue.choices


REASONS = [
    ("R", "", "Red needs a reason: say what is wrong and what is being done about it."),
    ("R", "   ", "Red needs a reason: say what is wrong and what is being done about it."),
    ("A", "", "Amber needs a reason: say what is wrong and what is being done about it."),
    ("G", "", None),
    ("B", "", None),
    ("R", "x" * LIMIT, None),
    ("G", "x" * (LIMIT + 1), "The reason is 1,501 characters long; the limit is 1,500. Please shorten it."),
]


@pytest.mark.parametrize(("code", "reason", "problem"), REASONS)
def test_reason_rules(code: str, reason: str, problem: str | None) -> None:
    """Red and amber need a reason, green and blue do not; no reason may exceed the limit."""
    assert problem == DEFAULT_SCHEME.reason_problem(DEFAULT_SCHEME.status(code), reason)


def test_which_colours_need_a_reason_is_configurable() -> None:
    """A deployment may let amber go without a reason."""
    relaxed = RagScheme(
        statuses=tuple(
            dataclasses.replace(s, reason_required=False) if s.code == "A" else s for s in DEFAULT_SCHEME.statuses
        )
    )
    assert relaxed.reason_problem(relaxed.status("A"), "") is None
    assert relaxed.reason_problem(relaxed.status("R"), "") is not None


DIRECTIONS = [
    (None, "R", Direction.NEW),
    (None, "G", Direction.NEW),
    ("R", "R", Direction.NO_CHANGE),
    ("B", "B", Direction.NO_CHANGE),
    ("R", "A", Direction.IMPROVING),
    ("A", "G", Direction.IMPROVING),
    ("G", "B", Direction.IMPROVING),
    ("R", "B", Direction.IMPROVING),
    ("A", "R", Direction.DETERIORATING),
    ("G", "R", Direction.DETERIORATING),
    ("B", "G", Direction.DETERIORATING),
]


@pytest.mark.parametrize(("previous", "current", "direction"), DIRECTIONS)
def test_direction_of_travel(previous: str | None, current: str, direction: Direction) -> None:
    """Red < amber < green < blue; a first status is new."""
    assert direction == DEFAULT_SCHEME.direction(previous, current)


def test_direction_always_pairs_arrow_and_word() -> None:
    """Colour-blind readers get the word, not just the arrow."""
    shown = [str(d) for d in Direction]
    assert ["↑ Improving", "→ No change", "↓ Deteriorating", "★ New"] == shown


CADENCE_DATES = [
    (D(2018, 1, 31), "monthly", D(2018, 2, 28)),
    (D(2020, 1, 31), "monthly", D(2020, 2, 29)),
    (D(2018, 8, 31), "monthly", D(2018, 9, 30)),
    (D(2018, 3, 15), "monthly", D(2018, 4, 15)),
    (D(2018, 11, 30), "quarterly", D(2019, 2, 28)),
    (D(2018, 12, 28), "weekly", D(2019, 1, 4)),
    (D(2018, 12, 25), "fortnightly", D(2019, 1, 8)),
    (D(2020, 2, 20), "fortnightly", D(2020, 3, 5)),
]


@pytest.mark.parametrize(("last", "cadence", "due"), CADENCE_DATES)
def test_next_update_due_follows_cadence_across_month_ends(last: dt.date, cadence: str, due: dt.date) -> None:
    """A month after 31 January is the last day of February; weeks cross the year end."""
    assert due == next_update_due(last, cadence)


def test_unknown_cadence_is_an_error() -> None:
    """A cadence planbot cannot schedule is a plan error, not a silent default."""
    with pytest.raises(ValueError, match="daily"):
        next_update_due(D(2018, 1, 1), "daily")


TIMINGS = [
    (D(2018, 10, 10), D(2018, 10, 6), UpdateTiming.NOT_DUE),
    (D(2018, 10, 10), D(2018, 10, 7), UpdateTiming.DUE_SOON),
    (D(2018, 10, 10), D(2018, 10, 10), UpdateTiming.DUE_SOON),
    (D(2018, 10, 10), D(2018, 10, 11), UpdateTiming.OVERDUE),
    (D(2018, 11, 1), D(2018, 10, 28), UpdateTiming.NOT_DUE),
    (D(2018, 11, 1), D(2018, 10, 29), UpdateTiming.DUE_SOON),
    (D(2018, 11, 1), D(2018, 11, 2), UpdateTiming.OVERDUE),
    (D(2019, 1, 1), D(2018, 12, 29), UpdateTiming.DUE_SOON),
]


@pytest.mark.parametrize(("due", "today", "timing"), TIMINGS)
def test_update_due_soon_and_overdue(due: dt.date, today: dt.date, timing: UpdateTiming) -> None:
    """Due soon from three days before the due day up to the day itself; overdue the day after."""
    assert timing == update_timing(due, today)


ACTION_OVERDUE = [
    ("active", "A", D(2019, 1, 1), True),
    ("active", None, D(2019, 1, 1), True),
    ("active", "A", D(2018, 12, 31), False),
    ("active", "B", D(2019, 1, 1), False),
    ("complete", "G", D(2019, 1, 1), False),
    ("closed", "R", D(2019, 1, 1), False),
]


@pytest.mark.parametrize(("state", "latest", "today", "overdue"), ACTION_OVERDUE)
def test_action_overdue_once_its_due_date_passes_unless_finished(
    state: str, latest: str | None, today: dt.date, overdue: bool
) -> None:
    """An action due 31 Dec 2018 is overdue from 1 Jan 2019 unless reported blue, complete or closed."""
    assert overdue == DEFAULT_SCHEME.action_overdue(D(2018, 12, 31), state, latest, today)


def test_dates_are_london_dates() -> None:
    """Half past eleven at night UTC in summer is already tomorrow in London; in winter it is not."""
    assert D(2018, 7, 1) == london_date(dt.datetime(2018, 6, 30, 23, 30))
    assert D(2018, 12, 31) == london_date(dt.datetime(2018, 12, 31, 23, 30))
    assert "31 Dec 2018" == show_date(D(2018, 12, 31))
    assert "1 Jul 2018" == show_date(D(2018, 7, 1))


class TestDates:
    """One reader for every date a person types: a command, --as-of, a plan file."""

    @pytest.mark.parametrize(("text", "day"), [("2019-03-31", D(2019, 3, 31)), (" 2020-02-29 ", D(2020, 2, 29))])
    def test_iso_dates_are_read(self, text: str, day: dt.date) -> None:
        assert day == parse_date(text)

    @pytest.mark.parametrize("text", ["31/03/2019", "03/31/2019", "20190331", "2019-W13-7", "2019-02-30", "", "soon"])
    def test_anything_else_is_refused_with_the_form_to_use(self, text: str) -> None:
        """Python's ISO reader takes 20190331 and week dates; a person never means those."""
        with pytest.raises(BadDate) as refused:
            parse_date(text, "Usage: …")
        assert f'"{text.strip()}" is not a date: write it as YYYY-MM-DD, e.g. 2019-03-31.\nUsage: …' == (
            refused.value.reply_text()
        )


class TestOpenActions:
    def test_only_active_actions_are_open(self) -> None:
        """Closed actions keep their history but are not open; there is no other state."""
        assert {ActionState.ACTIVE} == {state for state in ActionState if is_open(state)}

    def test_an_action_reported_complete_is_finished_but_open(self) -> None:
        """Blue finishes the work without closing the action; a closed action is finished whatever it last said."""
        assert is_open(ActionState.ACTIVE) and DEFAULT_SCHEME.finished(ActionState.ACTIVE, "B")
        assert not DEFAULT_SCHEME.finished(ActionState.ACTIVE, "G")
        assert DEFAULT_SCHEME.finished(ActionState.CLOSED, "G")
