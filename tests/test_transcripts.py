"""Console transcripts: what a person types, and what planbot answers, on the console and on Slack.

Each transcript is lines typed as one person, with phrases the answer must hold. It is played
through ``planbot console`` (the reference text platform) and through the Slack adapter's renderers
(the blocks turned back into plain words), from the same database state. Both must hold the
expected phrases, and the two must read word for word the same once each medium's decoration is
taken off (Slack's emoji and mrkdwn, the console's frames): so the words cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.console import console_session, find_actor
from bot.console_render import REFUSED_TITLE
from bot.container import Container
from bot.slack.plan_listeners import tell_people
from bot.slack.render import render_reply, render_text
from bot.slack.report_messages import render_report
from commands.chat_routing import is_question
from commands.model import Actor, Invocation, Reply
from commands.plan_dispatch import handle_plan
from commands.plan_file import load_plan
from commands.ports import Recipient
from commands.rag import handle_rag
from storage.models import StatusUpdate, new_structure_stamp
from storage.plan_import import import_plan

NOW = dt.datetime(2018, 12, 10, 10, 0)
OWNER = "ollie.kerr@example.org"  # Head of Criminal Justice: owns V9, V2, O1 and O7
STRANGER = "zara.nash@example.org"  # Head of Partnerships (OPCC): no role on V9
ADMIN = "emily.carter@example.org"
WIDTH = 80


@dataclass(frozen=True)
class Transcript:
    """Lines typed as ``who``; ``expect`` are phrases the answer must hold (whitespace-insensitive)."""

    name: str
    who: str
    line: str
    expect: tuple[str, ...]


def t(name: str, who: str, line: str, *expect: str) -> Transcript:
    return Transcript(name, who, line, expect)


TRANSCRIPTS = (
    # /rag: updates, views, refusals.
    t(
        "rag red",
        OWNER,
        '/rag V9 red Waiting on CJS review --mitigation "Escalated to LCJB"',
        "V9 updated",
        "Now Red",
        "Waiting on CJS review",
        "Mitigation: Escalated to LCJB",
    ),
    t(
        "rag red needs mitigation",
        OWNER,
        "/rag V9 red Waiting on CJS review",
        "Red needs a mitigation as well as a reason: say what is being done about it.",
        '--mitigation "Escalated to LCJB"',
    ),
    t(
        "rag amber",
        OWNER,
        "/rag V9 amber Review booked",
        "Now Amber",
        "↑ Improving (was Red)",
        "Mitigation: none given",
    ),
    t("rag green no reason", OWNER, "/rag V9 green", "Now Green", "Reason: none given"),
    t("rag blue", OWNER, "/rag V2 blue Audit done --outcome 91% compliant", "Now Blue (complete)", "Outcome: 91%"),
    t("rag green takes no mitigation", OWNER, "/rag V2 green Fine --mitigation None", "Green takes no mitigation"),
    t(
        "rag restricted",
        OWNER,
        "/rag O7 red Staffing issue --restricted --mitigation Agency cover",
        "Now Red",
        "Restricted: the reason",
    ),
    t("rag emoji", OWNER, "/rag V9 🟢 On track", "Now Green"),
    t("rag shortcode", OWNER, "/rag V9 :red_circle: Slipped again --mitigation LCJB", "Now Red"),
    t("rag lower-case action", OWNER, "/rag v9 amber Back on plan", "V9 updated", "Now Amber"),
    t("rag without slash", OWNER, "rag V9 green Looks fine", "Now Green"),
    t("rag bare update", OWNER, "V9 amber Typed without a command word", "Now Amber"),
    t("rag red needs reason", OWNER, "/rag V9 red", "Red needs a reason", "Usage: /rag ACTION STATUS"),
    t("rag amber needs reason", OWNER, "/rag V9 amber", "Amber needs a reason"),
    t("rag unknown status", OWNER, "/rag V9 purple Not a colour", '"purple" is not a status'),
    t("rag unknown action", OWNER, "/rag V99 green Fine", "V99"),
    t("rag not yours", STRANGER, "/rag V9 green Looks fine to me", "You can't update V9"),
    t("rag show", OWNER, "/rag V9", "V9", "Status: Red", "Waiting on CJS review"),
    t("rag show unreported", OWNER, "/rag V3", "V3", "Not yet reported"),
    t("rag show bare", STRANGER, "V9", "Status: Red"),
    t("rag mine", OWNER, "/rag mine", "V9", "V2"),
    t("rag mine bare", OWNER, "mine", "V9"),
    t("rag mine nothing", ADMIN, "/rag mine", "no"),
    t("rag help", OWNER, "/rag help", "Red", "Amber", "Green"),
    t("rag help bare", STRANGER, "help", "Blue (complete)"),
    # /rag away and back: leave, and its refusals.
    t(
        "rag away",
        OWNER,
        f"/rag away until 2019-01-04 cover {STRANGER}",
        "You are on leave until 4 Jan 2019: reminders about your actions go to Zara Nash meanwhile",
        "Ollie Kerr is on leave until 4 Jan 2019 and has you as cover",
    ),
    t("rag away bare", OWNER, "away until 2019-01-04", "You are on leave until 4 Jan 2019", "SRO"),
    t("rag away past date", OWNER, "/rag away until 2018-12-01", "1 Dec 2018 has passed", "/rag back"),
    t("rag away no date", OWNER, "/rag away", "Say until when the leave lasts"),
    t("rag away unknown cover", OWNER, "/rag away until 2019-01-04 cover no.one@example.org", "no.one@example.org"),
    t("rag away self cover", OWNER, f"/rag away until 2019-01-04 cover {OWNER}", "Choose someone else to cover"),
    t("rag back not away", OWNER, "/rag back", "You are not on leave; nothing changed."),
    # /plan: reports and plain questions.
    t("plan summary", OWNER, "/plan summary", "summary of whole plan as of 10 Dec 2018", "Whole plan:"),
    t(
        "plan summary theme",
        OWNER,
        "/plan summary victims",
        "summary of Victims",
        "V9 priority · Red",
        "Priority actions: 3 · Red: V9",
    ),
    t("plan summary code", OWNER, "/plan summary O", "summary of Offenders", "O7 Amber · ★ New"),
    t("plan summary unknown", OWNER, "/plan summary vic", "Did you mean Victims?"),
    t("plan overdue", OWNER, "/plan overdue", "overdue action(s) as of 10 Dec 2018, oldest first", "days overdue"),
    t("plan digest", OWNER, "/plan digest", "weekly digest", "colour change(s)", "Colour changes"),
    t("plan quarter", OWNER, "/plan quarter Q2 2018/19", "quarterly summary 2018/19 Q2", "Cut-off"),
    t("plan quarter bad", OWNER, "/plan quarter Q5", '"Q5" is not a quarter'),
    t("plan history", OWNER, "/plan history V9", "History of V9", "Updates, oldest first", "Waiting on CJS review"),
    t("plan history none", OWNER, "/plan history V3", "History of V3", "Not yet reported."),
    t("plan help", OWNER, "/plan help", "Usage: /plan summary [THEME]", "Admins: /plan admin assign"),
    t("plan nonsense", OWNER, "/plan fly me to the moon", "/plan"),
    t("question overdue", OWNER, "what is overdue", "oldest first"),
    t("question how is", STRANGER, "how is Offenders doing?", "summary of Offenders"),
    t("question history", OWNER, "history of V9", "History of V9"),
    # /plan admin: as an admin, and refused for others.
    t(
        "admin reprofile",
        ADMIN,
        '/plan admin reprofile V9 2019-03-31 "BCB"',
        "V9 is now due 31 Mar 2019 (was 31 Dec 2018; baseline 31 Dec 2018), approved by BCB",
    ),
    t("admin cadence", ADMIN, "/plan admin cadence V9 weekly", "V9", "weekly"),
    t("admin close", ADMIN, '/plan admin close V1 "BCB"', "V1", "closed"),
    t("admin delegate", ADMIN, "/plan admin delegate V9 zara.nash@example.org", "Zara Nash", "V9"),
    t("admin assign", ADMIN, '/plan admin assign "Head of Criminal Justice" zara.nash@example.org', "Zara Nash"),
    t("admin subscriptions", ADMIN, "/plan admin subscriptions", "weekly"),
    t("admin bad date", ADMIN, '/plan admin reprofile V9 31/03/2019 "BCB"', "31/03/2019"),
    t("admin refused", OWNER, '/plan admin close V9 "BCB"', "admin"),
    t("admin refused stranger", STRANGER, "/plan admin cadence V9 weekly", "admin"),
    t(
        "admin away",
        ADMIN,
        f"/plan admin away {OWNER} until 2019-01-04 cover {STRANGER}",
        "Ollie Kerr is on leave until 4 Jan 2019",
        "has set you on leave until 4 Jan 2019",
    ),
    t("admin back not away", ADMIN, f"/plan admin back {OWNER}", "Ollie Kerr is not on leave; nothing changed."),
    t("admin away refused", STRANGER, f"/plan admin away {OWNER} until 2019-01-04", "Only admins can set leave"),
)

# What each medium adds that is not the core's words: Slack's emoji shortcodes and mrkdwn markers,
# the console's box drawing, its refusal frame title and its notes on what would be posted or sent.
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_MARKERS = re.compile(r"(?<![\w*])[*_]+|[*_]+(?![\w*])")
_BOX = re.compile(r"[╭╮╰╯│─┃━┏┓┗┛]")
_CONSOLE_NOTES = re.compile(r"posted to the channel: |direct message to [^:]+: ")


def words(text: str) -> str:
    return " ".join(text.split())


def slack_plain(texts: list[str]) -> str:
    """Slack mrkdwn as the words a reader sees."""
    text = "\n".join(texts)
    text = _MARKERS.sub("", _EMOJI.sub("", text))
    return words(html.unescape(text))


def console_plain(text: str) -> str:
    """Console output as its words, without the frame."""
    text = _CONSOLE_NOTES.sub("", _BOX.sub(" ", text))
    return words(text).replace(f"{REFUSED_TITLE} ", "", 1) if text.lstrip().startswith(REFUSED_TITLE) else words(text)


class _Rollback(Exception):
    """Raised to undo the Slack side's writes, so the console starts from the same state."""


