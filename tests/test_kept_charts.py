"""A frozen quarter's appendix charts are drawn once and kept: later exports embed the kept ones
without importing matplotlib, and anything that changes what a chart shows draws it again."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete
from support.panel_support import AFTER_Q3_CUT_OFF, Q3, play_quarter
from support.report_support import london, report

from bot.chart_keeper import draw_in_background
from bot.exports import appendix_charts, draw_charts, kept_charts
from bot.exports.kept_charts import SHARES, THEMES
from commands.panel import build_panel
from storage.models import ActionState, PanelChart, Plan, QuarterSnapshot
from storage.repository import PlanRepository

EXPORT = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "matplotlib": "matplotlib" in sys.modules}))
"""
"""One ``planbot`` process: its exit code, and whether it imported matplotlib by its end."""

BEFORE_Q3_CUT_OFF = london(2019, 1, 7, 9, 0)


def export(output: Path, *options: str) -> bool:
    """Run ``planbot report panel`` for 2018/19 Q3 (frozen by 16 January) in a fresh process, as an
    officer does; whether that process imported matplotlib."""
    argv = ["report", "panel", "--quarter", "2018/19 Q3", "--as-of", "2019-01-16", "--output", str(output), *options]
    done = subprocess.run(
        [sys.executable, "-c", EXPORT, *argv],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ},
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert 0 == found["code"], done.stderr
    return bool(found["matplotlib"])


def parts(docx: Path) -> dict[str, bytes]:
    """A Word file's parts but its core properties (which hold the time it was written)."""
    with zipfile.ZipFile(docx) as package:
        return {name: package.read(name) for name in package.namelist() if name != "docProps/core.xml"}


def images(docx: Path) -> list[bytes]:
    return [data for name, data in sorted(parts(docx).items()) if name.startswith("word/media/")]


