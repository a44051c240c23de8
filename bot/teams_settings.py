"""Microsoft Teams' settings, from ``PLANBOT_TEAMS_*`` (docs/teams-setup.md): read and checked at start.

These exact names are the interface a force's deployment is written against, so they never change.
Teams is configured when ``PLANBOT_TEAMS_APP_ID`` is set; the secret and the tenant must then be set
too, or planbot stops at start naming the one that is missing (rather than answering every Teams
request with 401 because no token can be obtained).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.schedule_settings import BadSetting

BOT_FRAMEWORK_JWKS_URL = "https://login.botframework.com/v1/.well-known/keys"
AUTHORITY_HOST = "https://login.microsoftonline.com"
TENANT_FORM = "the force's Entra tenant id, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47"
APP_ID_FORM = "the bot's Entra application (client) id, a GUID"
URL_FORM = "an https:// URL (http:// only for a host on this machine)"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class MissingSetting(BadSetting):
    """A variable Teams needs is not set; the message says which, and what it holds."""

    def __init__(self, name: str, what: str) -> None:
        ValueError.__init__(self, f"{name} is not set; Teams needs it beside PLANBOT_TEAMS_APP_ID ({what}).")


@dataclass(frozen=True)
class TeamsSettings:
    """The bot's Entra identity and where its tokens and keys come from. The secret is never printed."""

    app_id: str
    app_password: str
    tenant_id: str
    allowed_tenants: tuple[str, ...]
    authority: str
    jwks_url: str

    def allows(self, tenant_id: str | None) -> bool:
        """Whether an activity from ``tenant_id`` may be read: the force's own tenant, or one the list adds."""
        return bool(tenant_id) and str(tenant_id).lower() in self.allowed_tenants

    def __repr__(self) -> str:
        return (
            f"TeamsSettings(app_id={self.app_id!r}, app_password=set, tenant_id={self.tenant_id!r}, "
            f"allowed_tenants={self.allowed_tenants!r}, authority={self.authority!r}, jwks_url={self.jwks_url!r})"
        )


def teams_from_env(env: Mapping[str, str]) -> TeamsSettings | None:
    """Teams' settings, or ``None`` when ``PLANBOT_TEAMS_APP_ID`` is not set (Teams is not configured).

    Raises:
        BadSetting: a variable is missing or not in the form it takes; the message names it.
    """

    def get(name: str) -> str:
        return env.get(name, "").strip()

    app_id = get("PLANBOT_TEAMS_APP_ID")
    if not app_id:
        return None
    _require(app_id, "PLANBOT_TEAMS_APP_ID", APP_ID_FORM)
    password = get("PLANBOT_TEAMS_APP_PASSWORD")
    if not password:
        raise MissingSetting("PLANBOT_TEAMS_APP_PASSWORD", "the client secret of the bot's Entra app")
    tenant = get("PLANBOT_TEAMS_TENANT_ID")
    if not tenant:
        raise MissingSetting("PLANBOT_TEAMS_TENANT_ID", TENANT_FORM)
    _require(tenant, "PLANBOT_TEAMS_TENANT_ID", TENANT_FORM)
    extra = tuple(part.strip() for part in get("PLANBOT_TEAMS_ALLOWED_TENANTS").split(",") if part.strip())
    for other in extra:
        _require(other, "PLANBOT_TEAMS_ALLOWED_TENANTS", f"comma-separated tenant ids; {other!r} is not one")
    authority = get("PLANBOT_TEAMS_AUTHORITY") or f"{AUTHORITY_HOST}/{tenant.lower()}"
    jwks_url = get("PLANBOT_TEAMS_JWKS_URL") or BOT_FRAMEWORK_JWKS_URL
    for name, url in (("PLANBOT_TEAMS_AUTHORITY", authority), ("PLANBOT_TEAMS_JWKS_URL", jwks_url)):
        _require_url(name, url)
    allowed = tuple(dict.fromkeys(t.lower() for t in (tenant, *extra)))
    return TeamsSettings(app_id, password, tenant.lower(), allowed, authority.rstrip("/"), jwks_url)


def _require(value: str, name: str, form: str) -> None:
    if not _GUID.fullmatch(value):
        raise BadSetting(name, value, form)


def _require_url(name: str, url: str) -> None:
    local = url.startswith("http://") and url[len("http://") :].startswith(_LOCAL_HOSTS)
    if not (url.startswith("https://") or local):
        raise BadSetting(name, url, URL_FORM)
