"""``planbot demo``: a quarter of the demo plan replayed through the real core, no Slack needed.

It builds its own SQLite file, loads the shipped demo plan and plays a fixed script of 2018/19 Q3
(October to December 2018) on a simulated clock, as a real quarter goes: the last of Q2's returns
before its cut-off (with the re-profiles September's Business Coordination Board approved), then
every action reported in Q3, a few reds and ambers with their reasons, an action deteriorating, a
re-profile approved by the Board, completions with their outcomes, an admin naming a delegate who
then reports, an admin typing an update on a lead's behalf, an SRO reporting, the mistakes people
really make, and the strategic measures recorded for Q2 and Q3. It ends as governance sees the
quarter: December's last weekly digest and the quarterly summary frozen at the cut-off, whose
exceptions are the handful a Panel would expect. Each step says what it should do, so a demo that
no longer tells the story it claims exits non-zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from rich.console import Console
from rich.text import Text
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.exc import DatabaseError

from bot.config import Settings
from bot.console import ask, find_actor, respond
from bot.container import Container
from bot.terminal_report import render_measure_recorded, render_report
from commands.errors import UserError
from commands.measures import record_measure_value
from commands.model import Actor, Reply
from commands.periods import Quarter
from commands.permissions import person_name
from commands.plan_file import load_plan
from commands.report_builders import quarterly_summary, weekly_digest
from commands.rules import LONDON, show_date
from storage.models import Delegate, Plan
from storage.plan_import import import_plan

DEMO_PLAN = Path(__file__).resolve().parent / "data" / "sample-plan.yaml"
QUARTER = "2018/19 Q3 (October to December 2018)"
SQLITE_HEADER = b"SQLite format 3\x00"
PLANBOT_TABLES = frozenset({"alembic_version", "plan", "statusupdate"})


class Outcome(Enum):
    """What a ``/rag`` step should do."""

    STORED = "stored"
    SHOWN = "shown"
    REFUSED = "refused"


@dataclass(frozen=True)
class RagStep:
    """Someone types ``/rag`` followed by ``text`` at a London local time."""

    at: dt.datetime
    who: str
    text: str
    expect: Outcome = Outcome.STORED


@dataclass(frozen=True)
class DelegateStep:
    """An admin names a delegate for one action (the job of ``/plan admin``, which a later issue adds)."""

    at: dt.datetime
    who: str
    action: str
    delegate: str


@dataclass(frozen=True)
class PlanStep:
    """An admin types ``/plan`` followed by ``text`` (a re-profile the Board approved)."""

    at: dt.datetime
    who: str
    text: str


@dataclass(frozen=True)
class MeasureStep:
    """The performance officer records a strategic measure's value for a quarter
    (``planbot measure set``)."""

    at: dt.datetime
    who: str
    action: str
    measure: str
    value: str
    quarter: Quarter


def _at(month: int, day: int, hour: int, minute: int, year: int = 2018) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def _plan(when: dt.datetime, who: str, text: str) -> PlanStep:
    return PlanStep(when, f"{who}@example.org", text)


def _measure(when: dt.datetime, action: str, measure: str, value: str, quarter: Quarter) -> MeasureStep:
    return MeasureStep(when, "callum.byrne@example.org", action, measure, value, quarter)


def _rag(when: dt.datetime, who: str, text: str, expect: Outcome = Outcome.STORED) -> RagStep:
    return RagStep(when, f"{who}@example.org", text, expect)


SHOWN, REFUSED = Outcome.SHOWN, Outcome.REFUSED
Q2, Q3 = Quarter(2018, 2), Quarter(2018, 3)
TRIALS = "Ineffective trials caused by prosecution witness issues"
SATISFACTION = "Victim satisfaction with the whole experience (%)"
ONLINE = "Crimes reported online"
SPECIALS = "Number of active Special Constables"
PLAN_LOADED_AT = dt.datetime(2018, 9, 28, 17, 0, tzinfo=LONDON)
DIGEST_AT = dt.datetime(2018, 12, 24, 9, 0, tzinfo=LONDON)  # the Monday after the last update
SUMMARY_AT = dt.datetime(2019, 1, 16, 9, 0, tzinfo=LONDON)  # the working day after Q3's cut-off
Step = RagStep | DelegateStep | PlanStep | MeasureStep
SCRIPT: tuple[Step, ...] = (
    # Early October: the last of 2018/19 Q2's returns, before its cut-off on 12 October, and the
    # re-profiles September's Business Coordination Board approved.
    _plan(_at(10, 1, 8, 30), "emily.carter", 'admin reprofile V3 2019-06-30 "BCB 13/09/2018"'),
    _plan(_at(10, 1, 8, 32), "emily.carter", 'admin reprofile V4 2019-06-30 "BCB 13/09/2018"'),
    _plan(_at(10, 1, 8, 34), "emily.carter", 'admin reprofile O2 2019-06-30 "BCB 13/09/2018"'),
    _plan(_at(10, 1, 8, 36), "emily.carter", 'admin reprofile C1 2019-09-30 "BCB 13/09/2018"'),
    _plan(_at(10, 1, 8, 38), "emily.carter", 'admin reprofile T2 2019-06-30 "BCB 13/09/2018"'),
    _rag(_at(10, 1, 9, 5), "ollie.kerr", "V9 amber CJS review of witness care slipped to November; impact assessed"),
    _rag(_at(10, 1, 9, 40), "tariq.gill", "V1 blue Victim and Witness Hub fully operational; now business as usual"),
    _rag(_at(10, 2, 10, 15), "hannah.pike", "V3 amber Facilitator vacancy; agency cover starts in November"),
    _rag(
        _at(10, 2, 11, 30),
        "ravi.cole",
        "T2 red Supplier missed the data migration milestone; go-live needs BCB "
        '--mitigation "Recovery plan to the BCB; supplier director attending"',
    ),
    _rag(
        _at(10, 3, 14, 0),
        "beth.foster",
        "V4 red 400 domestic abuse risk assessments are waiting for review "
        '--mitigation "Overtime agreed; daily triage of the highest-risk cases"',
    ),
    _rag(_at(10, 3, 15, 10), "ollie.kerr", "V2 blue Victims' Code audit now quarterly; first audit 88% compliant"),
    _rag(_at(10, 4, 9, 20), "grace.reid", "C4 green"),
    _rag(_at(10, 4, 11, 0), "ollie.kerr", "O1 blue Offender Hub operating in every district"),
    _rag(_at(10, 4, 16, 45), "jack.lloyd", "T3 red", REFUSED),
    _rag(
        _at(10, 4, 16, 47),
        "jack.lloyd",
        "T3 red Body-worn video rollout paused: docking stations failed tests",
        REFUSED,
    ),
    _rag(
        _at(10, 4, 16, 49),
        "jack.lloyd",
        "T3 red Body-worn video rollout paused: docking stations failed tests "
        '--mitigation "Supplier replacing the stations at its cost"',
    ),
    _rag(_at(10, 5, 8, 55), "zara.nash", "V9 green Looks fine from here", REFUSED),
    _rag(_at(10, 5, 10, 30), "ian.price", "C2 blue Community Safety Partnership funding agreements signed"),
    _rag(_at(10, 8, 9, 30), "lucy.wood", "c5 green Rural crime team at full strength; surgeries in every district"),
    _rag(_at(10, 9, 13, 10), "meera.hale", "T6 purple Workforce plan consultation under way", REFUSED),
    _rag(_at(10, 9, 13, 12), "meera.hale", "T6 green Workforce plan consultation under way"),
    _rag(_at(10, 10, 11, 0), "raj.singh", "O9 green IOM cohort refreshed", REFUSED),
    _rag(_at(10, 10, 11, 2), "raj.singh", "O2 green IOM cohort refreshed around domestic abuse perpetrators"),
    _measure(_at(10, 12, 14, 0), "V9", TRIALS, "19.2%", Q2),
    _measure(_at(10, 12, 14, 2), "V1", SATISFACTION, "84", Q2),
    _measure(_at(10, 12, 14, 4), "C7", ONLINE, "1240", Q2),
    _measure(_at(10, 12, 14, 6), "C3", SPECIALS, "212", Q2),
    # From 13 October every update counts towards 2018/19 Q3.
    _rag(_at(10, 15, 10, 0), "liam.evans", "V7 amber Survey contract retendered; Q3 results will be late"),
    _rag(_at(10, 17, 15, 30), "jo.haynes", "O8 amber Custody nurse recruitment behind plan (Ruth Rowe, at BCB)"),
    DelegateStep(_at(10, 22, 9, 0), "emily.carter@example.org", "V9", "kate.ross@example.org"),
    _rag(_at(10, 23, 10, 0), "kate.ross", "V9 amber Victim impact assessment shared with the CJS review team"),
    _rag(_at(11, 1, 9, 15), "ravi.cole", "T2 amber Recovery plan agreed at BCB; go-live re-planned for February"),
    _rag(_at(11, 2, 9, 30), "beth.foster", "V4 amber Backlog down to 120 with overtime; clear by mid-December"),
    _rag(_at(11, 5, 14, 20), "grace.reid", "C4 amber Serious injuries up 8% on last year; enforcement campaign next"),
    _rag(_at(11, 6, 10, 5), "hannah.pike", "V3 green Agency facilitator in post; referrals back on profile"),
    _rag(_at(11, 7, 9, 0), "nia.bell", "C7 yellow Online reporting live for 6 of 10 crime types; web chat delayed"),
    _rag(
        _at(11, 12, 11, 45),
        "ollie.kerr",
        "V9 red CJS review will not report before March; due date needs BCB "
        '--mitigation "Escalated to the LCJB; re-profile to March proposed to the BCB"',
    ),
    _rag(_at(11, 12, 14, 0), "neil.rees", "V9", SHOWN),
    _rag(
        _at(11, 14, 10, 30),
        "fatima.walsh",
        "O4 done Perpetrator programme commissioned; first cohort started "
        '--outcome "12 perpetrators in the first cohort; referrals from every district"',
    ),
    _rag(_at(11, 15, 16, 10), "sophie.webb", "green T5 Joint estates review with Fire complete", REFUSED),
    _rag(
        _at(11, 15, 16, 12), "sophie.webb", "T5 blue Fire governance business case approved; joint estates review done"
    ),
    _rag(_at(11, 19, 9, 45), "ruth.rowe", "O8 green Two custody nurses started; mental health cover round the clock"),
    _rag(
        _at(11, 21, 11, 0), "fatima.walsh", "V5 blue ISVA service commissioned; three advisers in post since November"
    ),
    _rag(_at(12, 3, 9, 0), "ollie.kerr", "mine", SHOWN),
    _rag(
        _at(12, 4, 11, 20),
        "ollie.kerr",
        "O7 red File quality 72% against an 85% target; joint CPS audit in January "
        '--mitigation "Supervisors check every file before charge until the audit"',
    ),
    _rag(_at(12, 5, 15, 0), "tom.okafor", "C6 green Third-party hate crime reporting centres doubled to 24"),
    _rag(_at(12, 10, 10, 10), "ravi.cole", "T2 green Data migration tested; go-live 4 February"),
    _rag(_at(12, 11, 14, 30), "jack.lloyd", "T3 amber Docking stations replaced; rollout restarted three weeks behind"),
    # Mid-December: the quarter-close reminders bring in the quarter-end returns.
    _rag(
        _at(12, 12, 9, 10),
        "tariq.gill",
        "V1 blue Hub's first full year "
        '--outcome "4,100 victims referred in the year; 86% satisfied with the whole experience"',
    ),
    _rag(_at(12, 12, 9, 30), "ollie.kerr", "V2 blue Q3 Victims' Code audit found 91% compliance"),
    _rag(_at(12, 13, 10, 0), "emma.doyle", "V6 green Hidden harms training reached 2,300 frontline staff"),
    _rag(_at(12, 13, 11, 15), "chloe.fraser", "V8 green Fraud victim care service specified; procurement on schedule"),
    _rag(_at(12, 14, 9, 0), "kate.ross", "V10 green Victims' voice panel of 12 recruited; first meeting in January"),
    _rag(_at(12, 14, 9, 40), "ollie.kerr", "O1 blue Offender Hub running force-wide; 212 conditional cautions so far"),
    _rag(_at(12, 17, 9, 50), "beth.foster", "V4 green Backlog cleared; daily triage meeting in place"),
    _rag(_at(12, 17, 10, 30), "raj.singh", "O2 green Domestic abuse perpetrators now 40% of the IOM cohort"),
    _rag(_at(12, 17, 14, 0), "zara.nash", "O3 green Through-the-gate protocol signed with probation"),
    _rag(_at(12, 18, 9, 15), "matt.ward", "O5 green Youth diversion scheme live in two districts; third in March"),
    _rag(
        _at(12, 18, 10, 45), "dan.ahmed", "O6 amber Lines disrupted on plan; safeguarding referrals slower than hoped"
    ),
    _rag(_at(12, 18, 12, 0), "kate.ross", "V9 amber Review now covers witness care; BCB agreed to re-profile"),
    _plan(_at(12, 18, 14, 0), "emily.carter", 'admin reprofile V9 2019-03-31 "BCB 13/12/2018"'),
    _rag(_at(12, 19, 9, 30), "joe.dunn", "C1 green Neighbourhood model live in every district; ward surgeries monthly"),
    _rag(_at(12, 19, 11, 0), "ian.price", "C2 blue CSP grants for 2019/20 aligned to the Plan's priorities"),
    _rag(_at(12, 19, 15, 20), "owen.khan", "C3 amber Special Constables down to 205; recruitment campaign in February"),
    _rag(
        _at(12, 20, 9, 0),
        "lucy.wood",
        'C5 blue Rural crime action team established --outcome "Rural crime down 11% on last year"',
    ),
    _rag(_at(12, 20, 10, 30), "marcus.shaw", "C8 green Precept consultation closed with 2,900 responses"),
    _rag(_at(12, 20, 14, 10), "holly.mensah", "T1 green Joint protective services business case approved"),
    _rag(_at(12, 21, 9, 5), "kwame.quinn", "T4 green Two stations sold; shared site with Fire agreed"),
    _rag(_at(12, 21, 10, 0), "meera.hale", "T6 green Workforce plan published; first degree-entry cohort in January"),
    _rag(
        _at(12, 21, 11, 30),
        "aisha.clarke",
        "T7 red £1.2m savings gap for 2019/20; options paper to the January BCB "
        '--mitigation "Vacancy freeze on police staff posts; options paper to the January BCB"',
    ),
    _rag(_at(12, 21, 12, 15), "ben.turner", "T8 green Demand dashboard live for every district commander"),
)
# Recorded once the quarter's figures are in, after the last weekly digest of December.
MEASURES: tuple[MeasureStep, ...] = (
    _measure(_at(1, 10, 10, 0, 2019), "V9", TRIALS, "15.4%", Q3),
    _measure(_at(1, 10, 10, 2, 2019), "V1", SATISFACTION, "86", Q3),
    _measure(_at(1, 10, 10, 4, 2019), "C7", ONLINE, "1410", Q3),
    _measure(_at(1, 10, 10, 6, 2019), "C3", SPECIALS, "205", Q3),
)


class SimulatedClock:
    """The container's clock, moved by the script; hands out naive UTC like the real one."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = _utc(start)

    def set(self, moment: dt.datetime) -> None:
        self.now = _utc(moment)

    def __call__(self) -> dt.datetime:
        return self.now


