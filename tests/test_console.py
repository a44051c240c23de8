"""``planbot console``: typed lines in, rendered replies out, and only valid updates stored."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console
from sqlmodel import col, select

import bot.console
from bot.config import Settings
from bot.console import HINT, NO_PLAN, console_session, find_actor, run_console
from bot.console_render import render_reply
from bot.container import Container
from commands.model import Actor, Line, Reply, Section
from commands.plan_file import load_plan
from storage.models import Person, StatusUpdate
from storage.plan_import import import_plan

NOW = dt.datetime(2018, 10, 1, 9, 0)
OWNER = "ollie.kerr@example.org"  # Head of Criminal Justice: owns V9
STRANGER = "zara.nash@example.org"  # holds no role on V9


@pytest.fixture
def container(migrated_db_url: str, sample_plan_path: Path) -> Iterator[Container]:
    """A database built by the migrations, holding the sample plan, on a fixed clock."""
    container = Container.open(Settings(database_url=migrated_db_url), clock=lambda: NOW)
    with container.unit_of_work() as repo:
        import_plan(repo, load_plan(sample_plan_path), actor="tests", at=NOW - dt.timedelta(days=1))
    try:
        yield container
    finally:
        container.engine.dispose()


def session(container: Container, lines: list[str], who: str = OWNER) -> tuple[str, Actor]:
    """Play ``lines`` as ``who``; answer the text printed and who was acting at the end."""
    actor = find_actor(container, who)
    assert actor is not None
    printed = io.StringIO()
    last = console_session(container, actor, lines, Console(file=printed, width=100))
    return printed.getvalue(), last


def stored(container: Container) -> list[tuple[str, str, str, str]]:
    """Every stored update as (author's email, status, reason, source), oldest first."""
    with container.unit_of_work() as repo:
        rows = repo.session.exec(
            select(Person.email, StatusUpdate.status, StatusUpdate.reason, StatusUpdate.source)
            .join(Person, col(Person.id) == StatusUpdate.author_id)
            .order_by(col(StatusUpdate.id))
        )
        return [tuple(row) for row in rows]


class TestSession:
    def test_scripted_session_stores_exactly_the_valid_updates(self, container: Container) -> None:
        """Updates, a show, a malformed command, a refusal and /as switching: only the two updates are kept."""
        text, last = session(
            container,
            [
                '/rag V9 red Waiting on CJS review --mitigation "Escalated to LCJB"',
                "V9",
                "",
                "/rag V9 purple Not a colour",
                f"/as {STRANGER}",
                "rag V9 green Looks fine to me",
                "/as Ollie Kerr",
                "v9 amber Review booked for November",
                "quit",
                "V9 green typed after quit",
            ],
        )

        assert [
            (OWNER, "R", "Waiting on CJS review", "console"),
            (OWNER, "A", "Review booked for November", "console"),
        ] == stored(container)
        assert OWNER == last.email
        assert "Now Red" in text
        assert "posted to the channel: Ollie Kerr updated V9 to Red" in text
        assert "Status: Red" in text
        assert '"purple" is not a status' in text
        assert "Usage: /rag ACTION STATUS" in text
        assert "You are Zara Nash" in text
        assert "You can't update V9" in text
        assert "Now Amber" in text

    def test_other_slash_commands_get_a_hint_and_store_nothing(self, container: Container) -> None:
        """Someone trying a command the console does not know is told what it does know."""
        text, _ = session(container, ["/remind me tomorrow"])

        assert HINT.split(":")[0] in text
        assert [] == stored(container)

    def test_switching_to_an_unknown_person_keeps_the_current_one(self, container: Container) -> None:
        """A mistyped /as does not silently make the next update someone else's (or nobody's)."""
        text, last = session(container, ["/as nobody@example.org", "V9 green On track"])

        assert "Nobody in the plan has the email or name 'nobody@example.org'" in text
        assert OWNER == last.email
        assert [(OWNER, "G", "On track", "console")] == stored(container)


class TestRunConsole:
    def test_reads_commands_from_standard_input(
        self, container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`planbot console --as EMAIL` answers each typed line and ends cleanly at end of input."""
        monkeypatch.setattr("sys.stdin", io.StringIO("/rag V9 amber Waiting on CJS review\n"))

        code = run_console(container.settings, OWNER)

        assert 0 == code
        assert "Now Amber" in capsys.readouterr().out
        assert [(OWNER, "A", "Waiting on CJS review", "console")] == stored(container)

    def test_asks_who_you_are_until_the_answer_is_someone(
        self, container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without --as the console suggests people and asks; a wrong answer is asked again."""
        monkeypatch.setattr("sys.stdin", io.StringIO("nobody\nOllie Kerr\nV9 green On track\n"))

        code = run_console(container.settings, None)

        out = capsys.readouterr().out
        assert 0 == code
        assert "Who are you?" in out
        assert "Nobody in the plan has the email or name 'nobody'" in out
        assert [(OWNER, "G", "On track", "console")] == stored(container)

    def test_unknown_person_is_an_error(self, container: Container, capsys: pytest.CaptureFixture[str]) -> None:
        """--as with someone the plan does not know stops at once and lists people to try."""
        code = run_console(container.settings, "nobody@example.org")

        out = capsys.readouterr().out
        assert 2 == code
        assert "Nobody in the plan has the email or name 'nobody@example.org'" in out
        assert OWNER in out

    def test_empty_database_says_how_to_load_a_plan(
        self, empty_db_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With no plan loaded the console explains `planbot plan import` and `planbot demo`."""
        code = run_console(Settings(database_url=empty_db_url), OWNER)

        assert 1 == code
        out = " ".join(capsys.readouterr().out.split())
        assert NO_PLAN == out


class TestRender:
    def test_status_is_always_written_as_a_word(self) -> None:
        """A line whose text does not name its colour still shows the word, not colour alone."""
        reply = Reply(text="V9\non track", sections=(Section("V9", (Line("on track", "G"),)),))
        printed = io.StringIO()

        Console(file=printed, width=60).print(render_reply(reply))

        assert "Green · on track" in printed.getvalue()

    def test_refusal_is_framed_as_not_done(self) -> None:
        """A refused command is shown as such, with the core's explanation in full."""
        printed = io.StringIO()

        Console(file=printed, width=60).print(render_reply(Reply(text="You can't update V9.", ok=False)))

        text = printed.getvalue()
        assert "Not done" in text
        assert "You can't update V9." in text


class TestLineEditing:
    def test_at_a_terminal_the_up_arrow_recalls_the_last_line_and_history_is_kept(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """prompt_toolkit reads the lines: up-arrow brings back the previous command, saved for next time."""
        history = tmp_path / "history"
        monkeypatch.setattr(bot.console, "HISTORY_FILE", history)
        with create_pipe_input() as typed, create_app_session(input=typed, output=DummyOutput()):
            read = bot.console._prompt_reader()
            typed.send_text("/rag V9\r")
            first = read()
            typed.send_text("\x1b[A\r")
            again = read()

        assert ("/rag V9", "/rag V9") == (first, again)
        assert "/rag V9" in history.read_text()

    def test_history_stays_in_memory_when_it_cannot_be_saved(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(bot.console, "HISTORY_FILE", tmp_path / "missing" / "history")
        with create_pipe_input() as typed, create_app_session(input=typed, output=DummyOutput()):
            read = bot.console._prompt_reader()
            typed.send_text("mine\r")
            assert "mine" == read()
