"""/rag end to end against the sample plan: what is stored, what is answered, what is refused."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import event
from sqlmodel import Session, select
from support.rag_support import (
    ACTIONS,
    ADMIN_EMAILS,
    NOW,
    SHORT_NAME,
    STRANGER,
    V9,
    V9_OWNER,
    V9_SRO,
    actor_for,
    due,
    stored_rows,
)

from commands.model import Invocation
from commands.rag import handle_rag
from commands.rag_scheme import plan_scheme
from commands.rules import DEFAULT_SCHEME, show_date
from storage.models import ActionState, AuditEntry, Delegate, Person, Plan, StatusUpdate
from storage.repository import PlanRepository

USAGE = (
    "Usage: /rag ACTION STATUS [REASON] [--mitigation TEXT] [--outcome TEXT] [--restricted], e.g.\n"
    '/rag V9 red Waiting on CJS review --mitigation "Escalated to LCJB"\n'
    "/rag V9 shows an action, /rag mine lists yours, /rag help explains the statuses."
)
M = ' --mitigation "Escalated to LCJB"'
"""Red takes a mitigation as well as a reason (the default scheme requires one)."""
MITIGATED = "Escalated to LCJB"
NEEDS_MITIGATION = "Red needs a mitigation as well as a reason: say what is being done about it."
ASKED = {
    "A": 'Mitigation: none given; next time say what is being done about it with --mitigation "…"',
    "B": 'Outcome: none given; next time say what was delivered and what difference it made with --outcome "…"',
}
COLOURS = "Use red, amber, green or blue (or r, a, g, b)."
NEEDS_REASON = "needs a reason: say what is wrong and what is being done about it."
NO_ACTION = "There is no action {} in " + SHORT_NAME + ".{}\n/rag mine lists your actions."
V9_DUE = show_date(due(V9))
LONG = "x" * DEFAULT_SCHEME.max_reason_length


@dataclass(frozen=True)
class Stored:
    """The command records this update on V9."""

    status: str
    reason: str = ""
    restricted: bool = False
    mitigation: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class Answers:
    """The command stores nothing and its answer contains this line."""

    line: str


@dataclass(frozen=True)
class Refused:
    """The command stores nothing and answers exactly this."""

    text: str


COMMANDS = [
    # every colour word, letter, emoji and shortcode
    ("V9 red Waiting on CJS review" + M, Stored("R", "Waiting on CJS review", mitigation=MITIGATED)),
    ("v9 R Waiting on CJS review" + M, Stored("R", "Waiting on CJS review", mitigation=MITIGATED)),
    ("V9 🔴 Waiting" + M, Stored("R", "Waiting", mitigation=MITIGATED)),
    ("V9 :red_circle: Waiting" + M, Stored("R", "Waiting", mitigation=MITIGATED)),
    ("V9 amber Slipped a month", Stored("A", "Slipped a month")),
    ("V9 a Slipped", Stored("A", "Slipped")),
    ("V9 Yellow Slipped", Stored("A", "Slipped")),
    ("V9 🟠 Slipped", Stored("A", "Slipped")),
    ("V9 🟡 Slipped", Stored("A", "Slipped")),
    ("V9 :large_orange_circle: Slipped", Stored("A", "Slipped")),
    ("V9 :large_yellow_circle: Slipped", Stored("A", "Slipped")),
    ("V9 green", Stored("G")),
    ("V9 g On track for December", Stored("G", "On track for December")),
    ("V9 🟢", Stored("G")),
    ("V9 :large_green_circle:", Stored("G")),
    ("V9 blue Delivered", Stored("B", "Delivered")),
    ("V9 b", Stored("B")),
    ("V9 complete", Stored("B")),
    ("V9 done", Stored("B")),
    ("V9 🔵", Stored("B")),
    ("V9 ✅", Stored("B")),
    ("V9 :large_blue_circle:", Stored("B")),
    ("V9 :white_check_mark:", Stored("B")),
    # the ways people type the rest
    ("V9: amber Slipped", Stored("A", "Slipped")),
    ("“V9” ‘red’ Waiting on CJS review" + M, Stored("R", "Waiting on CJS review", mitigation=MITIGATED)),
    ("\u00a0V9\u00a0red  Waiting\u00a0 on   CJS " + M, Stored("R", "Waiting on CJS", mitigation=MITIGATED)),
    ("V9 amber Slipped --restricted", Stored("A", "Slipped", restricted=True)),
    ("V9 amber --restricted Slipped", Stored("A", "Slipped", restricted=True)),
    pytest.param(f"V9 red {LONG}{M}", Stored("R", LONG, mitigation=MITIGATED), id="reason-of-exactly-1500-characters"),
    # a mitigation and an outcome, quoted or not, wherever they are typed
    ("V9 red --mitigation “Escalated to LCJB” Waiting", Stored("R", "Waiting", mitigation=MITIGATED)),
    ("V9 red Waiting —mitigation Escalated to LCJB", Stored("R", "Waiting", mitigation=MITIGATED)),
    (
        "V9 red Waiting --mitigation Named case --restricted",
        Stored("R", "Waiting", restricted=True, mitigation="Named case"),
    ),
    ("V9 amber Slipped --mitigation 'Weekly review'", Stored("A", "Slipped", mitigation="Weekly review")),
    ('V9 blue --outcome "Hub live; 4,100 referred"', Stored("B", outcome="Hub live; 4,100 referred")),
    ("V9 done Delivered --outcome Hub live", Stored("B", "Delivered", outcome="Hub live")),
    # hostile text is stored as typed; escaping it is the renderer's job
    ("V9 red '; DROP TABLE statusupdate; --" + M, Stored("R", "'; DROP TABLE statusupdate; --", mitigation=MITIGATED)),
    ("V9 red <!channel> ask <@U123> & co" + M, Stored("R", "<!channel> ask <@U123> & co", mitigation=MITIGATED)),
    ("V9 red Costs &amp; benefits" + M, Stored("R", "Costs &amp; benefits", mitigation=MITIGATED)),
    # reading
    ("V9", Answers(f"Owner: {V9['owner']} ({V9_OWNER['name']})")),
    ("v9", Answers(f"SRO: {V9['sro']} ({V9_SRO['name']})")),
    ("mine", Answers(f"V9 (owner): Not yet reported · first update due now · action due {V9_DUE}")),
    (
        "help",
        Answers(
            '/rag V9 red Waiting on CJS review --mitigation "Escalated to LCJB" · a status, why, and what is being done'
        ),
    ),
    (
        "help",
        Answers(
            "Blue (complete): type blue, b, complete, done or the emoji. Delivered; no further monitoring "
            "(moves to business as usual). An outcome (--outcome) is asked for."
        ),
    ),
    # refusals
    (
        "V99 red Waiting",
        Refused(NO_ACTION.format("V99", " Did you mean V9?")),
    ),
    ("W9 red Waiting", Refused(NO_ACTION.format("W9", ""))),
    ("Z1", Refused(NO_ACTION.format("Z1", ""))),
    ("V-9 red Waiting", Refused(f'"V-9" is not an action id. Did you mean V9?\n{USAGE}')),
    ("hello", Refused(f'"hello" is not an action id (a theme letter and a number, like V9).\n{USAGE}')),
    ("V9 purple Waiting", Refused(f'"purple" is not a status. {COLOURS}\n{USAGE}')),
    ("V9 🟣 Waiting", Refused(f'"🟣" is not a status. {COLOURS}\n{USAGE}')),
    ("V9 red", Refused(f"Red {NEEDS_REASON}\n{USAGE}")),
    ("V9 red\u00a0 ", Refused(f"Red {NEEDS_REASON}\n{USAGE}")),
    ("V9 amber", Refused(f"Amber {NEEDS_REASON}\n{USAGE}")),
    (
        "V9 a --restricted",
        Refused(f"Amber {NEEDS_REASON}\n{USAGE}"),
    ),
    ("V9 red Waiting on CJS review", Refused(f"{NEEDS_MITIGATION}\n{USAGE}")),
    ("V9 red Waiting --mitigation \u200b", Refused(f"--mitigation needs the words after it, e.g. {M[1:]}\n{USAGE}")),
    ("V9 red Waiting --mitigation", Refused(f"--mitigation needs the words after it, e.g. {M[1:]}\n{USAGE}")),
    (f"V9 red Waiting{M}{M}", Refused(f"--mitigation is given twice; give it once.\n{USAGE}")),
    (f"V9 green On track{M}", Refused(f"Green takes no mitigation; a mitigation goes with Red or Amber.\n{USAGE}")),
    (
        "V9 red Waiting --outcome Done" + M,
        Refused(f"Red takes no outcome; an outcome goes with Blue (complete).\n{USAGE}"),
    ),
    (
        f"V9 red Waiting --mitigation {'y' * 1501}",
        Refused(f"The mitigation is 1,501 characters long; the limit is 1,500. Please shorten it.\n{USAGE}"),
    ),
    (
        "V9 --outcome Done",
        Refused(
            f"--outcome TEXT belongs to an update, so give a status too: /rag V9 amber REASON --outcome TEXT\n{USAGE}"
        ),
    ),
    pytest.param(
        f"V9 red {LONG}x",
        Refused(f"The reason is 1,501 characters long; the limit is 1,500. Please shorten it.\n{USAGE}"),
        id="reason-of-1501-characters",
    ),
    ("", Refused(f"Say which action and its status after /rag.\n{USAGE}")),
    ("   ", Refused(f"Say which action and its status after /rag.\n{USAGE}")),
    ("🔴", Refused(f'Which action is "🔴" for? Put its id first, as in /rag V9 🔴 REASON\n{USAGE}')),
    (
        ":red_circle:",
        Refused(f'Which action is ":red_circle:" for? Put its id first, as in /rag V9 :red_circle: REASON\n{USAGE}'),
    ),
    ("red V9 Waiting", Refused(f"Put the action id first: /rag V9 red Waiting\n{USAGE}")),
    ("mine V9", Refused(f'/rag mine takes nothing after it, not "V9".\n{USAGE}')),
    (
        "V9 --restricted",
        Refused(f"--restricted belongs to an update, so give a status too: /rag V9 amber REASON --restricted\n{USAGE}"),
    ),
    (
        "V9 green --urgent",
        Refused(f'"--urgent" is not an option; the options are --mitigation, --outcome or --restricted.\n{USAGE}'),
    ),
]


@pytest.mark.parametrize(("text", "expected"), COMMANDS)
def test_rag_commands_on_the_sample_plan(
    text: str, expected: Stored | Answers | Refused, plan: Plan, repo: PlanRepository, session: Session
) -> None:
    """Each form of /rag typed by V9's owner either stores exactly what it says or stores nothing."""
    owner = actor_for(repo, V9_OWNER["email"])
    before = stored_rows(session)
    reply = handle_rag(Invocation(owner, text), repo, NOW)
    match expected:
        case Refused(text=message):
            assert (message, False) == (reply.text, reply.ok)
            assert before == stored_rows(session)
        case Answers(line=line):
            assert reply.ok
            assert line in reply.text.splitlines()
            assert before == stored_rows(session)
        case Stored(status=status, reason=reason, restricted=restricted, mitigation=mitigation, outcome=outcome):
            action = repo.action_by_code("V9")
            assert action is not None and action.id is not None
            [update] = repo.recent_updates(action.id, 5)
            assert (status, reason, owner.person_id, False, restricted, mitigation, outcome) == (
                update.status,
                update.reason,
                update.author_id,
                update.on_behalf,
                update.restricted,
                update.mitigation,
                update.outcome,
            )
            assert (before[0] + 1, before[1] + 1) == stored_rows(session)
            label = DEFAULT_SCHEME.label(status)
            lines = [
                "V9 updated",
                f"Now {label}, ★ New (first update)",
                f"Reason: {reason or 'none given'}",
                *([f"Mitigation: {mitigation}"] if mitigation else []),
                *([f"Outcome: {outcome}"] if outcome else []),
                *([ASKED[status]] if status in ASKED and not (mitigation or outcome) else []),
                f"Due: {V9_DUE}",
            ]
            if restricted:
                lines.append("Restricted: the reason is left out of public reports.")
            assert ("\n".join(lines), True, status) == (reply.text, reply.ok, reply.status)
            # A restricted reason is kept out of the channel announcement, which everyone there reads.
            extras = (f"; mitigation: {mitigation}" if mitigation else "") + (
                f"; outcome: {outcome}" if outcome else ""
            )
            said = " (reason restricted, not shown here)" if restricted else (f": {reason}" if reason else "") + extras
            assert f"{owner.name} updated V9 to {label}, ★ New (first update){said}" == reply.announcement


