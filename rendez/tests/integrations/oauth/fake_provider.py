"""A tiny OAuth 2.0 authorization server on a real port, for the kit's tests: token endpoint (authorization
code with PKCE S256, refresh, rotating or not), revocation, both client authentication styles, a request log,
and answers scripted ahead (outages, proxies' bodies). RFC 6749, RFC 7636, RFC 7009 (Google's 400 for an
unknown token). It speaks the protocol, so the kit's production code is what the tests exercise.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from emulator_kit.serving import serving as loopback
from rendez.integrations.oauth.provider import ClientAuth, OAuthProvider

CLIENT_ID = "fake-client"
CLIENT_SECRET = "fake-secret"
REDIRECT_URI = "http://testserver/integrations/fake/callback"


@dataclass
class Scripted:
    status: int
    body: str
    content_type: str = "application/json"


@dataclass
class FakeProvider:
    client_auth: ClientAuth = ClientAuth.BODY
    rotates: bool = True
    reason_field: str = "error_description"
    lifetime: int = 3600
    base_url: str = ""
    log: list[dict[str, Any]] = field(default_factory=list)
    scripted: list[Scripted] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # code -> PKCE challenge
    refresh_tokens: set[str] = field(default_factory=set)  # live ones
    access_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def provider(self, **changes: Any) -> OAuthProvider:
        values: dict[str, Any] = {
            "name": "fake",
            "label": "Fake",
            "authorize_url": f"{self.base_url}/authorize",
            "token_url": f"{self.base_url}/token",
            "revoke_url": f"{self.base_url}/revoke",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT_URI,
            "client_auth": self.client_auth,
            "rotates_refresh_token": self.rotates,
            "reason_field": self.reason_field,
        }
        return OAuthProvider(**{**values, **changes})

    # --- what a person's consent would do ---

    def issue_code(self, code_verifier: str) -> str:
        code = secrets.token_urlsafe(16)
        digest = hashlib.sha256(code_verifier.encode()).digest()
        self.codes[code] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        return code

    def answer_next(self, status: int, body: Any = "", content_type: str = "application/json") -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.scripted.append(Scripted(status, text, content_type))

    def revoke_all(self) -> None:
        """The person removed the app at the provider: every token dies."""
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def requests(self, path: str) -> list[dict[str, Any]]:
        return [entry for entry in self.log if entry["path"] == path]

    # --- the server ---

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        form = dict(request.form)
        self.log.append({"path": request.path, "headers": dict(request.headers), "form": form})
        with self.lock:
            if self.scripted:
                scripted = self.scripted.pop(0)
                response = Response(scripted.body, scripted.status, content_type=scripted.content_type)
            elif not self._client_ok(request, form):
                response = self._error(401, "invalid_client", "Client authentication failed.")
            elif request.path == "/token":
                response = self._token(form)
            elif request.path == "/revoke":
                response = self._revoke(form)
            else:
                response = Response("", 404)
        return response(environ, start_response)

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        if self.client_auth is ClientAuth.BASIC:
            auth = request.authorization
            return auth is not None and (auth.username, auth.password) == (CLIENT_ID, CLIENT_SECRET)
        return (form.get("client_id"), form.get("client_secret")) == (CLIENT_ID, CLIENT_SECRET)

    def _token(self, form: dict[str, str]) -> Response:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            challenge = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if challenge is None or digest != challenge or form.get("redirect_uri") != REDIRECT_URI:
                return self._error(400, "invalid_grant", "Bad code, verifier or redirect URI.")
            return self._grant(new_refresh=True)
        if grant_type == "refresh_token":
            token = form.get("refresh_token", "")
            if token not in self.refresh_tokens:
                return self._error(400, "invalid_grant", "Token has been expired or revoked.")
            if self.rotates:
                self.refresh_tokens.discard(token)
            return self._grant(new_refresh=self.rotates)
        return self._error(400, "unsupported_grant_type", "")

    def _grant(self, *, new_refresh: bool) -> Response:
        access = "fake-at-" + secrets.token_urlsafe(24)
        self.access_tokens.add(access)
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": self.lifetime}
        body["scope"] = "calendar.read"
        if new_refresh:
            refresh = "fake-rt-" + secrets.token_urlsafe(24)
            self.refresh_tokens.add(refresh)
            body["refresh_token"] = refresh
        return Response(json.dumps(body), 200, content_type="application/json")

    def _revoke(self, form: dict[str, str]) -> Response:
        token = form.get("token", "")
        if token in self.refresh_tokens or token in self.access_tokens:
            self.refresh_tokens.discard(token)
            self.access_tokens.discard(token)
            return Response("", 200)
        return self._error(400, "invalid_token", "Token expired or revoked")

    def _error(self, status: int, error: str, reason: str) -> Response:
        body = json.dumps({"error": error, self.reason_field: reason})
        return Response(body, status, content_type="application/json")


@contextmanager
def serving(fake: FakeProvider) -> Iterator[FakeProvider]:
    with loopback(fake, name="fake-oauth-provider") as base_url:
        fake.base_url = base_url
        yield fake
