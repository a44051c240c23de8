"""RAG rules: the colour scheme, reasons, direction of travel, update cadence and what counts as overdue.

Every deployment may describe its own scheme (names, definitions, whether blue is used,
which colours need a reason), so the rest of the core asks a ``RagScheme`` rather than hard-coding
colours. Dates are compared and shown in Europe/London, because a Monday-morning deadline in
Leicester is not a Monday-morning deadline in UTC during British Summer Time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from commands.errors import BadDate
from storage.models import ActionState

LONDON = ZoneInfo("Europe/London")
NOT_REPORTED = "Not yet reported"
DUE_SOON_DAYS = 3
CADENCES: dict[str, relativedelta] = {
    "weekly": relativedelta(weeks=1),
    "fortnightly": relativedelta(weeks=2),
    "monthly": relativedelta(months=1),
    "quarterly": relativedelta(months=3),
}
VARIATION_SELECTOR = "\ufe0f"
"""What some keyboards add after an emoji to ask for its colour form; a typed colour ignores it."""
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str, usage: str = "") -> dt.date:
    """The one reader of a date a person types: in a command, on the command line, in a plan file.

    Only YYYY-MM-DD: 03/04/2019 is March to some readers and April to others, and Python's own
    ISO reader would also take 20190331 or 2019-W13-7, which nobody means to type.

    Raises:
        BadDate: naming the text and the form to use; ``usage`` follows it in the reply.
    """
    cleaned = text.strip()
    if _ISO_DATE.fullmatch(cleaned):
        try:
            return dt.date.fromisoformat(cleaned)
        except ValueError:
            pass
    raise BadDate(f'"{cleaned}" is not a date: write it as YYYY-MM-DD, e.g. 2019-03-31.', usage)


def is_open(state: str) -> bool:
    """The one definition of an open action: it takes updates, counts in RAG figures and reports,
    and appears in people's lists. A closed one (by an admin, or dropped from the plan file)
    keeps its history only. Delivery does not close an action: an open action reported with the
    scheme's completing colour (blue) is ``RagScheme.finished`` but still open."""
    return state == ActionState.ACTIVE


class Need(StrEnum):
    """Whether a colour takes a mitigation (or an outcome): not at all, asked for, or required.

    Asked: the form offers the field and the reply to an update without it says none was given,
    but the update is stored. Required: an update without it is refused and nothing is stored.
    A colour that takes none refuses one given (it would be shown nowhere)."""

    NONE = "none"
    ASKED = "asked"
    REQUIRED = "required"


@dataclass(frozen=True)
class RagStatus:
    """One colour of a scheme.

    ``rank`` orders colours for direction of travel (higher is better; a renderer picks its own
    symbol for the code, see ``commands.layout.status_cell``); ``aliases`` are every lower-case word, Unicode emoji and
    ``:shortcode:`` people may type for it, the first being the word messages suggest.
    ``completes`` marks the colour that means delivered, which stops an action counting as overdue.
    ``mitigation`` says whether an update at this colour takes what is being done about it (the
    domain brief's rule for red), ``outcome`` whether it takes what was delivered (for blue).
    """

    code: str
    label: str
    summary: str
    definition: str
    rank: int
    aliases: tuple[str, ...]
    reason_required: bool = False
    completes: bool = False
    mitigation: Need = Need.NONE
    outcome: Need = Need.NONE


