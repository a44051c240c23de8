"""``planbot publish``: the public site, as an OPCC would copy it to its website."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.cli_support import imported_plan, use_database
from support.panel_support import EMAIL, plan_people, play_quarter

from bot.cli import main

AFTER_Q3 = "2019-01-20"  # 2018/19 Q3's cut-off (15 January 2019) has passed; Q4's has not


@pytest.fixture
def played(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_plan_path: Path, capsys
) -> str:
    """The sample plan imported through the command line, with 2018/19 Q2 and Q3 played."""
    use_database(migrated_db_url, monkeypatch, tmp_path)
    imported_plan(migrated_db_url, sample_plan_path, play_quarter)
    capsys.readouterr()
    return migrated_db_url


def _publish(site: Path, as_of: str = AFTER_Q3) -> int:
    return main(["publish", "--output", str(site), "--as-of", as_of])


def test_every_frozen_quarter_and_finished_year_is_published_with_its_csv(played, tmp_path, capsys) -> None:
    site = tmp_path / "site"

    assert 0 == _publish(site)

    index = (site / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', index)
    assert links and all((site / link).is_file() for link in links), "every link opens a file"
    pages = {p.name for p in site.glob("*.html")} - {"index.html"}
    assert "panel-report-2018-19-Q3-public.html" in pages, "the quarter whose cut-off has passed"
    assert "panel-report-2018-19-Q4-public.html" not in pages, "Q4's statuses can still move"
    assert "annual-report-2017-18-public.html" in pages, "a year whose fourth quarter is frozen"
    assert "annual-report-2018-19-public.html" not in pages
    assert {p.with_suffix(".csv").name for p in site.glob("*-public.html")} == {p.name for p in site.glob("*.csv")}
    assert f"{len(links) + 1} files: {len(links) + 1} written" in capsys.readouterr().out.replace("\n", " ")


def test_publishing_again_changes_nothing(played, tmp_path, capsys) -> None:
    site = tmp_path / "site"
    _publish(site)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.iterdir()}
    capsys.readouterr()

    assert 0 == _publish(site)

    assert before == {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.iterdir()}
    assert "0 written" in capsys.readouterr().out


def test_a_new_quarter_adds_its_files_and_leaves_the_rest(played, tmp_path) -> None:
    site = tmp_path / "site"
    _publish(site)
    before = {p.name: p.stat().st_mtime_ns for p in site.iterdir()}

    assert 0 == _publish(site, "2019-04-30")  # 2018/19 Q4 and the year are now frozen

    after = {p.name: p.stat().st_mtime_ns for p in site.iterdir()}
    added = set(after) - set(before)
    assert {"panel-report-2018-19-Q4-public.html", "annual-report-2018-19-public.html"} <= added
    assert [name for name in before if name != "index.html" and after[name] != before[name]] == []


def test_the_site_names_no_one(played, tmp_path, sample_plan_path) -> None:
    site = tmp_path / "site"
    _publish(site)
    names, emails = plan_people(sample_plan_path)

    for path in site.iterdir():
        text = path.read_text()
        assert not [email for email in EMAIL.findall(text) if email.lower() in emails], path.name
        assert not [name for name in names if name in text], path.name
        assert "named suspect" not in text, "restricted commentary withheld"


def test_nothing_to_publish_is_said_and_nothing_written(played, tmp_path, capsys) -> None:
    site = tmp_path / "site"

    assert 2 == _publish(site, "2017-05-01")

    assert "nothing to publish" in capsys.readouterr().err
    assert not site.exists()


def test_an_output_that_is_a_file_is_refused(played, tmp_path, capsys) -> None:
    target = tmp_path / "site.html"
    target.write_text("mine")

    assert 2 == _publish(target)

    assert "is a file" in capsys.readouterr().err
    assert "mine" == target.read_text()
