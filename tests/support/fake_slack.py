"""Local stand-ins for Slack's servers, on real sockets: the Web API, response_url and Socket Mode.

``FakeSlack`` is a ``ThreadingHTTPServer`` answering the Web API methods planbot calls, and the
``response_url`` posts bolt's ``respond()`` makes, the way Slack does. It records every request and
checks what Slack itself would reject (``bot.slack.limits.check_message``: a message without
fallback text, more than 50 blocks, a section over 3,000 characters…); each violation is kept in
``violations`` for tests to assert away. ``FakeSocketMode`` is a WebSocket server speaking the Socket Mode protocol.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml
from websockets.exceptions import ConnectionClosedError
from websockets.sync.server import Server, ServerConnection, serve

from bot.slack.limits import check_message, check_view

BOT_TOKEN = "xoxb-planbot-test"
APP_TOKEN = "xapp-planbot-test"
BOT_USER_ID = "UPLANBOT"
TEAM_ID = "T0PCC0001"
WAIT_SECONDS = 10.0
# How often the Web API server's loop checks for shutdown: socketserver's 0.5 s default made every
# test that stops a fake wait up to half a second for nothing.
POLL_SECONDS = 0.05
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
# What auth.test's x-oauth-scopes header reports by default: every bot scope the manifest asks for.
GRANTED_SCOPES = ",".join(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])


@dataclass(frozen=True)
class Call:
    """One request the fake received: ``method`` is the Web API method or ``response``; ``at`` is
    ``time.perf_counter()`` on arrival, for timing a command until its answer."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else self.params.get("token")


@dataclass
class SlackUser:
    """A workspace member as ``users.info`` describes them; no email models a bot or a missing scope."""

    id: str
    name: str
    email: str | None = None
    is_bot: bool = False


