"""A small but real OpenID Connect provider for the single sign-on tests, built on authlib's
server side and served by werkzeug on a free localhost port: discovery, an authorization
endpoint whose login form names the person (and whether their address is verified), a token
endpoint that checks PKCE and issues RS256-signed ID tokens, and the JWKS to verify them."""

from __future__ import annotations

import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET = "tracker-dashboard", "provider-test-secret"
LOGIN_FORM = """<form method="post"><input name="email"><input name="verified" value="true">
<button>Sign in</button></form>"""


@dataclass
class Person:
    email: str
    verified: bool


@dataclass
class Client(ClientMixin):
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self):
        return CLIENT_ID

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return True  # the test's relying party runs on a host chosen per test

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    person: Person
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class Provider:
    """The provider's state: its clients' codes, its published key and the key it signs with
    (a test may make them differ, as a forger would)."""

    def __init__(self) -> None:
        self.issuer = ""
        self.published = RSAKey.generate_key(2048, parameters={"kid": "provider-key"})
        self.signing = self.published
        self.codes: dict[str, Code] = {}
        self.client = Client()

    def sign_with_a_stranger_key(self) -> None:
        self.signing = RSAKey.generate_key(2048, parameters={"kid": "provider-key"})

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
        }


def _code_grant(provider: Provider):
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            payload = request.payload
            provider.codes[code] = Code(
                code,
                payload.redirect_uri,
                payload.scope,
                payload.data.get("nonce"),
                payload.data.get("code_challenge"),
                payload.data.get("code_challenge_method"),
                request.user,
            )

        def query_authorization_code(self, code, client):
            return provider.codes.get(code)

        def delete_authorization_code(self, authorization_code):
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.person

    return CodeGrant


def _openid_code(provider: Provider) -> OpenIDCode:
    class ProviderOpenIDCode(OpenIDCode):
        def exists_nonce(self, nonce, request):
            return any(code.nonce == nonce for code in provider.codes.values())

        def resolve_client_private_key(self, client):
            return provider.signing

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": "provider-key"}

        def get_client_claims(self, client):
            now = int(time.time())
            return {"iss": provider.issuer, "aud": [CLIENT_ID], "exp": now + 300}

        def generate_user_info(self, user, scope):
            return UserInfo(sub=user.email, email=user.email, email_verified=user.verified)

    return ProviderOpenIDCode(require_nonce=True)


def provider_app(provider: Provider) -> Flask:
    app = Flask(__name__)
    server = AuthorizationServer(
        app, query_client=lambda client_id: provider.client if client_id == CLIENT_ID else None
    )
    server.save_token = lambda token, request: None  # the relying party keeps no access token
    server.register_grant(
        _code_grant(provider), [_openid_code(provider), CodeChallenge(required=True)]
    )

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(provider.discovery())

    @app.get("/jwks")
    def jwks():
        return jsonify({"keys": [provider.published.as_dict(private=False)]})

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        if request.method == "GET":
            server.get_consent_grant(end_user=None)  # refuses a bad request before the form
            return LOGIN_FORM
        person = Person(request.form["email"], request.form.get("verified") == "true")
        grant = server.get_consent_grant(end_user=person)
        return server.create_authorization_response(grant_user=person, grant=grant)

    @app.post("/token")
    def token():
        return server.create_token_response()

    return app


@contextmanager
def running_provider():
    """A provider serving on a free localhost port until the block ends."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider_app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
