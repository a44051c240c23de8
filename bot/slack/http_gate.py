"""The door every HTTP request from Slack comes through: signature first, parsing after.

bolt parses a request's body before its ``RequestVerification`` middleware runs, and slack_sdk's
``SignatureVerifier`` calls ``int()`` on the timestamp header unguarded, so an unsigned request with
``X-Slack-Request-Timestamp: soon`` or a truncated JSON body used to end in a 500, a logged
traceback and an apology posted to whatever ``response_url`` the stranger named. Here the raw bytes
and both headers are checked for shape before bolt's own verifier is asked; anything that is not a
correctly signed, fresh request is a 401 and bolt never sees it.

bolt's ``parse_body`` also treats any form body containing the substring "payload" as an interactive
payload (``/rag V9 amber Waiting on the payload spec`` became an empty request and a 404). The
verified body is parsed here by its fields instead, and handed to bolt already parsed.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

# Slack's own bodies are a few kilobytes; a large modal submission stays well under this.
MAX_BODY_BYTES = 1_000_000
VERIFIED = "planbot_verified"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
UNVERIFIED = BoltResponse(status=401, body={"error": "invalid request"})
UNREADABLE = BoltResponse(status=400, body={"error": "unreadable body"})

logger = logging.getLogger(__name__)


class UnreadableBody(ValueError):
    """A signed body that is neither a form, a ``payload=`` form nor a JSON object."""


def signature_holds(verifier: SignatureVerifier, text: str, headers: Mapping[str, Sequence[str]]) -> bool:
    """Whether ``text`` carries a fresh, correct Slack signature; never raises, whatever the headers say.

    The shapes are checked first (one timestamp of digits, one ``v0=`` and 64 hex digits), so
    slack_sdk's verifier, which does the clock window and the constant-time comparison, only ever
    sees values it can handle (it also decodes bytes as UTF-8 unguarded, hence text here).
    """
    stamps = headers.get("x-slack-request-timestamp") or []
    signatures = headers.get("x-slack-signature") or []
    if len(stamps) != 1 or len(signatures) != 1:
        return False
    stamp, signature = stamps[0].strip(), signatures[0].strip()
    if not _TIMESTAMP.fullmatch(stamp) or not _SIGNATURE.fullmatch(signature):
        return False
    return verifier.is_valid(body=text, timestamp=stamp, signature=signature)


def parse_slack_body(text: str, content_type: str | None) -> dict[str, Any]:
    """A Slack body as bolt expects it: JSON events, ``payload=<json>`` interactions, or form fields.

    Unlike bolt's ``parse_body`` this looks for a ``payload`` *field*, not the substring.

    Raises:
        UnreadableBody: the JSON is broken or not an object.
    """
    if not text:
        return {}
    try:
        if content_type == "application/json" or text.lstrip().startswith("{"):
            parsed: Any = json.loads(text)
        else:
            fields = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(fields["payload"]) if "payload" in fields else fields
    except json.JSONDecodeError as error:
        raise UnreadableBody(f"the body is not valid JSON ({error.msg})") from None
    if not isinstance(parsed, dict):
        raise UnreadableBody("the body is not a JSON object")
    return parsed


class ParsedRequest(BoltRequest):
    """A verified HTTP request whose body planbot parsed (see the module docstring), marked verified
    in its context so the error handler knows it may answer; copies for lazy listeners keep both."""

    def __init__(
        self, *, raw_body: str, body: dict[str, Any], query: Any, headers: Any, context: dict[str, Any] | None = None
    ) -> None:
        super().__init__(body="", query=query, headers=headers, context=context, mode="http")
        self.raw_body = raw_body
        self.body = body
        self.context = build_context(BoltContext({**(context or {}), VERIFIED: True}), body)
        self.fresh_copy = False

    def to_copyable(self) -> ParsedRequest:
        copy = ParsedRequest(
            raw_body=self.raw_body,
            body=json.loads(json.dumps(self.body)),
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
        )
        copy.fresh_copy = True
        return copy

    def __deepcopy__(self, memo: dict[int, Any]) -> ParsedRequest:
        """bolt deep-copies what ``to_copyable`` returns before a lazy listener gets it, walking the Web
        API client and the authorisation in its context: two thirds of an acknowledgement's time, on
        the acknowledging thread. A copy ``to_copyable`` just made shares nothing mutable with the
        request, so it is handed on as it is, once."""
        if self.fresh_copy:
            self.fresh_copy = False
            return self
        return self.to_copyable()


class VerifyingRequestHandler(SlackRequestHandler):
    """bolt's WSGI handler with the signature checked, and the body parsed, before bolt sees it."""

    def __init__(self, app: App, signing_secret: str, path: str) -> None:
        super().__init__(app, path=path)
        self.verifier = SignatureVerifier(signing_secret) if signing_secret.strip() else None

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        headers = {name: [value] for name, value in request.get_headers().items()}
        text = _read_body(request)
        if text is None or self.verifier is None or not signature_holds(self.verifier, text, headers):
            logger.info("Refused a request without a valid Slack signature from %s", request.environ.get("REMOTE_ADDR"))
            return UNVERIFIED
        try:
            content_type = (headers.get("content-type") or [""])[0].split(";")[0].strip() or None
            body = parse_slack_body(text, content_type)
        except UnreadableBody as problem:
            logger.warning("Refused a signed request whose body could not be read: %s", problem)
            return UNREADABLE
        return self.app.dispatch(ParsedRequest(raw_body=text, body=body, query=request.query_string, headers=headers))


def _read_body(request: WsgiHttpRequest) -> str | None:
    """The body as text, or ``None`` when its length is malformed or too large, or its bytes are not
    UTF-8: none of those can be Slack's, and none can be verified."""
    length_text = str(request.environ.get("CONTENT_LENGTH") or "0").strip()
    if not length_text.isdigit() or int(length_text) > MAX_BODY_BYTES:
        return None
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return ""
    data: bytes = stream.read(int(length_text))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
