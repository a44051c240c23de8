"""manifest.yml, which creates the Slack app, asks for what planbot's code relies on."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def test_manifest_declares_the_commands_scopes_and_events_planbot_uses() -> None:
    """An app created from the manifest gets /rag, Socket Mode and the scopes the listeners call Slack with."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))

    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"/rag", "/plan"} == set(commands)
    assert commands["/rag"]["should_escape"] is False
    assert {"commands", "chat:write", "users:read", "users:read.email"} <= scopes
    assert "im:history" in scopes  # Slack refuses a message.im subscription without it
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert {"app_home_opened", "app_mention", "message.im"} == set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )
    assert 174 <= len(manifest["display_information"]["long_description"]) <= 4000
