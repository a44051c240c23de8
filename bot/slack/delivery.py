"""One scheduled Slack post, delivered once: tagged with its delivery key, retried without re-sending.

Every scheduled post carries its delivery key in Slack's message metadata (``event_type``
``planbot_delivery``, the key in ``event_payload``). When an answer is lost (the connection reset
after Slack accepted the post, an answer slower than the timeout, a 5xx) the post may or may not
be in the channel, so before sending again planbot looks for the key in the channel's recent
history (``conversations.history``) or in the thread (``conversations.replies``), both with
``include_all_metadata``; a post found there is not sent again. The same look-up lets a run that
is resumed after a crash skip the posts it had already made.

Retry budgets are separate: 429 answers wait ``Retry-After`` and have their own budget (Slack asked
to slow down, nothing was posted); connection errors, timeouts and 5xx answers have theirs, with a
short backoff. Errors Slack states (``not_in_channel``) are not retried here.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

EVENT_TYPE = "planbot_delivery"
RATE_LIMIT_RETRIES = 5
"""429s in a row before a post counts as failed: each waits as long as Slack asks."""
FAULT_RETRIES = 3
"""Lost answers (reset, timeout) and 5xx answers in a row before a post counts as failed."""
FAULT_BACKOFF_SECONDS = (1.0, 2.0, 4.0)
POST_TIMEOUT_SECONDS = 10
"""How long a post waits for Slack's answer before it counts as lost (and is looked for)."""
HISTORY_WINDOW_SECONDS = 15 * 60
"""How far back a top-level post is looked for: longer than any post's retries take."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Post:
    """One message to send: where, its Block Kit payload, its thread, and its delivery key."""

    channel: str
    text: str
    blocks: list[dict[str, Any]]
    key: str | None
    thread_ts: str | None = None


class SlackPoster:
    """Sends one ``Post`` at most once and answers with its ``ts``.

    ``wait`` is how retries sleep; ``clock`` gives epoch seconds for the history window.
    """

    def __init__(
        self,
        client: WebClient,
        *,
        timeout: float = POST_TIMEOUT_SECONDS,
        wait: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        backoff: tuple[float, ...] = FAULT_BACKOFF_SECONDS,
    ) -> None:
        # Its own client without the SDK's retry handlers: a blind re-send is exactly what must not happen.
        self.client = WebClient(token=client.token, base_url=client.base_url, retry_handlers=[])
        self.client.timeout = timeout  # type: ignore[assignment]  # urllib takes fractions of a second
        self.lookup = client
        self.wait = wait
        self.clock = clock
        self.backoff = backoff

    def find(self, post: Post, since: float | None = None) -> str | None:
        """The ``ts`` of the post if it is already in its channel or thread, else ``None``."""
        if post.key is None:
            return None
        if post.thread_ts is not None:
            found = self.lookup.conversations_replies(
                channel=post.channel, ts=post.thread_ts, include_all_metadata=True, limit=200
            )
        else:
            oldest = (since or self.clock()) - HISTORY_WINDOW_SECONDS
            found = self.lookup.conversations_history(
                channel=post.channel, oldest=f"{oldest:.6f}", include_all_metadata=True, limit=200
            )
        for message in found.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == EVENT_TYPE
                and (metadata.get("event_payload") or {}).get("key") == post.key
            ):
                return str(message["ts"])
        return None

    def send(self, post: Post, resuming: bool = False) -> str:
        """Post once; when ``resuming`` (or after a lost answer) look for the post first.

        A post without a key (an answer to someone's command) cannot be looked for, so a lost
        answer is not retried: a person who sees nothing asks again.

        Raises:
            SlackApiError: Slack refused the post, or kept answering 429 or 5xx past its budget.
            OSError: the answer kept being lost past the budget (the post is not in the channel).
        """
        started = self.clock()
        rate_limits, faults = RATE_LIMIT_RETRIES, FAULT_RETRIES
        ambiguous = resuming
        while True:
            if ambiguous and (ts := self.find(post, started)) is not None:
                logger.warning("Post %s was already in %s (ts %s); not sent again", post.key, post.channel, ts)
                return ts
            try:
                return self._post(post)
            except SlackApiError as error:
                status = error.response.status_code
                if status == 429 and rate_limits > 0:
                    rate_limits -= 1
                    delay = float(
                        error.response.headers.get("Retry-After", error.response.headers.get("retry-after", 1))
                    )
                    logger.warning("Slack rate-limited post %s; retrying after %.0f s", post.key, delay)
                    self.wait(delay)
                    ambiguous = False
                    continue
                if status < 500 or faults == 0 or post.key is None:
                    raise
                reason: Exception = error
            except (OSError, http.client.HTTPException) as error:
                if faults == 0 or post.key is None:
                    raise
                reason = error
            faults -= 1
            logger.warning("Post %s may not have reached Slack (%s); checking before retrying", post.key, reason)
            self.wait(self.backoff[min(FAULT_RETRIES - faults - 1, len(self.backoff) - 1)])
            ambiguous = True

    def _post(self, post: Post) -> str:
        metadata = None if post.key is None else {"event_type": EVENT_TYPE, "event_payload": {"key": post.key}}
        response = self.client.chat_postMessage(
            channel=post.channel,
            text=post.text,
            blocks=post.blocks,
            thread_ts=post.thread_ts,
            unfurl_links=False,
            metadata=metadata,
        )
        return str(response["ts"])


def _retry_after(error: SlackApiError) -> float:
    """Seconds Slack asked to wait (``Retry-After``), 1 when it did not say."""
    headers = {name.lower(): value for name, value in (error.response.headers or {}).items()}
    try:
        return max(float(headers.get("retry-after", 1)), 0.0)
    except (TypeError, ValueError):
        return 1.0
