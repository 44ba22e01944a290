"""Candidates asking for a person: the request, the company's live queue with its SLA, claiming.

OWNER: helper "chat-after" (issue 14). Interface used by other modules; keep this signature.
"""

from __future__ import annotations

from screening.models import HumanRequest, Response


def human_request_open(*, response: Response, reason: str, text: str = "") -> HumanRequest | None:
    """Put the candidate in the company's queue (``HumanRequest.Reason``); an open request is kept (None)."""
    return None
