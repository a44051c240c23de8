"""Slack's work in a process of its own, beside the one that acknowledges (``planbot serve --http``).

Slack shows a person an error when a request is not acknowledged within 3 seconds, and a bare bolt
app acknowledges in a few milliseconds. planbot's acknowledgement does no more than bolt's, but the
work behind it (identify the person, parse, store, reply, announce: about 10 ms of Python per
command) used to run on threads of the same interpreter, and every acknowledgement waited for the
interpreter lock behind it: at 20 concurrent clients the p99 acknowledgement was 6–7 times a bare
app's (docs/benchmarks.md). So the work runs in a child process at lower OS priority, and the
acknowledging process only verifies, acknowledges and hands the request over a pipe.

The child is forked before the server starts any thread, after planbot's Slack side is imported, so
it shares those pages with its parent instead of loading them again. It receives each lazy listener's
request as Slack sent it (the raw body, already verified by the parent) and runs it through its own
bolt app the way bolt runs lazy listeners on AWS Lambda: the same listeners, re-dispatched with the
lazy function's name. It ends when its parent closes the pipe (a stop, or the parent dying), after
finishing what it was handed; it ignores Ctrl+C and SIGTERM, which its parent turns into that stop.
If the child is gone, the parent runs the work on its own threads as before, and says so in the log.

The child runs no delivery engine (the scheduler stays in the parent), so a set-up alert a command
raises there is sent the way a ``--no-scheduler`` process sends one (``bot.setup_alerts``): recorded
first, at most once.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener import LazyListenerRunner

from bot.config import Settings
from bot.container import Container
from bot.runtime import log_at_info
from bot.slack.app import build_app
from bot.slack.http_gate import ParsedRequest, parse_slack_body

READY = b"ready"
READY_SECONDS = 30.0
"""How long the parent waits for the child to open the database and build its app."""
STOP_SECONDS = 30.0
"""How long a stop waits for the child to finish the work it was handed."""
BACKGROUND_NICENESS = 10
"""The child's OS priority: acknowledgements, which Slack needs within 3 seconds, get the CPU first."""

logger = logging.getLogger(__name__)


class WorkerGone(Exception):
    """The worker process has ended; its work runs in the parent instead."""


class SlackWorker:
    """The acknowledging process's handle on its worker: fork it, start it, hand it requests, stop it."""

    def __init__(self, pid: int, requests: Connection, answers: Connection) -> None:
        self.pid = pid
        self._requests = requests
        self._answers = answers
        self._lock = threading.Lock()
        self._alive = True

    @classmethod
    def fork(cls, settings: Settings) -> SlackWorker | None:
        """Fork the worker, which waits for ``start`` before it touches the database; ``None`` when this
        process already runs other threads (only the forking thread would exist in the child, holding
        whatever locks the others held), as when a test serves in-process: the work then stays on threads.
        """
        if threading.active_count() > 1:
            logger.info("Slack's work runs on threads in this process (other threads were running)")
            return None
        requests_in, requests_out = Pipe(duplex=False)
        answers_in, answers_out = Pipe(duplex=False)
        gc.freeze()  # the child's collector then leaves the shared pages alone, so they stay shared
        pid = os.fork()
        if pid == 0:  # the child never returns from here
            requests_out.close()
            answers_in.close()
            _run_child(settings, requests_in, answers_out)
        requests_in.close()
        answers_out.close()
        return cls(pid, requests_out, answers_in)

    def start(self) -> None:
        """Let the child open the database (migrated by now) and build its app; ``ready`` waits for it."""
        try:
            self._requests.send_bytes(b"start")
        except OSError:
            self._lost()

    def ready(self, patience: float = READY_SECONDS) -> bool:
        """Whether the child built its app within ``patience`` seconds; if not, it is given up on."""
        try:
            if self._alive and self._answers.poll(patience) and self._answers.recv_bytes() == READY:
                return True
        except (OSError, EOFError):
            pass
        self._lost()
        return False

    def hand(self, request: BoltRequest) -> None:
        """Give the child one lazy listener's request.

        Raises:
            WorkerGone: the child has ended; the caller runs the work itself.
        """
        message = json.dumps(
            {
                "function": request.lazy_function_name,
                "body": request.raw_body,
                "headers": request.headers,
                "query": request.query,
            }
        ).encode()
        with self._lock:
            try:
                if self._alive:
                    self._requests.send_bytes(message)
                    return
            except OSError:
                self._lost()
        raise WorkerGone(f"planbot's Slack worker (pid {self.pid}) has ended")

    def stop(self, patience: float = STOP_SECONDS) -> None:
        """Close the pipe, so the child finishes what it was handed and exits; wait for it."""
        with self._lock:
            self._alive = False
            self._requests.close()
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG) != (0, 0):
                self._answers.close()
                return
            time.sleep(0.02)
        logger.error("planbot's Slack worker (pid %d) did not finish within %.0f s; stopping it", self.pid, patience)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self._answers.close()

    def _lost(self) -> None:
        if self._alive:
            logger.error("planbot's Slack worker (pid %d) is gone; Slack's work now runs in this process", self.pid)
        self._alive = False


