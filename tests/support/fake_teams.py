"""Local stand-ins for Microsoft's side of Teams: a Bot Connector, the keys that sign Teams' requests,
and the tokens Teams would send. Nothing here reaches Microsoft's cloud.

``FakeBotConnector`` is a ``ThreadingHTTPServer`` on 127.0.0.1 answering the Bot Connector calls an
Agents SDK bot makes (teams-platform.md §9): replies and posts, edits, deletes, new 1:1 chats and
member lookups (from a people table, as the roster would) and team rosters page by page
(``pagedmembers``, from ``rosters``). It records every request, checks each
carries the outbound token, and serves the JWKS that ``PLANBOT_TEAMS_JWKS_URL`` points at.
``TokenSigner`` signs inbound tokens with an RSA key made for the test, claims as Teams sets them
(teams-platform.md §3: ``iss`` the Bot Framework, ``aud`` the bot's app id, ``serviceurl``).

The activity shapes follow Microsoft's documented payloads (MicrosoftDocs/msteams-docs):
- personal message: msteams-platform/bots/how-to/conversations/conversation-messages.md
  ("Receive a message"), with ``conversation.conversationType = "personal"`` and the tenant;
- channel message with a mention entity: …/conversations/channel-and-group-conversations.md
  ("Retrieve mentions"): ``text`` holds ``<at>planbot</at>``, ``entities`` a ``mention`` of the bot,
  ``conversation.id`` the thread ``19:…@thread.tacv2;messageid=…`` and ``channelData.channel.id``;
- invoke ``task/fetch`` / ``task/submit``: msteams-platform/task-modules-and-cards/task-modules/
  task-modules-bots.md (``value.data`` holds the card's data, ``value.context.theme``).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "6a1e5c1e-0000-4000-8000-00000000b0a7"
TENANT_ID = "0b1f0000-0000-4000-8000-000000000001"
OTHER_TENANT_ID = "0b1f0000-0000-4000-8000-0000000000ee"
OUTBOUND_TOKEN = "planbot-outbound-test-token"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_ACCOUNT = {"id": f"28:{APP_ID}", "name": "planbot"}
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class TeamsUser:
    """A member of the force's tenant as the roster describes them (teams-platform.md §5)."""

    user_id: str  # "29:…", bot-scoped
    aad_object_id: str
    name: str
    email: str | None

    def account(self) -> dict[str, Any]:
        return {"id": self.user_id, "name": self.name, "aadObjectId": self.aad_object_id}

    def member(self) -> dict[str, Any]:
        member: dict[str, Any] = {
            "id": self.user_id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "tenantId": TENANT_ID,
            "userRole": "user",
        }
        if self.email:
            member |= {"email": self.email, "userPrincipalName": self.email}
        return member


OWNER = TeamsUser("29:ollie", "aad-ollie-0001", "Ollie Kerr", "Ollie.Kerr@Example.org")  # V9's owner in the sample plan
ADMIN = TeamsUser("29:emily", "aad-emily-0001", "Emily Carter", "emily.carter@example.org")
STRANGER = TeamsUser("29:vic", "aad-vic-0001", "Vic Visitor", "vic.visitor@example.net")  # not in the plan
GUEST = TeamsUser("29:guest", "aad-guest-0001", "A Guest", None)  # the roster gives no email


@dataclass(frozen=True)
class ConnectorCall:
    """One request the fake received, with its JSON body (``{}`` when it had none)."""

    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float
    query: dict[str, str] = field(default_factory=dict)

    @property
    def conversation(self) -> str:
        """The conversation id in the path (``v3/conversations/{id}/…``), decoded."""
        parts = self.path.split("/v3/conversations/", 1)
        if len(parts) != 2:
            return ""
        return unquote(re.split(r"/activities|/members|/pagedmembers", parts[1], maxsplit=1, flags=re.I)[0])


@dataclass(frozen=True)
class Fault:
    """One answer the fake gives instead of the normal one: Teams' status, its error code, headers
    (``Retry-After``), and which conversation's posts it hits (``None``: the next request of any kind),
    or which requests: those whose path holds ``path`` (``pagedmembers``, a roster read)."""

    status: int
    code: str = "Injected"
    headers: dict[str, str] = field(default_factory=dict)
    conversation: str | None = None
    path: str | None = None