class _RecordingNotifier:
    """Slack's direct messages, kept for the comparison instead of sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send_direct(self, recipient: Recipient, reply: Reply) -> None:
        self.sent.append(reply.text)


def slack_text(container: Container, actor: Actor, line: str) -> str:
    """The line answered by the core as Slack asks it, drawn by Slack's renderers, back to plain words."""
    head, _, rest = line.partition(" ")
    texts: list[str] = []
    try:
        with container.unit_of_work() as repo:
            if head == "/plan" or (not head.startswith("/") and is_question(line)):
                text = rest if head == "/plan" else line
                answer = handle_plan(Invocation(actor, text, platform="slack"), repo, NOW)
                notifier = _RecordingNotifier()
                answer = tell_people(notifier, answer)  # type: ignore[arg-type]
                texts += notifier.sent
                texts += [block_text(m.blocks) for m in render_report(answer)]
            else:
                text = rest if head in ("/rag", "rag") else line
                reply = handle_rag(Invocation(actor, text, platform="slack"), repo, NOW)
                notifier = _RecordingNotifier()
                reply = tell_people(notifier, reply)  # type: ignore[arg-type]
                texts += notifier.sent
                texts.append(block_text(render_reply(reply)[0]))
                if reply.announcement:
                    texts.append(block_text(render_text(reply.announcement)[0]))
            raise _Rollback
    except _Rollback:
        pass
    return slack_plain(texts)


