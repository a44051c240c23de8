"""A local stand-in for Microsoft Entra's token authority, over real HTTPS on 127.0.0.1.

``FakeAuthority`` serves what MSAL asks an ``/adfs`` authority for (docs: teams-platform.md §10) and a
JWKS endpoint:

- ``GET /adfs/.well-known/openid-configuration``: the issuer and the endpoints;
- ``POST /adfs/oauth2/token``: client credentials; a token for the right client id and secret,
  otherwise the error JSON Entra answers (AADSTS700016 unknown app, AADSTS7000215 wrong secret);
- ``GET /keys``: a JWKS holding the public half of ``signing_key`` (``kid`` = ``key_id``), so tests
  can sign Bot Framework-style tokens with ``jwt.encode(claims, fake.signing_key, "RS256",
  headers={"kid": fake.key_id})`` and point ``PLANBOT_TEAMS_JWKS_URL`` at ``jwks_url``.

Its certificate is issued by a throw-away CA made when the server starts; trust it with
``monkeypatch.setenv`` of each item of ``trust_env()`` (``REQUESTS_CA_BUNDLE`` for MSAL and requests,
``SSL_CERT_FILE`` for urllib and PyJWKClient). Every request is kept in ``requests``; ``failures``
maps a path to a ``(status, body)`` answer that replaces the normal one, to inject faults.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import json
import shutil
import ssl
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class AuthorityRequest:
    """One request the fake received; ``form`` is the decoded body of a token request."""

    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]


class FakeAuthority:
    """A token authority and JWKS endpoint for one app: ``start()``, use ``url``, ``stop()``."""

    def __init__(self, client_id: str, client_secret: str, *, tenant_id: str = "adfs") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant_id = tenant_id
        self.requests: list[AuthorityRequest] = []
        self.failures: dict[str, tuple[int, dict[str, Any]]] = {}
        self.issued: list[str] = []
        self.key_id = "planbot-test-key"
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._folder = Path(tempfile.mkdtemp(prefix="planbot-fake-authority-"))
        self._server: _TLSServer | None = None
        self._thread: threading.Thread | None = None
        self._tokens = itertools.count(1)

    @property
    def ca_file(self) -> Path:
        """The PEM file of the CA that issued the server's certificate."""
        return self._folder / "ca.pem"

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The authority, for ``PLANBOT_TEAMS_AUTHORITY`` (an ``/adfs`` one: MSAL then skips instance discovery)."""
        return f"{self.base_url}/adfs"

    @property
    def jwks_url(self) -> str:
        """Where the public signing key is served, for ``PLANBOT_TEAMS_JWKS_URL``."""
        return f"{self.base_url}/keys"

    def trust_env(self) -> dict[str, str]:
        """The variables that make MSAL, requests and urllib trust this fake's CA (and only it)."""
        return {"REQUESTS_CA_BUNDLE": str(self.ca_file), "SSL_CERT_FILE": str(self.ca_file)}

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        return {"keys": [{**public, "kid": self.key_id, "use": "sig", "alg": "RS256"}]}

    def start(self) -> FakeAuthority:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self._certificates())
        self._server = _TLSServer(("127.0.0.1", 0), _handler(self), context)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        shutil.rmtree(self._folder, ignore_errors=True)

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """What the authority answers; ``failures`` replace the answer for their path."""
        if path in self.failures:
            return self.failures[path]
        if method == "GET" and path == "/adfs/.well-known/openid-configuration":
            return 200, {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/oauth2/authorize",
                "token_endpoint": f"{self.url}/oauth2/token",
                "jwks_uri": self.jwks_url,
                "response_types_supported": ["code", "token"],
                "grant_types_supported": ["client_credentials"],
            }
        if method == "GET" and path == "/keys":
            return 200, self.jwks()
        if method == "POST" and path == "/adfs/oauth2/token":
            return self._token(form)
        return 404, {"error": "not_found", "error_description": f"{method} {path} is not served here"}

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        if form.get("client_id") != self.client_id:
            return _error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{form.get('client_id')}' was not found in the directory "
                f"'{self.tenant_id}'. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant.",
            )
        if form.get("client_secret") != self.client_secret:
            return _error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                f"secret value, not the client secret ID, for a secret added to app '{self.client_id}'.",
            )
        if BOT_FRAMEWORK_SCOPE not in form.get("scope", "").split():
            scope = form.get("scope")
            return _error(400, "invalid_scope", 70011, f"The provided value for scope {scope} is not valid.")
        token = f"fake-access-token-{next(self._tokens)}"
        self.issued.append(token)
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}

    def _certificates(self) -> tuple[Path, Path]:
        """A CA (kept in ``ca_file``) and a server certificate for 127.0.0.1 and localhost it signed."""
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "planbot test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        cert_file, key_file = self._folder / "server.pem", self._folder / "server.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cert_file, key_file


def _error(status: int, error: str, code: int, description: str) -> tuple[int, dict[str, Any]]:
    """Entra's error answer: the AADSTS code leads the description, as the real service writes it."""
    text = f"AADSTS{code}: {description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nCorrelation ID: fake"
    return status, {"error": error, "error_description": text, "error_codes": [code]}


class _TLSServer(ThreadingHTTPServer):
    """The TLS handshake happens in each request's thread, so a client that stalls blocks nobody else."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext):
        super().__init__(address, handler)
        self.context = context
        self.handshake_failures: list[str] = []

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self.handshake_failures.append(str(error))
            return
        super().finish_request(request, client_address)


def _handler(fake: FakeAuthority) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = dict(parse_qsl(body)) if method == "POST" else {}
            path = urlsplit(self.path).path
            fake.requests.append(AuthorityRequest(method, path, form, {k.lower(): v for k, v in self.headers.items()}))
            status, answer = fake.answer(method, path, form)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the requests are in ``fake.requests``."""

    return Handler
