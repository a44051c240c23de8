"""``planbot publish --output DIR``: the public site, ready to copy to the OPCC's website.

Every document is the core's one Panel build (``commands.panel_orders.build_document``) in its
public version, written as a web page and as CSV, with an index page linking them
(``commands.site``). Each file is written beside its place and compared with what is there: an
unchanged file is left alone (its modification time too), so re-running changes only what changed
and a sync to the website copies only new or changed reports.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.text import Text

from bot.config import Settings
from bot.exports import file_name, write_panel_file
from bot.exports.site import render_index
from bot.report_command import run_in_database
from commands.panel_orders import build_document
from commands.site import SITE_FORMATS, public_site
from storage.repository import PlanRepository

INDEX = "index.html"


def run_publish(settings: Settings, output: Path, as_of: str | None = None) -> int:
    """Write the site into ``output`` (created when missing), as it stands at ``as_of`` (default now).

    Returns:
        0 when published, 1 when the database cannot be reached, 2 when there is nothing to publish
        or ``output`` is not a folder planbot can write.
    """
    if output.exists() and not output.is_dir():
        return _refuse(f"{output} is a file; give --output a folder (it is created when missing).")

    def publish(repo: PlanRepository, now: dt.datetime) -> Text:
        site = public_site(repo, now)
        output.mkdir(parents=True, exist_ok=True)
        written = 0
        for document in site.documents:
            for fmt in SITE_FORMATS:
                order = document.in_format(fmt)
                panel = build_document(repo, order, document.as_at)
                writer = partial(write_panel_file, repo, panel, fmt, now=document.as_at)
                written += _put(output / file_name(order), writer)
        written += _put(output / INDEX, partial(_write_text, render_index(site)))
        files = len(site.documents) * len(SITE_FORMATS) + 1
        return Text(
            f"Published {len(site.documents)} reports to {output}/ ({files} files: {written} written, "
            f"{files - written} unchanged)."
        )

    return run_in_database(settings, as_of, publish)


def _put(path: Path, write: Callable[[Path], None]) -> int:
    """Write a file through ``write`` beside ``path`` and move it into place only if it differs; 1 if it did."""
    candidate = path.parent / f".planbot-{uuid.uuid4().hex}{path.suffix}"
    try:
        write(candidate)
        if path.exists() and path.read_bytes() == candidate.read_bytes():
            return 0
        os.replace(candidate, path)
        return 1
    finally:
        candidate.unlink(missing_ok=True)


def _write_text(text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8")


def _refuse(message: str) -> int:
    Console(stderr=True).print(Text(message, style="red"), soft_wrap=True)
    return 2
