"""A small OpenID Connect issuer for the tests: RSA keys generated here, tokens signed with them, and its discovery
document and JWKS served over HTTP on a free loopback port (`serving`) or answered in memory (`transport`)."""

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

AUDIENCE = "duban"
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/protocol/openid-connect/certs"


class LocalIssuer:
    """An identity provider publishing the public half of `published` keys; `signing` holds every key it can sign
    with (a key not published signs tokens nobody can verify)."""

    def __init__(self, url: str = "https://idp.test/realms/duban"):
        self.url = url
        self.signing: dict[str, RSAKey] = {}
        self.published: list[str] = []
        self.requests: Counter[str] = Counter()
        self.add_key("key-1")

    def add_key(self, kid: str, publish: bool = True) -> RSAKey:
        self.signing[kid] = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
        if publish:
            self.published.append(kid)
        return self.signing[kid]

    def token(self, subject: str = "user-1", *, kid: str = "key-1", lifetime: float = 300, **claims) -> str:
        """A token for `subject`, signed by `kid`, valid for `lifetime` seconds from now; `claims` add or replace
        claims (None removes one)."""
        now = int(time.time())
        payload = {"iss": self.url, "aud": AUDIENCE, "sub": subject, "iat": now, "nbf": now,
                   "exp": now + int(lifetime), **claims}
        return jwt.encode({"alg": "RS256", "kid": kid}, {k: v for k, v in payload.items() if v is not None},
                          self.signing[kid])

    def documents(self) -> dict[str, dict]:
        """What the issuer serves, by path."""
        return {DISCOVERY_PATH: {"issuer": self.url, "jwks_uri": f"{self.url}{JWKS_PATH}",
                                 "id_token_signing_alg_values_supported": ["RS256"]},
                JWKS_PATH: {"keys": [self.signing[kid].as_dict(private=False) for kid in self.published]}}

    def answer(self, path: str) -> tuple[int, dict]:
        relative = path.removeprefix(httpx.URL(self.url).path)
        self.requests[relative] += 1
        document = self.documents().get(relative)
        return (200, document) if document is not None else (404, {"error": "not found"})

    def transport(self) -> httpx.MockTransport:
        """The issuer answering in memory (the URL is never resolved)."""

        def handle(request: httpx.Request) -> httpx.Response:
            status, document = self.answer(request.url.path)
            return httpx.Response(status, json=document)

        return httpx.MockTransport(handle)


@contextmanager
def serving(issuer: LocalIssuer) -> Iterator[LocalIssuer]:
    """The issuer on a free loopback port, its `url` pointing there while it runs."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            status, document = issuer.answer(self.path)
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # the test's output stays quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}/realms/duban"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
