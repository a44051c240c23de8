"""Scheduled posts to Teams through the same durable delivery as Slack's, counted at the fake Bot Connector.

The scheduler runs on the delivery engine (DBOS) with the real Teams notifier, whose proactive turns
run on planbot's gateway loop and go to the fake over HTTP with the stub outbound token. A channel is
subscribed the way an admin does it: ``@planbot plan admin subscribe weekly`` typed in the channel,
over signed HTTP, which also stores the channel's conversation reference.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from support.big_plan import load_big_plan
from support.engine_support import settle
from support.fake_slack import BOT_TOKEN, FakeSlack
from support.fake_teams import (
    ADMIN,
    APP_ID,
    CHANNEL_ID,
    OWNER,
    TENANT_ID,
    FakeBotConnector,
    Fault,
    card_action,
    card_texts,
    channel_mention,
    personal_message,
)
from support.teams_cards import shown_text
from support.workspace import TickingClock, stored_updates

from bot import engine
from bot.config import Settings
from bot.container import Container
from bot.doctor import teams_references_check
from bot.health import Status
from bot.scheduler import PlanReports, Scheduler, start
from bot.slack.app import build_client
from bot.slack.notifier import SlackNotifier
from bot.teams.card_parts import MAX_CARD_BYTES, card_bytes
from bot.teams.delivery import TeamsPoster, Unreachable
from bot.teams.gateway import TeamsGateway
from bot.teams.messenger import direct_cards
from bot.teams.notifier import TeamsNotifier
from commands.model import Reply
from commands.nudges import NUDGE, DirectMessage
from commands.ports import TEAMS, Recipient
from commands.schedule import JobName
from storage.db import session_scope
from storage.models import AuditEntry, ChannelSubscription, JobRun, TeamsConversation
from storage.repository import PlanRepository
from tests.teams.conftest import StubTokens, TeamsClient

MONDAY = dt.datetime(2018, 11, 26, 9, 0)  # 09:00 GMT: the digest's time
NUDGES = dt.datetime(2018, 11, 26, 10, 0)  # the nudges pass

pytestmark = pytest.mark.usefixtures("delivery_engine")


def notifier_for(gateway: TeamsGateway, waits: list[float] | None = None) -> TeamsNotifier:
    """The Teams notifier on the gateway's loop; retries record their waits instead of sleeping when
    ``waits`` is given (else they really wait)."""
    quick: dict[str, Any] = {"jitter": lambda: 0.0}
    if waits is not None:
        quick["wait"] = waits.append
    poster = TeamsPoster(gateway.adapter, APP_ID, gateway.loop, **quick)
    return TeamsNotifier(poster, gateway.container, TENANT_ID)


def read(call: Any) -> str:
    """What a person reads on the activity's card."""
    return shown_text(call.body["attachments"][0]["content"])


class WholeReportNotifier(TeamsNotifier):
    """Posts the whole report to the channel, as a direct message carries it (18 cards for the big plan's
    digest, whose channel summary fits one card), so a report has many thread replies to count."""

    def parts(self, content: object) -> list[object]:
        return list(direct_cards(content, self.scheme))


def whole_notifier(gateway: TeamsGateway, waits: list[float] | None = None) -> WholeReportNotifier:
    plain = notifier_for(gateway, waits)
    return WholeReportNotifier(plain.poster, gateway.container, TENANT_ID)


def post_digest(scheduler: Scheduler, now: dt.datetime) -> None:
    """One pass at ``now`` that starts only the weekly digest (a Monday morning also catches up
    Friday's nudges, which these tests do not count), and waits for it."""
    started = [
        workflow_id
        for run in scheduler.runs_to_start(now)
        if run.job is JobName.WEEKLY_DIGEST
        for workflow_id in start(run, now)
    ]
    engine.wait_all(started, 120)


def subscribe_here(teams: TeamsClient, word: str = "weekly") -> str:
    """An admin subscribes the channel by typing in it; answers what planbot said back."""
    before = len(teams.connector.sent())
    teams.post(channel_mention(ADMIN, f"plan admin subscribe {word}", teams.connector.service_url))
    return "\n".join(read(c) for c in teams.connector.sent()[before:])


