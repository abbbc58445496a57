"""Sign-in through an OpenID Connect provider (``web.oidc``), beside the e-mailed link.

The authorization code flow with PKCE: ``GET /signin/oidc`` keeps a fresh ``state``,
``nonce`` and code verifier in the signed session and sends the browser to the provider's
authorization endpoint (read from its discovery document); the provider sends it back to
``/signin/oidc/callback`` with a code, which is exchanged at the token endpoint (with the
client secret and the verifier) for an ID token. That token is trusted only once its
signature verifies against the provider's published keys (JWKS, through PyJWT), its issuer
and audience are ours, it has not expired and its nonce is the one this browser was given.
Its ``email`` claim then signs in exactly as the e-mailed link's address does
(:func:`sync.web.access.principal_for`): an address that is no employee's and no admin's
gets no access. Each state is used once across every server process (the store).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.config.web import OidcConfig
from sync.store.web_signin import digest, use_link_once
from sync.web.access import principal_for
from sync.web.http import state, template

__all__ = ["OidcClient", "OidcRefused", "callback", "start"]

log = logging.getLogger("crmsync.web")

_TIMEOUT = 10.0
_FLOW_SECONDS = 600  # a sign-in started at the provider must come back within this
# Asymmetric algorithms only: "none" and the HMAC family (whose key would be the client
# secret) are never accepted for an ID token.
_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


class OidcRefused(Exception):
    """The provider's answer cannot be trusted (the reason is logged, not shown)."""


def _fetch_json(url: str, data: dict[str, str] | None = None, auth: str | None = None) -> Any:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})
    if auth is not None:
        request.add_header("Authorization", auth)
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
        return orjson.loads(response.read())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class OidcClient:
    """One provider: its discovery document and keys, fetched on first use and cached."""

    def __init__(self, config: OidcConfig, client_secret: str) -> None:
        self.config = config
        self._secret = client_secret
        self._lock = threading.Lock()
        self._discovery: dict[str, Any] | None = None
        self._keys: jwt.PyJWKClient | None = None

    def discovery(self) -> dict[str, Any]:
        with self._lock:
            if self._discovery is None:
                doc = _fetch_json(self.config.issuer + "/.well-known/openid-configuration")
                if doc.get("issuer", "").rstrip("/") != self.config.issuer:
                    raise OidcRefused("the discovery document names another issuer")
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(doc.get(key), str):
                        raise OidcRefused(f"the discovery document has no {key}")
                self._discovery = doc
                self._keys = jwt.PyJWKClient(doc["jwks_uri"], lifespan=300, timeout=_TIMEOUT)
            return self._discovery

    def authorize_url(self, redirect_uri: str, flow: dict[str, str]) -> str:
        challenge = _b64(hashlib.sha256(flow["verifier"].encode()).digest())
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email",
            "state": flow["state"],
            "nonce": flow["nonce"],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        endpoint = self.discovery()["authorization_endpoint"]
        glue = "&" if "?" in endpoint else "?"
        return endpoint + glue + urllib.parse.urlencode(query)

    def redeem(self, code: str, redirect_uri: str, verifier: str) -> str:
        """The ID token the token endpoint gives for ``code``."""
        doc = self.discovery()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        auth = None
        if "client_secret_basic" in methods:
            pair = ":".join(
                urllib.parse.quote(v, safe="") for v in (self.config.client_id, self._secret)
            )
            auth = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form |= {"client_id": self.config.client_id, "client_secret": self._secret}
        answer = _fetch_json(doc["token_endpoint"], form, auth)
        token = answer.get("id_token") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise OidcRefused("the token endpoint gave no id_token")
        return token

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, expiry and nonce hold."""
        doc = self.discovery()
        assert self._keys is not None
        offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in offered if a in _ALGORITHMS]
        try:
            key = self._keys.get_signing_key_from_jwt(id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=algorithms,
                audience=self.config.client_id,
                issuer=self.config.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise OidcRefused(f"the ID token is not valid ({type(exc).__name__})") from exc
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise OidcRefused("the ID token's nonce is not this sign-in's")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcRefused("the ID token was issued to another party (azp)")
        return claims


def _redirect_uri(request: Request) -> str:
    return state(request).config.web.base_url.rstrip("/") + "/signin/oidc/callback"


def _problem(request: Request, status: int, text: str) -> Response:
    return template(request, "signin.html.j2", None, status=status, sent=False, problem=text)


def start(request: Request) -> Response:
    """``GET /signin/oidc``: to the provider, with a fresh state, nonce and PKCE verifier."""
    web = state(request)
    if web.oidc is None:
        return _problem(request, 404, "Single sign-on is not configured here.")
    flow = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "at": str(int(time.time())),
    }
    try:
        url = web.oidc.authorize_url(_redirect_uri(request), flow)
    except (OSError, ValueError, OidcRefused) as exc:
        log.warning(
            "single sign-on unavailable: %s",
            exc if isinstance(exc, OidcRefused) else type(exc).__name__,
        )
        return _problem(
            request,
            502,
            "The sign-in provider cannot be reached: try again, or ask for an e-mailed link.",
        )
    request.session["oidc"] = flow
    return RedirectResponse(url, status_code=303)


def callback(request: Request) -> Response:
    """``GET /signin/oidc/callback``: the provider's answer; signs in or says why not."""
    web = state(request)
    flow = request.session.pop("oidc", None)
    given = request.query_params.get("state", "")
    code = request.query_params.get("code", "")
    if (
        web.oidc is None
        or not isinstance(flow, dict)
        or not hmac.compare_digest(given.encode(), str(flow.get("state", "")).encode())
        or time.time() - int(flow.get("at", 0)) > _FLOW_SECONDS
        or not code
    ):
        return _problem(request, 400, "That sign-in expired or did not start here: try again.")
    now = datetime.now(UTC)
    if not use_link_once(
        web.view.engine,
        digest("oidc:" + given, web.secret),
        now,
        now + timedelta(seconds=_FLOW_SECONDS),
    ):
        return _problem(request, 400, "That sign-in expired or did not start here: try again.")
    try:
        id_token = web.oidc.redeem(code, _redirect_uri(request), str(flow["verifier"]))
        claims = web.oidc.verify(id_token, str(flow["nonce"]))
    except OidcRefused as exc:
        log.warning("single sign-on refused: %s", exc)
        return _problem(
            request, 400, "The sign-in provider's answer could not be verified: try again."
        )
    except (OSError, ValueError) as exc:
        log.warning("single sign-on failed: %s", type(exc).__name__)
        return _problem(
            request,
            502,
            "The sign-in provider cannot be reached: try again, or ask for an e-mailed link.",
        )
    email = claims.get("email")
    web.view.refresh()
    principal = None
    if isinstance(email, str) and claims.get("email_verified", True) is not False:
        principal = principal_for(email, web.view.people(), web.config.web.admins)
    if principal is None:
        log.info("single sign-on: the address is no employee's or admin's")
        return _problem(request, 403, "Your account has no access here: ask an admin if it should.")
    request.session.clear()
    request.session["who"] = principal
    request.session["csrf"] = secrets.token_urlsafe(24)
    log.info("signed in by single sign-on")
    return RedirectResponse("/", status_code=303)
