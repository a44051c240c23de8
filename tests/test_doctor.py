"""``planbot doctor`` against the local fake Slack Web API, which answers each failure in turn."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from rich.console import Console
from support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

from bot.cli import main
from bot.config import Settings
from bot.doctor import run_doctor
from bot.slack.doctor_checks import manifest_scopes
from storage.db import make_engine, session_scope
from storage.migrate import head_revision
from storage.models import ChannelSubscription

COORDINATION = "C0PCPCOORD"
GOVERNANCE = "C0GOVERN01"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    server.channels[COORDINATION] = {"name": "pcp-coordination", "is_member": True}
    server.channels[GOVERNANCE] = {"name": "governance", "is_member": True}
    yield server
    server.stop()


@pytest.fixture
def upgraded(migrated_db_url: str) -> str:
    """A database at the newest revision with the coordination channel subscribed to the digest."""
    engine = make_engine(migrated_db_url)
    with session_scope(engine) as session:
        session.add(
            ChannelSubscription(channel=COORDINATION, job="weekly", created_at=dt.datetime(2018, 6, 1), created_by="t")
        )
    engine.dispose()
    return migrated_db_url


def doctor(settings: Settings) -> tuple[int, str]:
    out = io.StringIO()
    code = run_doctor(settings, Console(file=out, width=400, color_system=None))
    return code, out.getvalue()


def settings_for(db_url: str, fake: FakeSlack, **changes: object) -> Settings:
    values: dict[str, object] = {
        "database_url": db_url,
        "slack_bot_token": BOT_TOKEN,
        "slack_app_token": APP_TOKEN,
        "slack_api_url": fake.api_url,
        "quarterly_channels": (GOVERNANCE,),
    }
    return Settings(**{**values, **changes})  # type: ignore[arg-type]


def rows(output: str, status: str) -> list[str]:
    return [line for line in output.splitlines() if f" {status} " in line]


def test_all_fine_exits_zero(upgraded, fake):
    code, output = doctor(settings_for(upgraded, fake))

    assert 0 == code, output
    assert [] == rows(output, "FIX")
    assert "Everything planbot needs is in place." in output
    assert "#pcp-coordination" in output and "receives the weekly digest; planbot is a member" in output
    assert "#governance" in output and f"({head_revision()})" in output
    assert "apps.connections.open" in [call.method for call in fake.calls]


def test_invalid_token(upgraded, fake):
    fake.failures["auth.test"] = {"error": "invalid_auth"}
    code, output = doctor(settings_for(upgraded, fake))
    assert 1 == code
    [row] = rows(output, "FIX")
    assert "Bot token (auth.test)" in row and "reinstall the app" in row


def test_missing_scopes(upgraded, fake):
    fake.scopes = ",".join(scope for scope in manifest_scopes() if scope not in ("im:write", "users:read.email"))
    code, output = doctor(settings_for(upgraded, fake))
    assert 1 == code
    [row] = rows(output, "FIX")
    assert "Scopes" in row and "The token lacks im:write and users:read.email" in row


def test_not_a_member_of_a_subscribed_channel(upgraded, fake):
    fake.channels[COORDINATION]["is_member"] = False
    del fake.channels[GOVERNANCE]
    code, output = doctor(settings_for(upgraded, fake))
    assert 1 == code
    member, missing = rows(output, "FIX")
    assert "Invite @planbot to #pcp-coordination: open the channel and type /invite @planbot." in member
    assert f"Channel {GOVERNANCE}" in missing and "planbot cannot find" in missing


def test_database_behind_head(empty_db_url, fake):
    code, output = doctor(settings_for(empty_db_url, fake))
    assert 1 == code
    [row] = rows(output, "FIX")
    assert "Migrations" in row and "has no planbot tables" in row and "run planbot db upgrade" in row
    assert "#governance" in output  # configured channels are still checked


def test_missing_tokens_name_the_variables(upgraded, fake):
    code, output = doctor(settings_for(upgraded, fake, slack_bot_token=None, slack_app_token=None))
    assert 1 == code
    token, mode = rows(output, "FIX")
    assert "SLACK_BOT_TOKEN is not set" in token
    assert "Neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set" in mode
    assert [] == fake.calls


def test_unreachable_database(tmp_path, fake):
    code, output = doctor(settings_for(f"sqlite:///{tmp_path}/missing/dir/planbot.db", fake))
    assert 1 == code
    assert "Check DATABASE_URL" in rows(output, "FIX")[0]


def test_planbot_doctor_command(upgraded, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", upgraded)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert 1 == main(["doctor"])
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().out
