"""Dorset's colour key in Teams: the dialog offers the plan file's colours and definitions, a typed
``rag V9 yellow …`` is stored as Yellow, and the reply card words it as the file does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from support.dorset import DEFINITIONS, LABELS, ORDER, dorset_yaml
from support.fake_teams import OWNER, card_texts, invoke, personal_message
from support.workspace import stored_updates

from bot.container import Container
from bot.teams.dialog import UPDATE_DIALOG
from commands.plan_file import load_plan
from storage.plan_import import import_plan


def use_dorsets_key(container: Container, sample_plan_path: Path, folder: Path) -> None:
    with container.unit_of_work() as repo:
        spec = load_plan(dorset_yaml(sample_plan_path, folder))
        import_plan(repo, spec, actor="tests", at=dt.datetime(2017, 4, 2, 9, 0))


def test_the_dialog_offers_dorsets_colours_with_their_definitions(
    teams, container, connector, sample_plan_path: Path, tmp_path: Path
) -> None:
    use_dorsets_key(container, sample_plan_path, tmp_path)

    _status, body = teams.post(invoke(OWNER, "task/fetch", {"data": {UPDATE_DIALOG: "V9"}}, connector.service_url))

    shown = card_texts(body["task"]["value"]["card"])
    for code in ORDER:
        assert LABELS[code] in shown and DEFINITIONS[code] in shown
    assert "Amber" not in shown


def test_yellow_typed_in_teams_is_stored_and_answered_in_dorsets_words(
    teams, container, connector, sample_plan_path: Path, tmp_path: Path
) -> None:
    use_dorsets_key(container, sample_plan_path, tmp_path)

    teams.post(personal_message(OWNER, "rag V9 yellow Trials review under way", connector.service_url))

    assert ["Y"] == [u.status for u in stored_updates(container.engine)]
    assert LABELS["Y"] in card_texts(connector.sent()[0].body["attachments"][0]["content"])