@dataclass(frozen=True)
class RagScheme:
    """The colours a deployment reports in, and the longest reason it accepts."""

    statuses: tuple[RagStatus, ...]
    max_reason_length: int = 1500

    @cached_property
    def _by_code(self) -> dict[str, RagStatus]:
        """Colours by code, built once: reports look a colour up several times per action."""
        return {status.code: status for status in self.statuses}

    def status(self, code: str) -> RagStatus:
        """The colour stored under ``code``; a code the scheme does not know is a data error."""
        found = self._by_code.get(code)
        if found is None:
            raise KeyError(f"status code {code!r} is not in the RAG scheme")
        return found

    def label(self, code: str | None) -> str:
        """How a stored status reads to people, with unreported shown as a gap and never as green."""
        return NOT_REPORTED if code is None else self.status(code).label

    def parse(self, token: str) -> RagStatus | None:
        """The colour a typed word or emoji names, ignoring case and emoji presentation selectors."""
        wanted = token.strip().lower().replace(VARIATION_SELECTOR, "")
        return next((s for s in self.statuses if wanted in s.aliases), None)

    @property
    def choices(self) -> str:
        """The words to offer when someone types a colour the scheme does not know."""
        words = [s.aliases[0] for s in self.statuses]
        letters = [s.code.lower() for s in self.statuses]
        return f"{word_list(words)} (or {', '.join(letters)})"

    def reason_problem(self, status: RagStatus, reason: str) -> str | None:
        """What is wrong with a reason, if anything: red and amber must say why (boards act on
        them), and no reason may outgrow a report cell."""
        if status.reason_required and not reason.strip():
            return f"{status.label} needs a reason: say what is wrong and what is being done about it."
        if len(reason) > self.max_reason_length:
            return (
                f"The reason is {len(reason):,} characters long; the limit is {self.max_reason_length:,}. "
                "Please shorten it."
            )
        return None

    def mitigation_problem(self, status: RagStatus, mitigation: str) -> str | None:
        """What is wrong with an update's mitigation, if anything: required and missing, given for
        a colour that takes none, or longer than a report cell."""
        return self._extra_problem(status, mitigation, status.mitigation, MITIGATION)

    def outcome_problem(self, status: RagStatus, outcome: str) -> str | None:
        """What is wrong with an update's outcome, if anything (the same rules as a mitigation)."""
        return self._extra_problem(status, outcome, status.outcome, OUTCOME)

    def taking(self, part: Extra) -> list[RagStatus]:
        """The colours that take a mitigation (or an outcome), asked for or required."""
        return [s for s in self.statuses if part.need(s) is not Need.NONE]

    def _extra_problem(self, status: RagStatus, text: str, need: Need, part: Extra) -> str | None:
        given = bool(text.strip())
        if need is Need.REQUIRED and not given:
            also = " as well as a reason" if status.reason_required else ""
            return f"{status.label} needs {part.article} {part.noun}{also}: {part.ask}."
        if given and need is Need.NONE:
            taking = word_list([s.label for s in self.taking(part)]) or "no colour"
            return f"{status.label} takes no {part.noun}; {part.article} {part.noun} goes with {taking}."
        if len(text) > self.max_reason_length:
            return (
                f"The {part.noun} is {len(text):,} characters long; the limit is {self.max_reason_length:,}. "
                "Please shorten it."
            )
        return None

    def direction(self, previous: str | None, current: str) -> Direction:
        """Direction of travel from one stored status to the next (red < amber < green < blue)."""
        if previous is None:
            return Direction.NEW
        before, after = self.status(previous).rank, self.status(current).rank
        if after > before:
            return Direction.IMPROVING
        if after < before:
            return Direction.DETERIORATING
        return Direction.NO_CHANGE

    def finished(self, state: str, latest_status: str | None) -> bool:
        """An action reported complete (blue) or closed has nothing left to deliver."""
        if not is_open(state):
            return True
        return latest_status is not None and self.status(latest_status).completes

    def action_overdue(self, current_due: dt.date, state: str, latest_status: str | None, today: dt.date) -> bool:
        """Overdue when its current (re-profiled) due date has passed and it is not finished."""
        return current_due < today and not self.finished(state, latest_status)


@dataclass(frozen=True)
class Extra:
    """A part of an update beside its reason that a scheme may ask for: a mitigation or an outcome."""

    noun: str
    article: str
    flag: str
    ask: str
    example: str
    field: str

    def need(self, status: RagStatus) -> Need:
        need: Need = getattr(status, self.field)
        return need