def rag(repo: PlanRepository, email: str, text: str, when: dt.datetime = NOW, **where: str) -> str:
    """Type a command as someone from the plan and return the reply text."""
    return handle_rag(Invocation(actor_for(repo, email), text, **where), repo, when).text


def test_direction_of_travel_follows_each_update(plan: Plan, repo: PlanRepository) -> None:
    """Each reply compares the new status with the one before it, arrow and word together."""
    owner = V9_OWNER["email"]
    day = dt.timedelta(days=1)
    replies = [
        rag(repo, owner, "V9 green", NOW).splitlines()[1],
        rag(repo, owner, f"V9 red Waiting on CJS review{M}", NOW + day).splitlines()[1],
        rag(repo, owner, "V9 amber Review booked", NOW + 2 * day).splitlines()[1],
        rag(repo, owner, "V9 amber Still waiting", NOW + 3 * day).splitlines()[1],
        rag(repo, owner, "V9 blue Delivered", NOW + 4 * day).splitlines()[1],
    ]
    assert [
        "Now Green, ★ New (first update)",
        "Now Red, ↓ Deteriorating (was Green)",
        "Now Amber, ↑ Improving (was Red)",
        "Now Amber, → No change (was Amber)",
        "Now Blue (complete), ↑ Improving (was Amber)",
    ] == replies


