"""The Panel appendix as a file in Teams, over signed HTTP with the fake Bot Connector and a fake upload
session: offered by file consent card in a personal chat, uploaded on accept (one PUT with
``Content-Range``, planbot's token never sent there) and shown as a file card; declined, nothing more.
Asked in a channel, the file is offered only in the asker's personal chat and the channel is told so.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select
from support.fake_teams import (
    CHANNEL_ID,
    OUTBOUND_TOKEN,
    OWNER,
    STRANGER,
    FakeUploadSession,
    card_texts,
    channel_mention,
    file_consent_answer,
    personal_message,
)
from support.workspace import stored_updates

from bot.teams.files import FILE_CONSENT_TYPE, FILE_INFO_TYPE
from storage.db import session_scope
from storage.models import JobRun

ASKED = "plan report 2018/19 Q1 docx"


@pytest.fixture
def onedrive() -> Iterator[FakeUploadSession]:
    session = FakeUploadSession().start()
    yield session
    session.stop()


def attachments(connector, content_type: str, conversation: str | None = None) -> list[dict]:
    return [
        attachment
        for call in connector.sent()
        if conversation is None or call.conversation == conversation
        for attachment in call.body.get("attachments", [])
        if attachment["contentType"] == content_type
    ]


def offer(teams, connector, who=OWNER, typed=ASKED) -> dict:
    teams.post(personal_message(who, typed, connector.service_url))
    [consent] = attachments(connector, FILE_CONSENT_TYPE)
    return consent


def runs(container) -> int:
    with session_scope(container.engine) as session:
        return len(session.exec(select(JobRun)).all())


def test_asked_in_a_personal_chat_the_file_is_offered_there(teams, connector) -> None:
    consent = offer(teams, connector)

    assert "panel-report-2018-19-Q1-internal.docx" == consent["name"]
    content = consent["content"]
    assert content["sizeInBytes"] > 1000
    assert "internal version" in content["description"]
    assert content["acceptContext"] == content["declineContext"]
    [call] = connector.sent()
    assert f"a:personal-{OWNER.user_id}" == call.conversation


def test_accepting_uploads_the_file_to_the_url_given_and_sends_the_file_card(teams, connector, onedrive) -> None:
    consent = offer(teams, connector)
    info = onedrive.upload_info(consent["name"])

    status, _ = teams.post(
        file_consent_answer(OWNER, "accept", consent["content"]["acceptContext"], connector.service_url, info)
    )

    assert 200 == status
    [upload] = onedrive.uploads
    assert info["uploadUrl"].endswith(upload.path)
    size = len(upload.data)
    assert f"bytes 0-{size - 1}/{size}" == upload.headers["content-range"]
    assert OUTBOUND_TOKEN not in upload.headers.get("authorization", ""), "planbot's token stays with Teams"
    document = "\n".join(p.text for p in Document(io.BytesIO(upload.data)).paragraphs)
    assert "2018/19 Q1" in document
    [card] = attachments(connector, FILE_INFO_TYPE, f"a:personal-{OWNER.user_id}")
    assert (info["contentUrl"], info["name"]) == (card["contentUrl"], card["name"])
    assert {"uniqueId": info["uniqueId"], "fileType": "docx"} == card["content"]


def test_the_format_asked_is_the_format_uploaded(teams, connector, onedrive) -> None:
    consent = offer(teams, connector, typed="plan report 2018/19 Q1 xlsx public")
    info = onedrive.upload_info(consent["name"])

    teams.post(file_consent_answer(OWNER, "accept", consent["content"]["acceptContext"], connector.service_url, info))

    assert consent["name"].endswith("-public.xlsx")
    [upload] = onedrive.uploads
    assert load_workbook(io.BytesIO(upload.data)).sheetnames


def test_declining_sends_nothing_more_and_says_so(teams, container, connector, onedrive) -> None:
    consent = offer(teams, connector)
    before = runs(container)

    status, _ = teams.post(
        file_consent_answer(OWNER, "decline", consent["content"]["declineContext"], connector.service_url)
    )

    assert 200 == status
    assert [] == onedrive.uploads
    assert [] == attachments(connector, FILE_INFO_TYPE)
    assert 2 == len(connector.sent())
    assert "Not sent" in card_texts(connector.sent()[-1].body)
    assert before == runs(container)
    assert [] == stored_updates(container.engine)


def test_an_upload_that_fails_is_told_and_no_file_card_is_sent(teams, connector, onedrive) -> None:
    consent = offer(teams, connector)
    info = onedrive.upload_info(consent["name"]) | {"uploadUrl": "http://127.0.0.1:9/closed"}

    teams.post(file_consent_answer(OWNER, "accept", consent["content"]["acceptContext"], connector.service_url, info))

    assert [] == attachments(connector, FILE_INFO_TYPE)
    assert "did not accept the upload" in card_texts(connector.sent()[-1].body)


def test_an_answer_to_an_offer_planbot_did_not_make_is_refused_cleanly(teams, connector, onedrive) -> None:
    status, _ = teams.post(
        file_consent_answer(OWNER, "accept", {"other": 1}, connector.service_url, onedrive.upload_info("x.docx"))
    )

    assert 200 == status
    assert [] == onedrive.uploads
    assert "no longer knows that button" in card_texts(connector.sent()[-1].body)


def test_asked_in_a_channel_the_file_is_offered_only_in_the_askers_personal_chat(teams, connector) -> None:
    teams.post(channel_mention(OWNER, ASKED, connector.service_url))

    channel = [c for c in connector.sent() if c.conversation.startswith(CHANNEL_ID)]
    assert [] == attachments(connector, FILE_CONSENT_TYPE, channel[0].conversation)
    told = "\n".join(card_texts(c.body) for c in channel)
    assert "offered the internal Panel report for 2018/19 Q1 to Ollie Kerr in their personal chat" in told
    [opened] = [c for c in connector.calls if c.method == "POST" and c.path.endswith("/v3/conversations")]
    assert [OWNER.aad_object_id] == [m["id"] for m in opened.body["members"]], "by Entra object id"
    [consent] = attachments(connector, FILE_CONSENT_TYPE)
    assert consent["name"].endswith("-internal.docx")
    [sent] = [c for c in connector.sent() if c.body.get("attachments", [{}])[0].get("contentType") == FILE_CONSENT_TYPE]
    assert sent.conversation.startswith("a:new-"), "the asker's personal chat, not the channel"


def test_someone_outside_the_plan_asking_in_a_channel_is_offered_the_public_version(teams, connector) -> None:
    teams.post(channel_mention(STRANGER, ASKED, connector.service_url))

    [consent] = attachments(connector, FILE_CONSENT_TYPE)
    assert consent["name"].endswith("-public.docx")
    told = "\n".join(card_texts(c.body) for c in connector.sent() if c.conversation.startswith(CHANNEL_ID))
    assert "not named in the plan" in told and "offered the public Panel report" in told


def test_a_personal_chat_already_known_is_where_a_channel_request_is_offered(teams, connector) -> None:
    teams.post(personal_message(OWNER, "rag mine", connector.service_url))
    teams.post(channel_mention(OWNER, ASKED, connector.service_url))

    [sent] = [c for c in connector.sent() if c.body.get("attachments", [{}])[0].get("contentType") == FILE_CONSENT_TYPE]
    assert f"a:personal-{OWNER.user_id}" == sent.conversation
    assert not [c for c in connector.calls if c.path.endswith("/v3/conversations")]


def test_a_channel_request_from_someone_planbot_cannot_reach_privately_sends_no_file(teams, connector) -> None:
    """Teams refuses the personal chat (planbot not installed for them): the channel is told, nothing leaks."""
    connector.blocked.add(OWNER.aad_object_id)

    teams.post(channel_mention(OWNER, ASKED, connector.service_url))

    assert [] == attachments(connector, FILE_CONSENT_TYPE)
    [told] = connector.sent()
    assert told.conversation.startswith(CHANNEL_ID)
    assert "couldn't reach Ollie Kerr's personal chat" in card_texts(told.body)
