"""Dorset's colour key in Slack, over signed HTTP: the words typed after /rag, the reply's emoji and
label, the update modal's colours and definitions, and a submitted Yellow, all from the plan file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy.engine import Engine
from support.dorset import DEFINITIONS, LABELS, ORDER, dorset_yaml
from support.fake_slack import FakeSlack
from support.interaction import form_values, submit_view
from support.workspace import OWNER, stored_updates
from test_http import all_text, rag, replies
from test_plan_command import plan
from test_update_modal import block, open_modal

from bot.slack.limits import check_view
from commands.plan_file import load_plan
from storage.db import session_scope
from storage.plan_import import import_plan
from storage.repository import PlanRepository


def use_dorsets_key(engine: Engine, sample_plan_path: Path, folder: Path) -> None:
    """Import the sample plan again, now with Dorset's ``rag_scheme``: the running app answers in it."""
    with session_scope(engine) as session:
        spec = load_plan(dorset_yaml(sample_plan_path, folder))
        import_plan(PlanRepository(session), spec, actor="tests", at=dt.datetime(2017, 4, 2, 9, 0))


class TestDorsetsKeyInSlack:
    def test_yellow_is_typed_stored_and_answered_in_dorsets_words(
        self, events_url: str, fake_slack: FakeSlack, engine: Engine, sample_plan_path: Path, tmp_path: Path
    ) -> None:
        use_dorsets_key(engine, sample_plan_path, tmp_path)

        rag(events_url, fake_slack, "V9 yellow Trials review under way")
        [stored] = replies(fake_slack, 1)
        rag(events_url, fake_slack, "V9 amber Not a Dorset word")
        refused = replies(fake_slack, 2)[1]

        assert [("Y", "Trials review under way")] == [(u.status, u.reason) for u in stored_updates(engine)]
        assert f":large_yellow_circle: {LABELS['Y']}" in all_text(stored)
        assert '"amber" is not a status. Use red, yellow, green or blue' in refused["text"]
        announcement = fake_slack.wait_for("chat.postMessage")[0].params["text"]
        assert f"Ollie Kerr updated V9 to {LABELS['Y']}" in announcement

    def test_the_modal_offers_dorsets_colours_and_stores_its_choice(
        self, events_url: str, fake_slack: FakeSlack, engine: Engine, sample_plan_path: Path, tmp_path: Path
    ) -> None:
        use_dorsets_key(engine, sample_plan_path, tmp_path)

        view = open_modal(events_url, fake_slack)
        answer = submit_view(events_url, OWNER, view, form_values("V9", "Y", "Trials review under way"))

        assert [] == check_view(view)
        options = block(view, "colour")["element"]["options"]
        assert ORDER == [o["value"] for o in options]
        assert [LABELS[code] for code in ORDER] == [o["text"]["text"].split(" ", 1)[1] for o in options]
        for code in ORDER:
            assert DEFINITIONS[code] in json.dumps(view, ensure_ascii=False)
        assert "Required for Red (challenging)" in block(view, "mitigation")["hint"]["text"]
        assert "update" == json.loads(answer.body)["response_action"]
        assert ["Y"] == [u.status for u in stored_updates(engine)]

    def test_the_digest_and_quarterly_summary_in_slack_use_dorsets_words(
        self, events_url: str, fake_slack: FakeSlack, engine: Engine, sample_plan_path: Path, tmp_path: Path
    ) -> None:
        use_dorsets_key(engine, sample_plan_path, tmp_path)
        rag(events_url, fake_slack, "V9 yellow Trials review under way")
        replies(fake_slack, 1)

        for text in ("digest", "quarter"):
            shown = all_text(plan(events_url, fake_slack, text))
            assert f":large_yellow_circle: {LABELS['Y']}" in shown, text
            assert "Amber" not in shown, text
