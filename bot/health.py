"""One line of ``planbot doctor``'s report: what was checked, how it stands, and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Words, not colours alone, so the report reads the same in any terminal or log."""

    OK = "OK"
    WARN = "WARN"
    FIX = "FIX"


@dataclass(frozen=True)
class Check:
    """A finding; ``detail`` says what was found and, unless ``status`` is OK, what to do about it."""

    name: str
    status: Status
    detail: str
