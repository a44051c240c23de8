"""A played year for the annual report and deep dive tests: 2018/19's four quarters reported on the
sample plan (and the quarter before, the start of the year), re-profiles and a closure approved, a
completion in Q3 and one in Q4, restricted commentary, a name and an email typed into commentary,
a delegate who reports, an admin reporting on an owner's behalf, and V9's measure in every quarter."""

from __future__ import annotations

import datetime as dt

from commands.admin_actions import close_action
from commands.measures import record_measure_value
from commands.model import Actor
from commands.periods import Quarter
from storage.models import Delegate
from storage.repository import PlanRepository
from support.report_support import london, report, reprofile

YEAR = 2018
QUARTERS = (Quarter(2018, 1), Quarter(2018, 2), Quarter(2018, 3), Quarter(2018, 4))
AFTER_YEAR = london(2019, 5, 1, 9, 0)  # every cut-off of 2018/19 has passed
DURING_Q4_CUT_OFF = london(2019, 4, 3, 9, 0)  # Q1–Q3 frozen, Q4's cut-off (12 Apr 2019) not passed
V9_TRIALS = "Ineffective trials caused by prosecution witness issues"
RESTRICTED = "400 cases waiting; named suspect under investigation"
RESTRICTED_TOO = "Supplier in administration, commercially confidential"
NAMED = "CJS review will not report before March; ask Ollie Kerr"
EMAILED = "Programme commissioned; contact raj.singh@example.org"


def play_year(repo: PlanRepository) -> None:
    """Statuses through 2017/18 Q4 and the four quarters of 2018/19 (each before its cut-off)."""
    # 2017/18 Q4: where the year starts.
    report(repo, "V9", "G", london(2018, 2, 5))
    report(repo, "V4", "A", london(2018, 2, 12), "Backlog building after the system change")
    report(repo, "O7", "G", london(2018, 3, 1))
    report(repo, "C1", "G", london(2018, 3, 5))
    report(repo, "T2", "A", london(2018, 3, 9), "Supplier behind on the data migration")
    # Q1
    report(repo, "V9", "G", london(2018, 5, 8))
    report(repo, "V4", "R", london(2018, 5, 14), "400 risk assessments waiting")
    report(repo, "O4", "A", london(2018, 5, 21), "Tender returned over budget")
    report(repo, "T3", "G", london(2018, 6, 4))
    reprofile(repo, "T2", dt.date(2019, 3, 31), london(2018, 6, 14), "BCB 14/06/2018")
    # Q2
    report(repo, "V9", "A", london(2018, 8, 6), "Review slipped to Q3")
    report(repo, "V4", "A", london(2018, 8, 13), "Backlog down to 120")
    report(repo, "O4", "G", london(2018, 8, 20))
    report(repo, "T2", "R", london(2018, 9, 3), RESTRICTED_TOO).restricted = True
    # Q3
    report(repo, "V9", "R", london(2018, 11, 12), NAMED)
    report(repo, "V4", "A", london(2018, 11, 19), RESTRICTED).restricted = True
    report(repo, "O4", "B", london(2018, 11, 14), EMAILED)
    reprofile(repo, "O7", dt.date(2019, 3, 31), london(2018, 11, 20), "BCB 20/11/2018")
    # Q4
    report(repo, "V9", "A", london(2019, 2, 4), "Review reported; victims' impact covered")
    report(repo, "V4", "G", london(2019, 2, 11), "Backlog cleared; daily triage in place")
    report(repo, "T2", "B", london(2019, 3, 4), "Records system live in every station")
    report(repo, "C1", "A", london(2019, 3, 11), "Confidence survey fell two points")
    admin = repo.admins()[0]
    assert admin.id is not None
    close_action(
        Actor(person_id=admin.id, name=admin.name, email=admin.email, is_admin=True),
        repo,
        "C2",
        "Panel 1 Feb 2019",
        london(2019, 2, 1, 15, 0),
    )
    # A delegate for V9 who reports, and an admin reporting on the owner's behalf, in Q3.
    delegate = repo.person_by_email("kate.ross@example.org")
    v9 = repo.action_by_code("V9")
    assert delegate is not None and delegate.id is not None and v9 is not None and v9.id is not None
    repo.add(Delegate(action_id=v9.id, person_id=delegate.id, added_by_id=admin.id, created_at=london(2018, 10, 22)))
    by_delegate = report(repo, "V9", "A", london(2018, 10, 23), "Victim impact assessment shared")
    by_delegate.author_id = delegate.id
    on_behalf = report(repo, "V4", "A", london(2018, 11, 5), "Overtime approved")
    on_behalf.author_id, on_behalf.on_behalf = admin.id, True
    for quarter, value in ((Quarter(2017, 4), "22"), *zip(QUARTERS, ("20", "19", "15%", "14"), strict=True)):
        record_measure_value(
            repo,
            action_code="V9",
            measure_name=V9_TRIALS,
            value_text=value,
            quarter=quarter,
            actor="analyst@example.org",
            now=AFTER_YEAR,
        )
    repo.session.flush()
