"""``/plan report`` over signed HTTP: a progress message, then the file through the fake files API."""

from __future__ import annotations

import datetime as dt
import io
import json

from docx import Document
from sqlalchemy.engine import Engine
from support.fake_slack import FakeSlack, SlackUser
from support.slash import CHANNEL_ID, send_slash
from support.workspace import OWNER, STRANGER
from test_http import ACK_SECONDS
from test_plan_command import send_event

from storage.db import session_scope
from storage.models import ChannelSubscription

NOW = dt.datetime(2018, 6, 15, 9, 0)
# Building the Word file (charts included) runs after the acknowledgement and takes a few seconds on
# a loaded machine; the wait is for the upload to arrive at all, not a speed check (benchmarks time it).
BUILD_SECONDS = 60.0


DIRECT = "D0OLLIE001"  # the owner's direct-message conversation with planbot


def ask(
    events_url: str, fake_slack: FakeSlack, text: str, user: SlackUser = OWNER, channel_id: str = CHANNEL_ID
) -> dict:
    """Type ``/plan text`` (in the plan channel unless told); returns the first answer the asker sees."""
    answer = send_slash(
        events_url,
        text,
        user_id=user.id,
        response_url=fake_slack.response_url(user.id),
        command="/plan",
        channel_id=channel_id,
    )
    assert 200 == answer.status
    assert answer.seconds < ACK_SECONDS
    return fake_slack.wait_for("response")[0].params


def subscribe_to_quarterly(engine: Engine, channel: str) -> None:
    with session_scope(engine) as session:
        session.add(ChannelSubscription(channel=channel, job="quarterly", created_at=NOW, created_by="tests"))


def test_docx_uploaded_after_a_progress_message(events_url, fake_slack):
    """The owner asks in their direct message with planbot: the internal version, uploaded there."""
    progress = ask(events_url, fake_slack, "report 2017/18 Q4 docx", channel_id=DIRECT)

    assert "ephemeral" == progress["response_type"]
    assert "Building the internal Panel report for 2017/18 Q4 as a Word document" in progress["text"]
    complete = fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)[0]
    requested = fake_slack.calls_to("files.getUploadURLExternal")[0]
    assert "panel-report-2017-18-Q4-internal.docx" == requested.params["filename"]
    assert DIRECT == complete.params["channel_id"]
    assert f"<@{OWNER.id}>" in complete.params["initial_comment"]
    assert fake_slack.calls_to("response")[0].at < fake_slack.calls_to("upload")[0].at
    (file_id,) = [f["id"] for f in json.loads(complete.params["files"])]
    document = Document(io.BytesIO(fake_slack.uploads[file_id]))
    assert "Delivery of the Police and Crime Plan: quarterly report, 2017/18 Q4" == document.paragraphs[0].text
    assert "V9" in [row.cells[0].text for table in document.tables for row in table.rows]


def test_public_csv_says_what_was_withheld(events_url, fake_slack):
    ask(events_url, fake_slack, "report public Q4 2017-18 csv")

    complete = fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)[0]
    assert "0 restricted commentaries withheld" in complete.params["initial_comment"]
    (data,) = fake_slack.uploads.values()
    assert data.decode("utf-8-sig").startswith("Action,Title,Theme,Owner,SRO")


def test_bad_quarter_refused_without_upload(events_url, fake_slack):
    reply = ask(events_url, fake_slack, "report Q9 html")

    assert '"Q9" is not a quarter.' in reply["text"]
    assert [] == fake_slack.calls_to("files.getUploadURLExternal")


def test_mention_answered_in_its_thread_with_the_file(events_url, fake_slack, engine):
    """In a channel subscribed to the quarterly governance report, the internal version may be posted."""
    subscribe_to_quarterly(engine, CHANNEL_ID)
    event = {"type": "app_mention", "user": OWNER.id, "text": "<@UPLANBOT> report xlsx", "ts": "1529000000.000100"}
    event["channel"] = CHANNEL_ID
    send_event(events_url, event)

    complete = fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)[0]
    assert "1529000000.000100" == complete.params["thread_ts"]
    progress = fake_slack.posted[0]
    assert "Building the internal Panel report" in progress["text"]
    assert "1529000000.000100" == progress["thread_ts"]


