"""What people see when something goes wrong, and what hostile text becomes, over HTTP on Teams."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from support.fake_teams import OWNER, TeamsUser, personal_message
from support.teams_cards import HOSTILE_TEXTS, markup_in, shown_text, text_blocks, walk
from support.workspace import stored_updates

from commands.errors import APOLOGY


def test_a_failure_is_apologised_for_and_never_shown(teams, container, connector, monkeypatch, caplog) -> None:
    """The SDK's default handler posts the exception into the chat; planbot's says sorry and logs the detail."""

    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("bot.teams.agent.handle_rag", broken)
    caplog.set_level(logging.ERROR)

    answer, _ = teams.post(personal_message(OWNER, "rag V9 red Waiting on the CJS review", connector.service_url))

    assert 202 == answer
    (sent,) = connector.sent()
    card = sent.body["attachments"][0]["content"]
    assert APOLOGY in shown_text(card)
    assert "hunter2" not in str(sent.body)
    assert "hunter2" in caplog.text, "the detail goes to the log"
    assert "Waiting on the CJS review" not in caplog.text, "what the person typed does not"


@pytest.mark.parametrize("hostile", HOSTILE_TEXTS)
def test_hostile_text_is_stored_as_typed_and_inert_in_the_reply(teams, container, connector, hostile) -> None:
    teams.post(personal_message(OWNER, f"rag V9 red Waiting {hostile} --mitigation LCJB", connector.service_url))

    assert [f"Waiting {hostile}"] == [u.reason for u in stored_updates(container.engine)]
    (sent,) = connector.sent()
    assert "entities" not in sent.body or not [e for e in sent.body["entities"] if e.get("type") == "mention"]
    card = sent.body["attachments"][0]["content"]
    assert [] == [found for text in text_blocks(card) for found in markup_in(text)]
    assert not [node for node in walk(card) if "selectAction" in node], "no text can be clicked"
    assert hostile in shown_text(card)


def test_first_messages_from_many_new_people_at_once_are_all_answered(teams, container, connector) -> None:
    """Each first message waits on a roster lookup, whose host name aiohttp resolves on the event loop's
    default thread pool: the core's work must not take that pool's threads, or every lookup waits 10 s
    and everyone gets the apology (found by benchmarks/teams_roundtrip.py with a named service URL)."""
    people = [
        TeamsUser(f"29:new{n}", f"aad-new-{n:04d}", f"New Person {n}", f"new.person{n}@example.org") for n in range(16)
    ]
    connector.people |= {p.user_id: p for p in people}
    named = connector.service_url.replace("127.0.0.1", "localhost")
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=len(people)) as clients:
        answers = list(clients.map(lambda p: teams.post(personal_message(p, "rag mine", named))[0], people))

    assert [202] * len(people) == answers
    assert time.monotonic() - started < 8, "no lookup waited out its 10 s limit"
    assert len(people) == len(connector.sent())
    assert not [c for c in connector.sent() if APOLOGY in shown_text(c.body["attachments"][0]["content"])]


def test_teams_is_answered_before_the_work_and_the_reply_follows(teams, container, connector, monkeypatch) -> None:
    """Teams gives up on an answer after 15 s: a message is answered 202 at once, as Slack's commands are
    acknowledged, and the reply arrives by its own POST when the work is done."""
    from bot.teams import agent

    slow = agent.handle_rag

    def slowly(*args, **kwargs):
        time.sleep(1.5)
        return slow(*args, **kwargs)

    monkeypatch.setattr(agent, "handle_rag", slowly)
    answered_at_once_then_replied(teams, container, connector)


def test_a_message_is_answered_at_once_while_earlier_turns_hold_the_loop(teams, container, connector) -> None:
    """Checking a request does not queue behind the turns under way: with the turns' loop busy for
    1.5 s, the next message is still answered 202 at once, and its reply follows when the loop frees."""
    assert teams.gateway is not None
    teams.gateway.loop.call_soon_threadsafe(time.sleep, 1.5)  # earlier turns' work holding the loop
    answered_at_once_then_replied(teams, container, connector)


def test_a_message_arriving_while_planbot_stops_is_refused_for_teams_to_send_again(teams, container, connector) -> None:
    """Once the turns' loop has stopped, a message gets 503 (Teams retries it) rather than a 202 whose
    turn would never run; nothing is stored and nothing is sent."""
    assert teams.gateway is not None
    teams.gateway.stop()

    answer, _ = replace(teams, gateway=None).post(
        personal_message(OWNER, "rag V9 amber Waiting on the CJS review", connector.service_url)
    )

    assert 503 == answer
    assert [] == stored_updates(container.engine)
    assert [] == connector.sent()


def answered_at_once_then_replied(teams, container, connector) -> None:
    """Post an update without waiting for its turn, as Teams does: answered 202 within 1 s, then
    replied to and stored once the work is done."""
    impatient = replace(teams, gateway=None)  # does not wait for the turn, as Teams does not
    started = time.monotonic()

    answer, _ = impatient.post(personal_message(OWNER, "rag V9 amber Waiting on the CJS review", connector.service_url))

    assert 202 == answer
    assert time.monotonic() - started < 1.0
    connector.wait_for_sent(1)
    assert [("A", "teams")] == [(u.status, u.source) for u in stored_updates(container.engine)]
