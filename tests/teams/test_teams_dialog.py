"""The update form as a Teams dialog, over HTTP: ``rag`` alone offers it, ``task/fetch`` opens it,
``task/submit`` stores the update or shows the dialog again with each error beside its field."""

from __future__ import annotations

from support.fake_teams import OWNER, STRANGER, card_texts, invoke, personal_message
from support.workspace import stored_updates

from bot.teams.dialog import UPDATE_DIALOG


def _submit(teams, connector, who, **fields):
    data = {UPDATE_DIALOG: "submit", "action": "V9", "corrects_last": "false", "restricted": "false"} | fields
    return teams.post(
        invoke(who, "task/submit", {"data": data, "context": {"theme": "default"}}, connector.service_url)
    )


def test_rag_alone_offers_the_form(teams, connector) -> None:
    teams.post(personal_message(OWNER, "rag", connector.service_url))

    (sent,) = connector.sent()
    buttons = list(sent.body["attachments"][0]["content"].get("actions", []))
    assert any(b.get("data", {}).get("msteams", {}).get("type") == "task/fetch" for b in buttons)


def test_fetch_opens_the_dialog_with_the_persons_actions(teams, connector) -> None:
    status, body = teams.post(invoke(OWNER, "task/fetch", {"data": {UPDATE_DIALOG: "V9"}}, connector.service_url))

    assert 200 == status
    assert "continue" == body["task"]["type"]
    shown = card_texts(body["task"]["value"]["card"])
    assert "V9" in shown
    assert "Red" in shown and "Amber" in shown


def test_someone_with_no_actions_is_told_instead(teams, connector) -> None:
    status, body = teams.post(invoke(STRANGER, "task/fetch", {"data": {UPDATE_DIALOG: ""}}, connector.service_url))

    assert 200 == status
    assert "message" == body["task"]["type"]
    assert body["task"]["value"]


def test_a_mistake_shows_the_dialog_again_and_stores_nothing(teams, container, connector) -> None:
    status, body = _submit(teams, connector, OWNER, colour="R", reason="")

    assert 200 == status
    assert "continue" == body["task"]["type"], "the dialog stays open"
    assert "reason" in card_texts(body["task"]["value"]["card"]).lower()
    assert [] == stored_updates(container.engine)
    assert [] == connector.sent()


def test_a_bad_date_is_shown_beside_its_field(teams, container, connector) -> None:
    _status, body = _submit(teams, connector, OWNER, colour="R", reason="Late", proposed_due="31/03/2019")

    assert "continue" == body["task"]["type"]
    assert "31/03/2019" in card_texts(body["task"]["value"]["card"]) or "date" in card_texts(
        body["task"]["value"]["card"]
    )
    assert [] == stored_updates(container.engine)


def test_a_right_form_is_stored_and_the_dialog_closes(teams, container, connector) -> None:
    status, body = _submit(teams, connector, OWNER, colour="A", reason="Slipping a month")

    assert 200 == status
    assert body is None, "an empty answer closes the dialog"
    assert [("A", "Slipping a month", "teams")] == [
        (u.status, u.reason, u.source) for u in stored_updates(container.engine)
    ]
    (sent,) = connector.sent()
    assert "V9" in card_texts(sent.body)


def test_an_unknown_invoke_is_answered_not_501(teams, connector) -> None:
    status, _ = teams.post(invoke(OWNER, "composeExtension/query", {}, connector.service_url))

    assert 200 == status
