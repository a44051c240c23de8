"""How wide text prints in Arial, so tables can be laid out before Word or LibreOffice sees them.

The widths are Helvetica's Adobe font metrics, which Arial and Liberation Sans match glyph for
glyph; matplotlib ships them (``mpl-data/fonts/afm``), so they are read from its package data
without importing matplotlib itself. Characters outside the metrics (symbols, accented letters)
count as a wide letter, which errs towards wider columns, never towards broken words.
"""

from __future__ import annotations

import functools
from importlib.util import find_spec
from itertools import repeat
from pathlib import Path

FONT = "Arial"
_METRICS = {False: "phvr8a.afm", True: "phvb8a.afm"}
# Per 1,000 units of the em: an "M"-sized guess for characters the metrics do not cover.
_UNKNOWN = 833


def text_width(text: str, points: float, bold: bool = False) -> float:
    """The printed width of ``text`` in points at ``points`` size."""
    return sum(map(_widths(bold).get, text, repeat(_UNKNOWN))) * points / 1000


@functools.cache
def _widths(bold: bool) -> dict[str, int]:
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is not installed: planbot needs its font metrics to lay out tables")
    path = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "afm" / _METRICS[bold]
    widths: dict[str, int] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if not line.startswith("C "):
            continue
        fields = dict(part.strip().split(" ", 1) for part in line.split(";") if part.strip())
        code = int(fields["C"])
        if 32 <= code < 127:
            widths[chr(code)] = int(fields["WX"])
    return widths
