"""``planbot doctor`` on a Teams deployment, against a local HTTPS token authority (no Microsoft cloud).

The authority is ``support.fake_authority.FakeAuthority``: MSAL's real client-credentials grant runs
against it over TLS, trusting its throw-away CA through ``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE``.
Every test reads the printed table as a person would.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from support.fake_authority import FakeAuthority
from support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

from bot.cli import main
from bot.config import Settings
from bot.doctor import run_doctor
from bot.teams_settings import teams_from_env

APP_ID = "3f2b8c1e-7d4a-4e9b-9c1d-0a5e6f7b8c9d"
OTHER_APP_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
PARTNER_TENANT = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
SECRET = "Qx8~northshire-secret-value"


@pytest.fixture
def authority(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeAuthority]:
    """The fake authority, trusted, with the test run from an empty folder (no package lying about)."""
    fake = FakeAuthority(APP_ID, SECRET, tenant_id=TENANT).start()
    for name, value in fake.trust_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    yield fake
    fake.stop()


def teams_env(fake: FakeAuthority, **changes: str) -> dict[str, str]:
    env = {
        "PLANBOT_TEAMS_APP_ID": APP_ID,
        "PLANBOT_TEAMS_APP_PASSWORD": SECRET,
        "PLANBOT_TEAMS_TENANT_ID": TENANT,
        "PLANBOT_TEAMS_ALLOWED_TENANTS": PARTNER_TENANT,
        "PLANBOT_TEAMS_AUTHORITY": fake.url,
        "PLANBOT_TEAMS_JWKS_URL": fake.jwks_url,
    }
    return {**env, **changes}


def doctor(db_url: str, env: dict[str, str], package: Path | None = None) -> tuple[int, str]:
    """A Teams-only deployment (no Slack variable set) checked by ``run_doctor``."""
    settings = Settings(database_url=db_url, teams=teams_from_env(env))
    out = io.StringIO()
    code = run_doctor(settings, Console(file=out, width=400, color_system=None), teams_package=package)
    return code, out.getvalue()


def table(output: str) -> list[tuple[str, str, str]]:
    """The doctor's table as (check, status, detail) rows, a detail wrapped over lines read back whole."""
    found: list[list[str]] = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) != 3 or cells == ["check", "status", "detail, and what to do"]:
            continue
        if cells[0]:
            found.append(cells)
        elif found:
            found[-1] = [f"{old} {new}".strip() for old, new in zip(found[-1], cells, strict=True)]
    return [(name, status, detail) for name, status, detail in found]


def rows(output: str, status: str) -> list[str]:
    """Every row marked ``status``, as one line: check, status, detail."""
    return [f"{name} {mark} {detail}" for name, mark, detail in table(output) if mark == status]


def row(output: str, name: str) -> str:
    [found] = [f"{check} {mark} {detail}" for check, mark, detail in table(output) if check.startswith(name)]
    return found


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestTeamsOnly:
    def test_all_fine_exits_zero_and_slack_is_not_asked_for(self, migrated_db_url, authority):
        """Right id and secret: a token, the keys, every Teams row OK, and Slack is not marked to fix."""
        code, output = doctor(migrated_db_url, teams_env(authority))

        assert 0 == code, output
        assert [] == rows(output, "FIX")
        assert "Everything planbot needs is in place." in output
        assert " OK " in row(output, "Teams token (authority)")
        assert "answers with 1 key(s)" in row(output, "Teams signing keys (JWKS)")
        assert "this deployment serves Teams" in row(output, "Slack")
        assert "SLACK_BOT_TOKEN" not in output

    def test_settings_shown_and_secret_never(self, migrated_db_url, authority):
        """The settings row names the app, the tenants, the authority and the JWKS URL; not the secret."""
        _, output = doctor(migrated_db_url, teams_env(authority))

        settings = row(output, "Teams settings")
        for shown in (APP_ID, TENANT, PARTNER_TENANT, authority.url, authority.jwks_url):
            assert shown in settings
        assert SECRET not in output

    def test_asks_the_authority_only_what_msal_needs(self, migrated_db_url, authority):
        """Discovery, then one client-credentials request for the Bot Framework scope (teams-platform.md §10)."""
        doctor(migrated_db_url, teams_env(authority))

        calls = [(r.method, r.path) for r in authority.requests]
        assert [
            ("GET", "/adfs/.well-known/openid-configuration"),
            ("POST", "/adfs/oauth2/token"),
            ("GET", "/keys"),
        ] == calls
        token_request = authority.requests[1].form
        assert ("client_credentials", APP_ID) == (token_request["grant_type"], token_request["client_id"])
        assert "https://api.botframework.com/.default" in token_request["scope"].split()
        assert ["fake-access-token-1"] == authority.issued

    def test_slack_channels_without_slack_are_a_warning(self, migrated_db_url, authority):
        """Slack channels set to receive posts on a Teams-only deployment: WARN, not FIX."""
        settings = Settings(
            database_url=migrated_db_url, digest_channels=("C0PCPCOORD",), teams=teams_from_env(teams_env(authority))
        )
        out = io.StringIO()

        code = run_doctor(settings, Console(file=out, width=400, color_system=None))

        assert 0 == code
        warning = row(out.getvalue(), "Slack")
        assert " WARN " in warning and "C0PCPCOORD" in warning and "SLACK_BOT_TOKEN" in warning


