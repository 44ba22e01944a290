"""Job boards behind one interface (``base.Provider``); ``provider(name)`` gives the client of one board.

hh.ru is built against its public API documentation (the ``hhru/api`` repository), Avito against its job,
messenger and item OpenAPI specifications (docs/integrations.md says what each can and cannot do).
"""

from .base import (
    DECISION_DISCARD,
    DECISION_INVITE,
    Account,
    BoardError,
    BoardResponse,
    BoardVacancyInfo,
    Provider,
    Tokens,
)
from .messages import decision_for

__all__ = [
    "DECISION_DISCARD",
    "DECISION_INVITE",
    "Account",
    "BoardError",
    "BoardResponse",
    "BoardVacancyInfo",
    "Provider",
    "Tokens",
    "decision_for",
    "provider",
    "providers",
]


def providers() -> dict[str, Provider]:
    """The registered boards by ``BoardConnection.Provider`` value."""
    from .avito import AvitoProvider
    from .hh import HHProvider

    return {"hh": HHProvider(), "avito": AvitoProvider()}


def provider(name: str) -> Provider:
    """The client of the board ``name``; ``KeyError`` for a board that is not registered."""
    return providers()[name]
