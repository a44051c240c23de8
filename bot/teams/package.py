"""``planbot teams package``: the Teams app package (a zip) a Teams admin uploads for the force.

The zip holds ``manifest.json`` and the two icons at its root (docs/teams-setup.md). The manifest's
``id`` and ``bots[0].botId`` are both the bot's Entra application id, ``PLANBOT_TEAMS_APP_ID``: one
Teams app per Entra app, so the app keeps the same id every time the package is rebuilt. The icons
are fixed files shipped in ``bot/teams/data/`` (drawn once with Pillow: three red, amber and green
status rows; the outline is white on transparent); a force that wants its own replaces those two
files with PNGs of the same sizes. Only the app id is read: the package can be built on an admin's
laptop that holds no secret. The same app id always gives the same bytes (fixed zip timestamps).
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from bot.schedule_settings import BadSetting
from bot.teams_settings import APP_ID_FORM

MANIFEST_VERSION = "1.29"
"""The newest manifest schema Microsoft has released (OfficeDev/microsoft-teams-app-schema, tag v1.29)."""
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
APP_VERSION = "1.1.0"
"""The app's own version; raise it whenever the manifest changes, or Teams keeps the old one installed."""
DEFAULT_OUTPUT = Path("planbot-teams.zip")
PLACEHOLDER_SITE = "https://planbot.example.org/"
ACCENT = "#1D3C6E"
SCOPES = ("personal", "team", "groupChat")
FILES = ("manifest.json", "color.png", "outline.png")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

COMMANDS = (
    ("rag", "Record a status, e.g. rag V9 amber Waiting on the CJS review; rag alone opens the form"),
    ("plan", "Reports: plan summary, plan overdue, plan digest, plan quarter, plan history V9"),
    ("home", "Your actions, what is due, and the plan by theme"),
    ("help", "What planbot understands, with examples"),
)
DESCRIPTION = (
    "planbot lets an Office of the Police and Crime Commissioner and its force monitor delivery of the "
    "Police and Crime Plan. Action leads post a red, amber, green or blue status for each numbered action "
    "(rag V9 amber Waiting on the CJS review); every update is kept as an append-only record in the OPCC's "
    "own database, with who made it and when. The same record feeds the weekly digest, the reminders to "
    "owners whose updates are due, the quarterly summary and the Police and Crime Panel appendix."
)


@dataclass(frozen=True)
class Developer:
    """Who publishes the app, as Teams shows it on the app's details page (the OPCC, for a force)."""

    name: str = "Office of the PCC"
    website: str = PLACEHOLDER_SITE
    privacy: str | None = None
    terms: str | None = None


def app_id_from_env(env: Mapping[str, str]) -> str | None:
    """``PLANBOT_TEAMS_APP_ID``, or ``None`` when it is not set.

    Raises:
        BadSetting: it is set but is not a GUID.
    """
    app_id = env.get("PLANBOT_TEAMS_APP_ID", "").strip()
    if app_id and not _GUID.fullmatch(app_id):
        raise BadSetting("PLANBOT_TEAMS_APP_ID", app_id, APP_ID_FORM)
    return app_id.lower() or None


def build_manifest(app_id: str, developer: Developer | None = None) -> dict[str, Any]:
    """The manifest for the bot whose Entra application id is ``app_id``.

    Args:
        app_id: the bot's Entra application (client) id, used as the app id and the bot id.
        developer: the publisher's name and pages (default: an OPCC with placeholder pages).

    Returns:
        The manifest, as the JSON object Teams reads.
    """
    developer = developer or Developer()
    commands = [{"title": title, "description": text} for title, text in COMMANDS]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": app_id,
        "developer": {
            "name": developer.name,
            "websiteUrl": developer.website,
            "privacyUrl": developer.privacy or developer.website,
            "termsOfUseUrl": developer.terms or developer.website,
        },
        "name": {"short": "planbot", "full": "planbot: Police and Crime Plan delivery updates"},
        "description": {"short": "Police and Crime Plan delivery updates", "full": DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                "scopes": list(SCOPES),
                # The Panel files go by file consent card in personal chats (``bot.teams.files``).
                "supportsFiles": True,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": [scope], "commands": commands} for scope in SCOPES],
            }
        ],
        # A bot that only sends cards loads nothing into Teams from other domains: no tabs, no web views.
        "validDomains": [],
    }


