"""``/rag away`` and ``/rag back`` over signed HTTP: the cover named by mention, the leave stored and
audited, the cover told by direct message; a refusal stores nothing; a mention in an update's reason
is left as typed (only a leave's cover is read as a person)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import select
from support.fake_slack import FakeSlack, SlackUser
from support.workspace import BOT, OWNER, stored_updates
from test_admin_commands import dms
from test_http import rag, replies

from storage.db import session_scope
from storage.models import AuditEntry, Leave, Person

JO = SlackUser("U999", "Jo Haynes", "jo.haynes@example.org")


def stored_leave(engine: Engine) -> list[tuple[dt.date, str | None, str]]:
    """Each leave as (until, the cover's email, who set it)."""
    with session_scope(engine) as session:
        rows = [
            (r.until, session.get(Person, r.cover_id) if r.cover_id else None, r.set_by)
            for r in session.exec(select(Leave))
        ]
        return [(until, cover.email if cover else None, by) for until, cover, by in rows]


def audited(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return [a.change for a in session.exec(select(AuditEntry).where(AuditEntry.entity == "leave"))]


def test_away_with_a_mentioned_cover_is_stored_and_the_cover_told(events_url, fake_slack: FakeSlack, engine: Engine):
    fake_slack.users[JO.id] = JO

    rag(events_url, fake_slack, f"away until 2018-07-31 cover <@{JO.id}|jo>")

    reply = replies(fake_slack)[0]
    assert reply["text"].startswith(
        "You are on leave until 31 Jul 2018: reminders about your actions go to jo.haynes@example.org"
    )
    assert [(dt.date(2018, 7, 31), JO.email, "ollie.kerr@example.org")] == stored_leave(engine)
    assert ["set"] == audited(engine)
    fake_slack.wait_for("chat.postMessage", 1)
    assert "Ollie Kerr is on leave until 31 Jul 2018 and has you as cover" in dms(fake_slack)[f"D{JO.id}"]

    rag(events_url, fake_slack, "back")
    assert "Welcome back: reminders resume as before." in replies(fake_slack, 2)[1]["text"]
    assert [] == stored_leave(engine)
    assert ["set", "end"] == audited(engine)


def test_a_cover_slack_cannot_name_is_refused_and_nothing_stored(events_url, fake_slack: FakeSlack, engine: Engine):
    rag(events_url, fake_slack, f"away until 2018-07-31 cover <@{BOT.id}|somebot>")

    assert replies(fake_slack)[0]["text"].startswith("I couldn't read @somebot's email from Slack")
    assert [] == stored_leave(engine) and [] == audited(engine)


def test_a_past_date_is_refused_and_nothing_stored(events_url, fake_slack: FakeSlack, engine: Engine):
    rag(events_url, fake_slack, "away until 2018-06-01")

    assert replies(fake_slack)[0]["text"].startswith("1 Jun 2018 has passed; give the last day of the leave.")
    assert [] == stored_leave(engine) and [] == audited(engine)


def test_a_mention_in_a_reason_is_kept_as_typed(events_url, fake_slack: FakeSlack, engine: Engine):
    fake_slack.users[JO.id] = JO

    rag(events_url, fake_slack, f"V9 amber Waiting on <@{JO.id}|jo> --mitigation Chased", user_id=OWNER.id)

    replies(fake_slack)
    [update] = stored_updates(engine)
    assert f"Waiting on <@{JO.id}|jo>" == update.reason
