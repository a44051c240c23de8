"""The public site: every frozen quarter's Panel report and every finished year's annual report, public
versions only, for the OPCC to copy to its website (``planbot publish``).

A quarter is on the site once its cut-off has passed, so its statuses can no longer move; a year once
its fourth quarter is frozen. Each document is built as at the start of the day after its cut-off, not
as at the day of publishing, so publishing again next month writes the same bytes and a copy to the
website changes only what changed. The wording of the index page lives here; ``bot.exports.site``
draws it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commands.errors import UserError
from commands.panel import ANNUAL, PanelOrder
from commands.periods import Quarter, cut_off
from commands.report_inputs import london_start
from commands.rules import london_date, show_date
from storage.repository import PlanRepository

SITE_FORMATS = ("html", "csv")
"""The page a person reads, and its data beside it."""
NO_PLAN = (
    "There is no plan in this database yet, so there is nothing to publish; load one with planbot plan import FILE."
)
NOTHING_FROZEN = (
    "No quarter of {plan} has passed its cut-off yet (the first, {quarter}, closes on {date}), so there is "
    "nothing to publish yet."
)
INDEX_INTRO = (
    "Progress reports on the Police and Crime Plan, as presented to the Police and Crime Panel. These are "
    "the public versions: roles are named by title and restricted commentary is withheld. Each report is a "
    "web page, with its figures as a CSV file beside it."
)
CSV_LINK = "figures (CSV)"


@dataclass(frozen=True)
class SiteDocument:
    """One public document on the site and the moment it is built as at (the day after its cut-off)."""

    order: PanelOrder
    as_at: dt.datetime

    @property
    def title(self) -> str:
        """ "Panel report for 2018/19 Q3 (October–December 2018)", "Annual report for 2018/19"."""
        label = self.order.subject
        if self.order.report != ANNUAL:
            label = f"{label} ({self.order.quarter.months})"
        return f"{self.order.document[0].upper()}{self.order.document[1:]} for {label}"

    def in_format(self, fmt: str) -> PanelOrder:
        return PanelOrder(self.order.quarter, fmt, public=True, report=self.order.report)


@dataclass(frozen=True)
class SiteYear:
    """A financial year's documents, newest first, under its heading ("2018/19")."""

    label: str
    documents: tuple[SiteDocument, ...]


@dataclass(frozen=True)
class Site:
    """Everything ``planbot publish`` writes: the index's title and intro, and each year's documents."""

    title: str
    intro: str
    years: tuple[SiteYear, ...]

    @property
    def documents(self) -> tuple[SiteDocument, ...]:
        return tuple(document for year in self.years for document in year.documents)


def public_site(repo: PlanRepository, now: dt.datetime) -> Site:
    """The site as it stands at ``now``: the current plan's frozen quarters and finished years, newest first.

    Raises:
        UserError: no plan is loaded, or no quarter of it has passed its cut-off.
    """
    plan = repo.current_plan()
    if plan is None:
        raise UserError(NO_PLAN)
    today = london_date(now)
    first = Quarter.containing(plan.period_start)
    if cut_off(first) >= today:
        raise UserError(NOTHING_FROZEN.format(plan=plan.name, quarter=first.label, date=show_date(cut_off(first))))
    by_year: dict[str, list[SiteDocument]] = {}
    quarter = first
    while cut_off(quarter) < today and quarter.start <= plan.period_end:
        documents = by_year.setdefault(quarter.financial_year, [])
        documents.append(SiteDocument(PanelOrder(quarter, "html", public=True), frozen_at(quarter)))
        if quarter.number == 4:
            documents.append(SiteDocument(PanelOrder(quarter, "html", public=True, report=ANNUAL), frozen_at(quarter)))
        quarter = quarter.next()
    years = tuple(SiteYear(label, tuple(reversed(docs))) for label, docs in reversed(by_year.items()))
    return Site(f"{plan.name}: progress reports", INDEX_INTRO, years)


def frozen_at(quarter: Quarter) -> dt.datetime:
    """The start of the day after the quarter's cut-off: when its snapshot is frozen."""
    return london_start(cut_off(quarter) + dt.timedelta(days=1))
