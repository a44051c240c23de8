"""Settings read once from the environment (and an optional ``.env``), then passed down explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.schedule_settings import BadSetting, schedule_from_env, seconds_from_env
from bot.teams_settings import TeamsSettings, teams_from_env
from commands.schedule import ScheduleConfig
from storage.db import DEFAULT_DATABASE_URL, SUPPORTED_FORM, unsupported_url


@dataclass(frozen=True)
class Settings:
    """Everything planbot reads from its environment. Secrets are never printed (see ``__repr__``)."""

    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str | None = None
    digest_channels: tuple[str, ...] = ()
    quarterly_channels: tuple[str, ...] = ()
    nudge_channels: tuple[str, ...] = ()
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    jobs_database_url: str | None = None
    """Where the delivery engine (DBOS) keeps its tables, when not beside planbot's (``bot.engine``)."""
    process_id: str | None = None
    """This process's stable id for the delivery engine (``PLANBOT_PROCESS_ID``; default the host name)."""
    queue_poll_seconds: float = 1.0
    """How often the delivery engine looks for channel posts waiting their turn (``PLANBOT_QUEUE_POLL_SECONDS``)."""
    post_interval_seconds: float = 1.1
    """The least time between two posts to one channel, across every process (``PLANBOT_POST_INTERVAL_SECONDS``;
    Slack allows about one a second; tests set it lower)."""
    teams: TeamsSettings | None = None
    """Microsoft Teams' settings; ``None`` when Teams is not configured (``PLANBOT_TEAMS_APP_ID`` unset)."""

    @property
    def report_channels(self) -> dict[str, tuple[str, ...]]:
        """Configured channels by subscription word (``weekly``, ``quarterly``, ``nudges``)."""
        return {"weekly": self.digest_channels, "quarterly": self.quarterly_channels, "nudges": self.nudge_channels}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default: the process environment); blank values count as unset.

        Raises:
            BadSetting: a scheduled job's time is not in the form its variable takes, or
                DATABASE_URL names a database planbot does not support, or a ``PLANBOT_TEAMS_*``
                variable is missing or malformed.
        """
        env = os.environ if env is None else env
        database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        shown = unsupported_url(database_url)
        if shown is not None:
            raise BadSetting("DATABASE_URL", shown, SUPPORTED_FORM)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def channels(name: str) -> tuple[str, ...]:
            """Comma-separated Slack channel ids, as ``PLANBOT_DIGEST_CHANNELS=C0123,C0456``."""
            return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())

        return cls(
            database_url=database_url,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_api_url=get("SLACK_API_URL"),
            digest_channels=channels("PLANBOT_DIGEST_CHANNELS"),
            quarterly_channels=channels("PLANBOT_QUARTERLY_CHANNELS"),
            nudge_channels=channels("PLANBOT_NUDGE_CHANNELS"),
            schedule=schedule_from_env(env),
            jobs_database_url=get("PLANBOT_JOBS_DATABASE_URL"),
            process_id=get("PLANBOT_PROCESS_ID"),
            queue_poll_seconds=seconds_from_env(env, "PLANBOT_QUEUE_POLL_SECONDS", 1.0),
            post_interval_seconds=seconds_from_env(env, "PLANBOT_POST_INTERVAL_SECONDS", 1.1),
            teams=teams_from_env(env),
        )

    def __repr__(self) -> str:
        def shown(value: str | None) -> str:
            return "set" if value else "unset"

        return (
            f"Settings(database_url={self.database_url.split('@')[-1]!r}, "
            f"slack_bot_token={shown(self.slack_bot_token)}, slack_app_token={shown(self.slack_app_token)}, "
            f"slack_signing_secret={shown(self.slack_signing_secret)}, slack_api_url={self.slack_api_url!r}, "
            f"teams={'configured' if self.teams else 'unset'})"
        )