def package_bytes(app_id: str, developer: Developer | None = None) -> bytes:
    """The zip: ``manifest.json``, ``color.png`` and ``outline.png`` at its root, nothing else."""
    data = resources.files("bot.teams") / "data"
    contents = {
        "manifest.json": json.dumps(build_manifest(app_id, developer), indent=2).encode() + b"\n",
        "color.png": (data / "color.png").read_bytes(),
        "outline.png": (data / "outline.png").read_bytes(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[name])
    return buffer.getvalue()


def package_bot_id(path: Path) -> str:
    """The bot id written in the package at ``path`` (``bots[0].botId`` of its manifest).

    Raises:
        ValueError: the file is not a Teams app package with a bot (the message says what is wrong).
        OSError: the file cannot be read.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except zipfile.BadZipFile as error:
        raise ValueError(f"{path} is not a zip file") from error
    except KeyError as error:
        raise ValueError(f"{path} has no manifest.json at its root") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}'s manifest.json is not JSON ({error})") from error
    bots = manifest.get("bots") if isinstance(manifest, dict) else None
    if not bots or not isinstance(bots[0], dict) or not bots[0].get("botId"):
        raise ValueError(f"{path}'s manifest declares no bot")
    return str(bots[0]["botId"])


def run_package(
    env: Mapping[str, str], output: Path, *, force: bool, developer: Developer, stderr: TextIO | None = None
) -> int:
    """Write the package to ``output``; nothing is written when anything is refused.

    Returns:
        0 when written, 1 when the file cannot be written, 2 when refused (no app id, or the file
        exists and ``force`` is not given).
    """
    err = stderr or sys.stderr
    try:
        app_id = app_id_from_env(env)
    except BadSetting as error:
        print(f"planbot: {error}", file=err)
        return 2
    if app_id is None:
        print(
            "planbot: PLANBOT_TEAMS_APP_ID is not set: put the bot's Entra application (client) id in it "
            "(Entra admin center → App registrations → planbot → Overview); the package's bot id is that id.",
            file=err,
        )
        return 2
    problem = _developer_problem(developer)
    if problem is not None:
        print(f"planbot: {problem}", file=err)
        return 2
    if output.is_dir():
        print(f"planbot: {output} is a folder; give a file name such as {DEFAULT_OUTPUT}.", file=err)
        return 2
    if output.exists() and not force:
        print(f"planbot: {output} already exists; add --force to replace it, or choose another --output.", file=err)
        return 2
    body = package_bytes(app_id, developer)
    try:
        # "x" refuses a file that appeared since the check above; --force replaces it.
        with output.open("wb" if force else "xb") as file:
            file.write(body)
    except FileExistsError:
        print(f"planbot: {output} already exists; add --force to replace it, or choose another --output.", file=err)
        return 2
    except OSError as error:
        print(f"planbot: cannot write {output}: {error.strerror or error}.", file=err)
        return 1
    print(f"Wrote {output}: the Teams app for bot {app_id} (manifest {MANIFEST_VERSION}, version {APP_VERSION}).")
    print("Upload it in the Teams admin center: Teams apps → Manage apps → Upload new app (docs/teams-setup.md).")
    if developer.website == PLACEHOLDER_SITE:
        print(
            f"Note: the app's developer pages point at {PLACEHOLDER_SITE}; give --website (and --privacy-url, "
            "--terms-url) with your OPCC's own pages before uploading it for everyone.",
            file=err,
        )
    return 0


def _developer_problem(developer: Developer) -> str | None:
    """What Teams would refuse in the publisher's details, or ``None``."""
    if not developer.name.strip() or len(developer.name) > 32:
        return f'--developer "{developer.name}" must be 1 to 32 characters (Teams shows it as the publisher).'
    for option, url in (
        ("--website", developer.website),
        ("--privacy-url", developer.privacy),
        ("--terms-url", developer.terms),
    ):
        if url is not None and not re.match(r"https://[^\s/]+", url):
            return f'{option} "{url}" must be an https:// address.'
    return None
