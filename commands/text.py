"""Free text people type, on its way in and on its way out: one normaliser, one safe-display function.

On the way in (``clean_text``), every reason, approval and plan-file text goes through the same
rules whichever platform it came from (typed ``/rag``, the update form, ``plan admin``, a plan
import, Teams): tabs and line breaks are folded into spaces, zero-width marks dropped, control
characters (C0 and C1, such as ESC, NUL and BEL) and direction overrides refused with a message,
and text made only of invisible characters counts as empty, so it cannot stand in for a reason.

On the way out (``safe_display`` and ``safe_copy``), every writer (terminal, docx, xlsx, html, md,
csv) cleans stored text again before writing it: a row stored before these rules, or a snapshot
frozen with it, can never stop a report or reach a terminal as an escape sequence.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from commands.errors import UnsafeText

# Folded into one space on the way in (pasted paragraphs, Windows line ends).
_FOLDED = frozenset("\t\n\r")
# Kept on the way out: a multi-line reply's own layout.
_KEPT = frozenset("\t\n")
# Dropped: invisible marks with no meaning in a reason (zero-width space, word joiner, BOM, soft hyphen).
_DROPPED = frozenset("\u200b\u2060\ufeff\u00ad")
# Reorder the text as displayed, so a report could show words in an order nobody typed.
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that draw nothing: the Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u3164\u115f\u1160\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})
# Never valid in XML (docx, xlsx, html): noncharacters, and surrogates a broken paste can leave.
_NOT_XML = frozenset("\ufffe\uffff")

T = TypeVar("T")

# Everything ``_displayable`` refuses bar the kept line break and tab: C0 and C1 controls (category
# Cc), surrogates (Cs), direction overrides and the XML noncharacters (tests/test_hostile_text_output.py
# checks the two agree on every code point).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_DIRECTION_CONTROLS | _NOT_XML)) + "]"
)


def clean_text(text: str, what: str = "The text") -> str:
    """``text`` as planbot stores it, or a refusal saying which character is the problem.

    Args:
        text: what the person typed or the file held.
        what: how the message names it ("The reason", "The approval").

    Returns:
        The text with whitespace runs (tabs and line breaks included) as single spaces and
        zero-width marks dropped; "" when nothing visible is left.

    Raises:
        UnsafeText: a control character or a direction override is in it.
    """
    for char in text:
        if char in _FOLDED:
            continue
        if unicodedata.category(char) == "Cc" or char in _DIRECTION_CONTROLS or char in _NOT_XML:
            raise UnsafeText(
                f"{what} contains {_describe(char)}, which planbot cannot store. Retype it without that character "
                "(it often comes from pasting from a terminal or a PDF)."
            )
    kept = "".join(char for char in text if char not in _DROPPED)
    folded = " ".join(kept.split())
    return "" if is_blank(folded) else folded


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only spaces, format characters (Cf), controls or blank letters."""
    return all(char in _BLANK_LETTERS or unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in text)


def safe_display(text: str) -> str:
    """Stored text made safe to write anywhere: every control character but the line break and the
    tab (a carriage return included: it rewrites a terminal line), every direction override and
    XML-invalid character removed. Layouts keep their own line breaks.

    One regular expression (``_UNSAFE``: what ``_displayable`` refuses) rather than a test per
    character: a 3,000-action report holds megabytes of stored text, nearly all of it safe."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def safe_copy(value: T) -> T:
    """``value`` with every string inside it passed through ``safe_display``: for a report's frozen
    data (dataclasses, named tuples, tuples, lists, dicts) just before a writer lays it out.

    Nearly every stored string is already safe, so the walk first only looks (``_already_safe``):
    frozen data whose every string is safe is its own safe copy, and is answered as it is. A copy is
    built only when a string must be cleaned, or when a list, a dict or a dataclass that is not
    frozen is inside (the caller may change those, and must not change ``value``'s)."""
    return value if _already_safe(value) else _safe(value)


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return safe_display(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _safe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_safe(item) for item in value))
    if isinstance(value, tuple | list):
        return type(value)(_safe(item) for item in value)
    if isinstance(value, dict):
        return {_safe(key): _safe(item) for key, item in value.items()}
    return value


_ATOM, _TEXT, _ITEMS, _FIELDS, _MUTABLE = range(5)
"""How ``_already_safe`` walks a value of each type: nothing to read (numbers, dates, None), a
string, a tuple's items, a frozen dataclass's fields, or a container that must be copied."""

_WALKS: dict[type, tuple[int, Callable[[Any], Any]]] = {}
"""Each type's walk, worked out the first time one is met (``dataclasses.fields`` costs
microseconds a call, and a 3,000-action appendix holds 190,000 values)."""


def _already_safe(value: Any) -> bool:
    """Whether every string in ``value`` is safe to write and nothing in it is mutable: one walk
    gathering the strings, then one search of them all (``_UNSAFE`` matches single characters, and
    the line break joining them is not one of them). Dataclass fields are read as ``_safe`` copies
    them (those set by ``__init__``), so ``value`` is answered as it is exactly when ``_safe``
    would build an equal copy of it."""
    texts: list[str] = []
    pending = [value]
    walks = _WALKS
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str:
            texts.append(item)
            continue
        walk = walks.get(kind) or walks.setdefault(kind, _walk(kind))
        step = walk[0]
        if step == _TEXT:
            texts.append(item)
        elif step == _ITEMS:
            pending.extend(item)
        elif step == _FIELDS:
            pending.extend(walk[1](item))
        elif step == _MUTABLE:
            return False
    return _UNSAFE.search("\n".join(texts)) is None


def _walk(kind: type) -> tuple[int, Callable[[Any], Any]]:
    """How to walk a value of ``kind``, in ``_safe``'s order of tests."""
    if issubclass(kind, str):
        return _TEXT, _nothing
    if dataclasses.is_dataclass(kind):
        if not kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return _MUTABLE, _nothing
        names = tuple(f.name for f in dataclasses.fields(kind) if f.init)
        return _FIELDS, lambda item: [getattr(item, name) for name in names]
    if issubclass(kind, tuple):
        return _ITEMS, _nothing
    if issubclass(kind, list | dict):
        return _MUTABLE, _nothing
    return _ATOM, _nothing


def _nothing(_item: Any) -> tuple[()]:
    return ()


def _displayable(char: str) -> bool:
    if char in _DIRECTION_CONTROLS or char in _NOT_XML:
        return False
    category = unicodedata.category(char)
    return category not in ("Cc", "Cs")


def _describe(char: str) -> str:
    """ "a control character (ESC, U+001B)" for the message."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    code = f"U+{ord(char):04X}"
    kind = "a direction override" if char in _DIRECTION_CONTROLS else "a control character"
    return f"{kind} ({name}, {code})" if name else f"{kind} ({code})"


_CONTROL_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BACKSPACE", "\x1b": "ESC", "\x7f": "DEL"}