@dataclass
class FakeSlack:
    """The Web API and response_url endpoints, recording calls.

    Tests set ``users`` (for ``users.info``), ``emails`` (email to user id, for ``users.lookupByEmail``),
    ``post_error`` (an error code chat.postMessage returns), ``rate_limited_posts`` (how many posts to
    answer with 429 and ``Retry-After: 1`` first), ``delay_seconds`` (a slow Web API) and
    ``socket_mode_url`` (what ``apps.connections.open`` hands out). ``posted`` holds the messages accepted.
    ``uploads`` holds the bytes of each file uploaded through ``files_upload_v2``, by file id.
    ``scopes`` is auth.test's ``x-oauth-scopes`` header; ``failures`` maps a method to the fields of the
    error it answers (``{"error": "missing_scope", "needed": "chat:write"}``); ``channel_failures`` does
    the same for chat.postMessage to one channel; ``channels`` are conversations.info's channels by id.
    """

    users: dict[str, SlackUser] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    post_error: str | None = None
    rate_limited_posts: int = 0
    delay_seconds: float = 0.0
    socket_mode_url: str | None = None
    scopes: str = GRANTED_SCOPES
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    channel_failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the recorded calls are the log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), name="fake-slack", daemon=True
        )

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=WAIT_SECONDS)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL is set to."""
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    # -- what tests read ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = WAIT_SECONDS) -> list[Call]:
        """The calls to ``method`` once there are at least ``count`` of them; fails after ``timeout``."""
        with self._changed:
            done = self._changed.wait_for(lambda: len(self._calls_to(method)) >= count, timeout=timeout)
            found = self._calls_to(method)
        assert done, f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}: {self.calls}"
        return found

    def _calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # -- serving --------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length) if length else b""
        if url.path.startswith("/upload/"):
            self._receive_upload(request, url.path, data)
            return
        raw = data.decode()
        params: dict[str, Any] = dict(parse_qsl(url.query))
        if "json" in (request.headers.get("Content-Type") or ""):
            params.update(json.loads(raw or "{}"))
        else:
            params.update(parse_qsl(raw))
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        elif url.path.startswith("/response/"):
            method = "response"
        else:
            method = url.path
        headers = {k.lower(): v for k, v in request.headers.items()}
        call = Call(method, url.path, params, headers, time.perf_counter())
        status, answer = self._answer(call)
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/plain" if isinstance(answer, bytes) else "application/json")
        request.send_header("Content-Length", str(len(body)))
        if status == 429:
            request.send_header("Retry-After", "1")
        if call.method == "auth.test":
            request.send_header("x-oauth-scopes", self.scopes)
        request.end_headers()
        request.wfile.write(body)

    def _answer(self, call: Call) -> tuple[int, dict[str, Any] | bytes]:
        if call.method == "response":
            problem = self._check_message(call)
            return (400, b"invalid_blocks") if problem else (200, b"ok")
        handler = self._methods().get(call.method)
        if handler is None:
            return 404, {"ok": False, "error": "unknown_method"}
        time.sleep(self.delay_seconds)
        expected = APP_TOKEN if call.method == "apps.connections.open" else BOT_TOKEN
        if call.token != expected:
            self._violation(call, f"called with token {call.token!r}")
            return 200, {"ok": False, "error": "invalid_auth"}
        if call.method in self.failures:
            return 200, {"ok": False, **self.failures[call.method]}
        if call.method == "chat.postMessage" and self.rate_limited_posts > 0:
            self.rate_limited_posts -= 1
            return 429, {"ok": False, "error": "ratelimited"}
        return 200, handler(call)

    def _methods(self) -> dict[str, Callable[[Call], dict[str, Any]]]:
        return {
            "auth.test": lambda _: {
                "ok": True,
                "url": "https://opcc.slack.com/",
                "team": "OPCC",
                "user": "planbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "BPLANBOT",
                "is_enterprise_install": False,
            },
            "users.info": self._users_info,
            "chat.postMessage": self._post_message,
            "users.lookupByEmail": self._lookup_by_email,
            "conversations.open": lambda call: {"ok": True, "channel": {"id": f"D{call.params['users']}"}},
            "apps.connections.open": lambda _: {"ok": True, "url": self.socket_mode_url},
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "conversations.info": self._conversations_info,
            "views.open": self._views_open,
            "views.publish": self._view_answer,
            "views.update": self._view_answer,
        }

    def _conversations_info(self, call: Call) -> dict[str, Any]:
        channel = self.channels.get(call.params.get("channel", ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": call.params["channel"], **channel}}

    def _views_open(self, call: Call) -> dict[str, Any]:
        """Each trigger_id opens one view, as on Slack (a second use is ``exchanged_trigger_id``)."""
        trigger = call.params.get("trigger_id", "")
        with self._changed:
            used = any(c.params.get("trigger_id") == trigger for c in self._calls_to("views.open"))
        if not trigger or used:
            return {"ok": False, "error": "exchanged_trigger_id" if used else "invalid_trigger_id"}
        return self._view_answer(call)

    def _view_answer(self, call: Call) -> dict[str, Any]:
        """views.open, views.publish and views.update: the view checked against Slack's view limits."""
        view = call.params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        problems = check_view(view or {})
        for problem in problems:
            self._violation(call, problem)
        if problems:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(view or {})}}

    def _upload_url(self, call: Call) -> dict[str, Any]:
        """Step one of files_upload_v2: a file id and the URL its bytes go to."""
        if not call.params.get("filename") or not int(call.params.get("length") or 0):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ts):08d}"
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _receive_upload(self, request: BaseHTTPRequestHandler, path: str, data: bytes) -> None:
        """Step two: the raw bytes, posted to the upload URL without a token, answered "OK" as Slack does."""
        call = Call("upload", path, {"length": len(data)}, {}, time.perf_counter())
        with self._changed:
            self.uploads[path.removeprefix("/upload/")] = data
            self.calls.append(call)
            self._changed.notify_all()
        request.send_response(200)
        request.send_header("Content-Type", "text/plain")
        request.send_header("Content-Length", "2")
        request.end_headers()
        request.wfile.write(b"OK")

    def _complete_upload(self, call: Call) -> dict[str, Any]:
        """Step three: share the uploaded files; a file id whose bytes never arrived is refused."""
        files = json.loads(call.params.get("files") or "[]")
        with self._changed:
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
        if not files or missing:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    def _users_info(self, call: Call) -> dict[str, Any]:
        user = self.users.get(call.params.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        profile: dict[str, Any] = {"real_name": user.name, "display_name": user.name.split()[0]}
        if user.email is not None:
            profile["email"] = user.email
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": TEAM_ID,
                "name": user.name.lower().replace(" ", "."),
                "real_name": user.name,
                "is_bot": user.is_bot,
                "profile": profile,
            },
        }

    def _lookup_by_email(self, call: Call) -> dict[str, Any]:
        user_id = self.emails.get(call.params.get("email", ""))
        if user_id is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": {"id": user_id, "team_id": TEAM_ID}}

    def _post_message(self, call: Call) -> dict[str, Any]:
        problem = self._check_message(call)
        if problem:
            return {"ok": False, "error": problem}
        if self.post_error:
            return {"ok": False, "error": self.post_error}
        channel = call.params.get("channel")
        if channel in self.channel_failures:
            return {"ok": False, **self.channel_failures[channel]}
        ts = f"1529000000.{next(self._ts):06d}"
        message = {"type": "message", "text": call.params["text"], "user": BOT_USER_ID, "ts": ts}
        with self._changed:
            self.posted.append(call.params)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _check_message(self, call: Call) -> str | None:
        """What Slack would reject in a message (planbot's own limit checker, which follows Slack's
        documented limits), recorded as a violation; None when the message is valid."""
        problems = check_message(call.params.get("blocks"), call.params.get("text"))
        for problem in problems:
            self._violation(call, problem)
        return "invalid_blocks" if problems else None

    def _violation(self, call: Call, what: str) -> None:
        with self._changed:
            self.violations.append(f"{call.method}: {what}")


class FakeSocketMode:
    """A Socket Mode endpoint: says hello, pushes envelopes the test gives it, collects the acks."""

    def __init__(self) -> None:
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connected = threading.Event()
        self._connection: ServerConnection | None = None
        self._ids = itertools.count(1)
        self._server: Server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True)

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=WAIT_SECONDS)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=planbot-test"

    def send(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Push an envelope to the connected app; returns its ``envelope_id``."""
        assert self.connected.wait(WAIT_SECONDS), "the app never connected to the Socket Mode server"
        assert self._connection is not None
        envelope_id = f"envelope-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "accepts_response_payload": envelope_type != "events_api",
            "payload": payload,
        }
        self._connection.send(json.dumps(envelope))
        return envelope_id

    def next_ack(self, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        try:
            return self.acks.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no acknowledgement within {timeout}s") from None

    def _session(self, connection: ServerConnection) -> None:
        self._connection = connection
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": "APLANBOT"},
                }
            )
        )
        self.connected.set()
        # slack_sdk's built-in client drops the socket without a close frame when it shuts down.
        with contextlib.suppress(ConnectionClosedError):
            for message in connection:
                self.acks.put(json.loads(message))
