"""``/rag`` over HTTP, end to end: Slack's signed form posts to the real waitress server, and planbot's
answers back through response_url and chat.postMessage on the fake Slack server."""

from __future__ import annotations

import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from sqlalchemy.engine import Engine
from support.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from support.slash import CHANNEL_ID, post, send_slash, signed_headers, slash_fields
from support.workspace import ADMIN, BOT, OWNER, STRANGER, identities, stored_updates

ACK_SECONDS = 3.0


def rag(events_url: str, fake_slack: FakeSlack, text: str, user_id: str = OWNER.id, **fields: str):
    """Type ``/rag text`` in the plan channel; Slack must get its 200 within 3 seconds."""
    answer = send_slash(events_url, text, user_id=user_id, response_url=fake_slack.response_url(user_id), **fields)
    assert 200 == answer.status
    assert answer.seconds < ACK_SECONDS
    return answer


def replies(fake_slack: FakeSlack, count: int = 1) -> list[dict]:
    """The ephemeral messages posted to response_url, once ``count`` have arrived."""
    return [call.params for call in fake_slack.wait_for("response", count)]


def all_text(message: dict) -> str:
    """A message's fallback text and every text in its blocks, as Slack receives them."""
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return "\n".join([message["text"], *(json.dumps(block, ensure_ascii=False) for block in blocks)])


class TestUpdate:
    def test_update_is_stored_answered_privately_and_announced(self, events_url, fake_slack, engine: Engine):
        """The owner's /rag V9 red … is acknowledged at once, stored, confirmed to them alone and
        announced in the channel where they typed it."""
        answer = rag(events_url, fake_slack, "V9 red Waiting on CJS review --mitigation LCJB")

        reply = replies(fake_slack)[0]
        post_call = fake_slack.wait_for("chat.postMessage")[0]
        assert "" == answer.body
        [update] = stored_updates(engine)
        assert ("R", "Waiting on CJS review", "slack") == (update.status, update.reason, update.source)
        assert update.source_ref.startswith(f"slack:{CHANNEL_ID}:")
        assert "ephemeral" == reply["response_type"]
        assert "V9 updated" in reply["text"]
        assert ":red_circle: Red" in all_text(reply)
        assert CHANNEL_ID == post_call.params["channel"]
        assert "Ollie Kerr updated V9 to Red" in post_call.params["text"]
        assert "Waiting on CJS review" in post_call.params["text"]

    def test_slack_user_is_looked_up_once_then_remembered(self, events_url, fake_slack, engine: Engine):
        """The first command asks Slack who the person is; the second does not ask again."""
        rag(events_url, fake_slack, "V9 amber Awaiting the CPS")
        replies(fake_slack, 1)
        rag(events_url, fake_slack, "V9 green Back on track")
        replies(fake_slack, 2)

        assert 1 == len(fake_slack.calls_to("users.info"))
        assert OWNER.id == fake_slack.calls_to("users.info")[0].params["user"]
        assert ["A", "G"] == [u.status for u in stored_updates(engine)]
        assert 1 == identities(engine)

    def test_reply_and_announcement_escape_what_was_typed(self, events_url, fake_slack, engine: Engine):
        """A reason containing Slack markup is stored as typed but can neither ping nor link in Slack."""
        reason = "Escalated <!channel> see <https://evil.example|click> & R&D"
        rag(events_url, fake_slack, f"V9 amber {reason}")

        reply = replies(fake_slack)[0]
        announcement = fake_slack.wait_for("chat.postMessage")[0].params
        assert reason == stored_updates(engine)[0].reason
        for message in (reply, announcement):
            text = all_text(message)
            assert "&lt;!channel&gt;" in text
            assert "&lt;https://evil.example|click&gt;" in text
            assert "R&amp;D" in text
            assert "<!channel>" not in text
            assert "<https://evil.example" not in text

    def test_announcement_in_a_channel_without_planbot_asks_for_an_invite(self, events_url, fake_slack, engine):
        """When planbot is not in the channel the update is still stored and the person is told to invite it."""
        fake_slack.post_error = "not_in_channel"

        rag(events_url, fake_slack, "V9 green On track")

        confirmation, advice = replies(fake_slack, 2)
        assert "V9 updated" in confirmation["text"]
        assert f"invite <@{BOT_USER_ID}> to <#{CHANNEL_ID}>" in advice["text"]
        assert "ephemeral" == advice["response_type"]
        assert 1 == len(stored_updates(engine))

    def test_update_typed_in_someone_elses_direct_message_is_kept_and_explained(self, events_url, fake_slack, engine):
        """Slack will not let planbot post into a DM between two people; the person learns where to type it."""
        fake_slack.post_error = "channel_not_found"

        rag(events_url, fake_slack, "V9 green On track", channel_id="D0DIRECT01")

        confirmation, advice = replies(fake_slack, 2)
        assert "V9 updated" in confirmation["text"]
        assert "type /rag in a channel" in advice["text"]
        assert "D0DIRECT01" == fake_slack.calls_to("chat.postMessage")[0].params["channel"]
        assert 1 == len(stored_updates(engine))

    def test_unexpected_failure_is_apologised_for(self, events_url, fake_slack, engine):
        """If Slack fails in a way planbot cannot fix, the person hears something went wrong."""
        fake_slack.post_error = "fatal_error"

        rag(events_url, fake_slack, "V9 green On track")

        confirmation, apology = replies(fake_slack, 2)
        assert "V9 updated" in confirmation["text"]
        assert "something went wrong" in apology["text"]
        assert "ephemeral" == apology["response_type"]

    def test_acknowledgement_does_not_wait_for_the_work(self, events_url, fake_slack, engine):
        """Slack gets its 200 straight away even while the answer is still being worked out."""
        fake_slack.delay_seconds = 1.5

        answer = rag(events_url, fake_slack, "V9 green On track")

        assert answer.seconds < 0.5
        assert "V9 updated" in replies(fake_slack)[0]["text"]


