"""The hostile table (``tests/hostile_inputs.py``) typed at ``planbot console``: each row refused with
the words the person sees, nothing stored, and nothing printed that a terminal would act on."""

from __future__ import annotations

import io

from hostile_inputs import HOSTILE
from rich.console import Console
from test_console import OWNER, container, stored  # noqa: F401  (the fixture is used by name)

from bot.console import find_actor, respond


def test_typed_hostile_updates_are_refused_and_store_nothing(container):  # noqa: F811
    actor = find_actor(container, OWNER)
    assert actor is not None
    failures = []
    for row in HOSTILE:
        printed = io.StringIO()
        reply = respond(container, actor, row.typed, Console(file=printed, width=100))
        shown = printed.getvalue()
        if reply.ok or row.says not in reply.text or any(c in shown for c in "\x00\x1b\x07\x9b\u202e"):
            failures.append((row.name, reply.text[:160]))
    assert [] == failures
    assert [] == stored(container)
