"""Reminders (nudges, escalations, quarter-close reminders) as Adaptive Cards with one-click answers.

A one-action reminder carries "Still <colour>" as a Universal Action (``Action.Execute``): Teams sends
its ``verb`` and ``data`` back as an ``adaptiveCard/action`` invoke, and the data name the reminder by
themselves (its key, the action, the colour offered), so any planbot process can answer the click
without remembering what it sent. Beside it, "Update…" opens the update dialog as every other Update
button does. After a click, ``answered_card`` is what the person who clicked sees in place of the
reminder (and, when the click stored an update, what everyone sees once the message is edited).
Every word comes from the core (``commands.nudges``, ``commands.reconfirm``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.teams.cards import reply_card
from bot.teams.dialog import update_button
from commands.model import Reply
from commands.nudges import UPDATE_BUTTON, DirectMessage, still_label
from commands.reconfirm import ReconfirmRequest
from commands.rules import DEFAULT_SCHEME, RagScheme

STILL_VERB = "planbot.still"
"""The ``verb`` of a reminder's "Still <colour>" button."""
REMINDER, ACTION, STATUS = "reminder", "action", "status"
"""The keys of its ``data``: the reminder's key ("V9:2018-12-03"), the action's code and the colour kept."""


def reminder_card(message: DirectMessage, scheme: RagScheme = DEFAULT_SCHEME) -> dict[str, Any]:
    """The reminder's text as the core wrote it, with "Still <colour>" (when the action has a colour
    to keep) and "Update…" under a one-action reminder; a quarter-close list has no buttons."""
    card = reply_card(message.reply, scheme)
    if message.action_code is None:
        return card
    actions = []
    if message.status is not None:
        data = {REMINDER: message.period_key, ACTION: message.action_code, STATUS: message.status}
        title = still_label(scheme.label(message.status))
        actions.append({"type": "Action.Execute", "title": title, "verb": STILL_VERB, "data": data})
    actions.append(update_button(message.action_code, title=UPDATE_BUTTON))
    card["actions"] = [*card.get("actions", []), *actions]
    return card


def still_request(verb: object, data: object) -> ReconfirmRequest | None:
    """The re-confirmation a click asks for, or ``None`` when it is not a "Still <colour>" click
    planbot made (another verb, or data that do not name one action's reminder consistently)."""
    if verb != STILL_VERB or not isinstance(data, Mapping):
        return None
    key, code, status = (data.get(name) for name in (REMINDER, ACTION, STATUS))
    if not all(isinstance(value, str) and value for value in (key, code, status)):
        return None
    request = ReconfirmRequest(str(key), str(status))
    return request if request.action_id == code else None


def answered_card(reply: Reply, action_code: str | None, scheme: RagScheme = DEFAULT_SCHEME) -> dict[str, Any]:
    """What replaces the reminder after a click: the core's answer (stored, or why not), and "Update…"
    for the action, which still works whatever the click did."""
    card = reply_card(reply, scheme)
    if action_code is not None:
        card["actions"] = [*card.get("actions", []), update_button(action_code, title=UPDATE_BUTTON)]
    return card
