"""A chart as a document embeds it, apart from the code that draws it: the writers, and an export
of a frozen quarter whose charts are kept (``kept_charts``), need this value but never matplotlib."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    """A rendered chart: ``png`` bytes to embed or attach, ``alt`` describing every number it
    shows (for an ``<img alt>``, a docx picture's description, a Slack file's alt text) and ``title``."""

    png: bytes
    alt: str
    title: str