class TestPeople:
    def test_someone_outside_the_plan_may_look_but_not_update(self, events_url, fake_slack, engine: Engine):
        """A stranger is told who can update V9, nothing is stored or announced, yet /rag V9 answers them."""
        rag(events_url, fake_slack, "V9 red Not happy", user_id=STRANGER.id)
        refusal = replies(fake_slack)[0]
        rag(events_url, fake_slack, "V9", user_id=STRANGER.id)
        shown = replies(fake_slack, 2)[1]

        assert "Head of Criminal Justice" in refusal["text"]
        assert [] == stored_updates(engine)
        assert [] == fake_slack.calls_to("chat.postMessage")
        assert "V9 Ensure that when Criminal Justice System processes are reviewed" in shown["text"]

    def test_two_first_commands_at_once_are_both_answered(self, events_url, fake_slack, engine: Engine):
        """A person's very first command typed twice in quick succession is matched once and answered twice."""
        fake_slack.delay_seconds = 0.3  # both commands are waiting on users.info together
        with ThreadPoolExecutor(max_workers=2) as pool:
            for answer in pool.map(lambda text: rag(events_url, fake_slack, text), ["V9 amber A", "V9 green B"]):
                assert 200 == answer.status

        texts = [reply["text"] for reply in replies(fake_slack, 2)]
        assert 2 == sum("V9 updated" in text for text in texts), texts
        assert 2 == len(fake_slack.calls_to("users.info"))
        assert 1 == identities(engine)
        assert {"A", "G"} == {u.status for u in stored_updates(engine)}

    def test_admin_update_is_recorded_on_behalf(self, events_url, fake_slack, engine: Engine):
        """An admin may update any action; the update is marked as made on the owner's behalf."""
        rag(events_url, fake_slack, "V9 amber Chased the CPS", user_id=ADMIN.id)

        assert "V9 updated" in replies(fake_slack)[0]["text"]
        assert [True] == [u.on_behalf for u in stored_updates(engine)]

    def test_user_without_a_readable_email_is_told_why(self, events_url, fake_slack, engine: Engine):
        """A user Slack gives no email for is told to have the scope checked; nothing is stored or remembered."""
        rag(events_url, fake_slack, "V9 green On track", user_id=BOT.id)

        reply = replies(fake_slack)[0]
        assert reply["text"].startswith("I couldn't read your email address from Slack")
        assert "users:read.email" in reply["text"]
        assert [] == stored_updates(engine)
        assert 0 == identities(engine)

    def test_empty_command_opens_the_update_modal(self, events_url, fake_slack):
        """Plain /rag opens the update form with the command's trigger (help is /rag help)."""
        rag(events_url, fake_slack, "")

        [opened] = fake_slack.wait_for("views.open")
        assert TEAM_ID in opened.params["trigger_id"]
        assert "rag_update" == opened.params["view"]["callback_id"]
        assert [] == fake_slack.calls_to("response")