@dataclass
class FakeBotConnector:
    """The Bot Connector at ``service_url``: records calls, answers as Microsoft's does."""

    people: dict[str, TeamsUser] = field(default_factory=dict)
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    calls: list[ConnectorCall] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    """Entra object ids for whom a new 1:1 chat is refused, as when planbot is not installed for them."""
    created: list[str] = field(default_factory=list)
    """The id answered for each activity posted, in order (what planbot keeps to edit one later)."""
    accepts: Callable[[str], bool] = OUTBOUND_TOKEN.__eq__
    """Which outbound tokens are good (a real authority's, in the whole-process tests)."""
    pending: list[Fault] = field(default_factory=list)
    """Faults still to give, each once, in order (``inject``)."""
    slow: dict[str, float] = field(default_factory=dict)
    """Seconds to wait before answering a post to a conversation (accepted first, answered late)."""
    rosters: dict[str, list[TeamsUser]] = field(default_factory=dict)
    """Each team's members, as ``pagedmembers`` lists them (a team not here has none)."""
    roster_page: int = 500
    """Members in a page at most: Teams may give fewer than the ``pageSize`` asked for."""

    def roster_reads(self, team: str) -> list[ConnectorCall]:
        """The requests for a page of ``team``'s roster, in order."""
        with self._lock:
            return [c for c in self.calls if c.path.lower().endswith("/pagedmembers") and c.conversation == team]

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.pending.extend(faults)

    def posts_to(self, conversation: str) -> list[ConnectorCall]:
        """The activities posted to ``conversation`` or to a thread of it, faults included, in order."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == "POST" and "/activities" in c.path and c.conversation.split(";")[0] == conversation
            ]

    def delivered(self, conversation: str) -> list[ConnectorCall]:
        """The activities posted to ``conversation`` (or its threads) that Teams accepted."""
        with self._lock:
            return [c for c in self._accepted if c.conversation.split(";")[0] == conversation]

    def __post_init__(self) -> None:
        fake = self
        self._lock = threading.Lock()
        self._accepted: list[ConnectorCall] = []
        self._ids = itertools.count(1)
        self._keys_id = uuid.uuid4().hex

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def do_PUT(self) -> None:
                fake._handle(self)

            def do_DELETE(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads ``calls``."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
        )

    def start(self) -> FakeBotConnector:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def service_url(self) -> str:
        """What Teams puts in ``activity.serviceUrl`` (a prefix, as Teams' own ``…/amer/`` has)."""
        return f"{self.base_url}/teams/"

    @property
    def jwks_url(self) -> str:
        """Unique per fake: the SDK caches keys per URL (with a cool-down before it fetches again), and a
        later test's fake may be given an earlier one's port."""
        return f"{self.base_url}/keys/{self._keys_id}"

    def sent(self) -> list[ConnectorCall]:
        """Every activity planbot posted (replies and new posts), in order."""
        with self._lock:
            return [c for c in self.calls if c.method == "POST" and "/activities" in c.path]

    def wait_for_sent(self, count: int = 1, timeout: float = WAIT_SECONDS) -> list[ConnectorCall]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.sent()
            if len(sent) >= count:
                return sent
            time.sleep(0.02)
        raise AssertionError(f"expected {count} activities at the connector, got {len(self.sent())}")

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        url = urlsplit(request.path)
        path = url.path
        call = ConnectorCall(
            request.command,
            path,
            json.loads(raw) if raw else {},
            {k.lower(): v for k, v in request.headers.items()},
            time.perf_counter(),
            dict(parse_qsl(url.query, keep_blank_values=True)),
        )
        if path.startswith("/keys/"):
            self._reply(request, 200, self.jwks)
            return
        with self._lock:
            self.calls.append(call)
            fault = self._fault_for(call)
        scheme, _, token = call.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not self.accepts(token):
            self._reply(request, 401, {"error": {"code": "Unauthorized", "message": "no or wrong token"}})
            return
        if fault is not None:
            status, headers, code = fault
            self._reply(request, status, {"error": {"code": code, "message": "fault"}}, headers)
            return
        with self._lock:
            status, body = self._answer(call)
            if status < 300 and call.method == "POST" and "/activities" in call.path:
                self._accepted.append(call)
        time.sleep(self.slow.get(call.conversation.split(";")[0], 0.0))
        self._reply(request, status, body)

    def _fault_for(self, call: ConnectorCall) -> tuple[int, dict[str, str], str] | None:
        """The fault this call gets (callers hold the lock): a legacy ``faults`` entry, else the first
        pending fault for any request or for a post to this call's conversation."""
        if self.faults:
            status, headers = self.faults.pop(0)
            return status, headers, "Injected"
        posting = call.method == "POST" and "/activities" in call.path
        for fault in self.pending:
            if fault.path is not None:
                hit = fault.path.lower() in call.path.lower()
            else:
                hit = fault.conversation is None or (posting and call.conversation.split(";")[0] == fault.conversation)
            if hit:
                self.pending.remove(fault)
                return fault.status, fault.headers, fault.code
        return None

    def _answer(self, call: ConnectorCall) -> tuple[int, dict[str, Any]]:
        if call.path.lower().endswith("/pagedmembers") and call.method == "GET":
            return 200, self._roster_page(call)
        if "/members/" in call.path and call.method == "GET":
            user_id = unquote(call.path.rsplit("/members/", 1)[1])
            person = self.people.get(user_id)
            if person is None:
                return 404, {"error": {"code": "MemberNotFoundInConversation", "message": "not a member"}}
            return 200, person.member()
        if call.method == "POST" and call.path.endswith("/v3/conversations"):
            members = {m.get("id") for m in call.body.get("members", [])}
            if members & self.blocked:
                return 403, {"error": {"code": "ConversationBlockedByUser", "message": "User blocked the bot"}}
            return 201, {"id": f"a:new-{next(self._ids)}", "activityId": str(next(self._ids))}
        if call.method == "POST":
            self.created.append(f"1{next(self._ids):012d}")
            return 200, {"id": self.created[-1]}
        if call.method == "PUT":
            return 200, {"id": call.path.rsplit("/", 1)[1]}
        return 200, {}

    def _roster_page(self, call: ConnectorCall) -> dict[str, Any]:
        """A page of the team's roster (teams-platform.md §9): at most ``pageSize`` (and ``roster_page``)
        members from the offset its ``continuationToken`` names, and the token of the next page."""
        members = self.rosters.get(call.conversation, [])
        start = int(call.query.get("continuationToken") or 0)
        end = start + min(int(call.query.get("pageSize") or 200), self.roster_page)
        more = f"{end}" if end < len(members) else None
        return {"members": [m.member() for m in members[start:end]], "continuationToken": more}

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


_run_key = functools.cache(_new_key)
"""The RSA key every test's signer shares: generating one takes tens of milliseconds of CPU, and a
signer's own key id already keeps each test's keys apart in the SDK's cache."""


class TokenSigner:
    """Signs inbound tokens as the Bot Framework does, with the run's RSA key (``forger``: a key of
    its own, which the Bot Framework's published keys do not hold)."""

    def __init__(self, kid: str | None = None, *, forger: bool = False) -> None:
        # A key id of its own: the SDK caches keys per JWKS URL, and a later test's fake may get an
        # earlier one's port; a new id makes the cache fetch the new keys, as a key rotation would.
        self.kid = kid or f"planbot-test-{uuid.uuid4().hex[:12]}"
        self._key = _new_key() if forger else _run_key()

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [public | {"kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def token(
        self,
        service_url: str,
        *,
        audience: str = APP_ID,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        lifetime: dt.timedelta = dt.timedelta(hours=1),
        kid: str | None = None,
    ) -> str:
        now = dt.datetime.now(dt.UTC)
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - dt.timedelta(minutes=1),
            "iat": now - dt.timedelta(minutes=1),
            "exp": now + lifetime,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": kid or self.kid})


def personal_message(sender: TeamsUser, text: str, service_url: str, tenant: str = TENANT_ID) -> dict[str, Any]:
    """A message in the personal chat between ``sender`` and planbot (conversation-messages.md)."""
    return {
        "type": "message",
        "id": str(uuid.uuid4().int)[:13],
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender.account(),
        "conversation": {"conversationType": "personal", "tenantId": tenant, "id": f"a:personal-{sender.user_id}"},
        "recipient": BOT_ACCOUNT,
        "textFormat": "plain",
        "locale": "en-GB",
        "text": text,
        "channelData": {"tenant": {"id": tenant}},
    }


CHANNEL_ID = "19:coordination0001@thread.tacv2"
TEAM_ID = "19:team0001@thread.tacv2"


def channel_mention(
    sender: TeamsUser,
    text: str,
    service_url: str,
    tenant: str = TENANT_ID,
    mentions: tuple[TeamsUser, ...] = (),
) -> dict[str, Any]:
    """A channel message that @mentions planbot (and maybe people), as channel-and-group-conversations.md
    shows it: the mention text in ``text`` and a ``mention`` entity for each one."""
    message_id = str(uuid.uuid4().int)[:13]
    entities = [{"type": "mention", "text": "<at>planbot</at>", "mentioned": BOT_ACCOUNT}]
    entities += [{"type": "mention", "text": f"<at>{p.name}</at>", "mentioned": p.account()} for p in mentions]
    return {
        "type": "message",
        "id": message_id,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender.account(),
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant,
            "id": f"{CHANNEL_ID};messageid={message_id}",
        },
        "recipient": BOT_ACCOUNT,
        "textFormat": "plain",
        "text": f"<at>planbot</at> {text}",
        "entities": entities,
        "channelData": {
            "teamsChannelId": CHANNEL_ID,
            "channel": {"id": CHANNEL_ID},
            "team": {"id": TEAM_ID},
            "tenant": {"id": tenant},
        },
    }


def invoke(sender: TeamsUser, name: str, value: dict[str, Any], service_url: str) -> dict[str, Any]:
    """An invoke from the personal chat (task/fetch, task/submit: task-modules-bots.md)."""
    activity = personal_message(sender, "", service_url)
    activity.pop("text")
    activity.pop("textFormat")
    return activity | {"type": "invoke", "name": name, "value": value}


def card_texts(call_body: dict[str, Any]) -> str:
    """Every text a person sees in an activity's cards (and its text), joined by newlines."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "placeholder", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(call_body)
    return "\n".join(found)


def installation_update(sender: TeamsUser, action: str, service_url: str) -> dict[str, Any]:
    """planbot added to or removed from a person's personal scope (subscribe-to-conversation-events.md,
    "Install update event": ``type`` installationUpdate, ``action`` add or remove)."""
    activity = personal_message(sender, "", service_url)
    for key in ("text", "textFormat"):
        activity.pop(key)
    return activity | {"type": "installationUpdate", "action": action}


def bot_added_to_channel(sender: TeamsUser, service_url: str) -> dict[str, Any]:
    """planbot added to a team (subscribe-to-conversation-events.md, "Bot or user added": a
    conversationUpdate with ``membersAdded`` holding the bot and ``channelData.eventType`` teamMemberAdded)."""
    activity = channel_mention(sender, "", service_url)
    for key in ("text", "textFormat", "entities"):
        activity.pop(key)
    activity["conversation"]["id"] = CHANNEL_ID
    activity["channelData"]["eventType"] = "teamMemberAdded"
    return activity | {"type": "conversationUpdate", "membersAdded": [BOT_ACCOUNT]}


def team_installation(sender: TeamsUser, service_url: str) -> dict[str, Any]:
    """planbot added to a team (subscribe-to-conversation-events.md, "Install update event" in the team
    scope: ``installationUpdate`` add in the team's General channel, whose id is the team's)."""
    activity = bot_added_to_channel(sender, service_url)
    activity.pop("membersAdded")
    activity["conversation"]["id"] = TEAM_ID
    activity["channelData"] |= {"channel": {"id": TEAM_ID}, "teamsChannelId": TEAM_ID}
    activity["channelData"].pop("eventType")
    return activity | {"type": "installationUpdate", "action": "add"}


def card_action(
    sender: TeamsUser, verb: str, data: dict[str, Any], message_id: str, service_url: str
) -> dict[str, Any]:
    """A click on an ``Action.Execute`` button of the message ``message_id`` in the sender's personal chat:
    invoke ``adaptiveCard/action`` (Universal Actions, "Work with Universal Actions for Adaptive Cards":
    ``value.action`` holds the type, verb and data; ``replyToId`` the message the card is on)."""
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    return invoke(sender, "adaptiveCard/action", value, service_url) | {"replyToId": message_id}


def file_consent_answer(
    sender: TeamsUser, action: str, context: Any, service_url: str, upload_info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The person's answer to a file consent card: invoke ``fileConsent/invoke`` (bots-filesv4.md, "Send
    files to personal chat"): ``value.action`` accept or decline, the card's context, and on accept the
    upload session Teams opened."""
    value: dict[str, Any] = {"type": "fileUpload", "action": action, "context": context}
    if upload_info is not None:
        value["uploadInfo"] = upload_info
    return invoke(sender, "fileConsent/invoke", value, service_url)