def cards_of(calls: list[Any]) -> list[dict[str, Any]]:
    return [c.body["attachments"][0]["content"] for c in calls]


def digest_runs(container: Container) -> list[tuple[str, str, str]]:
    with container.unit_of_work() as repo:
        rows = repo.session.exec(select(JobRun).where(JobRun.job == "weekly_digest"))
        return [(r.platform, r.target, r.state) for r in rows]


def test_an_admin_subscribes_the_channel_they_type_in(teams: TeamsClient, container: Container) -> None:
    answer = subscribe_here(teams)
    listed = teams.post(channel_mention(ADMIN, "plan admin subscriptions", teams.connector.service_url))

    assert f"channel {CHANNEL_ID} on Teams will receive the weekly digest." in answer
    assert 202 == listed[0]
    assert f"The weekly digest: channel {CHANNEL_ID} on Teams" in read(teams.connector.sent()[-1])
    with container.unit_of_work() as repo:
        assert [(TEAMS, CHANNEL_ID, "weekly")] == [(s.platform, s.channel, s.job) for s in repo.subscriptions()]
        reference = repo.teams_conversation(CHANNEL_ID)
        assert reference is not None and reference.service_url == teams.connector.service_url


def test_an_admin_unsubscribes_the_channel(teams: TeamsClient, container: Container) -> None:
    subscribe_here(teams)
    before = len(teams.connector.sent())
    teams.post(channel_mention(ADMIN, "plan admin unsubscribe weekly", teams.connector.service_url))

    assert "will no longer receive the weekly digest" in read(teams.connector.sent()[before])
    with container.unit_of_work() as repo:
        assert [] == repo.subscriptions()


def test_a_non_admin_cannot_subscribe_a_channel_and_nothing_is_stored(
    teams: TeamsClient, container: Container, engine: Engine
) -> None:
    teams.post(channel_mention(OWNER, "plan admin subscribe weekly", teams.connector.service_url))

    (refusal,) = teams.connector.sent()
    assert "admin" in card_texts(refusal.body).lower()
    with session_scope(engine) as session:
        assert [] == list(session.exec(select(ChannelSubscription)))
        assert [] == [a for a in session.exec(select(AuditEntry)) if a.entity == "channel_subscription"]


def test_subscribe_typed_in_a_personal_chat_says_where_to_type_it_and_stores_nothing(
    teams: TeamsClient, container: Container
) -> None:
    teams.post(personal_message(ADMIN, "plan admin subscribe weekly", teams.connector.service_url))

    assert "type this in the Teams channel itself" in read(teams.connector.sent()[-1])
    with container.unit_of_work() as repo:
        assert [] == repo.subscriptions()


def test_a_subscribed_channel_gets_monday_digest_once_as_a_new_post(
    teams: TeamsClient, container: Container, connector: FakeBotConnector
) -> None:
    subscribe_here(teams)
    scheduler = Scheduler(container, {TEAMS: notifier_for(teams.gateway, [])}, PlanReports())
    before = len(connector.posts_to(CHANNEL_ID))

    post_digest(scheduler, MONDAY - dt.timedelta(minutes=1))
    assert before == len(connector.posts_to(CHANNEL_ID)), "nothing before its time"
    post_digest(scheduler, MONDAY)
    post_digest(scheduler, MONDAY + dt.timedelta(minutes=5))

    posts = connector.posts_to(CHANNEL_ID)[before:]
    assert 1 <= len(posts)
    assert posts[0].path.endswith(f"/v3/conversations/{CHANNEL_ID}/activities"), "a new post, not a reply"
    assert "digest" in card_texts(posts[0].body).lower()
    assert "Full detail: plan digest in a direct message with me" in card_texts(posts[0].body), "as typed in Teams"
    assert [(TEAMS, CHANNEL_ID, "sent")] == digest_runs(container)


@pytest.fixture
def big_container(teams_settings: Settings, engine: Engine) -> Container:
    """planbot on the 300-action plan, its channel known and subscribed to the digest."""
    with session_scope(engine) as session:
        load_big_plan(PlanRepository(session), dt.datetime(2018, 11, 12, 10, 0))
    container = Container(teams_settings, engine, TickingClock(MONDAY))
    return container


