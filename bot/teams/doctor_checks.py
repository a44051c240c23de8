"""``planbot doctor``'s Teams checks: the settings, a token from the authority, the signing keys and
the app package's bot id.

Each check asks the question Teams traffic will depend on: MSAL's client-credentials grant for the
Bot Framework scope (what every reply and nudge needs), the JWKS that signs Teams' requests (what
every inbound message is checked against, fetched with PyJWT's client as the SDK does), and the bot
id in the package the admin uploads. A refusal is worded as what to change, naming the variable.
"""

from __future__ import annotations

import re
from pathlib import Path

import jwt
import msal
import requests

from bot.health import Check, Status
from bot.teams.package import DEFAULT_OUTPUT, package_bot_id
from bot.teams_settings import AUTHORITY_HOST, TeamsSettings

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
TIMEOUT_SECONDS = 10
REGISTRATION = "Entra admin center → App registrations → the bot's app"
_AADSTS = re.compile(r"AADSTS(\d+)")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def teams_checks(teams: TeamsSettings, package: Path | None = None) -> list[Check]:
    """Every Teams check, in the order a person would fix them.

    Args:
        teams: the ``PLANBOT_TEAMS_*`` settings.
        package: an app package to compare with the settings; ``None`` looks for the file
            ``planbot teams package`` writes by default in the working directory.
    """
    return [*settings_checks(teams), token_check(teams), jwks_check(teams), package_check(teams, package)]


def settings_checks(teams: TeamsSettings) -> list[Check]:
    """What planbot will use, secret left out; a WARN when the authority names another tenant."""
    others = [tenant for tenant in teams.allowed_tenants if tenant != teams.tenant_id]
    detail = (
        f"app id {teams.app_id}; tenant {teams.tenant_id}; also allowed: {', '.join(others) or 'no other tenant'}; "
        f"authority {teams.authority}; signing keys from {teams.jwks_url}; PLANBOT_TEAMS_APP_PASSWORD is set "
        "(never shown)"
    )
    checks = [Check("Teams settings", Status.OK, detail)]
    named = teams.authority.rstrip("/").rsplit("/", 1)[-1]
    if _GUID.fullmatch(named) and named.lower() != teams.tenant_id:
        checks.append(
            Check(
                "Teams authority",
                Status.WARN,
                f"PLANBOT_TEAMS_AUTHORITY names tenant {named} but PLANBOT_TEAMS_TENANT_ID is {teams.tenant_id}: "
                "tokens come from the authority's tenant, so make them the same (or leave PLANBOT_TEAMS_AUTHORITY "
                f"unset for {AUTHORITY_HOST}/<tenant id>).",
            )
        )
    return checks


def token_check(teams: TeamsSettings) -> Check:
    """A token for the Bot Framework from the authority, with the client secret (nothing is cached)."""
    name = "Teams token (authority)"
    try:
        app = msal.ConfidentialClientApplication(
            teams.app_id, client_credential=teams.app_password, authority=teams.authority, timeout=TIMEOUT_SECONDS
        )
        result = app.acquire_token_for_client(scopes=[BOT_FRAMEWORK_SCOPE])
    except requests.exceptions.SSLError as error:
        return Check(
            name,
            Status.FIX,
            f"Could not verify the certificate of {teams.authority} ({_reason(error)}). If it uses a private CA, "
            "point REQUESTS_CA_BUNDLE (or SSL_CERT_FILE) at that CA's file; otherwise check PLANBOT_TEAMS_AUTHORITY.",
        )
    except requests.exceptions.RequestException as error:
        return Check(name, Status.FIX, f"Could not reach {teams.authority} ({_reason(error)}). {_authority_fix(teams)}")
    except ValueError as error:
        # MSAL raises ValueError when discovery fails: a tenant the authority does not know, or no authority.
        # MSAL replaces the authority's answer with its own words; the answer (and its AADSTS code) is the context.
        code = _code(f"{error} {error.__context__ or ''}")
        if code is not None:
            return Check(name, Status.FIX, f"The authority answered AADSTS{code}. {_fix(code, teams)}")
        shown = str(error).splitlines()[0][:300]
        return Check(
            name,
            Status.FIX,
            f"{teams.authority} did not answer as a token authority ({shown}). {_authority_fix(teams)}",
        )
    except OSError as error:  # e.g. REQUESTS_CA_BUNDLE names a file that is not there
        return Check(
            name,
            Status.FIX,
            f"Could not call {teams.authority}: {error}. Check REQUESTS_CA_BUNDLE and SSL_CERT_FILE "
            "name a CA file that exists, or unset them.",
        )
    if "access_token" in result:
        return Check(name, Status.OK, f"{teams.authority} issues tokens for the Bot Framework to app {teams.app_id}")
    error_name = str(result.get("error", "error"))
    description = str(result.get("error_description") or "").splitlines()[0] if result.get("error_description") else ""
    code = next(iter(result.get("error_codes") or []), None) or _code(description)
    said = f"{error_name}: {description.rstrip('.')}" if description else error_name
    return Check(name, Status.FIX, f"The authority refused ({said}). {_fix(int(code) if code else None, teams)}")


