"""The one small interface every job board implements (hh.ru, Avito, later boards), and its data shapes.

A provider is a client of one board's API: it makes HTTP calls and maps the board's JSON onto these shapes;
it holds no state and never touches the database (``screening.services.boards`` does: tokens, imports,
write-backs). Every failure of a call is a ``BoardError`` saying whether retrying can help.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Protocol

# What a recruiter's decision becomes on the board.
DECISION_INVITE = "invite"  # a positive decision (shortlisted, interview, offer, hired)
DECISION_DISCARD = "discard"  # a rejection (declined, rejected by the screening and confirmed)


class BoardError(Exception):
    """A call to a job board failed.

    ``kind`` is one of:
    - "auth": the token is invalid, expired or revoked (refresh, or reconnect);
    - "paid": the board refuses a method the employer's tariff does not include (hh.ru 403); shown to the owner;
    - "rate_limit": too many requests (HTTP 429); ``retry_after`` seconds when the board says;
    - "archived": the vacancy is archived on the board;
    - "not_found": no such vacancy, response or resume (404);
    - "bad_request": the board refused the request as invalid (400/409/422: a state change not allowed now);
    - "unavailable": network failure, timeout or a 5xx.
    ``retryable`` is True for "rate_limit" and "unavailable". ``message`` is a sentence for the owner;
    ``detail`` the board's own error text (its ``errors`` list, as received), for the log and the admin.
    """

    RETRYABLE_KINDS = frozenset({"rate_limit", "unavailable"})

    def __init__(
        self, kind: str, message: str, *, detail: str = "", retry_after: float | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail
        self.retry_after = retry_after
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind in self.RETRYABLE_KINDS


@dataclass(frozen=True)
class Tokens:
    """OAuth 2 tokens of a connection; ``expires_at`` is when ``access_token`` stops working (aware, UTC)."""

    access_token: str
    refresh_token: str
    expires_at: dt.datetime | None


@dataclass(frozen=True)
class Account:
    """The employer account the tokens act for (hh.ru: ``GET /me``'s employer and manager)."""

    id: str
    name: str
    manager_id: str = ""


@dataclass(frozen=True)
class BoardVacancyInfo:
    """A vacancy on the board that a SmartBot vacancy can be linked to."""

    id: str
    name: str
    url: str = ""
    archived: bool = False
    area: str = ""


@dataclass(frozen=True)
class BoardResponse:
    """One candidate's response to a board vacancy (hh.ru: a negotiation), mapped onto our application.

    Fields the board does not return for this tariff or state are empty strings. ``resume_text`` is plain
    text built from the structured resume (title, experience, skills, education). ``created_at`` is aware.
    """

    negotiation_id: str
    vacancy_id: str
    state: str = ""
    created_at: dt.datetime | None = None
    resume_id: str = ""
    resume_url: str = ""
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    email: str = ""
    phone: str = ""
    city: str = ""
    resume_text: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)


class Provider(Protocol):
    """One job board's client. Every method raises ``BoardError`` on any failure.

    ``access_token`` is a valid token (the services refresh it before expiry and retry once on "auth").
    """

    name: str  # BoardConnection.Provider value: "hh", "avito"
    title: str  # shown to people: "hh.ru"
    # Seconds before the access token's expiry at which it is refreshed (0: only once expired, as hh.ru demands).
    refresh_early_seconds: int

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """Where to send the owner's browser to grant access (OAuth 2 authorization code, RFC 6749 §4.1)."""

    def exchange_code(self, *, code: str, redirect_uri: str) -> Tokens:
        """The tokens for an authorization code (RFC 6749 §4.1.3)."""

    def refresh(self, *, refresh_token: str) -> Tokens:
        """New tokens from a refresh token (RFC 6749 §6)."""

    def revoke(self, *, access_token: str) -> None:
        """Invalidate the tokens on the board (disconnect). An already invalid token is not an error."""

    def account(self, *, access_token: str) -> Account:
        """The employer account the token acts for."""

    def vacancies(self, *, access_token: str, account: Account) -> list[BoardVacancyInfo]:
        """The employer's active vacancies (all pages)."""

    def vacancy(self, *, access_token: str, vacancy_id: str) -> BoardVacancyInfo:
        """One vacancy, with ``archived`` as the board reports it now."""

    def responses(
        self, *, access_token: str, vacancy_id: str, known: Container[str] = frozenset()
    ) -> Iterator[BoardResponse]:
        """Every response to the vacancy, all pages, with what the resume and contacts give; those whose id is
        in ``known`` (imported before) are passed over before their resume is fetched: boards count resume
        views (hh.ru: a daily limit), and a sync every few minutes must not spend them again."""

    def invite_to_screening(self, *, access_token: str, negotiation_id: str, message: str) -> None:
        """Send the candidate ``message`` (with our private chat link) through the response's own channel."""

    def write_decision(self, *, access_token: str, negotiation_id: str, decision: str, message: str) -> None:
        """Move the response to ``decision`` (``DECISION_INVITE`` or ``DECISION_DISCARD``) with ``message``."""