def test_update_records_source_and_audit(plan: Plan, repo: PlanRepository, session: Session) -> None:
    """The stored update says where it came from, and the audit log says who made it and what changed."""
    handle_rag(
        Invocation(actor_for(repo, V9_OWNER["email"]), f"V9 red Waiting{M}", platform="slack", source_ref="C01/1700.1"),
        repo,
        NOW,
    )
    update = session.exec(select(StatusUpdate)).one()
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "status_update")).one()
    assert ("slack", "C01/1700.1", NOW) == (update.source, update.source_ref, update.created_at)
    assert (V9_OWNER["email"], NOW, "add", f"V9#{update.id}") == (audit.actor, audit.at, audit.change, audit.entity_key)
    detail = json.loads(audit.detail)
    assert ("R", None, "owner", "Waiting", MITIGATED, "") == (
        detail["status"],
        detail["previous"],
        detail["capacity"],
        detail["reason"],
        detail["mitigation"],
        detail["outcome"],
    )


def test_update_after_the_due_date_says_overdue_unless_complete(plan: Plan, repo: PlanRepository) -> None:
    """Past its due date an action is overdue until it is reported blue."""
    after_due = dt.datetime.combine(due(V9) + dt.timedelta(days=1), dt.time(9))
    owner = V9_OWNER["email"]
    assert f"Due: {V9_DUE}, overdue" == rag(repo, owner, "V9 amber Slipped", after_due).splitlines()[4]
    assert f"Due: {V9_DUE}" == rag(repo, owner, "V9 blue Delivered", after_due).splitlines()[4]