class TestToken:
    def test_wrong_secret(self, migrated_db_url, authority):
        """AADSTS7000215: the fix names PLANBOT_TEAMS_APP_PASSWORD and where a new secret is made."""
        wrong = "not-the-secret"
        code, output = doctor(migrated_db_url, teams_env(authority, PLANBOT_TEAMS_APP_PASSWORD=wrong))

        assert 1 == code
        [fix] = rows(output, "FIX")
        assert "Teams token (authority)" in fix and "AADSTS7000215" in fix
        assert "put its Value, not its Secret ID, in PLANBOT_TEAMS_APP_PASSWORD" in fix
        assert wrong not in output

    def test_wrong_app_id(self, migrated_db_url, authority):
        """AADSTS700016: the app id is not in the tenant; the fix names PLANBOT_TEAMS_APP_ID."""
        code, output = doctor(migrated_db_url, teams_env(authority, PLANBOT_TEAMS_APP_ID=OTHER_APP_ID))

        assert 1 == code
        [fix] = rows(output, "FIX")
        assert "AADSTS700016" in fix and "PLANBOT_TEAMS_APP_ID must be the Application (client) ID" in fix

    def test_unknown_tenant(self, migrated_db_url, authority):
        """Discovery refused with AADSTS90002 (tenant not found): the fix names PLANBOT_TEAMS_TENANT_ID."""
        authority.failures["/adfs/.well-known/openid-configuration"] = (
            400,
            {"error": "invalid_tenant", "error_description": f"AADSTS90002: Tenant '{TENANT}' not found."},
        )
        code, output = doctor(migrated_db_url, teams_env(authority))

        assert 1 == code
        [fix] = rows(output, "FIX")
        assert "AADSTS90002" in fix and "PLANBOT_TEAMS_TENANT_ID must be the Directory (tenant) ID" in fix

    def test_authority_unreachable(self, migrated_db_url, authority):
        """Nothing listening at the authority: the fix names PLANBOT_TEAMS_AUTHORITY."""
        nowhere = f"https://127.0.0.1:{closed_port()}/adfs"
        code, output = doctor(migrated_db_url, teams_env(authority, PLANBOT_TEAMS_AUTHORITY=nowhere))

        assert 1 == code
        [fix] = rows(output, "FIX")
        assert f"Could not reach {nowhere} (Connection refused)" in fix and "Check PLANBOT_TEAMS_AUTHORITY" in fix

    def test_untrusted_certificate(self, migrated_db_url, authority, monkeypatch):
        """The authority's CA not trusted: the fix says how to trust a private CA."""
        monkeypatch.delenv("REQUESTS_CA_BUNDLE")
        monkeypatch.delenv("SSL_CERT_FILE")
        code, output = doctor(migrated_db_url, teams_env(authority))

        assert 1 == code
        token, keys = rows(output, "FIX")
        assert "Could not verify the certificate" in token and "REQUESTS_CA_BUNDLE" in token
        assert "PLANBOT_TEAMS_JWKS_URL" in keys


