"""What every Panel document shares: the public filter and the facts a cover and a file name need.

The quarterly appendix, the annual report and the theme deep dive each come in an internal version
(role holders named, restricted commentary shown) and a public one. The public filter is applied
once, in each document's build, with the helpers here, so no writer can leak: role titles only,
commentary an owner marked restricted left out and counted, and any email address or name of a
person planbot knows replaced wherever it was typed into free text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from commands.report_model import ActionRow

AUTHOR_ROLE = "OPCC Chief Executive"
NAME_WITHHELD = "[name withheld]"
EMAIL_WITHHELD = "[email withheld]"
RESTRICTED_WITHHELD = "Restricted commentary withheld"
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
Scrub = Callable[[str], str]


class Publication:
    """The facts about a built document that platforms word their messages with (``title``,
    ``period``, ``public``, ``withheld`` and ``kind`` are fields of each document)."""

    title: str
    period: str
    public: bool
    withheld: int
    kind: str

    @property
    def audience(self) -> str:
        return "public" if self.public else "internal"

    @property
    def withheld_sentence(self) -> str:
        """ "2 restricted commentaries withheld", printed on the cover of the public version."""
        noun = "commentary" if self.withheld == 1 else "commentaries"
        return f"{self.withheld} restricted {noun} withheld"


def scrubber(names: Iterable[str]) -> Scrub:
    """Replaces email addresses, and the names of the people planbot knows, in free text typed by
    owners and admins: the public version promises role titles only, whatever was typed."""
    wanted = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    pattern = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in wanted), re.I) if wanted else None

    def scrub(text: str) -> str:
        cleaned = _EMAIL.sub(EMAIL_WITHHELD, text)
        return pattern.sub(NAME_WITHHELD, cleaned) if pattern is not None else cleaned

    return scrub


def unchanged(text: str) -> str:
    """The internal version's filter: nothing is taken out."""
    return text


def filtered_row(row: ActionRow, public: bool, scrub: Scrub) -> ActionRow:
    """The row as the audience may see it: restricted commentary dropped from the public version."""
    if not public:
        return row
    return row._replace(reason="" if row.restricted else scrub(row.reason), title=scrub(row.title))


def withheld_row(row: ActionRow, public: bool) -> bool:
    """Whether the public version left this row's commentary out because its author restricted it."""
    return public and row.restricted and bool(row.reason)