@pytest.fixture
def big_gateway(big_container: Container, connector: FakeBotConnector) -> Iterator[TeamsGateway]:
    assert big_container.settings.teams is not None
    gateway = TeamsGateway(big_container, big_container.settings.teams, providers=StubTokens)
    with big_container.unit_of_work() as repo:
        repo.remember_teams_conversation(
            TeamsConversation(
                conversation_id=CHANNEL_ID,
                kind="channel",
                service_url=connector.service_url,
                tenant_id=TENANT_ID,
                seen_at=MONDAY,
            )
        )
        repo.add(
            ChannelSubscription(platform=TEAMS, channel=CHANNEL_ID, job="weekly", created_at=MONDAY, created_by="t")
        )
    yield gateway
    gateway.stop()


def test_a_300_action_digest_is_one_post_within_28_kb_sent_once(
    big_gateway: TeamsGateway, big_container: Container, connector: FakeBotConnector
) -> None:
    """The channel gets the core's channel summary, which for 300 actions fits one card."""
    scheduler = Scheduler(big_container, {TEAMS: notifier_for(big_gateway, [])}, PlanReports())
    post_digest(scheduler, MONDAY)
    post_digest(scheduler, MONDAY + dt.timedelta(minutes=5))

    (post,) = connector.posts_to(CHANNEL_ID)
    assert post.path.endswith(f"/v3/conversations/{CHANNEL_ID}/activities"), "a new post, not a reply"
    assert card_bytes(cards_of([post])[0]) <= MAX_CARD_BYTES
    assert "300" in read(post) or "Weekly digest" in read(post)


def test_a_long_report_is_a_post_and_its_other_cards_replies_in_its_thread_each_within_28_kb(
    big_gateway: TeamsGateway, big_container: Container, connector: FakeBotConnector
) -> None:
    post_digest(Scheduler(big_container, {TEAMS: whole_notifier(big_gateway, [])}, PlanReports()), MONDAY)

    first, *replies = connector.delivered(CHANNEL_ID)
    assert len(replies) >= 10
    assert first.path.endswith(f"/v3/conversations/{CHANNEL_ID}/activities")
    root = connector.created[0]
    assert {f"{CHANNEL_ID};messageid={root}"} == {r.conversation for r in replies}, "all in the first post's thread"
    assert all(card_bytes(card) <= MAX_CARD_BYTES for card in cards_of([first, *replies]))
    assert len(connector.posts_to(CHANNEL_ID)) == 1 + len(replies), "each card once"
    assert len({str(c.body) for c in replies}) == len(replies)


def test_a_429_with_retry_after_2_arrives_once_at_least_2_s_later(
    big_gateway: TeamsGateway, big_container: Container, connector: FakeBotConnector
) -> None:
    connector.inject(Fault(429, "Throttled", {"Retry-After": "2"}, CHANNEL_ID))
    started = time.perf_counter()

    post_digest(Scheduler(big_container, {TEAMS: notifier_for(big_gateway)}, PlanReports()), MONDAY)

    attempts = connector.posts_to(CHANNEL_ID)
    (delivered,) = connector.delivered(CHANNEL_ID)
    assert [attempts[1]] == [delivered] and 2 == len(attempts), "refused, then the same post once"
    assert attempts[0].body == attempts[1].body
    assert delivered.at - started >= 2.0
    assert attempts[1].at - attempts[0].at >= 2.0


@pytest.mark.parametrize("status", [503, 412])
def test_503_or_412_twice_then_200_arrives_once(
    big_gateway: TeamsGateway, big_container: Container, connector: FakeBotConnector, status: int
) -> None:
    waits: list[float] = []
    connector.inject(Fault(status, "Transient", {}, CHANNEL_ID), Fault(status, "Transient", {}, CHANNEL_ID))

    post_digest(Scheduler(big_container, {TEAMS: whole_notifier(big_gateway, waits)}, PlanReports()), MONDAY)

    attempts, delivered = connector.posts_to(CHANNEL_ID), connector.delivered(CHANNEL_ID)
    assert len(attempts) == len(delivered) + 2
    assert len({str(c.body) for c in delivered}) == len(delivered), "no card twice"
    assert [1.0, 2.0] == waits, "backed off, longer each time"
    assert [(TEAMS, CHANNEL_ID, "sent")] == digest_runs(big_container)


