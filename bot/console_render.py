"""Core replies as rich renderables for the terminal (``planbot console`` and ``planbot demo``).

The terminal is where people try planbot before Slack, and where a demo is read in a log file, so
a status is always written as its word (from the RAG scheme) and colour only ever adds to it:
output piped to a file or read by someone colour-blind loses nothing.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from commands.model import Line, Reply, Section
from commands.rules import DEFAULT_SCHEME, RagScheme
from commands.text import safe_copy, safe_display

# How the terminal paints each colour a plan's scheme may use (``commands.rag_scheme.COLOURS``).
STATUS_COLOURS = {"R": "red", "A": "yellow", "Y": "bright_yellow", "G": "green", "B": "blue"}
NOT_REPORTED_STYLE = "italic"
REFUSED_STYLE = "red"
REFUSED_TITLE = "Not done"


def status_text(code: str | None, scheme: RagScheme = DEFAULT_SCHEME) -> Text:
    """A status as its word in its colour ("Not yet reported" for none)."""
    if code is None:
        return Text(scheme.label(code), style=NOT_REPORTED_STYLE)
    colour = STATUS_COLOURS.get(code)
    return Text(scheme.label(code), style=f"bold {colour}" if colour else "")


def render_reply(reply: Reply, scheme: RagScheme = DEFAULT_SCHEME) -> RenderableType:
    """A reply in a panel: sections under bold titles, statuses coloured; refusals framed in red.

    Stored text in it (reasons shown by ``/rag V9``) is made safe for the terminal first."""
    reply = safe_copy(reply)
    if not reply.ok:
        return Panel(Text(reply.text), title=REFUSED_TITLE, title_align="left", border_style=REFUSED_STYLE)
    body: RenderableType = Text(reply.text)
    if reply.sections:
        parts: list[RenderableType] = []
        for index, section in enumerate(reply.sections):
            if index:
                parts.append(Text())
            parts.extend(_section(section, scheme))
        body = Group(*parts)
    return Panel(body, border_style=STATUS_COLOURS.get(reply.status or "", "none"))


def render_announcement(announcement: str) -> Text:
    """What the bot would post for everyone to see once an update is stored."""
    return Text.assemble(("posted to the channel: ", "dim"), safe_display(announcement))


def render_direct_message(name: str, text: str) -> Text:
    """What the bot would send someone an admin change affects, by direct message."""
    return Text.assemble((f"direct message to {name}: ", "dim"), text)


def _section(section: Section, scheme: RagScheme) -> list[Text]:
    return [Text(section.title, style="bold"), *(_line(line, scheme) for line in section.lines)]


def _line(line: Line, scheme: RagScheme) -> Text:
    """A line with its status word coloured where the core wrote it, or put in front when it did not."""
    text = Text(line.text)
    if line.status is None:
        return text
    word = status_text(line.status, scheme)
    if text.highlight_words([word.plain], style=word.style) == 0:
        text = Text.assemble(word, " · ", text)
    return text