def block_text(blocks) -> str:
    """Every text a block list shows, in order (header, sections, context)."""
    out = []
    for block in blocks:
        data = block.to_dict()
        if "text" in data:
            out.append(data["text"]["text"])
        out += [element.get("text", "") for element in data.get("elements", [])]
    return "\n".join(out)


def console_text(container: Container, actor: Actor, line: str) -> str:
    printed = io.StringIO()
    console_session(container, actor, [line], Console(file=printed, width=WIDTH))
    lines = printed.getvalue().splitlines()
    return console_plain("\n".join(lines[_preamble_lines(container, actor) :]))


def _preamble_lines(container: Container, actor: Actor) -> int:
    """How many lines the session prints before answering (its hint and who you are)."""
    printed = io.StringIO()
    console_session(container, actor, [], Console(file=printed, width=WIDTH))
    return len(printed.getvalue().splitlines())


def report_sample(container: Container, sample_plan_path: Path) -> None:
    """The sample plan with V9 and O7 reported red and V2 green."""
    with container.unit_of_work() as repo:
        import_plan(repo, load_plan(sample_plan_path), actor="tests", at=NOW - dt.timedelta(days=60))
        owner = repo.person_by_email(OWNER)
        assert owner is not None and owner.id is not None
        for code, status, reason, days in (
            ("V9", "G", "", 40),
            ("V9", "R", "Waiting on CJS review", 3),
            ("O7", "A", "Case file backlog", 2),
            ("V2", "G", "", 1),
        ):
            action = repo.action_by_code(code)
            assert action is not None and action.id is not None
            at = NOW - dt.timedelta(days=days)
            repo.add(StatusUpdate(action_id=action.id, status=status, reason=reason, author_id=owner.id, created_at=at))