def test_403_not_in_roster_is_not_retried_marks_the_channel_inactive_and_tells_the_admins_once(
    teams: TeamsClient, container: Container, connector: FakeBotConnector
) -> None:
    subscribe_here(teams)
    notifier = notifier_for(teams.gateway, [])
    scheduler = Scheduler(container, {TEAMS: notifier}, PlanReports())
    before = len(connector.posts_to(CHANNEL_ID))
    connector.inject(Fault(403, "BotNotInConversationRoster", {}, CHANNEL_ID))

    post_digest(scheduler, MONDAY)
    with pytest.raises(Unreachable):
        notifier.post_to_channel(CHANNEL_ID, Reply(text="Another post the same day"))
    settle()

    assert 1 == len(connector.posts_to(CHANNEL_ID)) - before, "one try, no retry, nothing sent once inactive"
    assert [(TEAMS, CHANNEL_ID, "failed")] == digest_runs(container)
    with container.unit_of_work() as repo:
        reference = repo.teams_conversation(CHANNEL_ID)
        assert reference is not None and not reference.active
    alerts = [c for c in connector.sent() if "set-up fix" in card_texts(c.body)]
    assert 1 == len(alerts), "the admin (Emily) told once"
    assert f"planbot is not in the Teams channel {CHANNEL_ID}: add it there" in read(alerts[0])
    with container.unit_of_work() as repo:
        doctor = teams_references_check(repo)
    assert Status.FIX is doctor.status
    assert f"channel {CHANNEL_ID} (subscribed to reports)" in doctor.detail


def test_doctor_finds_no_inactive_teams_conversation_when_all_is_well(teams: TeamsClient, container: Container) -> None:
    subscribe_here(teams)
    with container.unit_of_work() as repo:
        assert Status.OK is teams_references_check(repo).status


def owner_recipient(container: Container) -> Recipient:
    with container.unit_of_work() as repo:
        owner = repo.person_by_email(OWNER.email)
        assert owner is not None and owner.id is not None
        return Recipient(owner.id, owner.email, "Ollie Kerr")


def test_a_person_planbot_is_not_installed_for_is_named_to_the_admins_once(
    teams: TeamsClient, container: Container, connector: FakeBotConnector
) -> None:
    """Ollie has only written in a channel (so planbot knows his Entra object id but has no 1:1 chat),
    and planbot is not installed for him: the chat cannot be created (403), and the admins are told."""
    subscribe_here(teams)  # the admin has written to planbot too, so her chat can be created
    teams.post(channel_mention(OWNER, "plan help", connector.service_url))
    notifier = notifier_for(teams.gateway, [])
    Scheduler(container, {TEAMS: notifier}, PlanReports())
    connector.blocked.add(OWNER.aad_object_id)

    for _ in range(2):
        with pytest.raises(Unreachable):
            notifier.send_direct(owner_recipient(container), Reply(text="V9 is due"))
    settle()

    alerts = [c for c in connector.sent() if "set-up fix" in card_texts(c.body)]
    assert 1 == len(alerts)
    assert "planbot is not installed for Ollie Kerr: add it to the app setup policy for action leads" in read(alerts[0])
    created = [c for c in connector.calls if c.method == "POST" and c.path.endswith("/v3/conversations")]
    tried = sorted(m["id"] for c in created for m in c.body["members"])
    assert sorted([OWNER.aad_object_id, OWNER.aad_object_id, ADMIN.aad_object_id]) == tried, "by object id, no retry"


