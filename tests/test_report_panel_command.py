"""``planbot report panel``: writes the Panel appendix file, or refuses clearly and writes nothing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from docx import Document

from bot.cli import main


def panel(*options: str) -> int:
    return main(["report", "panel", "--as-of", "2019-01-16", *options])


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv", "html", "md"])
def test_writes_the_file(played_database: str, tmp_path: Path, capsys, fmt: str) -> None:
    output = tmp_path / f"appendix.{fmt}"

    assert 0 == panel("--quarter", "2018/19 Q3", "--format", fmt, "--public", "--output", str(output))

    assert output.stat().st_size > 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Wrote the public Panel report for 2018/19 Q3 (October–December 2018)" in out
    assert "2 restricted commentaries withheld" in out
    assert [output] == [p for p in tmp_path.iterdir() if p.suffix == f".{fmt}"]


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_the_file_can_be_shared_as_the_umask_allows(played_database: str, tmp_path: Path, umask: int) -> None:
    """Colleagues on a shared folder open the paper: 0644 under the usual umask, not a private 0600."""
    output = tmp_path / "appendix.docx"
    previous = os.umask(umask)
    try:
        assert 0 == panel("--quarter", "2018/19 Q3", "--output", str(output))
    finally:
        os.umask(previous)

    assert 0o666 & ~umask == stat.S_IMODE(output.stat().st_mode)


def test_internal_docx_by_default_format(played_database: str, tmp_path: Path) -> None:
    output = tmp_path / "internal.docx"

    assert 0 == panel("--quarter", "Q3 2018-19", "--output", str(output))

    text = "\n".join(p.text for p in Document(str(output)).paragraphs)
    assert "Version: Internal" in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--quarter", "2018/19 Q3", "--format", "pdf"],
            '"pdf" is not an export format: use docx, xlsx, csv, html or md.',
        ),
        (["--quarter", "2018/19 Q9", "--format", "docx"], '"2018/19 Q9" is not a quarter.'),
        (["--quarter", "2018/20 Q3", "--format", "docx"], "is not a financial year"),
        (["--format", "docx"], "Say which quarter with --quarter."),
    ],
)
def test_refused_with_a_clear_message_and_no_file(
    played_database: str, tmp_path: Path, capsys, options, message
) -> None:
    before = set(tmp_path.iterdir())
    fmt = options[options.index("--format") + 1]  # the file named for its format, so only the fault is refused

    assert 2 == panel(*options, "--output", str(tmp_path / f"appendix.{fmt}"))

    assert message in " ".join(capsys.readouterr().err.split())
    assert before == set(tmp_path.iterdir())


def test_missing_folder_refused(played_database: str, tmp_path: Path, capsys) -> None:
    assert 2 == panel("--quarter", "2018/19 Q3", "--output", str(tmp_path / "no-such-folder" / "a.docx"))

    assert "is not a folder" in capsys.readouterr().err
