"""The Home tab over signed HTTP: app_home_opened publishes the viewer's page, within Slack's view limits
even for a 300-action plan, and an admin's "Preview digest" sends them the digest privately."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from support.big_plan import ACTIONS_PER_THEME, THEMES, load_big_plan
from support.fake_slack import FakeSlack
from support.interaction import click, open_home
from support.serving import serving
from support.workspace import ADMIN, OWNER, TickingClock

from bot.config import Settings
from bot.container import Container
from bot.slack.app import build_app
from bot.slack.home import PREVIEW_DIGEST_ACTION, UPDATE_ACTION
from bot.slack.limits import MAX_VIEW_BLOCKS, check_view
from storage.repository import PlanRepository

FIRST_UPDATE = dt.datetime(2018, 5, 1, 9, 0)


def published(fake_slack: FakeSlack, user_id: str) -> dict:
    [call] = fake_slack.wait_for("views.publish")
    assert user_id == call.params["user_id"]
    return call.params["view"]


def buttons(view: dict) -> list[dict]:
    found = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    return found + [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


class TestSamplePlan:
    def test_owner_sees_their_action_with_an_update_button_and_the_plan_by_theme(self, events_url, fake_slack):
        open_home(events_url, OWNER)

        view = published(fake_slack, OWNER.id)
        text = json.dumps(view, ensure_ascii=False)
        assert "home" == view["type"]
        assert [] == check_view(view)
        assert "V9" in [b["value"] for b in buttons(view) if b["action_id"] == UPDATE_ACTION]
        assert "*V9*" in text
        assert "first update due now" in text
        assert "The plan by theme" in text
        assert PREVIEW_DIGEST_ACTION not in text

    def test_the_messages_tab_draws_nothing(self, events_url, fake_slack):
        open_home(events_url, OWNER, tab="messages")
        open_home(events_url, OWNER)

        fake_slack.wait_for("views.publish")
        assert 1 == len(fake_slack.calls_to("views.publish"))

    def test_admin_previews_the_digest_in_their_direct_messages(self, events_url, fake_slack):
        open_home(events_url, ADMIN)
        assert PREVIEW_DIGEST_ACTION in json.dumps(published(fake_slack, ADMIN.id))

        click(events_url, fake_slack, ADMIN, PREVIEW_DIGEST_ACTION, "")

        post = fake_slack.wait_for("chat.postMessage")[0]
        assert f"D{ADMIN.id}" == post.params["channel"]
        assert "weekly digest" in post.params["text"]

    def test_anyone_else_pressing_preview_is_told_to_ask_an_admin(self, events_url, fake_slack):
        click(events_url, fake_slack, OWNER, PREVIEW_DIGEST_ACTION, "")

        post = fake_slack.wait_for("chat.postMessage")[0]
        assert "Only admins can preview the weekly digest; ask emily.carter@example.org" in post.params["text"]


@pytest.fixture
def big_events_url(settings: Settings, engine: Engine, repo: PlanRepository, session: Session):
    """planbot served on the generated 300-action plan."""
    load_big_plan(repo, FIRST_UPDATE)
    session.commit()
    with serving(build_app(Container(settings, engine, TickingClock()))) as url:
        yield url


def test_home_tab_of_a_300_action_plan_fits_slacks_limits(big_events_url, fake_slack):
    """Emily Carter sponsors all 300 actions: the page shows the most urgent, says how many more, and
    still has every theme and the admin's button, within 100 blocks and every other limit."""
    open_home(big_events_url, ADMIN)

    view = published(fake_slack, ADMIN.id)
    text = json.dumps(view, ensure_ascii=False)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert [] == check_view(view)
    assert f"Your actions ({THEMES * ACTIONS_PER_THEME})" in text
    assert "more of your actions; /rag mine lists them all" in text
    assert all(f"Theme {chr(ord('A') + t)} &amp; &lt;Partners&gt;" in text for t in range(THEMES))
    assert PREVIEW_DIGEST_ACTION in text
    assert "<!channel>" not in text
