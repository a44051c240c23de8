"""The Panel appendix as HTML, charts included, opened in headless Chromium and checked by axe-core.

The page is published on the OPCC website, so it must pass axe-core's WCAG 2 A/AA and best-practice
rules with no violations. Selenium drives Debian's Chromium through Debian's ChromeDriver, both
named explicitly so Selenium Manager never looks for (or downloads) a browser; axe-core comes from
npm, pinned in tests/a11y/package-lock.json. Without them the test is skipped on a workstation and
fails in CI (``CI=true`` or ``PLANBOT_REQUIRE_BROWSER=1``), where ``.ci/run`` installs them.
"""

from __future__ import annotations

import base64
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from support.annual_support import AFTER_YEAR, DURING_Q4_CUT_OFF, YEAR, play_year
from support.panel_support import AFTER_Q3_CUT_OFF, Q3, play_quarter

from bot.exports import draw_charts, file_name, paper_of, write_panel_file
from bot.exports.html_writer import render_html
from bot.exports.site import render_index
from commands.annual import build_annual
from commands.deep_dive import build_deep_dive
from commands.panel import QUARTERLY, build_panel
from commands.panel_orders import build_document
from commands.site import public_site
from storage.models import Plan
from storage.repository import PlanRepository

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
MISSING = [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE) if not p.is_file()]
REQUIRED = os.environ.get("CI", "").lower() == "true" or os.environ.get("PLANBOT_REQUIRE_BROWSER") == "1"
INSTALL = (
    "apt-get install --no-install-recommends chromium chromium-driver (as root) "
    "and npm ci --prefix tests/a11y (from the repository root)"
)
# The flags that start Debian's Chromium cleanly as root in a container with no network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1024",
)

pytestmark = pytest.mark.skipif(
    bool(MISSING) and not REQUIRED, reason=f"needs {', '.join(MISSING)}: install with {INSTALL}"
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a new empty profile, closed after the test."""
    if MISSING:
        pytest.fail(f"CI needs {', '.join(MISSING)}: install with {INSTALL}")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_script_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.parametrize("public", [True, False], ids=["public", "internal"])
def test_panel_html_has_no_axe_violations(
    browser: webdriver.Chrome, repo: PlanRepository, plan: Plan, tmp_path: Path, public: bool
) -> None:
    """The sample plan's 2018/19 Q3 appendix, with both charts, renders to a real screenshot and
    axe-core finds nothing to fix."""
    play_quarter(repo)
    panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=public)
    charts = draw_charts(repo, panel, AFTER_Q3_CUT_OFF)
    page = tmp_path / "panel.html"
    page.write_text(render_html(paper_of(panel), charts), encoding="utf-8")

    browser.get(page.as_uri())
    shot = tmp_path / "panel.png"
    shot.write_bytes(_full_page_png(browser))
    results = _axe(browser)

    image = Image.open(shot)
    assert image.width >= 1000 and image.height > 2000, image.size
    assert len(image.convert("L").getcolors(256) or []) > 16, "the screenshot is (nearly) one flat colour"
    assert len(charts) == browser.execute_script("return document.querySelectorAll('figure img[alt]').length")
    assert results["passes"] > 0, "axe-core did not run"
    assert [] == results["violations"], _describe(results["violations"])


@pytest.mark.parametrize("which", ["annual", "theme"])
def test_annual_report_and_deep_dive_html_have_no_axe_violations(
    browser: webdriver.Chrome, repo: PlanRepository, plan: Plan, tmp_path: Path, which: str
) -> None:
    """The played year's annual report (Q4 not frozen yet, so said) and the Victims deep dive, public."""
    play_year(repo)
    document = (
        build_annual(repo, YEAR, DURING_Q4_CUT_OFF, public=True)
        if which == "annual"
        else build_deep_dive(repo, "Victims", Q3, AFTER_YEAR, public=True)
    )
    page = tmp_path / f"{which}.html"
    page.write_text(render_html(paper_of(document)), encoding="utf-8")

    browser.get(page.as_uri())
    results = _axe(browser)

    assert results["passes"] > 0, "axe-core did not run"
    assert [] == results["violations"], _describe(results["violations"])


@pytest.mark.parametrize("page", ["index", "quarter"])
def test_the_public_sites_index_and_a_quarter_page_have_no_axe_violations(
    browser: webdriver.Chrome, repo: PlanRepository, plan: Plan, tmp_path: Path, page: str
) -> None:
    """``planbot publish``'s index page, and the 2018/19 Q3 page as it writes it (public, with charts)."""
    play_quarter(repo)
    site = public_site(repo, AFTER_Q3_CUT_OFF)
    (document,) = [d for d in site.documents if d.order.quarter == Q3 and d.order.report == QUARTERLY]
    if page == "index":
        path = tmp_path / "index.html"
        path.write_text(render_index(site), encoding="utf-8")
    else:
        path = tmp_path / file_name(document.order)
        panel = build_document(repo, document.order, document.as_at)
        write_panel_file(repo, panel, "html", path, document.as_at)

    browser.get(path.as_uri())
    results = _axe(browser)

    assert results["passes"] > 0, "axe-core did not run"
    assert [] == results["violations"], _describe(results["violations"])


def _full_page_png(browser: webdriver.Chrome) -> bytes:
    """The whole page, not just the window, through the DevTools protocol's screenshot."""
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    return base64.b64decode(shot["data"])


def _axe(browser: webdriver.Chrome) -> dict:
    """Inject axe-core and run every default rule on the whole document."""
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    return browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document)
            .then((r) => done({violations: r.violations, passes: r.passes.length}))
            .catch((e) => done({violations: [{id: "axe-error", help: String(e), nodes: []}], passes: 0}));
        """
    )


def _describe(violations: list[dict]) -> str:
    """One paragraph per violated rule, with the elements that break it, for a readable failure."""
    out = io.StringIO()
    for v in violations:
        out.write(f"\n{v['id']} ({v.get('impact')}): {v['help']} {v.get('helpUrl', '')}\n")
        for node in v["nodes"]:
            out.write(f"  {json.dumps(node['target'])}: {node.get('failureSummary', '')}\n")
    return out.getvalue()
