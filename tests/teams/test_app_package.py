"""``planbot teams package``: the zip a Teams admin uploads, checked against Microsoft's manifest schema.

The schema is ``tests/teams/schemas/MicrosoftTeams.schema.1.29.json``, copied byte for byte from
Microsoft's repository OfficeDev/microsoft-teams-app-schema, file ``MicrosoftTeams.schema.json`` at
commit a2a2ebc36df721a55ffbf8542f003fb4343952bd ("Update Teams App Manifest schema to v1.29 (#203)",
2026-06-19, the commit tagged ``v1.29``; MIT licence), the newest released schema: the same file
Microsoft publishes at https://developer.microsoft.com/json-schemas/teams/v1.29/MicrosoftTeams.schema.json.
SHA-256 of the copy: 53e860fd650fd03fe587379d92af6c91374e791f041ce3f26c92d5e74aeafa0b.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot.cli import main
from bot.teams.package import MANIFEST_VERSION, SCHEMA_URL, package_bot_id

SCHEMA = Path(__file__).parent / "schemas" / f"MicrosoftTeams.schema.{MANIFEST_VERSION}.json"
SCHEMA_SHA256 = "53e860fd650fd03fe587379d92af6c91374e791f041ce3f26c92d5e74aeafa0b"
APP_ID = "3f2b8c1e-7d4a-4e9b-9c1d-0a5e6f7b8c9d"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def operator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no ``.env`` and only the app id set, as an admin building the package has."""
    monkeypatch.chdir(tmp_path)
    for name in ("PLANBOT_TEAMS_APP_PASSWORD", "PLANBOT_TEAMS_TENANT_ID", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLANBOT_TEAMS_APP_ID", APP_ID)
    return tmp_path


def built(folder: Path, *extra: str) -> zipfile.ZipFile:
    assert 0 == main(["teams", "package", *extra])
    return zipfile.ZipFile(folder / "planbot-teams.zip")


def manifest_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("manifest.json"))


class TestManifest:
    def test_the_shipped_schema_is_microsofts_file(self) -> None:
        """The schema file is the one named in this module's docstring, unchanged."""
        assert SCHEMA_SHA256 == hashlib.sha256(SCHEMA.read_bytes()).hexdigest()

    def test_valid_against_microsofts_schema(self, operator: Path) -> None:
        """The built manifest passes Microsoft's JSON schema (its URL fields carry their own https pattern)."""
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        manifest = manifest_of(built(operator, "--website", "https://www.northshire-pcc.example.gov.uk/"))

        validator = jsonschema.Draft4Validator(schema)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]

        assert [] == errors
        assert MANIFEST_VERSION == manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"]
        assert SCHEMA_URL == manifest["$schema"]
        assert SCHEMA_URL.endswith(f"/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json")

    def test_schema_refuses_a_broken_manifest(self, operator: Path) -> None:
        """The validation has teeth: a bot id that is not a GUID and a fourth scope list are refused."""
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        manifest = manifest_of(built(operator))
        manifest["bots"][0]["botId"] = "planbot"
        manifest["bots"][0]["commandLists"].append(manifest["bots"][0]["commandLists"][0])

        errors = list(jsonschema.Draft4Validator(schema).iter_errors(manifest))

        assert 2 == len(errors)

    def test_bot_id_and_app_id_are_the_environments(self, operator: Path) -> None:
        """Both ids are PLANBOT_TEAMS_APP_ID, so rebuilding the package keeps the same Teams app."""
        manifest = manifest_of(built(operator))

        assert APP_ID == manifest["id"] == manifest["bots"][0]["botId"]
        assert APP_ID == package_bot_id(operator / "planbot-teams.zip")

    def test_scopes_files_and_commands(self, operator: Path) -> None:
        """Personal, team and group chat, files (the Panel's, by consent card), and rag/plan/home/help listed
        for each scope."""
        bot = manifest_of(built(operator))["bots"][0]

        assert ["personal", "team", "groupChat"] == bot["scopes"]
        assert True is bot["supportsFiles"]
        assert [["personal"], ["team"], ["groupChat"]] == [entry["scopes"] for entry in bot["commandLists"]]
        for entry in bot["commandLists"]:
            assert ["rag", "plan", "home", "help"] == [command["title"] for command in entry["commands"]]
            assert all(command["description"] for command in entry["commands"])

    def test_names_an_opcc_publisher(self, operator: Path) -> None:
        """Name and description say what planbot is; --website sets all three developer pages."""
        site = "https://www.northshire-pcc.example.gov.uk/"
        manifest = manifest_of(built(operator, "--website", site, "--privacy-url", f"{site}privacy"))

        assert "planbot" == manifest["name"]["short"]
        assert "Police and Crime Plan delivery updates" == manifest["description"]["short"]
        assert {
            "name": "Office of the PCC",
            "websiteUrl": site,
            "privacyUrl": f"{site}privacy",
            "termsOfUseUrl": site,
        } == manifest["developer"]

    def test_same_app_id_same_bytes(self, operator: Path) -> None:
        """Two builds for the same bot are identical files, so a rebuilt package can be compared."""
        first = (operator / "a.zip", operator / "b.zip")
        for path in first:
            assert 0 == main(["teams", "package", "--output", str(path)])

        assert first[0].read_bytes() == first[1].read_bytes()