def test_a_deleted_1to1_chat_makes_the_next_message_create_a_new_chat(
    teams: TeamsClient, container: Container, connector: FakeBotConnector
) -> None:
    teams.post(personal_message(OWNER, "rag mine", connector.service_url))
    chat = f"a:personal-{OWNER.user_id}"
    notifier = notifier_for(teams.gateway, [])
    connector.inject(Fault(404, "ConversationNotFound", {}, chat))

    with pytest.raises(Unreachable):
        notifier.send_direct(owner_recipient(container), Reply(text="V9 is due"))
    notifier.send_direct(owner_recipient(container), Reply(text="V9 is due"))

    created = [c for c in connector.calls if c.method == "POST" and c.path.endswith("/v3/conversations")]
    assert [[{"id": OWNER.aad_object_id}]] == [c.body["members"] for c in created], "by Entra object id"
    with container.unit_of_work() as repo:
        old = repo.teams_conversation(chat)
        assert old is not None and not old.active
        new = repo.teams_personal_chat(owner_recipient(container).person_id)
        assert new is not None and new.conversation_id.startswith("a:new-")
    assert ["V9 is due"] == [read(c) for c in connector.delivered(new.conversation_id)]


SLACK_CHANNEL = "C0DIGEST"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def both_platforms(teams: TeamsClient, container: Container, fake_slack: FakeSlack) -> Scheduler:
    """The digest to a Slack channel (configured) and to the Teams channel (subscribed), each by its notifier."""
    subscribe_here(teams)
    settings = replace(container.settings, slack_api_url=fake_slack.api_url, digest_channels=(SLACK_CHANNEL,))
    both = Container(settings, container.engine, container.clock)
    slack = SlackNotifier(build_client(settings, BOT_TOKEN), both, min_interval=0)
    return Scheduler(both, {"slack": slack, TEAMS: notifier_for(teams.gateway, [])}, PlanReports())


def slack_digests(fake_slack: FakeSlack) -> list[Any]:
    return [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("channel") == SLACK_CHANNEL]


def test_slack_is_not_held_up_by_a_slow_teams_and_each_gets_its_post_once(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, fake_slack: FakeSlack
) -> None:
    scheduler = both_platforms(teams, container, fake_slack)
    before = len(connector.posts_to(CHANNEL_ID))
    connector.slow[CHANNEL_ID] = 3.0

    post_digest(scheduler, MONDAY)

    (teams_post,) = connector.posts_to(CHANNEL_ID)[before:]
    slack_posts = slack_digests(fake_slack)
    assert 1 == len(slack_posts) and 1 == len(fake_slack.posted)
    assert slack_posts[0].at < teams_post.at + 3.0, "Slack's post went while Teams was still answering"


def test_teams_is_not_held_up_by_slack_rate_limits_and_each_gets_its_post_once(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, fake_slack: FakeSlack
) -> None:
    scheduler = both_platforms(teams, container, fake_slack)
    before = len(connector.posts_to(CHANNEL_ID))
    fake_slack.post_faults.extend([429, 429])  # Slack says wait a second, twice

    post_digest(scheduler, MONDAY)

    (teams_post,) = connector.posts_to(CHANNEL_ID)[before:]
    slack_posts = slack_digests(fake_slack)
    assert 3 == len(slack_posts) and 1 == len(fake_slack.posted), "two refused, then the post once"
    assert teams_post.at < slack_posts[-1].at, "Teams' post went while Slack was making planbot wait"