@dataclass(frozen=True)
class Upload:
    """One PUT the upload session received: its path, headers and bytes."""

    path: str
    headers: dict[str, str]
    data: bytes


class FakeUploadSession:
    """The OneDrive upload sessions Teams opens when someone accepts a file (bots-filesv4.md): each
    ``upload_info`` names a pre-authorised URL that takes the whole file in one PUT whose
    ``Content-Range`` (``bytes 0-{n-1}/{n}``) matches the bytes sent, answered 201; anything else is
    answered 400 and recorded, so a test sees what planbot sent."""

    def __init__(self) -> None:
        session = self
        self.uploads: list[Upload] = []
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                session._put(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads ``uploads``."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
        )

    def start(self) -> FakeUploadSession:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def upload_info(self, name: str) -> dict[str, Any]:
        """What Teams puts in an accept's ``uploadInfo`` for a file offered as ``name``."""
        unique = uuid.uuid4().hex
        port = self._server.server_address[1]
        return {
            "contentUrl": f"https://contoso.sharepoint.example/personal/Documents/Applications/{name}",
            "name": name,
            "uploadUrl": f"http://127.0.0.1:{port}/upload/{unique}",
            "uniqueId": unique,
            "fileType": name.rsplit(".", 1)[-1],
            "etag": f'"{{{unique}}},1"',
        }

    def _put(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self.uploads.append(Upload(urlsplit(request.path).path, headers, data))
        expected = f"bytes 0-{len(data) - 1}/{len(data)}"
        status = 201 if data and headers.get("content-range") == expected else 400
        body = json.dumps({"id": "file", "size": len(data)} if status == 201 else {"error": "bad range"}).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
