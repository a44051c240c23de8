"""Who ran a terminal command, for the audit log's "who" when no chat platform identified them."""

from __future__ import annotations

import getpass


def local_actor(purpose: str) -> str:
    """The operating-system account, tagged with what it did: ``"jo (plan import)"``."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown user"
    return f"{user} ({purpose})"
