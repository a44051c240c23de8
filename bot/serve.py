"""``planbot serve --http``: every configured platform on one host and port, with the scheduler beside them.

Slack (``/slack/events``) is served when any Slack credential is set, Teams (``/api/messages``) when
``PLANBOT_TEAMS_APP_ID`` is; a Teams-only deployment needs no Slack variable and a Slack-only one no
Teams variable. Slack's Socket Mode (``planbot run``) needs no public URL but serves Slack alone:
a force on both platforms runs ``planbot serve --http``, as Teams only ever calls an HTTPS endpoint.

The port opens first and the platforms start in the background (``Start``): a database still
starting beside planbot after a reboot is waited for with backoff while ``/healthz`` says "not
ready", and the platforms' paths are answered once it is open; the scheduler starts after that.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from bot import http_server
from bot.config import Settings
from bot.http_server import Router, WsgiApp
from bot.process import begin, open_runtime
from bot.runtime import Runtime, interrupt_on_sigterm
from bot.slack import runner as slack
from bot.slack.worker import SlackWorker, hand_lazy_work_to
from commands.ports import TEAMS

if TYPE_CHECKING:
    from bot.teams.gateway import TeamsGateway

NOTHING_TO_SERVE = (
    "planbot serve --http answers Slack, Microsoft Teams or both, and neither is configured.\n"
    "For Slack set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (docs/slack-setup.md); for Teams set "
    "PLANBOT_TEAMS_APP_ID, PLANBOT_TEAMS_APP_PASSWORD and PLANBOT_TEAMS_TENANT_ID (docs/teams-setup.md)."
)
WAITING = "waiting for the database"
START_STOP_SECONDS = 60.0
"""How long a stop waits for a start in progress to finish (its database calls have time limits)."""

logger = logging.getLogger(__name__)


def serve_http(settings: Settings, host: str, port: int, scheduler: bool = True) -> int:
    """Serve every configured platform until Ctrl+C or SIGTERM.

    Returns:
        The exit code: 2 when nothing is configured or a Slack secret is missing, 1 when Slack rejects
        its token or the database stays unreachable, 0 after Ctrl+C or SIGTERM.
    """
    with_slack = slack.slack_wanted(settings)
    if not with_slack and settings.teams is None:
        return _refuse(NOTHING_TO_SERVE)
    problem = slack.missing_for_http(settings) if with_slack else None
    if problem is not None:
        return _refuse(problem)
    worker = SlackWorker.fork(settings) if with_slack else None  # before any thread starts
    interrupt_on_sigterm()
    router = Router(WAITING)
    server = http_server.create_http_server(router, host, port)
    print(f"planbot is listening on http://{host}:{port} (health check: {http_server.HEALTH_PATH})")
    start = Start(
        settings, router, with_slack=with_slack, scheduler=scheduler, address=f"http://{host}:{port}", worker=worker
    )
    start.begin()
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
    finally:
        start.stop()
    return start.exit_code


class Start:
    """Opens the runtime and the platforms off the main thread, then opens the router on them.

    A start that fails (the database never answered, Slack refused its token) ends the process as
    SIGTERM would, with ``exit_code`` 1; a stop asked meanwhile ends the waiting.
    """

    def __init__(
        self,
        settings: Settings,
        router: Router,
        *,
        with_slack: bool,
        scheduler: bool,
        address: str,
        worker: SlackWorker | None = None,
    ) -> None:
        self.settings = settings
        self.router = router
        self.with_slack = with_slack
        self.scheduler = scheduler
        self.address = address
        self.exit_code = 0
        self.worker = worker
        self.runtime: Runtime | None = None
        self._stopping = threading.Event()
        self.gateway: TeamsGateway | None = None
        self._thread = threading.Thread(target=self._run, name="planbot-start", daemon=True)

    def begin(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop waiting, let a start in progress finish, then stop what it started."""
        self._stopping.set()
        self._thread.join(START_STOP_SECONDS)
        if self.worker is not None:
            self.worker.stop()  # the Slack work it was handed finishes first
        if self.runtime is not None:
            self.runtime.stop()  # first: Teams posts in flight finish on the gateway's loop
        if self.gateway is not None:
            self.gateway.stop()

    def _sleep(self, seconds: float) -> None:
        if self._stopping.wait(seconds):
            raise _Stopped

    def _run(self) -> None:
        try:
            self._open()
        except _Stopped:
            return
        except SystemExit as exit_:
            self._fail(exit_.code if isinstance(exit_.code, int) else 1)
        except Exception:
            # A process that never becomes ready must end, so its supervisor starts it again.
            logger.exception("planbot could not start")
            self._fail(1)

    def _open(self) -> None:
        runtime = open_runtime(self.settings, sleep=self._sleep)
        if runtime is None:
            return self._fail(1)
        self.runtime = runtime
        routes: dict[str, WsgiApp] = {}
        app = None
        if self.with_slack:
            app = slack.start_slack(runtime)
            if app is None:
                return self._fail(1)
            if self.worker is not None:
                self.worker.start()  # the child opens the database and builds its app while Teams starts
            routes |= slack.slack_route(app, self.settings.slack_signing_secret or "")
        if self.settings.teams is not None:
            from bot.teams.gateway import MESSAGES_PATH, TeamsGateway

            self.gateway = TeamsGateway(runtime.container, self.settings.teams)
            routes[MESSAGES_PATH] = self.gateway
            runtime.add_platform(TEAMS, self.gateway.notifier())
        if self.worker is not None and app is not None and self.worker.ready():
            hand_lazy_work_to(self.worker, app)
        if self._stopping.is_set():
            raise _Stopped
        # Ready once the platforms can answer: the scheduler (DBOS's launch and its first pass) starts
        # after, so a restart is back in the load balancer without waiting for it.
        self.router.open(routes)
        served = ", ".join(f"{self.address}{path}" for path in routes)
        print(f"planbot is serving {served}", flush=True)
        begin(runtime, self.scheduler)

    def _fail(self, code: int) -> None:
        """End the process as SIGTERM does; the main thread then stops what was started."""
        self.exit_code = code
        os.kill(os.getpid(), signal.SIGTERM)


class _Stopped(Exception):
    """A stop was asked while the start was waiting for the database."""


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2