MITIGATION = Extra(
    "mitigation",
    "a",
    "--mitigation",
    "say what is being done about it",
    '--mitigation "Escalated to LCJB"',
    "mitigation",
)
OUTCOME = Extra(
    "outcome",
    "an",
    "--outcome",
    "say what was delivered and what difference it made",
    '--outcome "Hub live; 4,100 victims referred"',
    "outcome",
)


class ArrowAndWord(Enum):
    """An arrow that never appears without its word, for colour-blind and screen-reader users."""

    _value_: tuple[str, str]

    @property
    def arrow(self) -> str:
        return self.value[0]

    @property
    def word(self) -> str:
        return self.value[1]

    def __str__(self) -> str:
        return f"{self.arrow} {self.word}"


class Direction(ArrowAndWord):
    """Direction of travel of an action's status between two periods."""

    IMPROVING = ("↑", "Improving")
    NO_CHANGE = ("→", "No change")
    DETERIORATING = ("↓", "Deteriorating")
    NEW = ("★", "New")


DEFAULT_SCHEME = RagScheme(
    statuses=(
        RagStatus(
            code="R",
            label="Red",
            summary="significant issues / off track",
            definition="The due date or outcome will be missed, or has been, with no agreed recovery; "
            "needs SRO escalation or a board decision.",
            rank=0,
            aliases=("red", "r", "🔴", ":red_circle:"),
            reason_required=True,
            mitigation=Need.REQUIRED,
        ),
        RagStatus(
            code="A",
            label="Amber",
            summary="some risk",
            definition="Slippage or risk that can be recovered with management attention (up to about one month "
            "behind a milestone); recovery actions in hand.",
            rank=1,
            aliases=("amber", "a", "yellow", "🟠", "🟡", ":large_orange_circle:", ":large_yellow_circle:"),
            reason_required=True,
            mitigation=Need.ASKED,
        ),
        RagStatus(
            code="G",
            label="Green",
            summary="on track",
            definition="Will be delivered by the due date to the intended standard; no significant issues.",
            rank=2,
            aliases=("green", "g", "🟢", ":large_green_circle:"),
        ),
        RagStatus(
            code="B",
            label="Blue (complete)",
            summary="complete",
            definition="Delivered; no further monitoring (moves to business as usual).",
            rank=3,
            aliases=("blue", "b", "complete", "done", "🔵", "✅", ":large_blue_circle:", ":white_check_mark:"),
            completes=True,
            outcome=Need.ASKED,
        ),
    )
)


class UpdateTiming(Enum):
    """Where an action stands against its update cadence; drives nudges and ``/rag mine``."""

    NOT_DUE = "not due"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"


def london_date(moment: dt.datetime) -> dt.date:
    """The Europe/London calendar date of a naive UTC moment (as stored and as passed in as ``now``)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(LONDON).date()


def show_date(day: dt.date) -> str:
    """Dates as OPCC reports write them: "31 Dec 2018"."""
    return f"{day.day} {day:%b %Y}"


def next_update_due(last_update: dt.date, cadence: str) -> dt.date:
    """When the next update is expected; month ends clamp (31 Jan + a month is 28 or 29 Feb).

    Raises:
        ValueError: the cadence is not one planbot knows (a plan-file error, caught at import).
    """
    if cadence not in CADENCES:
        raise ValueError(f"unknown update cadence {cadence!r}; use one of {', '.join(CADENCES)}")
    return last_update + CADENCES[cadence]


def update_timing(due: dt.date, today: dt.date) -> UpdateTiming:
    """Overdue once the due day has passed; due soon from three days before it, the day itself included."""
    if due < today:
        return UpdateTiming.OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return UpdateTiming.DUE_SOON
    return UpdateTiming.NOT_DUE


def word_list(words: Sequence[str], conjunction: str = "or") -> str:
    """ "red, amber or green": how replies list choices and people."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
