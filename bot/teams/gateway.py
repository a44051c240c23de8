"""Teams' door: ``POST /api/messages`` on planbot's HTTP server, checked before anything is read.

planbot serves Slack and Teams from one waitress server (``bot.http_server``), so this is a WSGI
handler; the Agents SDK is asynchronous, so it runs on an event loop of its own thread and each
request waits for its turn there. In order, a request must: be a POST of at most ``MAX_BODY`` bytes;
carry a token the SDK's JWT validation accepts (signature from the keys at ``PLANBOT_TEAMS_JWKS_URL``,
audience the bot's app id, not expired; any failure, ``alg: none`` included, is a 401 with nothing
read); name, in its signed ``serviceurl`` claim, the host its activity's service URL is on (where the
replies, carrying planbot's outbound token, will go); and come from a tenant on the allow-list (the
SDK never checks the tenant, teams-platform.md §3) — an activity from any other tenant is dropped,
logged without its text, and answered 403. Only then does the SDK's adapter run the turn
(``bot.teams.agent``): an invoke (a dialog, a card's button) within the request, as Teams waits for
its answer; any other activity after answering 202, as Slack's commands are acknowledged first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlsplit

from jwt import PyJWTError
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import AgentApplication, HttpAdapterBase, TurnState
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    ClaimsIdentity,
    Connections,
    JwtTokenValidator,
    _entra_issuers,
)
from microsoft_agents.hosting.core.http import HttpResponse
from pydantic import ValidationError

from bot.container import Container
from bot.teams.agent import build_agent, log_failure
from bot.teams.delivery import TeamsPoster
from bot.teams.identity import tenant_of
from bot.teams.notifier import TeamsNotifier
from bot.teams_settings import TeamsSettings

T = TypeVar("T")

MESSAGES_PATH = "/api/messages"
MAX_BODY = 256 * 1024
TURN_SECONDS = 60.0
STOP_SECONDS = 10.0
SERVICE_CONNECTION = "SERVICE_CONNECTION"

logger = logging.getLogger(__name__)

TokenProviders = Callable[[AgentAuthConfiguration], AccessTokenProviderBase]
StartResponse = Callable[..., Any]


def auth_configuration(teams: TeamsSettings) -> AgentAuthConfiguration:
    """The SDK's configuration of planbot's Entra app; anonymous requests are never allowed."""
    return AgentAuthConfiguration(
        client_id=teams.app_id,
        tenant_id=teams.tenant_id,
        client_secret=teams.app_password,
        authority=teams.authority,
        anonymous_allowed=False,
    )


def connections(teams: TeamsSettings, providers: TokenProviders | None = None) -> Connections:
    """Where outbound tokens come from: MSAL against ``PLANBOT_TEAMS_AUTHORITY``, or ``providers`` (tests)."""
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.core.authorization import ConnectionManager

    configurations = {SERVICE_CONNECTION: auth_configuration(teams)}
    if providers is None:
        return MsalConnectionManager(connections_configurations=configurations)
    return ConnectionManager(providers, connections_configurations=configurations)


def use_signing_keys(jwks_url: str) -> None:
    """Read the keys that sign Bot Framework tokens from ``jwks_url`` (``PLANBOT_TEAMS_JWKS_URL``).

    The SDK looks the keys up by issuer in a table of its own; planbot's setting replaces the Bot
    Framework's entry (the SDK's minor version is pinned because this touches its internals).
    """
    _entra_issuers.BOTFRAMEWORK_JWKS_URIS[_entra_issuers.BOTFRAMEWORK_PUBLIC_ISSUER] = jwks_url


class TeamsAdapter(HttpAdapterBase):
    """The SDK's HTTP adapter, fed by the WSGI handler rather than a web framework; its default error
    handler (which posts exception text into the chat) is replaced by logging alone, as the agent's
    own error route already answers people."""

    def __init__(self, connection_manager: Connections) -> None:
        super().__init__(connection_manager=connection_manager)

        async def on_turn_error(context: Any, error: Exception) -> None:
            log_failure(context.activity, error)

        self.on_turn_error = on_turn_error


class _Request:
    """One verified request in the shape the SDK's adapter reads (``HttpRequestProtocol``)."""

    def __init__(
        self, body: Mapping[str, Any], headers: Mapping[str, str], claims: ClaimsIdentity, activity_type: str
    ) -> None:
        self.activity_type = activity_type
        self._body = dict(body)
        self._headers = headers
        self._claims = claims

    @property
    def method(self) -> str:
        return "POST"

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    async def json(self) -> dict[str, Any]:
        return self._body

    def get_claims_identity(self) -> ClaimsIdentity:
        return self._claims

    def get_path_param(self, name: str) -> str:
        raise KeyError(name)


