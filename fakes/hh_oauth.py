"""The fake hh.ru's OAuth 2 side: authorization codes, token pairs, the bearer check, and hh.ru's error shapes.

Follows /work/helpers/hh_api.md §1 (from ``hhru/api`` ``docs/authorization_for_user.md`` before ``ac6c945`` and
``docs/errors.md``): codes are single-use, a refresh token is single-use and works only after the access token
expired (``invalid_grant``/``token not expired``), API calls with a bad token get 403 ``oauth`` errors.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

TOKEN_TTL = 1_209_600  # seconds: 14 days, as in §1.2's example
CODE_TTL = 600


class HHError(Exception):
    """A refusal: HTTP ``status`` with hh.ru's JSON ``body`` (and extra ``headers``)."""

    def __init__(self, status: int, body, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def api_error(status: int, type_: str, value: str | None = None) -> HHError:
    """hh.ru's error shape (§5): ``{"errors": [{"type": ..., "value": ...}]}``."""
    error = {"type": type_}
    if value is not None:
        error["value"] = value
    return HHError(status, {"errors": [error]})


def oauth_error(error: str, description: str, status: int = 400) -> HHError:
    """The token endpoint's RFC 6749 §5.2 shape (§1.5)."""
    return HHError(status, {"error": error, "error_description": description})


@dataclass
class Grant:
    access_token: str
    refresh_token: str
    employer_id: str
    client_id: str
    expires_at: float
    revoked: bool = False
    refreshed: bool = False


class OAuthMixin:
    """The authorization server; ``World`` provides ``lock``, ``client_id``, ``client_secret``, ``redirect_uri``,
    ``codes``, ``grants`` and ``by_refresh``."""

    # --- OAuth (§1) ---------------------------------------------------------------------------------------
    def check_authorize(self, query: dict) -> None:
        """§1.1's validation of the authorize request; ``HHError(400, text)`` for a page saying what is wrong."""
        if query.get("response_type") != "code":
            raise HHError(400, "response_type must be code")
        if query.get("client_id") != self.client_id:
            raise HHError(400, "client_id not found")
        redirect_uri = query.get("redirect_uri", self.redirect_uri)
        if not redirect_uri or not re.match(r"^https?://", redirect_uri):
            raise HHError(400, "bad redirect url")
        if self.redirect_uri and not redirect_uri.startswith(self.redirect_uri):
            raise HHError(400, "bad redirect url")

    def grant_code(self, query: dict, employer_id: str) -> str:
        with self.lock:
            code = secrets.token_urlsafe(24)
            self.codes[code] = {
                "client_id": query["client_id"],
                "redirect_uri": query.get("redirect_uri", ""),
                "employer_id": employer_id,
                "expires_at": time.time() + CODE_TTL,
                "used": False,
            }
            return code

    def _issue(self, employer_id: str, client_id: str) -> dict:
        grant = Grant(
            "USER" + secrets.token_urlsafe(32),
            "USER" + secrets.token_urlsafe(32),
            employer_id,
            client_id,
            time.time() + TOKEN_TTL,
        )
        self.grants[grant.access_token] = grant
        self.by_refresh[grant.refresh_token] = grant
        return {
            "access_token": grant.access_token,
            "token_type": "bearer",
            "expires_in": TOKEN_TTL,
            "refresh_token": grant.refresh_token,
        }

    def token(self, form: dict) -> dict:
        """``POST /token`` (§1.2, §1.3) with the errors of §1.5."""
        with self.lock:
            grant_type = form.get("grant_type", "")
            if grant_type == "authorization_code":
                if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
                    raise oauth_error("invalid_client", "client_id or client_secret not found")
                code = self.codes.get(form.get("code", ""))
                if code is None or code["client_id"] != self.client_id:
                    raise oauth_error("invalid_request", "code not found")
                if code["used"]:
                    raise oauth_error("invalid_grant", "code has already been used")
                if code["expires_at"] < time.time():
                    raise oauth_error("invalid_grant", "code expired")
                if code["redirect_uri"] and form.get("redirect_uri") != code["redirect_uri"]:
                    raise oauth_error("invalid_request", "bad redirect url")
                code["used"] = True
                return self._issue(code["employer_id"], self.client_id)
            if grant_type == "refresh_token":
                refresh_token = form.get("refresh_token", "")
                if not refresh_token:
                    raise oauth_error("invalid_request", "token is empty")
                grant = self.by_refresh.get(refresh_token)
                if grant is None:
                    raise oauth_error("invalid_request", "token not found")
                if grant.refreshed:
                    raise oauth_error("invalid_grant", "token has already been refreshed")
                if grant.revoked:
                    raise oauth_error("invalid_grant", "token was revoked")
                if grant.expires_at > time.time():
                    raise oauth_error("invalid_grant", "token not expired")
                grant.refreshed = True
                return self._issue(grant.employer_id, grant.client_id)
            raise oauth_error("unsupported_grant_type", "unsupported grant_type")

    def authenticate(self, headers: dict) -> Grant:
        """The bearer token of an API call (§1.6: 403 ``oauth`` errors, not 401)."""
        value = headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise api_error(403, "oauth", "bad_authorization")
        with self.lock:
            grant = self.grants.get(token.strip())
            if grant is None or grant.refreshed:
                raise api_error(403, "oauth", "bad_authorization")
            if grant.revoked:
                raise api_error(403, "oauth", "token_revoked")
            if grant.expires_at <= time.time():
                raise api_error(403, "oauth", "token_expired")
            return grant

    def revoke(self, grant: Grant) -> None:
        with self.lock:
            grant.revoked = True

    def expire_tokens(self) -> None:
        with self.lock:
            for grant in self.grants.values():
                grant.expires_at = min(grant.expires_at, time.time() - 1)