def jwks_check(teams: TeamsSettings) -> Check:
    """The keys that sign Teams' requests can be read from ``PLANBOT_TEAMS_JWKS_URL``."""
    name = "Teams signing keys (JWKS)"
    fix = (
        "Without them every Teams message is refused (401). Check PLANBOT_TEAMS_JWKS_URL (leave it unset for the "
        "Bot Framework's keys) and that this machine can reach it; a private CA is trusted through SSL_CERT_FILE."
    )
    try:
        keys = jwt.PyJWKClient(teams.jwks_url, cache_jwk_set=False, timeout=TIMEOUT_SECONDS).get_jwk_set().keys
    except jwt.PyJWKClientConnectionError as error:
        return Check(name, Status.FIX, f"Could not read {teams.jwks_url} ({_reason(error)}). {fix}")
    except (jwt.PyJWTError, ValueError) as error:
        return Check(name, Status.FIX, f"{teams.jwks_url} did not answer with signing keys ({error}). {fix}")
    return Check(name, Status.OK, f"{teams.jwks_url} answers with {len(keys)} key(s)")


def package_check(teams: TeamsSettings, package: Path | None) -> Check:
    """The bot id in the package Teams was (or will be) given, against ``PLANBOT_TEAMS_APP_ID``."""
    name = "Teams app package"
    rebuild = "run planbot teams package --force and upload the new file in the Teams admin center"
    if package is None and not DEFAULT_OUTPUT.is_file():
        return Check(
            name,
            Status.OK,
            f"no {DEFAULT_OUTPUT} here to compare (give one with --teams-package FILE); planbot teams package "
            f"writes bot id {teams.app_id}",
        )
    path = package or DEFAULT_OUTPUT
    try:
        bot_id = package_bot_id(path)
    except FileNotFoundError:
        return Check(name, Status.FIX, f"{path} does not exist: give the package's path, or run planbot teams package.")
    except (OSError, ValueError) as error:
        return Check(name, Status.FIX, f"{error}: {rebuild}.")
    if bot_id.lower() != teams.app_id:
        return Check(
            name,
            Status.FIX,
            f"{path} is for bot {bot_id} but PLANBOT_TEAMS_APP_ID is {teams.app_id}, so Teams would send that "
            f"bot's messages elsewhere: {rebuild} (or correct PLANBOT_TEAMS_APP_ID if the package is right).",
        )
    return Check(name, Status.OK, f"{path} is for bot {bot_id}, the same as PLANBOT_TEAMS_APP_ID")


def _fix(code: int | None, teams: TeamsSettings) -> str:
    """What to change for an Entra error code (learn.microsoft.com: "Microsoft Entra authentication and
    authorization error codes")."""
    secret_page = f"{REGISTRATION} → Certificates & secrets"
    if code == 7000215:
        return (
            f"PLANBOT_TEAMS_APP_PASSWORD is not a client secret of app {teams.app_id}: create a new client secret "
            f"({secret_page}) and put its Value, not its Secret ID, in PLANBOT_TEAMS_APP_PASSWORD."
        )
    if code == 7000222:
        return (
            f"The client secret in PLANBOT_TEAMS_APP_PASSWORD has expired: create a new one ({secret_page}) and put "
            "its Value in PLANBOT_TEAMS_APP_PASSWORD; note when it expires."
        )
    if code in (700016, 7000229):
        return (
            f"Tenant {teams.tenant_id} has no app {teams.app_id}: PLANBOT_TEAMS_APP_ID must be the Application "
            f"(client) ID on the Overview page ({REGISTRATION}), registered in the tenant "
            "PLANBOT_TEAMS_TENANT_ID names."
        )
    if code in (90002, 900023, 90072, 50020):
        return (
            f"The authority does not know tenant {teams.tenant_id}: PLANBOT_TEAMS_TENANT_ID must be the Directory "
            f"(tenant) ID on the Overview page ({REGISTRATION}); PLANBOT_TEAMS_AUTHORITY, when set, names the "
            "same tenant."
        )
    if code == 7000112:
        return f"App {teams.app_id} is disabled in the tenant: an Entra admin re-enables it (Enterprise applications)."
    return (
        "Check PLANBOT_TEAMS_APP_ID, PLANBOT_TEAMS_APP_PASSWORD and PLANBOT_TEAMS_TENANT_ID against the Overview page "
        f"({REGISTRATION}), and PLANBOT_TEAMS_AUTHORITY."
    )


def _authority_fix(teams: TeamsSettings) -> str:
    return (
        f"Check PLANBOT_TEAMS_AUTHORITY (unset means {AUTHORITY_HOST}/{teams.tenant_id}; national clouds use their "
        "own, e.g. https://login.microsoftonline.us/<tenant id>) and that this machine can reach it (firewall, "
        "HTTPS_PROXY)."
    )


def _code(text: str) -> int | None:
    found = _AADSTS.search(text)
    return int(found.group(1)) if found else None


def _reason(error: BaseException) -> str:
    """The short cause inside a connection error ("Connection refused"), not urllib3's whole story."""
    text = str(error)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip()
    if "certificate verify failed" in text:
        return "certificate verify failed" + text.split("certificate verify failed", 1)[1].split(")")[0]
    return text.splitlines()[0][:200] if text else type(error).__name__