class TestSigningKeys:
    def test_jwks_unreachable(self, migrated_db_url, authority):
        """No JWKS where PLANBOT_TEAMS_JWKS_URL points: FIX naming it (every message would be a 401)."""
        nowhere = f"https://127.0.0.1:{closed_port()}/keys"
        code, output = doctor(migrated_db_url, teams_env(authority, PLANBOT_TEAMS_JWKS_URL=nowhere))

        assert 1 == code
        [fix] = rows(output, "FIX")
        assert f"Could not read {nowhere}" in fix and "Check PLANBOT_TEAMS_JWKS_URL" in fix

    def test_jwks_without_keys(self, migrated_db_url, authority):
        """A JWKS answer with no keys is as bad as none."""
        authority.failures["/keys"] = (200, {"keys": []})
        code, output = doctor(migrated_db_url, teams_env(authority))

        assert 1 == code
        [fix] = rows(output, "FIX")
        assert "did not answer with signing keys" in fix and "PLANBOT_TEAMS_JWKS_URL" in fix


class TestPackage:
    def test_no_package_here(self, migrated_db_url, authority):
        """Without a package file, doctor says which bot id the package command writes."""
        _, output = doctor(migrated_db_url, teams_env(authority))

        assert " OK " in row(output, "Teams app package") and f"writes bot id {APP_ID}" in output

    def test_package_for_this_bot(self, migrated_db_url, authority, monkeypatch, tmp_path):
        """The package built in the working directory is found and matches the settings."""
        monkeypatch.setenv("PLANBOT_TEAMS_APP_ID", APP_ID)
        assert 0 == main(["teams", "package", "--website", "https://www.northshire-pcc.example.gov.uk/"])

        code, output = doctor(migrated_db_url, teams_env(authority))

        assert 0 == code, output
        assert "planbot-teams.zip is for bot" in row(output, "Teams app package")

    def test_package_for_another_bot(self, migrated_db_url, authority, monkeypatch, tmp_path):
        """A package built for another app id: FIX, rebuild and upload again."""
        monkeypatch.setenv("PLANBOT_TEAMS_APP_ID", OTHER_APP_ID)
        assert 0 == main(["teams", "package", "--output", "old.zip"])

        code, output = doctor(migrated_db_url, teams_env(authority), package=tmp_path / "old.zip")

        assert 1 == code
        [fix] = rows(output, "FIX")
        assert f"is for bot {OTHER_APP_ID} but PLANBOT_TEAMS_APP_ID is {APP_ID}" in fix
        assert "planbot teams package --force" in fix

    def test_given_package_missing_or_not_a_package(self, migrated_db_url, authority, tmp_path):
        """A --teams-package that does not exist, or is not a zip, is a FIX saying so."""
        (tmp_path / "notes.zip").write_text("not a zip", encoding="utf-8")

        _, missing = doctor(migrated_db_url, teams_env(authority), package=tmp_path / "nowhere.zip")
        _, broken = doctor(migrated_db_url, teams_env(authority), package=tmp_path / "notes.zip")

        assert "does not exist" in rows(missing, "FIX")[0]
        assert "is not a zip file" in rows(broken, "FIX")[0]

    def test_planbot_doctor_command_with_teams_package(self, migrated_db_url, authority, monkeypatch, tmp_path, capsys):
        """``planbot doctor --teams-package FILE`` from the environment, as an operator runs it."""
        for name, value in teams_env(authority).items():
            monkeypatch.setenv(name, value)
        for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DATABASE_URL", migrated_db_url)
        monkeypatch.setenv("COLUMNS", "400")
        assert 0 == main(["teams", "package", "--output", "northshire.zip"])

        assert 0 == main(["doctor", "--teams-package", "northshire.zip"])

        out = capsys.readouterr().out
        assert "northshire.zip is for bot" in out and "Everything planbot needs is in place." in out


def test_slack_and_teams_together(migrated_db_url, authority):
    """Both configured: Slack's own checks run (against the fake Web API) beside Teams' rows."""
    slack = FakeSlack().start()
    try:
        settings = Settings(
            database_url=migrated_db_url,
            slack_bot_token=BOT_TOKEN,
            slack_app_token=APP_TOKEN,
            slack_api_url=slack.api_url,
            teams=teams_from_env(teams_env(authority)),
        )
        out = io.StringIO()
        code = run_doctor(settings, Console(file=out, width=400, color_system=None))
    finally:
        slack.stop()

    output = out.getvalue()
    assert 0 == code, output
    names = [name for name, _, _ in table(output)]
    assert {"Bot token (auth.test)", "Connection mode", "Teams token (authority)", "Teams app package"} <= set(names)
    assert "Slack" not in names