class TestWholeProcess:
    def test_the_second_export_of_a_frozen_quarter_draws_nothing_and_writes_the_same_document(
        self, played_database: str, tmp_path: Path
    ) -> None:
        first, second = tmp_path / "first.docx", tmp_path / "second.docx"

        assert export(first, "--format", "docx"), "the first export draws the charts"
        assert not export(second, "--format", "docx"), "the second embeds the kept ones"

        assert 2 == len(images(first))
        assert parts(first) == parts(second)

    def test_charts_drawn_after_the_freeze_leave_the_first_export_nothing_to_draw(
        self, played_database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The live scheduler hands a newly frozen quarter to ``bot.chart_keeper``, whose child process
        draws and keeps its charts: the officer's first export then imports no matplotlib."""
        caplog.set_level(logging.INFO, logger="bot.chart_keeper")
        keeper = draw_in_background(played_database, Q3, AFTER_Q3_CUT_OFF)
        keeper.join(120)
        assert not keeper.is_alive()
        assert "2018/19 Q3's Panel charts are drawn and kept" in caplog.text

        first = tmp_path / "first.docx"
        assert not export(first, "--format", "docx"), "the first export embeds the charts kept after the freeze"
        assert 2 == len(images(first))

    def test_a_child_that_cannot_draw_is_logged_and_the_export_draws_as_before(
        self, played_database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        keeper = draw_in_background(f"sqlite:///{tmp_path / 'missing' / 'planbot.db'}", Q3, AFTER_Q3_CUT_OFF)
        keeper.join(120)
        assert "Could not draw 2018/19 Q3's Panel charts ahead of its export" in caplog.text

        assert export(tmp_path / "first.docx", "--format", "docx"), "nothing was kept, so the export draws"

    def test_the_public_version_and_the_other_formats_embed_the_same_kept_charts(
        self, played_database: str, tmp_path: Path
    ) -> None:
        internal, public = tmp_path / "internal.docx", tmp_path / "public.docx"
        assert export(internal, "--format", "docx")

        assert not export(public, "--format", "docx", "--public")
        assert not export(tmp_path / "public.html", "--format", "html", "--public")

        # The public filter changes rows, never counts: both versions chart the same numbers.
        assert images(internal) == images(public)
        assert parts(internal) != parts(public)


@pytest.fixture
def played(repo: PlanRepository, plan: Plan) -> PlanRepository:
    play_quarter(repo)
    return repo


def kept(repo: PlanRepository) -> dict[str, str]:
    """The fingerprint kept for each of 2018/19 Q3's charts."""
    plan = repo.current_plan()
    assert plan is not None and plan.id is not None
    return {kind: chart.fingerprint for kind, chart in repo.panel_charts(plan.id, Q3.key).items()}


def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, drawing a chart fails the test."""

    def refuse(_numbers: object) -> None:
        raise AssertionError("a chart was drawn")

    monkeypatch.setattr(kept_charts, "draw", refuse)


class TestKeeping:
    def test_a_frozen_quarters_charts_are_kept_once_and_read_back_unchanged(
        self, played: PlanRepository, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        panel = build_panel(played, Q3, AFTER_Q3_CUT_OFF, public=False)
        drawn = appendix_charts(played, panel, AFTER_Q3_CUT_OFF)
        assert {THEMES, SHARES} == kept(played).keys()

        no_drawing(monkeypatch)
        public = build_panel(played, Q3, AFTER_Q3_CUT_OFF, public=True)

        assert drawn == appendix_charts(played, panel, AFTER_Q3_CUT_OFF)
        assert drawn == appendix_charts(played, public, AFTER_Q3_CUT_OFF)

    def test_a_provisional_quarter_is_drawn_fresh_and_nothing_is_kept(self, played: PlanRepository) -> None:
        panel = build_panel(played, Q3, BEFORE_Q3_CUT_OFF, public=False)
        assert panel.provisional

        charts = appendix_charts(played, panel, BEFORE_Q3_CUT_OFF)

        assert "(provisional)" in charts[1].alt
        assert {} == kept(played)

    def test_a_quarter_frozen_again_with_other_statuses_is_drawn_anew(self, played: PlanRepository) -> None:
        panel = build_panel(played, Q3, AFTER_Q3_CUT_OFF, public=False)
        before = appendix_charts(played, panel, AFTER_Q3_CUT_OFF)
        fingerprints = kept(played)
        # An administrator drops Q3's snapshot after V9's late update is entered with its real date.
        played.session.execute(delete(QuarterSnapshot).where(QuarterSnapshot.quarter_key == Q3.key))
        report(played, "V9", "G", london(2018, 12, 20), "Review brought forward")
        played.session.flush()

        refrozen = build_panel(played, Q3, AFTER_Q3_CUT_OFF, public=False)
        after = appendix_charts(played, refrozen, AFTER_Q3_CUT_OFF)

        assert before != after
        assert after == draw_charts(played, refrozen, AFTER_Q3_CUT_OFF)
        assert all(fingerprints[kind] != fingerprint for kind, fingerprint in kept(played).items())
        assert after == appendix_charts(played, refrozen, AFTER_Q3_CUT_OFF), "the new charts are kept"

    def test_an_action_closed_since_the_freeze_leaves_every_quarters_share(self, played: PlanRepository) -> None:
        panel = build_panel(played, Q3, AFTER_Q3_CUT_OFF, public=False)
        before = appendix_charts(played, panel, AFTER_Q3_CUT_OFF)
        closed = played.action_by_code("V4")
        assert closed is not None
        closed.state = ActionState.CLOSED
        played.add(closed)

        later = dt.timedelta(days=30)
        panel = build_panel(played, Q3, AFTER_Q3_CUT_OFF + later, public=False)
        after = appendix_charts(played, panel, AFTER_Q3_CUT_OFF + later)

        assert before[1].alt != after[1].alt
        assert after == draw_charts(played, panel, AFTER_Q3_CUT_OFF + later)

    def test_new_drawing_code_draws_again(self, played: PlanRepository, monkeypatch: pytest.MonkeyPatch) -> None:
        panel = build_panel(played, Q3, AFTER_Q3_CUT_OFF, public=False)
        appendix_charts(played, panel, AFTER_Q3_CUT_OFF)
        fingerprints = kept(played)

        monkeypatch.setattr(kept_charts, "_drawing_digest", lambda: b"another style")
        appendix_charts(played, panel, AFTER_Q3_CUT_OFF)

        assert fingerprints.keys() == kept(played).keys()
        assert not set(fingerprints.values()) & set(kept(played).values())


def test_a_chart_kept_again_replaces_the_one_kept_before_and_is_read_back(repo: PlanRepository, plan: Plan) -> None:
    assert plan.id is not None

    def chart(fingerprint: str, png: bytes) -> PanelChart:
        assert plan.id is not None
        return PanelChart(
            plan_id=plan.id, quarter_key=Q3.key, kind=THEMES, fingerprint=fingerprint, title="T", alt="A", png=png
        )

    repo.keep_panel_chart(chart("a", b"1"))
    kept_before = repo.panel_charts(plan.id, Q3.key)
    assert "a" == kept_before[THEMES].fingerprint

    repo.keep_panel_chart(chart("b", b"2"))

    # Read again in the same unit of work, while the earlier answer is still held.
    kept_now = repo.panel_charts(plan.id, Q3.key)
    assert [("b", b"2")] == [(row.fingerprint, row.png) for row in kept_now.values()]
