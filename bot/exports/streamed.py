"""Large tables streamed into an Office package as it is copied to its file, for Word and Excel alike.

python-docx and openpyxl build the document around each table: its styles, properties, headings,
cover and header rows. A table's rows are left out as one marked element (a paragraph in Word, a
row in Excel) holding a fresh marker, and written as XML text, a batch of rows at a time, in its
place while the package is copied: python-docx's ``Table.add_row`` re-read the whole table for
every row, and openpyxl built an object per cell, so time grew faster than the plan and memory held
every cell. Here each row costs the same whatever the table's size, and memory holds one batch.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

T = TypeVar("T")

# Rows joined per write: each write to the zip stream is a call into zlib, so rows go in batches.
BATCH = 256


def xml_text(text: str) -> str:
    """``text`` as XML character data; most cells hold nothing to escape, and are returned as they are."""
    return escape(text) if "&" in text or "<" in text or ">" in text else text


def new_marker(kind: str) -> str:
    """Text to hold a table's place ("planbot-table-…"): unique, so no typed text can be taken for it."""
    return f"planbot-{kind}-{uuid.uuid4().hex}"


def copy_with_tables(
    built: io.BytesIO,
    path: Path,
    element: str,
    tables: Mapping[str, T],
    rows: Callable[[T], Iterable[str]],
) -> None:
    """Copy the package ``built`` to ``path``; in its XML parts, each ``element`` (``"w:p"``, ``"row"``)
    holding one of ``tables``' markers is replaced by the pieces ``rows`` gives for that table."""
    marked = _marked(element, tables)
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            text = data.decode("utf-8") if item.filename.endswith(".xml") and tables else ""
            found = list(marked.finditer(text))
            if not found:
                target.writestr(item, data)
                continue
            entry = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w") as out:
                start = 0
                for match in found:
                    out.write(text[start : match.start()].encode("utf-8"))
                    pieces = iter(rows(tables[match["marker"]]))
                    while batch := list(islice(pieces, BATCH)):
                        out.write("".join(batch).encode("utf-8"))
                    start = match.end()
                out.write(text[start:].encode("utf-8"))


def _marked(element: str, tables: Mapping[str, object]) -> re.Pattern[str]:
    """The whole ``element`` around one of the markers (text that merely looks like a marker, typed
    on a cover or in a heading, is left alone)."""
    markers = "|".join(re.escape(marker) for marker in tables) or "(?!)"
    close = re.escape(f"</{element}>")
    inside = f"(?:(?!{close}).)*?"
    return re.compile(f"<{re.escape(element)}[ >]{inside}(?P<marker>{markers}){inside}{close}", re.S)