@pytest.mark.parametrize(
    ("approval", "message"),
    [
        ("BCB 13/09/2018", "V9 is closed (BCB 13/09/2018), so it takes no more updates.\n/rag V9 shows its history."),
        (None, "V9 is closed, so it takes no more updates.\n/rag V9 shows its history."),
    ],
)
def test_closed_actions_take_no_updates(
    approval: str | None, message: str, plan: Plan, repo: PlanRepository, session: Session
) -> None:
    """Closed actions are refused, with the approval shown when there is one, and nothing is stored."""
    action = repo.action_by_code("V9")
    assert action is not None
    action.state, action.state_approval = ActionState.CLOSED.value, approval
    session.flush()
    before = stored_rows(session)
    assert message == rag(repo, V9_OWNER["email"], "V9 green")
    assert before == stored_rows(session)


def test_an_action_reported_complete_still_takes_updates(plan: Plan, repo: PlanRepository, session: Session) -> None:
    """Blue says the work is delivered, but the action stays open: if work restarts, the owner says so."""
    owner = V9_OWNER["email"]
    rag(repo, owner, "V9 blue Delivered")

    assert rag(repo, owner, "V9 amber Found more to do").startswith("V9 updated")
    assert ["B", "A"] == [u.status for u in session.exec(select(StatusUpdate).order_by(StatusUpdate.id))]