class TestWhoSeesWhat:
    """docs/permissions.md: internal versions to people in the plan, in private or governance channels only."""

    def test_internal_report_asked_for_in_an_ordinary_channel_is_refused_with_where_to_ask(
        self, events_url, fake_slack
    ):
        reply = ask(events_url, fake_slack, "report 2017/18 Q4 csv")

        assert "I send it only in a direct message with me or to a channel subscribed to the quarterly" in reply["text"]
        assert "add --public" in reply["text"]
        assert [] == fake_slack.calls_to("files.getUploadURLExternal")

    def test_someone_outside_the_plan_gets_the_public_version_and_why(self, events_url, fake_slack):
        progress = ask(events_url, fake_slack, "report 2017/18 Q4 csv", user=STRANGER)

        assert "You are not named in the plan" in progress["text"]
        assert "Building the public Panel report" in progress["text"]
        complete = fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)[0]
        assert "public version" in complete.params["initial_comment"]
        assert (
            "panel-report-2017-18-Q4-public.csv"
            == fake_slack.calls_to("files.getUploadURLExternal")[0].params["filename"]
        )
        (data,) = fake_slack.uploads.values()
        assert "Ollie Kerr" not in data.decode("utf-8-sig")

    def test_someone_outside_the_plan_gets_no_internal_version_even_in_private(self, events_url, fake_slack):
        ask(events_url, fake_slack, "report 2017/18 Q4 csv", user=STRANGER, channel_id="D0VISIT001")

        complete = fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)[0]
        assert "public version" in complete.params["initial_comment"]

    def test_the_public_version_may_be_posted_in_any_channel(self, events_url, fake_slack):
        progress = ask(events_url, fake_slack, "report public 2017/18 Q4 csv")

        assert "Building the public Panel report" in progress["text"]
        assert (
            CHANNEL_ID
            == fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)[0].params["channel_id"]
        )


class TestAnnualReportAndDeepDive:
    """``/plan report annual`` and ``/plan report theme`` take the appendix's path: the same order,
    the same visibility rule, the same upload."""

    def test_annual_report_uploaded_in_a_direct_message(self, events_url, fake_slack):
        progress = ask(events_url, fake_slack, "report annual 2017/18", channel_id=DIRECT)

        assert "Building the internal annual report for 2017/18 as a Word document" in progress["text"]
        complete = fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)[0]
        requested = fake_slack.calls_to("files.getUploadURLExternal")[0]
        assert "annual-report-2017-18-internal.docx" == requested.params["filename"]
        (file_id,) = [f["id"] for f in json.loads(complete.params["files"])]
        document = Document(io.BytesIO(fake_slack.uploads[file_id]))
        assert "Delivery of the Police and Crime Plan: annual report, 2017/18" == document.paragraphs[0].text

    def test_public_deep_dive_in_a_channel(self, events_url, fake_slack):
        progress = ask(events_url, fake_slack, "report theme victims 2017/18 Q4 csv public")

        assert "Building the public deep dive into Victims for Victims, 2017/18 Q4" in progress["text"]
        fake_slack.wait_for("files.completeUploadExternal", timeout=BUILD_SECONDS)
        requested = fake_slack.calls_to("files.getUploadURLExternal")[0]
        assert "deep-dive-victims-2017-18-Q4-public.csv" == requested.params["filename"]
        (data,) = fake_slack.uploads.values()
        assert "Ollie Kerr" not in data.decode("utf-8-sig")

    def test_internal_deep_dive_in_an_ordinary_channel_is_refused(self, events_url, fake_slack):
        reply = ask(events_url, fake_slack, "report theme victims")

        assert "I send it only in a direct message with me" in reply["text"]
        assert [] == fake_slack.calls_to("files.getUploadURLExternal")

    def test_unknown_theme_refused_without_upload(self, events_url, fake_slack):
        reply = ask(events_url, fake_slack, "report theme Nowhere public")

        assert 'There is no theme "Nowhere"' in reply["text"]
        assert [] == fake_slack.calls_to("files.getUploadURLExternal")

    def test_a_year_with_no_frozen_quarter_refused_without_upload(self, events_url, fake_slack):
        reply = ask(events_url, fake_slack, "report annual 2018/19", channel_id=DIRECT)

        assert "No quarter of 2018/19 is frozen yet" in reply["text"]
        assert [] == fake_slack.calls_to("files.getUploadURLExternal")