class TeamsGateway:
    """The WSGI handler for ``/api/messages`` and the event loop the SDK runs on."""

    def __init__(self, container: Container, teams: TeamsSettings, providers: TokenProviders | None = None) -> None:
        use_signing_keys(teams.jwks_url)
        self.teams = teams
        self.container = container
        self.auth = auth_configuration(teams)
        manager = connections(teams, providers)
        self.adapter = TeamsAdapter(manager)
        self.agent: AgentApplication[TurnState] = build_agent(container, manager, teams.app_id, self.adapter)
        self.loop = asyncio.new_event_loop()
        self._turns: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self.loop.run_forever, name="planbot-teams", daemon=True)
        self._thread.start()
        # Requests are checked on a loop of their own: the SDK's token check hands its key look-up to
        # its loop's thread pool, and on the turns' loop that waited behind every turn under way, so a
        # busy moment delayed each 202 by the whole queue.
        self.checks = asyncio.new_event_loop()
        self._checks_thread = threading.Thread(target=self.checks.run_forever, name="planbot-teams-checks", daemon=True)
        self._checks_thread.start()

    def notifier(self) -> TeamsNotifier:
        """The scheduler's notifier for Teams: proactive posts on this gateway's loop and credentials."""
        poster = TeamsPoster(self.adapter, self.teams.app_id, self.loop)
        return TeamsNotifier(poster, self.container, self.teams.tenant_id)

    def stop(self) -> None:
        """Let turns in flight finish (bounded), then stop the loop."""

        async def drain() -> None:
            await asyncio.wait_for(self.idle(), STOP_SECONDS)

        if self.loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(drain(), self.loop).result(timeout=STOP_SECONDS + 1)
            except TimeoutError:
                logger.warning("Stopped with Teams turns still running after %.0f s", STOP_SECONDS)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=STOP_SECONDS)
        if self.checks.is_running():
            self.checks.call_soon_threadsafe(self.checks.stop)
            self._checks_thread.join(timeout=STOP_SECONDS)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, 405, {"error": "POST only"})
        if not (self.loop.is_running() and self.checks.is_running()):
            # Stopping: a 202 now would promise a turn no loop will run; Teams sends the message again.
            return _answer(start_response, 503, {"error": "stopping"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return _answer(start_response, 413, {"error": "request too large"})
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        admitted = self._wait(self.admit(environ.get("HTTP_AUTHORIZATION"), body, headers), self.checks)
        if not isinstance(admitted, _Request):
            return _answer(start_response, admitted.status_code, admitted.body)
        if admitted.activity_type == ActivityTypes.invoke:
            # A dialog or card action waits for its answer in the HTTP response.
            answer = self._wait(self.adapter.process_request(admitted, self.agent), self.loop)
            return _answer(start_response, answer.status_code, answer.body)
        # Anything else is answered at once and worked on after, as Slack's commands are acknowledged
        # first: Teams waits on the answer (and gives up after 15 s), the reply goes by its own POST.
        self.loop.call_soon_threadsafe(self._start_turn, admitted)
        return _answer(start_response, 202, None)

    def _wait(self, work: Coroutine[Any, Any, T], loop: asyncio.AbstractEventLoop) -> T | HttpResponse:
        future = asyncio.run_coroutine_threadsafe(work, loop)
        try:
            return future.result(timeout=TURN_SECONDS)
        except FutureTimeout:
            future.cancel()
            logger.error("A Teams request took over %.0f s; answered 503", TURN_SECONDS)
            return HttpResponse(status_code=503, body={"error": "busy"})

    def _start_turn(self, request: _Request) -> None:
        """On the turns' loop: run the turn, kept among those a stop waits for."""
        turn = asyncio.create_task(self._run(request))
        self._turns.add(turn)
        turn.add_done_callback(self._turns.discard)

    async def admit(
        self, authorization: str | None, body: bytes, headers: Mapping[str, str]
    ) -> _Request | HttpResponse:
        """Authenticate, check the service and the tenant: the request for its turn, or the refusal."""
        claims = await self.authenticate(authorization)
        if claims is None:
            return HttpResponse(status_code=401, body={"error": "Invalid token or authentication failed."})
        try:
            payload = json.loads(body)
            activity = Activity.model_validate(payload)
        except (ValueError, ValidationError):
            return HttpResponse(status_code=400, body={"error": "not an activity"})
        if not same_service(claims, activity):
            logger.warning("Refused a Teams %s whose service URL is not the one its token names", activity.type)
            return HttpResponse(status_code=401, body={"error": "Invalid token or authentication failed."})
        tenant = tenant_of(activity)
        if not self.teams.allows(tenant):
            logger.warning(
                "Dropped a Teams %s from tenant %s, which is not on PLANBOT_TEAMS_ALLOWED_TENANTS",
                activity.type,
                tenant,
            )
            return HttpResponse(status_code=403, body={"error": "tenant not allowed"})
        return _Request(payload, headers, claims, activity.type)

    async def _run(self, request: _Request) -> None:
        try:
            await self.adapter.process_request(request, self.agent)
        except Exception:
            logger.exception("A Teams turn failed outside the agent's own error handling")

    async def idle(self) -> None:
        """Wait for every turn taken so far to finish (the stop, and tests, wait on this)."""
        while self._turns:
            await asyncio.wait(set(self._turns), timeout=STOP_SECONDS)

    def wait_idle(self) -> None:
        """``idle`` from another thread."""
        asyncio.run_coroutine_threadsafe(self.idle(), self.loop).result(timeout=TURN_SECONDS)

    async def authenticate(self, authorization: str | None) -> ClaimsIdentity | None:
        """The token's claims, or ``None`` (logged by kind, never the token) when it is missing or invalid."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
            logger.warning("Refused a Teams request without a bearer token")
            return None
        try:
            return await JwtTokenValidator(self.auth).validate_token(token.strip())
        except (PyJWTError, ValueError, KeyError) as error:
            logger.warning("Refused a Teams request: its token failed validation (%s)", type(error).__name__)
            return None


def same_service(claims: ClaimsIdentity, activity: Activity) -> bool:
    """Whether the activity's service URL, where planbot will send its replies, is on the host its signed
    token names: a body cannot send planbot's replies (and its outbound token) anywhere else."""
    signed = claims.get_claim_value("serviceurl")
    if not signed:
        return False
    return urlsplit(str(signed)).hostname == urlsplit(activity.service_url or "").hostname


def _answer(start_response: StartResponse, status: int, body: object) -> list[bytes]:
    data = b"" if body is None else json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [data]