def test_no_plan_loaded(repo: PlanRepository, session: Session) -> None:
    """Before any import, /rag says there is no plan rather than failing."""
    person = Person(email="someone@example.org", name="Someone")
    repo.add(person)
    assert "There is no action V9: no plan is loaded yet.\nAn admin can load one with: planbot plan import FILE" == rag(
        repo, "someone@example.org", "V9 green"
    )


def test_near_miss_suggests_every_close_id(plan: Plan, repo: PlanRepository) -> None:
    """A mistyped id lists the plan's ids it may have meant."""
    assert NO_ACTION.format("V91", " Did you mean V9, V1 or V10?") == rag(repo, V9_OWNER["email"], "V91 green")


def test_show_lists_the_last_five_updates_newest_first(plan: Plan, repo: PlanRepository, session: Session) -> None:
    """/rag V9 gives owner, SRO, re-profiled due date, status with direction and five updates with marks."""
    owner, admin = V9_OWNER["email"], ADMIN_EMAILS[0]
    texts = [
        "green",
        "amber Slipped",
        f"red Waiting on CJS review{M}",
        "red Still waiting --mitigation LCJB",
        "amber Review booked",
    ]
    for n, text in enumerate(texts):
        rag(repo, owner, f"V9 {text}", NOW + dt.timedelta(days=n))
    rag(repo, admin, "V9 green Court dates agreed --restricted", NOW + dt.timedelta(days=7))
    action = repo.action_by_code("V9")
    assert action is not None
    action.current_due = dt.date(2019, 3, 31)
    session.flush()
    admin_name = actor_for(repo, admin).name or admin
    shown = rag(repo, STRANGER["email"], "v9", NOW + dt.timedelta(days=8))
    assert (
        f"V9 {V9['title']}\n"
        f"Owner: {V9['owner']} ({V9_OWNER['name']})\n"
        f"SRO: {V9['sro']} ({V9_SRO['name']})\n"
        f"Due: 31 Mar 2019 (re-profiled from {V9_DUE})\n"
        "Status: Green, ↑ Improving (was Amber), updated 12 Nov 2018\n"
        "\n"
        "Last updates\n"
        f"12 Nov 2018 · Green · {admin_name} (on behalf) (restricted): Court dates agreed\n"
        f"9 Nov 2018 · Amber · {V9_OWNER['name']}: Review booked\n"
        f"8 Nov 2018 · Red · {V9_OWNER['name']}: Still waiting · mitigation: LCJB\n"
        f"7 Nov 2018 · Red · {V9_OWNER['name']}: Waiting on CJS review · mitigation: {MITIGATED}\n"
        f"6 Nov 2018 · Amber · {V9_OWNER['name']}: Slipped"
    ) == shown


def test_show_never_reports_unreported_as_green(plan: Plan, repo: PlanRepository) -> None:
    """An action without updates is "Not yet reported"."""
    shown = rag(repo, STRANGER["email"], "V9").splitlines()
    assert ["Status: Not yet reported", "", "Last updates", "No updates yet."] == shown[-4:]


def test_queries_do_not_grow_with_the_number_of_actions(plan: Plan, repo: PlanRepository, session: Session) -> None:
    """/rag mine costs the same few queries for an SRO of many actions as for an owner of a few."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    engine = session.get_bind()
    counts = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for email in (V9_OWNER["email"], V9_SRO["email"]):
            statements.clear()
            assert "Your actions" in rag(repo, email, "mine")
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] <= 8


def test_storing_an_update_reads_the_plan_once_and_asks_a_lead_nothing_more(plan: Plan, session: Session) -> None:
    """One `/rag V9 green …` from V9's owner, as a platform runs it in its unit of work (the plan's scheme,
    then the command): the plan, the action, the owner's roles, the latest update, the update and its audit
    entry. Each update a person sends pays these; a slower store shows in every platform's round trip."""
    session.commit()
    repo = PlanRepository(session)  # a fresh unit of work, as each command gets
    owner = actor_for(repo, V9_OWNER["email"])  # the platform's identity read, counted in test_identity
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()[:4]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        scheme = plan_scheme(repo)
        reply = handle_rag(Invocation(owner, "V9 green On track"), repo, NOW, scheme)
        session.flush()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert reply.stored
    reads = [s for s in statements if s.startswith("SELECT")]
    writes = [s.split()[2] for s in statements if s.startswith("INSERT")]
    assert 1 == sum('"plan".id' in s or "plan.id" in s for s in reads), statements
    assert (["statusupdate", "auditentry"], 6) == (writes, len(statements)), statements