@pytest.fixture(scope="module")
def reported_template(
    migrated_template: Path, sample_plan_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """On SQLite, the reported sample plan built once for the module, for each case to copy (cases
    change it: they report, delegate, re-profile)."""
    path = tmp_path_factory.mktemp("transcripts") / "reported.db"
    shutil.copyfile(migrated_template, path)
    container = Container.open(Settings(database_url=f"sqlite:///{path}"), clock=lambda: NOW)
    try:
        report_sample(container, sample_plan_path)
    finally:
        container.engine.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the template's WAL was not checkpointed"
    return path


@pytest.fixture
def container(migrated_db_url: str, sample_plan_path: Path, request: pytest.FixtureRequest) -> Iterator[Container]:
    """The sample plan with V9 and O7 reported red and V2 green, on a fixed clock (on a migrated
    database: migrating from nothing, dear for every case, is tested in tests/test_migrations.py).
    On SQLite a copy of ``reported_template``, its plan given a stamp of its own (as conftest's
    ``plan`` does), so no structure cached in another case can pass for this one's."""
    sqlite = make_url(migrated_db_url).get_backend_name() == "sqlite"
    if sqlite:
        shutil.copyfile(request.getfixturevalue("reported_template"), make_url(migrated_db_url).database or "")
    container = Container.open(Settings(database_url=migrated_db_url), clock=lambda: NOW)
    if sqlite:
        with container.unit_of_work() as repo:
            plan = repo.current_plan()
            assert plan is not None
            plan.structure_stamp = new_structure_stamp()
            repo.add(plan)
    else:
        report_sample(container, sample_plan_path)
    try:
        yield container
    finally:
        container.engine.dispose()


def test_there_are_at_least_forty_transcripts_over_rag_plan_and_admin():
    assert len(TRANSCRIPTS) >= 40
    assert len({t.name for t in TRANSCRIPTS}) == len(TRANSCRIPTS)
    for kind in ("/rag", "/plan ", "/plan admin"):
        assert sum(t.line.startswith(kind) for t in TRANSCRIPTS) >= 5, kind


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.name)
def test_console_and_slack_say_the_same(container: Container, transcript: Transcript) -> None:
    actor = find_actor(container, transcript.who)
    assert actor is not None

    on_slack = slack_text(container, actor, transcript.line)
    on_console = console_text(container, actor, transcript.line)

    for phrase in transcript.expect:
        assert words(phrase) in on_console, f"console: {on_console}"
        assert words(phrase) in on_slack, f"slack: {on_slack}"
    assert on_slack == on_console


def test_a_phrase_that_differs_fails_the_comparison():
    """The comparison notices one changed word, and ignores only decoration."""
    slack = slack_plain(["*V9 updated*\nNow :red_circle: Red, ↓ Deteriorating (was Green)"])
    assert "V9 updated Now Red, ↓ Deteriorating (was Green)" == slack
    assert console_plain("╭──╮\n│ V9 updated │\n│ Now Red, ↓ Deteriorating (was Green) │\n╰──╯") == slack
    assert console_plain("│ V9 updated │\n│ Now Red, ↓ Worse (was Green) │") != slack