class WorkerLazyListenerRunner(LazyListenerRunner):
    """Hands lazy listeners to the worker process; runs them with ``fallback`` when the worker is gone."""

    def __init__(self, worker: SlackWorker, fallback: LazyListenerRunner) -> None:
        self.worker = worker
        self.fallback = fallback
        self.logger = fallback.logger

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        try:
            self.worker.hand(request)
        except WorkerGone:
            self.fallback.start(function, request)

    def run(self, function: Callable[..., None], request: BoltRequest) -> None:
        self.fallback.run(function, request)


def hand_lazy_work_to(worker: SlackWorker, app: App) -> None:
    """Make ``app`` hand its lazy listeners to ``worker``, keeping its own runner for when the worker is gone."""
    runner = app.listener_runner
    runner.lazy_listener_runner = WorkerLazyListenerRunner(worker, runner.lazy_listener_runner)


def lazy_request(message: dict[str, Any]) -> ParsedRequest:
    """The request the parent handed over, marked to run only the named lazy listener."""
    text: str = message["body"]
    headers: dict[str, list[str]] = message["headers"]
    content_type = (headers.get("content-type") or [""])[0].split(";")[0].strip() or None
    request = ParsedRequest(
        raw_body=text, body=parse_slack_body(text, content_type), query=message["query"], headers=headers
    )
    request.lazy_only = True
    request.lazy_function_name = message["function"]
    return request


def _run_child(settings: Settings, requests: Connection, answers: Connection) -> None:
    """The child's whole life; it ends the process, never returning into the parent's code."""
    code = 0
    try:
        log_at_info()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if sys.platform == "linux":
            os.setpriority(os.PRIO_PROCESS, 0, BACKGROUND_NICENESS)
        _serve(settings, requests, answers)
    except BaseException:
        logger.exception("planbot's Slack worker failed")
        code = 1
    finally:
        logging.shutdown()
        os._exit(code)


def _serve(settings: Settings, requests: Connection, answers: Connection) -> None:
    """Wait for ``start``, build the app, then dispatch every request handed over until the pipe closes."""
    try:
        if requests.recv_bytes() != b"start":
            return
    except EOFError:
        return  # the parent stopped before it was ready
    container = Container.connect(settings)
    app = build_app(container, verify_requests=False)
    executor = app.listener_runner.listener_executor
    gc.freeze()
    answers.send_bytes(READY)
    try:
        while True:
            try:
                message = json.loads(requests.recv_bytes())
            except EOFError:
                break
            executor.submit(_dispatch, app, message)
    finally:
        executor.shutdown(wait=True)
        container.engine.dispose()


def _dispatch(app: App, message: dict[str, Any]) -> None:
    response = app.dispatch(lazy_request(message))
    if response.status != 200:
        logger.error("planbot's Slack worker could not run %s (status %d)", message.get("function"), response.status)
