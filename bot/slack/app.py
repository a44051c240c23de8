"""planbot's bolt ``App``: one Web API client, request signatures, the global error handler, the listeners.

The app acknowledges in the request's own thread (``process_before_response``) and runs the work
on a separate pool of lower-priority threads, so Slack's 3-second acknowledgement never waits behind
earlier commands' work (see docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest, Respond
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.container import Container
from bot.slack import rag_listeners
from bot.slack.http_gate import VERIFIED
from bot.slack.replays import register_replay_guard
from bot.slack.translate import COMMAND_WORDS
from commands.command_words import speaking
from commands.errors import APOLOGY

# Two threads overlap two commands' Slack round trips, several commands a second with Slack's real
# latencies; more threads only contend for the interpreter lock with the acknowledgements (measured
# in docs/benchmarks.md). Larger installs scale with more `planbot serve --http` processes instead.
WORKERS = 2
BACKGROUND_NICENESS = 10

# Slack's response_url host (https://hooks.slack.com/commands/…, /actions/…).
SLACK_RESPONSE_HOST = "hooks.slack.com"

logger = logging.getLogger(__name__)


def build_client(settings: Settings, token: str | None) -> WebClient:
    """A Web API client that retries dropped connections and Slack's 500/503 answers, and honours
    ``Retry-After`` on rate limits (scheduled reports post many messages in a row).

    ``SLACK_API_URL`` (when set) replaces https://slack.com/api/, for a proxy or a local test server.
    """
    base_url = settings.slack_api_url or WebClient.BASE_URL
    return WebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else f"{base_url}/",
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(),
        ],
    )


def build_app(container: Container, *, client: WebClient | None = None, verify_requests: bool = True) -> App:
    """The Slack app planbot runs, in Socket Mode or over HTTP alike.

    Args:
        container: settings, database and clock shared by every listener.
        client: the Web API client to use; by default one built from the settings' bot token.
        verify_requests: whether bolt checks Slack's signature; only Slack's worker process, which is
            handed requests its parent verified, turns it off (``bot.slack.worker``).

    Returns:
        The app with its listeners registered. Building it calls ``auth.test`` once, so a wrong
        token fails here rather than on the first command.
    """
    app = build_bolt_app(container.settings, client=client, verify_requests=verify_requests)
    register_replay_guard(app, container)
    rag_listeners.register(app, container)
    return app


def build_bolt_app(settings: Settings, *, client: WebClient | None = None, verify_requests: bool = True) -> App:
    """A bolt app set up as planbot's (signatures, workers, error handling) but with no listeners yet."""
    executor = ThreadPoolExecutor(
        max_workers=WORKERS, thread_name_prefix="planbot-slack", initializer=lower_thread_priority
    )
    app = App(
        name="planbot",
        client=client or build_client(settings, settings.slack_bot_token),
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,
        listener_executor=executor,
        request_verification_enabled=verify_requests,
    )
    app.listener_runner.lazy_listener_runner = ReportingLazyListenerRunner(app.listener_runner, executor)
    app.error(ErrorReporter(response_hosts(settings)))
    return app


def lower_thread_priority() -> None:
    """Let acknowledgements, which Slack needs within 3 seconds, have the CPU before replies, which
    may take longer. Linux sets niceness per thread; elsewhere the worker keeps the process's priority."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)


def response_hosts(settings: Settings) -> frozenset[str]:
    """Where an apology may be posted: Slack's own response host, and ``SLACK_API_URL``'s host when set
    (a proxy, or the local fake Slack in tests)."""
    hosts = {SLACK_RESPONSE_HOST}
    if settings.slack_api_url:
        hosts.add(urlsplit(settings.slack_api_url).hostname or SLACK_RESPONSE_HOST)
    return frozenset(hosts)


class ErrorReporter:
    """Where every unexpected failure ends up: logged with what was asked (never tokens or text), then an
    apology to the person, who would otherwise be left waiting.

    The apology goes only to a request known to come from Slack (a verified HTTP request or a Socket
    Mode envelope) and only to a ``response_url`` on one of ``hosts``: a request body names its own
    ``response_url``, and planbot must never be made to post to an address a stranger chose.
    """

    def __init__(self, hosts: frozenset[str]) -> None:
        self.hosts = hosts

    def __call__(
        self, error: Exception, body: Mapping[str, Any], request: BoltRequest, respond: Respond | None
    ) -> None:
        logger.error(
            "planbot failed handling %s from user %s in channel %s",
            body.get("command") or body.get("type"),
            body.get("user_id") or (body.get("user") or {}).get("id"),
            body.get("channel_id"),
            exc_info=error,
        )
        trusted = request.mode == "socket_mode" or bool(request.context.get(VERIFIED))
        if respond is not None and trusted and self.may_answer(respond.response_url):
            respond(text=APOLOGY, response_type="ephemeral")

    def may_answer(self, response_url: str | None) -> bool:
        """Whether ``response_url`` is an https (or, for a local test host, http) URL on an allowed host."""
        if not response_url:
            return False
        parts = urlsplit(response_url)
        return parts.hostname in self.hosts and (parts.scheme == "https" or parts.hostname != SLACK_RESPONSE_HOST)


class ReportingLazyListenerRunner(LazyListenerRunner):
    """Runs lazy listeners on the app's pool and hands what they raise to the app's error handler.

    bolt's own runner only logs a lazy listener's failure, so the person would never hear of it;
    this keeps one error path for ack functions and lazy work alike.
    """

    def __init__(self, listener_runner: ThreadListenerRunner, executor: Executor) -> None:
        self.logger = listener_runner.logger
        self.listener_runner = listener_runner
        self.executor = executor

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        self.executor.submit(self.run, function, request)

    def run(self, function: Callable[..., None], request: BoltRequest) -> None:
        kwargs = build_required_kwargs(
            logger=self.logger,
            required_arg_names=get_arg_names_of_callable(function),
            request=request,
            response=None,
            this_func=function,
        )
        try:
            with speaking(COMMAND_WORDS):
                function(**kwargs)
        except Exception as error:
            self.listener_runner.listener_error_handler.handle(error=error, request=request, response=None)
