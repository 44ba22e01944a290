"""Outgoing webhooks: signed JSON events for a company's registered endpoints."""


def response_event_emit(*, response_id: int, event: str) -> None:
    # Filled in by the REST API work (issue 5).
    return None
