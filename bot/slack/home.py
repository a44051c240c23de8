"""The Home tab: the viewer's own actions with an "Update" button each, then the plan by theme.

A Home view holds at most 100 blocks, so the page keeps a fixed number for its headings, one per
theme, and gives the rest to the viewer's actions, most urgent first (update overdue, then the
action itself overdue, then update due soon); when they have more than fit, the page says how
many more there are and where to see them all (``/rag mine``). Everything shown is escaped.
"""

from __future__ import annotations

from typing import Any

from bot.slack.limits import MAX_HEADER_TEXT, MAX_SECTION_TEXT, MAX_VIEW_BLOCKS
from bot.slack.render import clip, escape
from bot.slack.report_parts import mrkdwn
from commands.home import HomeView, OwnAction
from commands.layout import status_cell
from commands.rag_views import timing_text
from commands.report_layout import counts, directions
from commands.rules import DEFAULT_SCHEME, RagScheme, UpdateTiming, show_date

UPDATE_ACTION = "home_update"
PREVIEW_DIGEST_ACTION = "home_preview_digest"
MAX_TITLE = 80
# Header, summary, divider, themes header, admin actions, the "more" note and a spare.
FIXED_BLOCKS = 7
MAX_THEMES_SHOWN = 40


def home_view_blocks(view: HomeView, scheme: RagScheme = DEFAULT_SCHEME) -> dict[str, Any]:
    """The ``views.publish`` view for one person."""
    title = f"planbot · {view.plan_name}" if view.plan_name else "planbot"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(clip(title, MAX_HEADER_TEXT))}]
    if view.plan_name is None:
        blocks.append(_section("No plan is loaded yet. An admin can load one with `planbot plan import FILE`."))
        return {"type": "home", "blocks": blocks}
    themes = view.themes[:MAX_THEMES_SHOWN]
    room = MAX_VIEW_BLOCKS - FIXED_BLOCKS - len(themes)
    own = sorted(view.own, key=_urgency)
    blocks.append(_section(_own_summary(view.own)))
    blocks += [_own_block(action, scheme) for action in own[:room]]
    if len(own) > room:
        blocks.append(_context(f"…and {len(own) - room} more of your actions; /rag mine lists them all."))
    blocks += [{"type": "divider"}, _section("*The plan by theme*")]
    for block in themes:
        travel = directions(block.rows) or "no change reported"
        text = f"*{escape(block.code)} {escape(block.name)}*\n{mrkdwn(counts(block.counts, scheme))}\n{travel}"
        blocks.append(_section(text))
    if view.is_admin:
        button = {"type": "button", "text": _plain("Preview digest"), "action_id": PREVIEW_DIGEST_ACTION}
        blocks.append({"type": "actions", "elements": [button]})
    return {"type": "home", "blocks": blocks}


def _urgency(action: OwnAction) -> int:
    """Update overdue first, then the action itself overdue, then update due soon, then the rest."""
    if action.timing is UpdateTiming.OVERDUE:
        return 0
    if action.overdue:
        return 1
    return 2 if action.timing is UpdateTiming.DUE_SOON else 3


def _own_summary(own: tuple[OwnAction, ...]) -> str:
    if not own:
        return (
            "*Your actions*\nYou have no open actions as owner, delegate or SRO. Anyone can look at one with /rag V9."
        )
    late = sum(1 for a in own if a.timing is UpdateTiming.OVERDUE)
    soon = sum(1 for a in own if a.timing is UpdateTiming.DUE_SOON)
    overdue = sum(1 for a in own if a.overdue)
    return (
        f"*Your actions ({len(own)})*\nUpdates overdue: {late} · due soon: {soon} · "
        f"actions past their due date: {overdue}"
    )


def _own_block(action: OwnAction, scheme: RagScheme) -> dict[str, Any]:
    if action.updated is None:
        age = "no update yet; first update due now"
    else:
        days = "today" if action.age_days == 0 else f"{action.age_days} days ago"
        age = f"updated {days} ({show_date(action.updated)})"
        if action.update_due is not None and action.timing is not None:
            age += f" · {timing_text(action.timing, action.update_due, action.cadence)}"
    due = f"overdue since {show_date(action.due)}" if action.overdue else f"due {show_date(action.due)}"
    text = (
        f"*{escape(action.code)}* {mrkdwn((status_cell(action.status, scheme),))} · {age} · action {due}\n"
        f"{clip(escape(action.title), MAX_TITLE)}"
    )
    button = {"type": "button", "text": _plain("Update"), "action_id": UPDATE_ACTION, "value": action.code}
    return {**_section(text), "accessory": button}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT), "verbatim": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(text)}]}


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}
