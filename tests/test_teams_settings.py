"""The PLANBOT_TEAMS_* settings: read at start, each mistake named with the variable to fix."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.schedule_settings import BadSetting
from bot.teams_settings import BOT_FRAMEWORK_JWKS_URL

APP = "6a1e5c1e-0000-4000-8000-00000000b0a7"
TENANT = "0B1F0000-0000-4000-8000-000000000001"
OTHER = "0b1f0000-0000-4000-8000-0000000000ee"
BASE = {"PLANBOT_TEAMS_APP_ID": APP, "PLANBOT_TEAMS_APP_PASSWORD": "s3cret", "PLANBOT_TEAMS_TENANT_ID": TENANT}


def test_teams_is_off_without_an_app_id() -> None:
    assert Settings.from_env({}).teams is None


def test_defaults_follow_the_tenant() -> None:
    teams = Settings.from_env(BASE).teams

    assert teams is not None
    assert f"https://login.microsoftonline.com/{TENANT.lower()}" == teams.authority
    assert BOT_FRAMEWORK_JWKS_URL == teams.jwks_url
    assert teams.allows(TENANT) and not teams.allows(OTHER) and not teams.allows(None)
    assert "s3cret" not in repr(teams) and "s3cret" not in repr(Settings.from_env(BASE))


def test_the_allow_list_adds_tenants_to_the_forces_own() -> None:
    teams = Settings.from_env(BASE | {"PLANBOT_TEAMS_ALLOWED_TENANTS": f" {OTHER.upper()} ,"}).teams

    assert teams is not None
    assert teams.allows(OTHER) and teams.allows(TENANT)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"PLANBOT_TEAMS_APP_PASSWORD": ""}, "PLANBOT_TEAMS_APP_PASSWORD is not set"),
        ({"PLANBOT_TEAMS_TENANT_ID": ""}, "PLANBOT_TEAMS_TENANT_ID is not set"),
        ({"PLANBOT_TEAMS_TENANT_ID": "contoso.onmicrosoft.com"}, "PLANBOT_TEAMS_TENANT_ID"),
        ({"PLANBOT_TEAMS_APP_ID": "planbot"}, "PLANBOT_TEAMS_APP_ID"),
        ({"PLANBOT_TEAMS_ALLOWED_TENANTS": "everyone"}, "PLANBOT_TEAMS_ALLOWED_TENANTS"),
        ({"PLANBOT_TEAMS_JWKS_URL": "http://keys.example.org/keys"}, "PLANBOT_TEAMS_JWKS_URL"),
        ({"PLANBOT_TEAMS_AUTHORITY": "ftp://login.example.org"}, "PLANBOT_TEAMS_AUTHORITY"),
    ],
)
def test_a_mistake_names_its_variable(change: dict[str, str], named: str) -> None:
    with pytest.raises(BadSetting, match=named):
        Settings.from_env(BASE | change)


def test_planbot_stops_at_start_naming_the_variable(monkeypatch, tmp_path, capsys) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANBOT_TEAMS_APP_ID", APP)
    monkeypatch.delenv("PLANBOT_TEAMS_APP_PASSWORD", raising=False)

    assert 2 == main(["serve", "--http", "--port", "0"])
    assert "PLANBOT_TEAMS_APP_PASSWORD is not set" in capsys.readouterr().err