class TestRequestVerification:
    def _post_signed(self, events_url: str, fake_slack: FakeSlack, *, secret: str | None = None, age: int = 0):
        body = urlencode(
            slash_fields("V9 red Forged", user_id=OWNER.id, response_url=fake_slack.response_url(OWNER.id))
        )
        headers = signed_headers(body, timestamp=int(time.time()) - age, **({"secret": secret} if secret else {}))
        return post(events_url, body, headers)

    def test_forged_signature_is_rejected(self, events_url, fake_slack, engine: Engine):
        """A request signed with the wrong secret gets 401 and changes nothing."""
        answer = self._post_signed(events_url, fake_slack, secret="not-the-signing-secret")

        assert 401 == answer.status
        assert [] == stored_updates(engine)
        assert [] == fake_slack.calls_to("response")

    def test_replayed_request_is_rejected(self, events_url, fake_slack, engine: Engine):
        """A correctly signed request more than five minutes old gets 401 and changes nothing."""
        answer = self._post_signed(events_url, fake_slack, age=5 * 60 + 30)

        assert 401 == answer.status
        assert [] == stored_updates(engine)
        assert [] == fake_slack.calls_to("response")


def test_health_check_answers(events_url: str):
    """Load balancers can ask GET /healthz whether planbot is serving."""
    with urllib.request.urlopen(events_url.replace("/slack/events", "/healthz"), timeout=5) as response:
        assert (200, b"ok\n") == (response.status, response.read())


def test_mistake_is_explained_and_nothing_stored(events_url, fake_slack, engine: Engine):
    """A command the core refuses comes back with what was wrong and the correct form."""
    rag(events_url, fake_slack, "V9 purple Whatever")

    assert '"purple" is not a status' in replies(fake_slack)[0]["text"]
    assert [] == stored_updates(engine)


def test_restricted_reason_stays_out_of_the_channel_announcement(events_url, fake_slack, engine: Engine):
    """The person's own reply shows the restricted reason; the channel hears only that there is one."""
    rag(events_url, fake_slack, "V9 amber Named suspect under investigation --restricted")

    reply = replies(fake_slack)[0]
    announcement = fake_slack.wait_for("chat.postMessage")[0].params
    assert "Named suspect under investigation" in all_text(reply)
    assert "Ollie Kerr updated V9 to Amber" in announcement["text"]
    assert "reason restricted, not shown here" in announcement["text"]
    assert "Named suspect" not in all_text(announcement)
    assert [True] == [u.restricted for u in stored_updates(engine)]


class TestCommandWords:
    """Slack's hints name its slash commands: the same answers Teams gives with ``rag``."""

    def test_a_refused_update_suggests_the_slash_command(self, events_url, fake_slack, engine: Engine):
        rag(events_url, fake_slack, "red V9 Waiting on the CJS review")

        reply = replies(fake_slack)[0]
        assert [] == stored_updates(engine)
        assert reply["text"].startswith("Put the action id first: /rag V9 red Waiting on the CJS review\n")
        assert "Usage: /rag ACTION STATUS" in reply["text"]

    def test_help_names_the_slash_command(self, events_url, fake_slack):
        rag(events_url, fake_slack, "help")

        assert "Using /rag\n/rag V9 red Waiting on CJS review" in replies(fake_slack)[0]["text"]