def test_mine_names_the_capacity_for_each_action(plan: Plan, repo: PlanRepository, session: Session) -> None:
    """Each action says whether the person owns it, is its delegate or sponsors it as SRO."""
    delegate = actor_for(repo, STRANGER["email"])
    owner = actor_for(repo, V9_OWNER["email"])
    action = repo.action_by_code("V9")
    assert action is not None and action.id is not None
    repo.add(Delegate(action_id=action.id, person_id=delegate.person_id, added_by_id=owner.person_id, created_at=NOW))
    mine = rag(repo, STRANGER["email"], "mine").splitlines()
    sro = rag(repo, V9_SRO["email"], "mine").splitlines()
    roles = set(STRANGER["roles"])
    expected = []
    for code, spec in ACTIONS.items():
        claims = {"owner": spec["owner"] in roles, "delegate": code == "V9", "SRO": spec["sro"] in roles}
        if any(claims.values()):
            expected.append(f"{code} ({' and '.join(name for name, holds in claims.items() if holds)})")
    assert expected == [line.split(":")[0] for line in mine[2:]]
    assert f"V9 (SRO): Not yet reported · first update due now · action due {V9_DUE}" in sro


@pytest.mark.parametrize(
    ("today", "timing"),
    [
        (dt.datetime(2018, 10, 20, 9), "next update by 3 Nov 2018 (monthly)"),
        (dt.datetime(2018, 10, 31, 9), "update due soon, by 3 Nov 2018 (monthly)"),
        (dt.datetime(2018, 11, 3, 9), "update due soon, by 3 Nov 2018 (monthly)"),
        (dt.datetime(2018, 11, 4, 9), "update overdue since 3 Nov 2018 (monthly)"),
    ],
)
def test_mine_says_when_the_next_update_is_due(
    today: dt.datetime, timing: str, plan: Plan, repo: PlanRepository
) -> None:
    """A monthly action updated on 3 October is due soon from 31 October and overdue from 4 November."""
    owner = V9_OWNER["email"]
    rag(repo, owner, "V9 green", dt.datetime(2018, 10, 3, 9))
    mine = rag(repo, owner, "mine", today).splitlines()
    assert f"V9 (owner): Green, updated 3 Oct 2018 · {timing} · action due {V9_DUE}" in mine


def test_mine_with_no_actions_says_how_to_get_one(plan: Plan, repo: PlanRepository) -> None:
    """Someone with no roles is told so, and which admins can assign them."""
    admins = [actor_for(repo, email) for email in ADMIN_EMAILS]
    names = sorted((a.name, a.email) for a in admins)
    who = " or ".join(name or email for name, email in names)
    assert (
        "Your actions\n"
        f"You have no open actions in {SHORT_NAME} as owner, delegate or SRO.\n"
        f"To be given one, ask an admin ({who}) to assign you a role or name you as a delegate.\n"
        "Anyone can look at an action with /rag V9."
    ) == rag(repo, ADMIN_EMAILS[0], "mine")


def test_help_explains_every_colour_of_the_scheme(plan: Plan, repo: PlanRepository) -> None:
    """Help gives each colour's definition and says which need a reason."""
    lines = rag(repo, STRANGER["email"], "help").splitlines()
    for status in DEFAULT_SCHEME.statuses:
        [line] = [line for line in lines if line.startswith(f"{status.label}: ")]
        assert status.definition in line
        assert ("A reason is required." in line) == status.reason_required
    said = {line.split(":")[0]: line for line in lines}
    assert said["Red"].endswith("A mitigation (--mitigation) is required.")
    assert said["Amber"].endswith("A mitigation (--mitigation) is asked for.")
    assert "mitigation" not in said["Green"] and "outcome (" not in said["Green"]