def run_demo(db_path: Path, *, force: bool = False) -> int:
    """(Re)create ``db_path`` and play the quarter into it.

    Args:
        force: replace a planbot database even when it holds a plan other than the demo's.

    Returns:
        0 when every step did what the script says, 1 when one did not, 2 when ``db_path`` is
        something other than a planbot SQLite database, or holds another plan without ``force``,
        and was left alone.
    """
    problem = _not_ours(db_path) or (None if force else _holds_another_plan(db_path))
    if problem:
        Console(stderr=True).print(Text(problem, style="red"), soft_wrap=True)
        return 2
    for leftover in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    clock = SimulatedClock(PLAN_LOADED_AT)
    container = Container.open(Settings(database_url=f"sqlite:///{db_path.resolve()}"), clock=clock)
    try:
        return play(container, clock, Console(highlight=False))
    finally:
        container.engine.dispose()


def play(container: Container, clock: SimulatedClock, out: Console) -> int:
    """Load the demo plan, run every step in order, then show the quarter as governance sees it."""
    with container.unit_of_work() as repo:
        result = import_plan(repo, load_plan(DEMO_PLAN), actor="planbot demo", at=clock())
        plan = repo.current_plan()
    assert plan is not None, "the demo plan was just imported"
    out.rule(Text(plan.name, style="bold"))
    out.print(f"Plan loaded from {DEMO_PLAN.name}: {result.summary()}. Now replaying {QUARTER}.")
    surprises = 0
    month = ""
    for step in SCRIPT:
        if f"{step.at:%B %Y}" != month:
            month = f"{step.at:%B %Y}"
            out.print()
            out.rule(month, style="dim")
        clock.set(step.at)
        actor = find_actor(container, step.who)
        assert actor is not None, f"{step.who} is in the demo plan"
        if isinstance(step, DelegateStep):
            _name_delegate(container, actor, step, out)
            continue
        if isinstance(step, PlanStep | MeasureStep):
            surprises += 0 if _admin_step(container, actor, step, out) else 1
            continue
        _heading(step.at, actor, f"/rag {step.text}", out)
        reply = respond(container, actor, step.text, out)
        outcome = Outcome.STORED if reply.announcement else Outcome.SHOWN if reply.ok else Outcome.REFUSED
        if outcome is not step.expect:
            surprises += 1
            out.print(Text(f"The demo expected this to be {step.expect.value}, but it was {outcome.value}.", "red"))
    surprises += governance_reports(container, clock, out)
    url = container.settings.database_url
    out.print()
    out.print("Explore it further:", style="bold")
    out.print(f"  DATABASE_URL={url} planbot report summary Victims --as-of 2018-12-31", soft_wrap=True)
    out.print(f"  DATABASE_URL={url} planbot console --as ollie.kerr@example.org", soft_wrap=True)
    if surprises:
        out.print(Text(f"{surprises} step(s) did not go as the demo script expects.", style="bold red"))
    return 1 if surprises else 0


