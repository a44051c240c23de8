"""``/plan report`` over signed HTTP: a progress message, then the file through the fake files API."""

from __future__ import annotations

import io
import json

from docx import Document
from fake_slack import FakeSlack
from slash import CHANNEL_ID, send_slash
from test_http import ACK_SECONDS
from test_plan_command import send_event
from workspace import OWNER


def ask(events_url: str, fake_slack: FakeSlack, text: str) -> dict:
    """Type ``/plan text``; returns the first answer the asker sees."""
    answer = send_slash(
        events_url, text, user_id=OWNER.id, response_url=fake_slack.response_url(OWNER.id), command="/plan"
    )
    assert 200 == answer.status
    assert answer.seconds < ACK_SECONDS
    return fake_slack.wait_for("response")[0].params


def test_docx_uploaded_after_a_progress_message(events_url, fake_slack):
    progress = ask(events_url, fake_slack, "report 2017/18 Q4 docx")

    assert "ephemeral" == progress["response_type"]
    assert "Building the internal Panel report for 2017/18 Q4 as a Word document" in progress["text"]
    complete = fake_slack.wait_for("files.completeUploadExternal")[0]
    requested = fake_slack.calls_to("files.getUploadURLExternal")[0]
    assert "panel-report-2017-18-Q4-internal.docx" == requested.params["filename"]
    assert CHANNEL_ID == complete.params["channel_id"]
    assert f"<@{OWNER.id}>" in complete.params["initial_comment"]
    assert fake_slack.calls_to("response")[0].at < fake_slack.calls_to("upload")[0].at
    (file_id,) = [f["id"] for f in json.loads(complete.params["files"])]
    document = Document(io.BytesIO(fake_slack.uploads[file_id]))
    assert "Delivery of the Police and Crime Plan: quarterly report, 2017/18 Q4" == document.paragraphs[0].text
    assert "V9" in [row.cells[0].text for table in document.tables for row in table.rows]


def test_public_csv_says_what_was_withheld(events_url, fake_slack):
    ask(events_url, fake_slack, "report public Q4 2017-18 csv")

    complete = fake_slack.wait_for("files.completeUploadExternal")[0]
    assert "0 restricted commentaries withheld" in complete.params["initial_comment"]
    (data,) = fake_slack.uploads.values()
    assert data.decode("utf-8-sig").startswith("Action,Title,Theme,Owner,SRO")


def test_bad_quarter_refused_without_upload(events_url, fake_slack):
    reply = ask(events_url, fake_slack, "report Q9 html")

    assert '"Q9" is not a quarter.' in reply["text"]
    assert [] == fake_slack.calls_to("files.getUploadURLExternal")


def test_mention_answered_in_its_thread_with_the_file(events_url, fake_slack):
    event = {"type": "app_mention", "user": OWNER.id, "text": "<@UPLANBOT> report xlsx", "ts": "1529000000.000100"}
    event["channel"] = CHANNEL_ID
    send_event(events_url, event)

    complete = fake_slack.wait_for("files.completeUploadExternal")[0]
    assert "1529000000.000100" == complete.params["thread_ts"]
    progress = fake_slack.posted[0]
    assert "Building the internal Panel report" in progress["text"]
    assert "1529000000.000100" == progress["thread_ts"]