class TestZip:
    def test_exactly_three_files_at_the_root(self, operator: Path) -> None:
        """Teams reads manifest.json and the icons from the zip's root; nothing else goes in."""
        assert ["manifest.json", "color.png", "outline.png"] == built(operator).namelist()

    def test_icons_sizes_and_transparency(self, operator: Path) -> None:
        """color.png is 192×192; outline.png is 32×32, white wherever it is not fully transparent."""
        archive = built(operator)
        manifest = manifest_of(archive)
        color = Image.open(io.BytesIO(archive.read(manifest["icons"]["color"])))
        outline = Image.open(io.BytesIO(archive.read(manifest["icons"]["outline"])))

        assert ("PNG", (192, 192)) == (color.format, color.size)
        assert ("PNG", (32, 32), "RGBA") == (outline.format, outline.size, outline.mode)
        pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
        assert {(255, 255, 255)} == {pixel[:3] for pixel in pixels if pixel[3] > 0}
        transparent = sum(1 for pixel in pixels if pixel[3] == 0)
        assert 0.3 < transparent / len(pixels) < 0.9  # a drawing on a transparent ground, not a blank
        assert 255 == min(color.convert("RGBA").getchannel("A").getextrema())  # the colour icon is opaque


class TestRefusals:
    def test_without_the_app_id(self, operator: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
        """No PLANBOT_TEAMS_APP_ID: exit 2, the variable named, no file written."""
        monkeypatch.delenv("PLANBOT_TEAMS_APP_ID")

        assert 2 == main(["teams", "package"])

        assert "PLANBOT_TEAMS_APP_ID is not set" in capsys.readouterr().err
        assert [] == list(operator.iterdir())

    def test_app_id_that_is_not_a_guid(self, operator: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
        """A malformed app id is refused with the form it takes, before anything is written."""
        monkeypatch.setenv("PLANBOT_TEAMS_APP_ID", "planbot")

        assert 2 == main(["teams", "package"])

        assert 'PLANBOT_TEAMS_APP_ID is "planbot"; expected' in capsys.readouterr().err
        assert [] == list(operator.iterdir())

    def test_never_overwrites_without_force(self, operator: Path, capsys) -> None:
        """An existing file is kept unless --force is given, which replaces it."""
        existing = operator / "planbot-teams.zip"
        existing.write_bytes(b"someone else's package")

        assert 2 == main(["teams", "package"])
        assert "already exists; add --force" in capsys.readouterr().err
        assert b"someone else's package" == existing.read_bytes()

        assert 0 == main(["teams", "package", "--force"])
        assert APP_ID == package_bot_id(existing)

    def test_http_developer_page_refused(self, operator: Path, capsys) -> None:
        """Teams wants https pages; a plain http address is refused before anything is written."""
        assert 2 == main(["teams", "package", "--website", "http://www.example.org/"])

        assert '--website "http://www.example.org/" must be an https:// address.' in capsys.readouterr().err
        assert [] == list(operator.iterdir())


def test_as_a_subprocess_with_the_app_id_in_dotenv(tmp_path: Path) -> None:
    """``python -m bot.cli teams package --output F`` run where only a .env names the app id."""
    (tmp_path / ".env").write_text(f"PLANBOT_TEAMS_APP_ID={APP_ID}\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}

    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "teams", "package", "--output", "northshire.zip"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert 0 == result.returncode, result.stderr
    assert "Wrote northshire.zip" in result.stdout
    assert APP_ID == package_bot_id(tmp_path / "northshire.zip")