def test_a_slow_answer_is_waited_on_and_the_post_not_sent_again(
    teams: TeamsClient, container: Container, connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    """Teams accepts the post but answers after planbot's first wait: planbot keeps waiting for that
    answer (and its activity id) instead of sending a second copy that could land beside the first."""
    subscribe_here(teams)
    before = len(connector.posts_to(CHANNEL_ID))
    connector.slow[CHANNEL_ID] = 1.0
    notifier = notifier_for(teams.gateway, [])
    notifier.poster.answer_seconds = 0.2

    posted = notifier.post_to_channel(CHANNEL_ID, Reply(text="The digest"))

    assert 1 == len(connector.posts_to(CHANNEL_ID)[before:]), "sent once"
    assert posted == connector.created[-1], "the id Teams gave, kept"
    assert "waiting for that answer, not sending again" in caplog.text


def test_subscribe_without_a_channel_in_slack_asks_which_channel_and_stores_nothing(container: Container) -> None:
    """Slack's /plan answers privately, so a Slack channel is always named; only a Teams channel (where
    everyone reads the command) is subscribed by typing in it."""
    from commands.model import Actor, Invocation
    from commands.plan_dispatch import handle_plan

    with container.unit_of_work() as repo:
        admin = repo.person_by_email(ADMIN.email)
        assert admin is not None and admin.id is not None
        actor = Actor(admin.id, "Emily Carter", admin.email, is_admin=True)
        answer = handle_plan(Invocation(actor, "admin subscribe weekly", "slack", "C0COORD"), repo, MONDAY)
        assert isinstance(answer, Reply) and not answer.ok
        assert "Say which channel" in answer.text
        assert [] == repo.subscriptions()


def test_messages_to_one_person_keep_within_seven_a_second(
    teams: TeamsClient, container: Container, connector: FakeBotConnector
) -> None:
    """A pass of nudges to someone with many actions due is sent one after another to one chat."""
    teams.post(personal_message(OWNER, "rag mine", connector.service_url))
    chat = f"a:personal-{OWNER.user_id}"
    before = len(connector.posts_to(chat))
    notifier = notifier_for(teams.gateway, [])

    for number in range(9):
        notifier.send_direct(owner_recipient(container), Reply(text=f"Nudge {number}"))

    arrivals = [c.at for c in connector.posts_to(chat)[before:]]
    assert 9 == len(arrivals)
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= 1 / 7, gaps


def test_a_process_that_does_not_answer_teams_still_posts_there(
    teams: TeamsClient, container: Container, connector: FakeBotConnector
) -> None:
    """``planbot run`` (Slack's Socket Mode) cannot answer Teams, but with Teams configured its scheduler
    posts Teams' reports through a sending-only adapter, stopped with the runtime."""
    from bot.process import send_to_teams
    from bot.runtime import Runtime

    subscribe_here(teams)  # answered by another process (here the test's gateway)
    before = len(connector.posts_to(CHANNEL_ID))
    runtime = Runtime(container)
    send_to_teams(runtime, providers=StubTokens)
    notifier = runtime.notifiers[TEAMS]

    notifier.post_to_channel(CHANNEL_ID, Reply(text="The digest"))
    runtime.stop()

    assert ["The digest"] == [read(c) for c in connector.posts_to(CHANNEL_ID)[before:]]
    assert isinstance(notifier, TeamsNotifier) and not notifier.poster.loop.is_running(), "stopped with the runtime"


def test_a_nudge_arrives_as_the_reminder_card_whose_still_button_stores_one_update(
    teams: TeamsClient, container: Container, connector: FakeBotConnector
) -> None:
    """A nudge sent by the Teams notifier is the reminder card; "Still Amber" clicked on that very
    message stores one re-confirmation and edits that message; a second click stores nothing."""
    teams.post(personal_message(OWNER, "rag V9 amber Waiting on CJS review", connector.service_url))
    chat = f"a:personal-{OWNER.user_id}"
    owner = owner_recipient(container)
    reminder = DirectMessage(NUDGE, owner, "V9:2018-11-26", Reply(text="V9 is due an update"), "V9", "A")

    message_id = notifier_for(teams.gateway, []).send_direct(owner, reminder, key="nudges/teams/V9")

    [sent] = [c for c in connector.delivered(chat) if "V9 is due an update" in read(c)]
    [still] = [a for a in sent.body["attachments"][0]["content"]["actions"] if a["type"] == "Action.Execute"]
    assert "Still Amber" == still["title"]
    for _ in range(2):
        teams.post(card_action(OWNER, still["verb"], still["data"], message_id, connector.service_url))
    assert 2 == len(stored_updates(container.engine)), "the typed amber and one re-confirmation"
    assert [f"/activities/{message_id}"] == [c.path[-len(f"/activities/{message_id}") :] for c in edits(connector)]


def edits(connector: FakeBotConnector) -> list[Any]:
    return [call for call in connector.calls if call.method == "PUT"]