def governance_reports(container: Container, clock: SimulatedClock, out: Console) -> int:
    """End as the coordination group and the Panel see the quarter: the last weekly digest of
    December, the quarter's strategic measures recorded in January, then the quarterly summary once
    the cut-off has passed and its snapshot is frozen. Returns how many measures were refused."""
    clock.set(DIGEST_AT)
    with container.unit_of_work() as repo:
        digest = render_report(weekly_digest(repo, clock()))
    out.print()
    out.rule(f"{show_date(DIGEST_AT.date())} {DIGEST_AT:%H:%M}", style="dim")
    out.print(digest)
    out.print()
    out.rule("January 2019", style="dim")
    refused = 0
    for step in MEASURES:
        clock.set(step.at)
        actor = find_actor(container, step.who)
        assert actor is not None, f"{step.who} is in the demo plan"
        refused += 0 if _admin_step(container, actor, step, out) else 1
    clock.set(SUMMARY_AT)
    with container.unit_of_work() as repo:
        summary = render_report(quarterly_summary(repo, Q3, clock()))
    out.print()
    out.rule(f"{show_date(SUMMARY_AT.date())} {SUMMARY_AT:%H:%M}", style="dim")
    out.print(summary)
    return refused


def _admin_step(container: Container, actor: Actor, step: PlanStep | MeasureStep, out: Console) -> bool:
    """Run an admin's ``/plan`` command or record a measure; whether it was accepted."""
    if isinstance(step, PlanStep):
        _heading(step.at, actor, f"/plan {step.text}", out)
        answer = ask(container, actor, step.text, out)
        return not isinstance(answer, Reply) or answer.ok
    command = f'planbot measure set {step.action} "{step.measure}" {step.value} --quarter "{step.quarter.label}"'
    _heading(step.at, actor, command, out)
    try:
        with container.unit_of_work() as repo:
            recorded = record_measure_value(
                repo,
                action_code=step.action,
                measure_name=step.measure,
                value_text=step.value,
                quarter=step.quarter,
                actor=actor.email,
                now=container.clock(),
            )
    except UserError as refusal:
        out.print(Text(refusal.reply_text(), style="red"))
        return False
    out.print(render_measure_recorded(recorded))
    return True


