"""An old row holding ESC, BEL (and NUL where the database can hold it) never stops a report nor
reaches a terminal or a file raw: the digest, the summary, the quarterly summary (which freezes a
snapshot holding it) and all five Panel formats are still written, with the characters gone."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli_support import imported_plan, use_database
from support.panel_support import play_quarter
from support.report_support import london, report

from bot.cli import main
from commands import text as text_module
from commands.text import safe_display
from storage.repository import PlanRepository

ODD_CHARACTERS = ("\x1b", "\x07", "\x00", "\x08", "\x9b")


def odd_reason(url: str) -> str:
    """A reason as an old planbot (or a direct SQL edit) might have stored it; PostgreSQL cannot hold NUL."""
    nul = "" if url.startswith("postgresql") else "\x00"
    return f"Screen\x1b[2J cleared\x07 and \x1b]8;;https://evil.example\x1b\\hidden link\x1b]8;;\x1b\\{nul} rang\x9b"


@pytest.fixture
def database(empty_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_plan_path: Path, capsys) -> str:
    """The played sample quarter, then V9 green and, in the digest's week, red with the odd reason."""
    use_database(empty_db_url, monkeypatch, tmp_path)

    def play(repo: PlanRepository) -> None:
        play_quarter(repo)
        report(repo, "V9", "G", london(2018, 12, 10))
        report(repo, "V9", "R", london(2018, 12, 20), odd_reason(empty_db_url))

    imported_plan(empty_db_url, sample_plan_path, play)
    capsys.readouterr()
    return empty_db_url


def assert_clean(text: str) -> None:
    assert not [c for c in ODD_CHARACTERS if c in text], repr(text[:200])


@pytest.mark.parametrize(
    "command",
    [
        ["report", "digest", "--as-of", "2018-12-21"],
        ["report", "summary", "--as-of", "2018-12-21"],
        ["report", "summary", "victims", "--as-of", "2018-12-21"],
        ["report", "quarter", "2018/19 Q3", "--as-of", "2019-01-16"],
    ],
)
def test_terminal_reports_show_the_reason_without_its_control_characters(database, capsys, command):
    assert 0 == main(command)

    out, err = capsys.readouterr()
    assert_clean(out + err)
    assert "cleared" in " ".join(out.split()), out


def _file_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        workbook = load_workbook(path)
        return "\n".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None)
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return archive.read("word/document.xml").decode()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv", "html", "md"])
def test_every_panel_format_is_written_even_from_the_frozen_snapshot(database, tmp_path, capsys, fmt):
    """The quarter is frozen first (its snapshot keeps the odd row), then the appendix is written from it."""
    assert 0 == main(["report", "quarter", "2018/19 Q3", "--as-of", "2019-01-16"])
    output = tmp_path / f"appendix.{fmt}"

    code = main(["report", "panel", "--quarter", "2018/19 Q3", "--format", fmt, "--output", str(output)])

    assert 0 == code, capsys.readouterr().err
    text = _file_text(output)
    assert_clean(text)
    assert "cleared" in text
    assert "hidden link" in text


def test_safe_display_removes_exactly_what_is_not_displayable_on_every_code_point():
    """The one regular expression agrees with the per-character rule, for all of Unicode."""
    every = "".join(chr(code) for code in range(0x110000))
    expected = "".join(char for char in every if char in text_module._KEPT or text_module._displayable(char))
    assert expected == safe_display(every)
    assert "plain words" == safe_display("plain words")
