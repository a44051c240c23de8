"""Scheduled posts to Slack: the scheduler's ``Notifier``, built on chat.postMessage and conversations.open.

A report posted to a channel is the core's channel summary (``commands.channel_layout``): its headline
message with the rest threaded under it, at most five messages whatever the plan's size (see
``report_messages``); a direct message carries the whole report. Slack allows about one message per second
per channel, so posts to one channel are paced. Each message of a scheduled run carries its own delivery
key (the run's key and the message's place in the report), and ``delivery.SlackPoster`` sends it at most
once: 429s wait ``Retry-After`` on their own budget, and a lost answer is looked for in the channel
before any re-send. A run resumed after a crash looks for each message first, so it continues at the
first one not yet in Slack. Errors Slack returns (``not_in_channel``) are raised, so the scheduler
records the run as failed and retries it later; those an admin can fix are also sent to the admins with
the fix (``setup_alerts``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.container import Container
from bot.slack.delivery import Post, SlackPoster
from bot.slack.report_messages import render_channel_report, render_report
from bot.slack.setup_alerts import alert_admins
from bot.slack.translate import COMMAND_WORDS, PLATFORM
from commands.model import Reply
from commands.ports import Recipient
from commands.rules import RagScheme

MIN_INTERVAL_SECONDS = 1.0


logger = logging.getLogger(__name__)


class SlackNotifier:
    """Posts reports to channels and messages to people, at most one post per second per channel.

    ``clock`` and ``sleep`` are injectable so tests can check the pacing without waiting for it.
    """

    words = COMMAND_WORDS

    def __init__(
        self,
        client: WebClient,
        container: Container,
        scheme: RagScheme | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        min_interval: float = MIN_INTERVAL_SECONDS,
        poster: SlackPoster | None = None,
    ) -> None:
        self.client = client
        self.poster = poster or SlackPoster(client)
        self.container = container
        self._scheme = scheme
        self.clock = clock
        self.sleep = sleep
        self.min_interval = min_interval
        self._last_post: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def scheme(self) -> RagScheme:
        """The colours reports are drawn in: the one given, or the current plan's (read per post, so
        a plan imported with its own ``rag_scheme`` is drawn in it at once)."""
        return self._scheme or self.container.scheme()

    def post_to_channel(self, channel: str, content: object, key: str | None = None, resuming: bool = False) -> str:
        """Post the headline, then every other message of the report's channel summary in its thread.

        Args:
            key: the run's delivery key; each message is tagged with it and its place.
            resuming: the run was begun before (a crash, a take-over): skip what is already posted.

        Returns:
            The headline's ``ts``, which identifies the report's message.
        """
        return self.post_report(channel, content, key=key, resuming=resuming)

    def post_report(
        self,
        channel: str,
        content: object,
        thread_ts: str | None = None,
        key: str | None = None,
        resuming: bool = False,
        *,
        whole: bool = False,
    ) -> str:
        """Post a report as a new message with the rest in its thread, or all of it in ``thread_ts``
        (answering a mention where it was asked).

        Args:
            whole: only the asker reads the conversation (a direct message): the whole report, however
                long; otherwise the channel summary, within ``commands.channel_layout.CHANNEL_MESSAGES``.

        Returns:
            The ``ts`` of the first message posted.
        """
        render = render_report if whole else render_channel_report
        first, *rest = render(content, self.scheme)
        ts = self._post(Post(channel, first.text, first.blocks, _part(key, 0), thread_ts), resuming)
        for place, message in enumerate(rest, start=1):
            self._post(Post(channel, message.text, message.blocks, _part(key, place), thread_ts or ts), resuming)
        return ts

    def parts(self, content: object) -> list[object]:
        """The report's channel summary as Slack shows it: the headline, then each reply in its thread."""
        return [{"text": m.text, "blocks": m.blocks} for m in render_channel_report(content, self.scheme)]

    def post_part(self, channel: str, part: object, key: str, thread: str | None, resuming: bool) -> str:
        """Post one message of a report; the delivery engine paces these (at most one a second per
        channel, across processes), so no pacing here."""
        assert isinstance(part, dict)
        post = Post(channel, part["text"], part["blocks"], key, thread)
        try:
            return self.poster.send(post, resuming)
        except SlackApiError as error:
            alert_admins(self, error, post.channel)
            raise

    def send_direct(self, recipient: Recipient, content: object, key: str | None = None, resuming: bool = False) -> str:
        """Open (or reuse) the direct message with the person and post there."""
        opened = self.client.conversations_open(users=self._user_id(recipient))
        return self.post_report(opened["channel"]["id"], content, key=key, resuming=resuming, whole=True)

    def tell_admin(self, admin: Recipient, text: str) -> str | None:
        """Send an admin a set-up alert (``bot.setup_alerts``); ``None`` when Slack refused it."""
        try:
            return self.send_direct(admin, Reply(text=text))
        except SlackApiError as failure:
            logger.warning("Could not tell admin %s about it: %s", admin.email, failure.response.get("error"))
            return None

    def _user_id(self, recipient: Recipient) -> str:
        """The person's Slack id: remembered from their own commands, else looked up by their plan email."""
        with self.container.unit_of_work() as repo:
            known = repo.external_ids(PLATFORM, [recipient.person_id]).get(recipient.person_id)
        if known is not None:
            return known
        return self.client.users_lookupByEmail(email=recipient.email)["user"]["id"]

    def _post(self, post: Post, resuming: bool) -> str:
        """Post once the channel's turn has come; the turn is timed from when Slack answered the last
        post, since Slack counts arrivals and a slow first request would otherwise shorten the gap."""
        try:
            with self._lock:
                self._pace(post.channel)
                try:
                    return self.poster.send(post, resuming)
                finally:
                    self._last_post[post.channel] = self.clock()
        except SlackApiError as error:
            alert_admins(self, error, post.channel)  # posts DMs itself, so only once the lock is free
            raise

    def _pace(self, channel: str) -> None:
        """Wait until a second has passed since the last post to ``channel`` (callers hold the lock)."""
        last = self._last_post.get(channel)
        if last is not None:
            wait = last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)


def _part(key: str | None, place: int) -> str | None:
    """The delivery key of one message of a run: the run's key and the message's place in it."""
    return None if key is None else f"{key}#{place}"
