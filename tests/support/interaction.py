"""Interaction payloads (block_actions, view_submission, block_suggestion) and app_home_opened, shaped
as Slack sends them (slack-platform.md §3), signed and posted over HTTP to the served app."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from test_plan_command import send_event

from support.fake_slack import TEAM_ID, FakeSlack, SlackUser
from support.slash import Answer, post, signed_headers

ACK_SECONDS = 3.0
_ids = itertools.count(1)


def send_interaction(url: str, payload: dict[str, Any]) -> Answer:
    """Post ``payload=<json>`` form-encoded and signed, as Slack posts every interaction."""
    body = urlencode({"payload": json.dumps(payload)})
    answer = post(url, body, signed_headers(body))
    assert 200 == answer.status, answer.body
    assert answer.seconds < ACK_SECONDS
    return answer


def _user(user: SlackUser) -> dict[str, str]:
    return {"id": user.id, "username": user.name.lower().replace(" ", "."), "name": user.name, "team_id": TEAM_ID}


def _trigger() -> str:
    n = next(_ids)
    return f"{n}.{TEAM_ID}.{n:032x}"


def click(
    url: str,
    fake_slack: FakeSlack,
    user: SlackUser,
    action_id: str,
    value: str,
    *,
    message: dict[str, Any] | None = None,
) -> Answer:
    """Click a button: on a message (``message`` given, with its channel) or on the Home tab."""
    action = {
        "action_id": action_id,
        "block_id": f"b{next(_ids)}",
        "text": {"type": "plain_text", "text": "button", "emoji": True},
        "value": value,
        "type": "button",
        "action_ts": f"{time.time():.6f}",
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": "APLANBOT",
        "token": "deprecated-verification-token",
        "trigger_id": _trigger(),
        "team": {"id": TEAM_ID, "domain": "opcc"},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [action],
    }
    if message is not None:
        channel = message["channel"]
        payload |= {
            "container": {"type": "message", "message_ts": "1529000000.000001", "channel_id": channel},
            "channel": {"id": channel, "name": "directmessage"},
            "message": {"type": "message", "ts": "1529000000.000001", "text": message["text"], "blocks": []},
            "response_url": fake_slack.response_url(f"{user.id}-{next(_ids)}"),
        }
    else:
        payload |= {
            "container": {"type": "view", "view_id": "VHOME0001"},
            "view": {"id": "VHOME0001", "type": "home", "blocks": [], "state": {"values": {}}},
        }
    return send_interaction(url, payload)


def submit_view(url: str, user: SlackUser, view: dict[str, Any], values: dict[str, dict[str, Any]]) -> Answer:
    """Submit the modal ``view`` (as views.open received it) with ``values`` as its state."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "opcc"},
        "user": _user(user),
        "api_app_id": "APLANBOT",
        "token": "deprecated-verification-token",
        "trigger_id": _trigger(),
        "view": {
            "id": "VMODAL0001",
            "team_id": TEAM_ID,
            "app_id": "APLANBOT",
            "bot_id": "BPLANBOT",
            "hash": "1529000000.abcdef",
            "private_metadata": "",
            "state": {"values": values},
            **view,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return send_interaction(url, payload)


def suggest(url: str, user: SlackUser, typed: str) -> Answer:
    """What Slack posts as someone types in an external select (block_suggestion)."""
    payload = {
        "type": "block_suggestion",
        "user": _user(user),
        "container": {"type": "view", "view_id": "VMODAL0001"},
        "api_app_id": "APLANBOT",
        "token": "deprecated-verification-token",
        "action_id": "action",
        "block_id": "action",
        "value": typed,
        "team": {"id": TEAM_ID, "domain": "opcc"},
        "view": {"id": "VMODAL0001", "type": "modal", "callback_id": "rag_update", "state": {"values": {}}},
    }
    return send_interaction(url, payload)


def open_home(url: str, user: SlackUser, tab: str = "home") -> None:
    """The app_home_opened event Slack sends when someone opens planbot's Home (or Messages) tab."""
    send_event(
        url,
        {
            "type": "app_home_opened",
            "user": user.id,
            "channel": f"D{user.id}",
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        },
    )


def form_values(
    action: str | None,
    colour: str | None,
    reason: str = "",
    proposed: str | None = None,
    options: tuple[str, ...] = (),
    mitigation: str = "",
    outcome: str = "",
) -> dict[str, dict[str, Any]]:
    """``view.state.values`` for the update modal, keyed by block id then action id."""
    return {
        "action": {"action": {"type": "static_select", "selected_option": _option(action) if action else None}},
        "colour": {"colour": {"type": "radio_buttons", "selected_option": _option(colour) if colour else None}},
        "reason": {"reason": {"type": "plain_text_input", "value": reason or None}},
        "mitigation": {"mitigation": {"type": "plain_text_input", "value": mitigation or None}},
        "outcome": {"outcome": {"type": "plain_text_input", "value": outcome or None}},
        "proposed_due": {"proposed_due": {"type": "datepicker", "selected_date": proposed}},
        "options": {"options": {"type": "checkboxes", "selected_options": [_option(o) for o in options]}},
    }


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
