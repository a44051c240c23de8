"""The cyclic garbage collector in short commands.

A report command allocates hundreds of thousands of objects that live until the process ends (what
SQLAlchemy, SQLModel and pydantic build on import, the report's rows): the collector's passes over them
cost a fifth of a printed report and reclaimed nothing. ``main`` gives any caller that carries on (a
test session) the collector back as it found it.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


def pause() -> None:
    """Stop the cyclic garbage collector for a short command, and spare the interpreter's exit it.

    Importing SQLAlchemy and building a report allocate hundreds of thousands of objects that live
    until the process ends: the collector's passes over them took a fifth of the command and
    reclaimed nothing. At exit the interpreter collects again over everything still alive before
    freeing it (0.2 s at the national scale); frozen at that point, the objects are freed without it.
    The freeze is registered to run at exit, after anything that carries on (a test session), once
    however often ``main`` runs in one process.
    """
    gc.disable()
    _spare_exit()


def resume() -> None:
    """Start the collector again for whoever called ``main``, with what was allocated meanwhile
    counted as old (``freeze`` then ``unfreeze`` moves every object to the oldest generation): as
    young objects, the first collection would examine them all, 0.05 s or more before the process can
    exit. Objects a caller froze stay frozen."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()


@contextmanager
def imports_frozen() -> Iterator[None]:
    """Keep the collector running (a file export makes garbage worth collecting) but out of what was
    imported: frozen, the modules are no longer walked by every pass (a quarter of the 3,000-action
    Word export's CPU). Undone on leaving for a caller that carries on, with the exit's collection
    spared as in ``pause``."""
    froze = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if froze:
            gc.unfreeze()
            _spare_exit()


def _spare_exit() -> None:
    """Freeze everything at exit, after anything that carries on, once however often it is asked."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
