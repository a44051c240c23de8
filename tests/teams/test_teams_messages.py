"""Commands typed in Teams, over HTTP against planbot's /api/messages, counted at the fake Bot Connector.

Each test posts what Teams would post (shapes from Microsoft's documented payloads, see
``support.fake_teams``) and reads what a person would see: the cards planbot sent back, and the rows
it stored. A refusal stores nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import select
from support.fake_teams import (
    ADMIN,
    CHANNEL_ID,
    GUEST,
    OWNER,
    STRANGER,
    TeamsUser,
    bot_added_to_channel,
    card_texts,
    channel_mention,
    installation_update,
    personal_message,
)
from support.workspace import identities, stored_updates

from storage.db import session_scope
from storage.models import Leave, Person, PlatformIdentity, TeamsConversation


def said(connector) -> str:
    """Everything planbot sent, as the person reads it."""
    return "\n".join(card_texts(call.body) for call in connector.sent())


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("rag V9 red Waiting on the CJS review --mitigation LCJB", "R"),
        ("/rag V9 amber Slipping a month", "A"),
        ("RAG v9 Green back on track", "G"),
        ("V9 🔴 Waiting on the CJS review —mitigation “Escalated to LCJB”", "R"),
    ],
)
def test_a_personal_chat_update_is_stored_and_answered_there(teams, container, connector, typed, status) -> None:
    answer, _ = teams.post(personal_message(OWNER, typed, connector.service_url))

    assert 202 == answer
    updates = stored_updates(container.engine)
    assert [(status, "teams")] == [(u.status, u.source) for u in updates]
    sent = connector.sent()
    assert 1 == len(sent), "one reply, in the chat it was typed in"
    assert f"a:personal-{OWNER.user_id}" == sent[0].conversation
    assert "V9" in said(connector)


def test_an_update_from_someone_known_costs_nine_statements_in_three_units_of_work(teams, container, connector) -> None:
    """After the first message (the roster lookup, the link, the conversation's row), each update costs: who
    they are, the unchanged conversation (read, not written), then one unit of work for the plan, the chat's
    dashboard, the action, the owner's roles, the newest update and the two rows. A slower store is paid on
    every message and shows in the round trip (docs/benchmarks.md, "Teams round trip")."""
    teams.post(personal_message(OWNER, "rag V9 amber Slipping a month", connector.service_url))
    statements: list[str] = []
    commits: list[object] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()[:2]))

    def commit(connection: object) -> None:
        commits.append(connection)

    event.listen(container.engine, "before_cursor_execute", count)
    event.listen(container.engine, "commit", commit)
    try:
        answer, _ = teams.post(personal_message(OWNER, "rag V9 green Back on track", connector.service_url))
    finally:
        event.remove(container.engine, "before_cursor_execute", count)
        event.remove(container.engine, "commit", commit)
    assert 202 == answer
    assert ["A", "G"] == [u.status for u in stored_updates(container.engine)]
    assert (9, 3) == (len(statements), len(commits)), statements
    assert 2 == sum(s.startswith("INSERT") for s in statements), statements


@pytest.mark.parametrize(
    ("who", "typed", "explained"),
    [
        (STRANGER, "rag V9 red Waiting on the CJS review", "can't update v9"),
        (OWNER, "rag V9 purple Waiting", "purple"),
        (OWNER, "rag V9 red", "reason"),
        (GUEST, "rag V9 red Waiting on the CJS review", "email"),
        (OWNER, "rag V9 amber Waiting\x1b[31m on the review", "control character"),
    ],
)
def test_refusals_are_explained_and_store_nothing(teams, container, connector, who, typed, explained) -> None:
    answer, _ = teams.post(personal_message(who, typed, connector.service_url))

    assert 202 == answer
    assert [] == stored_updates(container.engine)
    assert 1 == len(connector.sent())
    assert explained in said(connector).lower()


def test_the_roster_is_asked_once_per_person(teams, container, connector) -> None:
    """The email comes from the roster the first time; the Entra object id is remembered after that."""
    for text in ("rag V9", "rag mine"):
        teams.post(personal_message(OWNER, text, connector.service_url))

    lookups = [c for c in connector.calls if "/members/" in c.path]
    assert 1 == len(lookups)
    with session_scope(container.engine) as session:
        linked = session.exec(select(PlatformIdentity)).all()
        assert [("teams", OWNER.aad_object_id)] == [(i.platform, i.external_id) for i in linked]
    assert 1 == identities(container.engine)


def test_a_channel_mention_is_answered_in_its_thread(teams, container, connector) -> None:
    activity = channel_mention(OWNER, "rag V9 red Waiting on the CJS review --mitigation LCJB", connector.service_url)

    teams.post(activity)

    sent = connector.sent()
    assert 1 == len(sent)
    assert sent[0].path.endswith(f"/activities/{activity['id']}"), "a reply to the message, in its thread"
    assert sent[0].conversation.startswith(CHANNEL_ID)
    assert 1 == len(stored_updates(container.engine))


def test_a_restricted_reason_stays_out_of_a_channel(teams, container, connector) -> None:
    """Everyone in a channel reads planbot's answer there, so a restricted reason is never in it."""
    teams.post(
        personal_message(
            OWNER, "rag V9 red Named witness withdrew --restricted --mitigation LCJB", connector.service_url
        )
    )
    teams.post(channel_mention(OWNER, "rag V9", connector.service_url))

    personal, channel = (card_texts(call.body) for call in connector.sent())
    assert "Named witness withdrew" in personal
    assert "Named witness withdrew" not in channel
    assert "restricted" in channel


@pytest.mark.parametrize(
    ("typed", "heading"),
    [("plan summary", "summary"), ("how is Victims doing?", "victims"), ("plan overdue", "overdue")],
)
def test_reports_and_questions_answer_with_cards(teams, connector, typed, heading) -> None:
    teams.post(personal_message(OWNER, typed, connector.service_url))

    assert connector.sent()
    assert heading in said(connector).lower()


def test_a_report_asked_in_a_channel_is_the_channels_summary_and_in_a_personal_chat_whole(teams, connector) -> None:
    """Everyone in a channel reads the answer: the core's short version, with the way to the full detail."""
    teams.post(channel_mention(OWNER, "plan quarter 2018/19 Q3", connector.service_url))
    teams.post(personal_message(OWNER, "plan quarter 2018/19 Q3", connector.service_url))

    sent = connector.sent()
    channel = "\n".join(card_texts(c.body) for c in sent if c.conversation.startswith(CHANNEL_ID))
    personal = "\n".join(card_texts(c.body) for c in sent if not c.conversation.startswith(CHANNEL_ID))
    assert "quarterly summary 2018/19 Q3" in channel and "quarterly summary 2018/19 Q3" in personal
    assert "Full detail: plan quarter 2018/19 Q3 in a direct message with me" in channel
    assert "Full detail" not in personal


def test_home_shows_the_persons_actions(teams, connector) -> None:
    teams.post(personal_message(OWNER, "home", connector.service_url))

    assert "V9" in said(connector)


def test_plan_admin_assign_resolves_a_teams_mention(teams, container, connector) -> None:
    """`@planbot plan admin assign "ROLE" @Jo` in a channel: the mention becomes Jo's email from the roster."""
    jo = TeamsUser("29:jo", "aad-jo-0001", "Jo Bloggs", "jo.bloggs@example.org")
    connector.people[jo.user_id] = jo
    activity = channel_mention(
        ADMIN, 'plan admin assign "Head of Criminal Justice" <at>Jo Bloggs</at>', connector.service_url, mentions=(jo,)
    )

    teams.post(activity)

    (told,) = [c for c in connector.sent() if not c.conversation.startswith(CHANNEL_ID)]
    (reply,) = [c for c in connector.sent() if c.conversation.startswith(CHANNEL_ID)]
    assert "Jo Bloggs now holds" in card_texts(reply.body)
    assert "couldn't message Jo" not in card_texts(reply.body)
    assert "couldn't message Ollie Kerr" in card_texts(reply.body), "the old holder never used planbot on Teams"
    with session_scope(container.engine) as session:
        linked = {i.external_id for i in session.exec(select(PlatformIdentity))}
    assert jo.aad_object_id in linked
    (created,) = [c for c in connector.calls if c.path.endswith("/v3/conversations")]
    assert [jo.aad_object_id] == [m["id"] for m in created.body["members"]], "a 1:1 chat by Entra object id"
    assert told.conversation.startswith("a:new-"), "Jo is told in that chat"
    assert "Head of Criminal Justice" in card_texts(told.body)


def test_someone_planbot_may_not_message_is_named_to_the_admin(teams, connector) -> None:
    jo = TeamsUser("29:jo", "aad-jo-0001", "Jo Bloggs", "jo.bloggs@example.org")
    connector.people[jo.user_id] = jo
    connector.blocked.add(jo.aad_object_id)
    text = 'plan admin assign "Head of Criminal Justice" <at>Jo Bloggs</at>'

    teams.post(channel_mention(ADMIN, text, connector.service_url, mentions=(jo,)))

    (reply,) = connector.sent()
    assert "couldn't message Jo Bloggs" in card_texts(reply.body)


def test_someone_who_chats_with_planbot_is_told_in_that_chat(teams, connector) -> None:
    jo = TeamsUser("29:jo", "aad-jo-0001", "Jo Bloggs", "jo.bloggs@example.org")
    connector.people[jo.user_id] = jo
    teams.post(personal_message(jo, "rag mine", connector.service_url))
    text = 'plan admin assign "Head of Criminal Justice" <at>Jo Bloggs</at>'

    teams.post(channel_mention(ADMIN, text, connector.service_url, mentions=(jo,)))

    assert [] == [c for c in connector.calls if c.path.endswith("/v3/conversations")], "no new chat needed"
    assert 1 == len([c for c in connector.sent() if c.conversation == f"a:personal-{jo.user_id}"][1:])


def test_the_home_card_is_refreshed_in_place_after_an_update(teams, connector) -> None:
    """Teams has no Home tab: the dashboard card in the personal chat is edited after the person's update."""
    teams.post(personal_message(OWNER, "home", connector.service_url))
    (home_id,) = connector.created
    teams.post(personal_message(OWNER, "rag V9 red Waiting on the CJS review --mitigation LCJB", connector.service_url))

    edits = [c for c in connector.calls if c.method == "PUT"]
    assert 1 == len(edits)
    assert edits[0].path.endswith(f"/activities/{home_id}")
    assert "Red" in card_texts(edits[0].body)
    assert 2 == len(connector.sent()), "the reply is new; the home card is edited, not posted again"


def test_every_conversation_is_remembered_for_later_posts(teams, container, connector) -> None:
    teams.post(personal_message(OWNER, "rag V9", connector.service_url))
    teams.post(channel_mention(STRANGER, "plan summary", connector.service_url))

    with session_scope(container.engine) as session:
        rows = {r.conversation_id: r for r in session.exec(select(TeamsConversation))}
    assert {f"a:personal-{OWNER.user_id}", CHANNEL_ID} == set(rows)
    assert rows[CHANNEL_ID].person_id is None and rows[CHANNEL_ID].kind == "channel"
    assert rows[f"a:personal-{OWNER.user_id}"].person_id is not None
    assert {connector.service_url} == {r.service_url for r in rows.values()}


def test_installing_and_removing_planbot_is_remembered(teams, container, connector) -> None:
    """Install events keep the conversation for later posts (and say nothing); removal forgets it."""
    teams.post(installation_update(OWNER, "add", connector.service_url))
    teams.post(bot_added_to_channel(ADMIN, connector.service_url))

    with session_scope(container.engine) as session:
        kept = {r.conversation_id for r in session.exec(select(TeamsConversation))}
    assert {f"a:personal-{OWNER.user_id}", CHANNEL_ID} == kept
    assert [] == connector.sent()

    answer, _ = teams.post(installation_update(OWNER, "remove", connector.service_url))

    assert 202 == answer
    with session_scope(container.engine) as session:
        active = {r.conversation_id: r.active for r in session.exec(select(TeamsConversation))}
    assert {f"a:personal-{OWNER.user_id}": False, CHANNEL_ID: True} == active


def test_an_admins_home_card_previews_the_digest(teams, connector) -> None:
    teams.post(personal_message(ADMIN, "home", connector.service_url))
    home = connector.sent()[0].body["attachments"][0]["content"]
    (button,) = [a for a in home.get("actions", []) if a.get("type") == "Action.Submit"]
    pressed = personal_message(ADMIN, "", connector.service_url) | {"value": button["data"]}
    pressed.pop("text")

    teams.post(pressed)

    assert "digest" in card_texts(connector.sent()[-1].body).lower()


@pytest.mark.parametrize(
    ("typed", "shown"), [("plan summary", "summary"), ("rag V9", "V9"), ("how is Victims doing?", "victims")]
)
def test_someone_without_an_email_may_look(teams, container, connector, typed, shown) -> None:
    """A guest the roster gives no email for can read the plan; only updating needs them matched."""
    teams.post(personal_message(GUEST, typed, connector.service_url))

    assert 1 == len(connector.sent())
    assert shown.lower() in said(connector).lower()
    assert "email" not in said(connector)
    assert [] == stored_updates(container.engine)
    assert 0 == identities(container.engine)


def test_an_update_made_in_a_channel_refreshes_the_home_card_too(teams, connector) -> None:
    teams.post(personal_message(OWNER, "home", connector.service_url))
    (home_id,) = connector.created

    teams.post(channel_mention(OWNER, "rag V9 amber Slipping a month", connector.service_url))

    (edit,) = [c for c in connector.calls if c.method == "PUT"]
    assert f"a:personal-{OWNER.user_id}" == edit.conversation
    assert edit.path.endswith(f"/activities/{home_id}")
    assert "Amber" in card_texts(edit.body)


def test_rag_away_names_the_cover_by_a_teams_mention_and_rag_back_ends_it(teams, container, connector) -> None:
    """`@planbot rag away until … cover @Jo` in a channel: the leave is stored with Jo as cover, Jo is
    told in a chat of their own; `rag back` typed in the personal chat ends it."""
    jo = TeamsUser("29:jo", "aad-jo-0001", "Jo Bloggs", "jo.bloggs@example.org")
    connector.people[jo.user_id] = jo
    text = "rag away until 2018-07-31 cover <at>Jo Bloggs</at>"

    teams.post(channel_mention(OWNER, text, connector.service_url, mentions=(jo,)))

    (reply,) = [c for c in connector.sent() if c.conversation.startswith(CHANNEL_ID)]
    assert "You are on leave until 31 Jul 2018: reminders about your actions go to Jo Bloggs" in card_texts(reply.body)
    (told,) = [c for c in connector.sent() if not c.conversation.startswith(CHANNEL_ID)]
    assert "Ollie Kerr is on leave until 31 Jul 2018 and has you as cover" in card_texts(told.body)
    with session_scope(container.engine) as session:
        (leave,) = session.exec(select(Leave))
        assert "jo.bloggs@example.org" == session.get(Person, leave.cover_id).email

    teams.post(personal_message(OWNER, "rag back", connector.service_url))

    assert "Welcome back" in card_texts(connector.sent()[-1].body)
    with session_scope(container.engine) as session:
        assert [] == list(session.exec(select(Leave)))


@pytest.mark.parametrize(
    ("typed", "explained"),
    [
        ("rag away until 2018-01-31", "has passed"),
        ("rag away", "until when"),
        ("rag away until 2018-07-31 cover vic.visitor@example.net", "no one with the email"),
        ("rag away until 2018-07-31 cover ollie.kerr@example.org", "someone else to cover"),
    ],
)
def test_a_refused_leave_is_explained_and_stores_nothing(teams, container, connector, typed, explained) -> None:
    teams.post(personal_message(OWNER, typed, connector.service_url))

    assert explained in said(connector).lower()
    with session_scope(container.engine) as session:
        assert [] == list(session.exec(select(Leave)))


def test_someone_without_an_email_cannot_go_on_leave(teams, container, connector) -> None:
    """Leave changes what planbot does, so like an update it needs the person matched."""
    teams.post(personal_message(GUEST, "rag away until 2018-07-31", connector.service_url))

    assert "email" in said(connector)
    with session_scope(container.engine) as session:
        assert [] == list(session.exec(select(Leave)))


@pytest.mark.parametrize("typed", ["rag red V9 Waiting on the CJS review", "/rag red V9 Waiting on the CJS review"])
def test_a_refused_update_suggests_the_command_as_teams_people_type_it(teams, container, connector, typed) -> None:
    """Teams has no slash commands: planbot reads ``/rag`` there too, but every hint shows ``rag``."""
    teams.post(personal_message(OWNER, typed, connector.service_url))

    text = said(connector)
    assert [] == stored_updates(container.engine)
    assert "Put the action id first: rag V9 red Waiting on the CJS review" in text
    assert "Usage: rag ACTION STATUS" in text
    assert "/rag" not in text


def test_help_in_teams_names_rag_and_plan_as_typed_there(teams, connector) -> None:
    teams.post(personal_message(OWNER, "/rag help", connector.service_url))
    teams.post(personal_message(ADMIN, "plan help", connector.service_url))

    text = said(connector)
    assert "Using rag\nrag V9 red Waiting on CJS review" in text
    assert "Usage: plan summary " in text and " · plan overdue · plan digest · " in text
    assert "/rag" not in text and "/plan" not in text