def _name_delegate(container: Container, admin: Actor, step: DelegateStep, out: Console) -> None:
    now = container.clock()
    with container.unit_of_work() as repo:
        action = repo.action_by_code(step.action)
        delegate = repo.person_by_email(step.delegate)
        assert action is not None and action.id is not None and delegate is not None and delegate.id is not None
        repo.add(Delegate(action_id=action.id, person_id=delegate.id, added_by_id=admin.person_id, created_at=now))
        repo.audit(
            at=now,
            actor=admin.email,
            entity="delegate",
            key=f"{action.code}:{delegate.email}",
            change="add",
            detail={"action": action.code, "delegate": delegate.email},
        )
    name = person_name(delegate)
    _heading(step.at, admin, f"names {name} a delegate for {action.code}", out)
    out.print(f"  {name} may now update {action.code} as well as its owner.")


def _heading(at: dt.datetime, actor: Actor, what: str, out: Console) -> None:
    when = f"{show_date(at.date())} {at:%H:%M}"
    who = actor.name or actor.email
    out.print()
    out.print(Text.assemble((when, "dim"), " · ", (who, "bold"), " · ", what))


def _not_ours(path: Path) -> str | None:
    """Why ``path`` must not be deleted, or None when it is absent or a planbot SQLite database."""
    if not path.exists():
        return None
    refusal = f"{path} is not a planbot SQLite database, so the demo leaves it alone; choose another --db."
    if not path.is_file():
        return refusal
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return refusal
    engine = create_engine(f"sqlite:///{path.resolve()}")
    try:
        tables = set(inspect(engine).get_table_names())
    except DatabaseError:
        return refusal
    finally:
        engine.dispose()
    return None if PLANBOT_TABLES <= tables else refusal


def _holds_another_plan(path: Path) -> str | None:
    """Why a planbot database must not be replaced without ``--force``: it holds a real plan."""
    if not path.exists():
        return None
    engine = create_engine(f"sqlite:///{path.resolve()}")
    try:
        with engine.connect() as connection:
            names = [row[0] for row in connection.execute(select(Plan.name))]
    finally:
        engine.dispose()
    others = [name for name in names if name != load_plan(DEMO_PLAN).name]
    if not others:
        return None
    return (
        f'{path} holds the plan "{others[0]}", not the demo\'s; the demo would replace it. '
        "Choose another --db, or add --force to replace it."
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
