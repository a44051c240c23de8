"""Whole ``planbot serve --http`` processes serving Teams alone, one, or two on one PostgreSQL database: the
digest due a minute ago reaches each subscribed Teams channel exactly once, counted at the fake Bot Connector.

Each process gets its outbound tokens from a real MSAL client talking to the local authority
(``support.fake_authority``), as in test_teams_serve.py, and posts through the Teams notifier that
``planbot serve`` registers. The channel's conversation reference and subscription are in the database
as an admin's ``@planbot plan admin subscribe weekly`` leaves them. The plan is the 300-action one;
every card the digest was built as (read back from the delivery engine's record of its build step)
must arrive once. The two-process case is skipped on SQLite, as Slack's are (SQLite means one process).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from support.big_plan import load_big_plan
from support.fake_authority import FakeAuthority
from support.fake_teams import APP_ID, CHANNEL_ID, TENANT_ID, FakeBotConnector
from support.processes import (
    ctrl_c_as_in_a_terminal,
    free_port,
    interrupt,
    parts_built,
    sent_digests,
    wait_until_healthy,
)

from bot.container import utc_now
from commands.ports import TEAMS
from commands.rules import LONDON
from storage.db import make_engine, session_scope
from storage.models import ChannelSubscription, TeamsConversation
from storage.repository import PlanRepository

SECRET = "a-client-secret-for-the-test"
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DONE_SECONDS = 60.0
CHANNELS = (CHANNEL_ID, "19:governance0002@thread.tacv2")

pytestmark = pytest.mark.slow


@pytest.fixture
def authority() -> Iterator[FakeAuthority]:
    fake = FakeAuthority(APP_ID, SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def database(migrated_db_url: str, connector: FakeBotConnector) -> str:
    """The migrated PostgreSQL test database: the big plan, the Teams channel known and subscribed."""
    eng = make_engine(migrated_db_url)
    now = utc_now()
    try:
        if on_postgres(migrated_db_url):
            with eng.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS dbos CASCADE"))
        with session_scope(eng) as session:
            repo = PlanRepository(session)
            load_big_plan(repo, now - dt.timedelta(days=10))
            for channel in CHANNELS:
                repo.remember_teams_conversation(
                    TeamsConversation(
                        conversation_id=channel,
                        kind="channel",
                        service_url=connector.service_url,
                        tenant_id=TENANT_ID,
                        seen_at=now,
                    )
                )
                repo.add(
                    ChannelSubscription(platform=TEAMS, channel=channel, job="weekly", created_at=now, created_by="t")
                )
    finally:
        eng.dispose()
    return migrated_db_url


def on_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def due_a_minute_ago() -> str:
    moment = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).astimezone(LONDON)
    if moment.hour == 1:
        moment = moment.replace(hour=0, minute=59)
    return f"{WEEKDAYS[moment.weekday()]} {moment:%H:%M}"


def planbot(
    database: str, authority: FakeAuthority, connector: FakeBotConnector, tmp_path: Path, process: str
) -> subprocess.Popen[str]:
    """``planbot serve --http`` serving Teams alone, with its scheduler, as process ``process``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PLANBOT_"))}
    env |= authority.trust_env() | {
        "DATABASE_URL": database,
        "PLANBOT_TEAMS_APP_ID": APP_ID,
        "PLANBOT_TEAMS_APP_PASSWORD": SECRET,
        "PLANBOT_TEAMS_TENANT_ID": TENANT_ID,
        "PLANBOT_TEAMS_AUTHORITY": authority.url,
        "PLANBOT_TEAMS_JWKS_URL": connector.jwks_url,
        "PLANBOT_PROCESS_ID": process,
        "PLANBOT_DIGEST_TIME": due_a_minute_ago(),
        "PLANBOT_POST_INTERVAL_SECONDS": "0.5",
        "PLANBOT_QUEUE_POLL_SECONDS": "0.1",
    }
    log = (tmp_path / f"{process}.log").open("w")
    started = subprocess.Popen(
        [str(Path(sys.executable).with_name("planbot")), "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        text=True,
        stderr=log,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    wait_until_healthy(f"http://127.0.0.1:{port}/healthz", started)
    return started


def _key(card: object) -> str:
    return json.dumps(card, sort_keys=True)


def every_card_once(database: str, connector: FakeBotConnector) -> None:
    """Each subscribed channel got each card of its digest once, and nothing else."""
    runs = sent_digests(database, len(CHANNELS), DONE_SECONDS)
    time.sleep(1)  # nothing more arrives
    for run in runs:
        built = parts_built(database, f"weekly_digest/teams/{run.target}/{run.period_key}")
        arrived = Counter(_key(c.body["attachments"][0]["content"]) for c in connector.delivered(run.target))
        assert built, "the digest was built"
        assert Counter(_key(card) for card in built) == arrived, f"every card once in {run.target}, none twice"
        assert len(built) == len(connector.posts_to(run.target))


def test_planbot_serve_posts_the_digest_to_teams_channels(
    database: str, authority: FakeAuthority, connector: FakeBotConnector, tmp_path: Path
) -> None:
    """One process, as a Teams-only deployment runs it: its scheduler posts through the Teams notifier."""
    connector.accepts = authority.issued.__contains__
    process = planbot(database, authority, connector, tmp_path, "teams-a")
    try:
        every_card_once(database, connector)
    finally:
        assert 0 == interrupt(process)[0]


def test_two_processes_post_every_teams_card_once(
    database: str, authority: FakeAuthority, connector: FakeBotConnector, tmp_path: Path
) -> None:
    if not on_postgres(database):
        pytest.skip("several processes share a PostgreSQL database (SQLite means one process)")
    connector.accepts = authority.issued.__contains__
    processes = [planbot(database, authority, connector, tmp_path, name) for name in ("teams-a", "teams-b")]
    try:
        every_card_once(database, connector)
    finally:
        for process in processes:
            if process.poll() is None:
                assert 0 == interrupt(process)[0]
