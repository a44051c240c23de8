"""``planbot publish``: the public site, as an OPCC would copy it to its website."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from support.cli_support import imported_plan, use_database
from support.panel_support import EMAIL, plan_people, play_quarter

from bot.cli import main

AFTER_Q3 = "2019-01-20"  # 2018/19 Q3's cut-off (15 January 2019) has passed; Q4's has not


@pytest.fixture(scope="module")
def played_url(module_migrated_db_url: str, sample_plan_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample plan imported through the command line, with 2018/19 Q2 and Q3 played: built once
    for the module, as publishing only reads it."""
    with pytest.MonkeyPatch.context() as patch:
        use_database(module_migrated_db_url, patch, tmp_path_factory.mktemp("played"))
        imported_plan(module_migrated_db_url, sample_plan_path, play_quarter)
    return module_migrated_db_url


@pytest.fixture
def played(played_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> str:
    """The played database, as ``planbot`` finds it from a folder of the test's own."""
    use_database(played_url, monkeypatch, tmp_path)
    capsys.readouterr()
    return played_url


def _publish(site: Path, as_of: str = AFTER_Q3) -> int:
    return main(["publish", "--output", str(site), "--as-of", as_of])


class Published(NamedTuple):
    site: Path
    said: str
    """What ``planbot publish`` printed."""


@pytest.fixture(scope="module")
def published(played_url: str, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The site as first published after Q3's cut-off (drawing its charts is dear): tests that only
    read it share it; tests that publish over it copy it first, modification times kept."""
    folder = tmp_path_factory.mktemp("published")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        use_database(played_url, patch, folder)
        assert 0 == _publish(folder / "site")
    return Published(folder / "site", printed.getvalue())


def site_from(published: Published, tmp_path: Path) -> Path:
    """A copy of the first published site for a test to publish over."""
    site = tmp_path / "site"
    shutil.copytree(published.site, site)
    return site


def test_every_frozen_quarter_and_finished_year_is_published_with_its_csv(published) -> None:
    site = published.site

    index = (site / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', index)
    assert links and all((site / link).is_file() for link in links), "every link opens a file"
    pages = {p.name for p in site.glob("*.html")} - {"index.html"}
    assert "panel-report-2018-19-Q3-public.html" in pages, "the quarter whose cut-off has passed"
    assert "panel-report-2018-19-Q4-public.html" not in pages, "Q4's statuses can still move"
    assert "annual-report-2017-18-public.html" in pages, "a year whose fourth quarter is frozen"
    assert "annual-report-2018-19-public.html" not in pages
    assert {p.with_suffix(".csv").name for p in site.glob("*-public.html")} == {p.name for p in site.glob("*.csv")}
    assert f"{len(links) + 1} files: {len(links) + 1} written" in published.said.replace("\n", " ")


def test_publishing_again_changes_nothing(played, published, tmp_path, capsys) -> None:
    site = site_from(published, tmp_path)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.iterdir()}
    capsys.readouterr()

    assert 0 == _publish(site)

    assert before == {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.iterdir()}
    assert "0 written" in capsys.readouterr().out


def test_a_new_quarter_adds_its_files_and_leaves_the_rest(played, published, tmp_path) -> None:
    site = site_from(published, tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in site.iterdir()}

    assert 0 == _publish(site, "2019-04-30")  # 2018/19 Q4 and the year are now frozen

    after = {p.name: p.stat().st_mtime_ns for p in site.iterdir()}
    added = set(after) - set(before)
    assert {"panel-report-2018-19-Q4-public.html", "annual-report-2018-19-public.html"} <= added
    assert [name for name in before if name != "index.html" and after[name] != before[name]] == []


def test_the_site_names_no_one(published, sample_plan_path) -> None:
    site = published.site
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
