"""The transcript's factories live beside its models in screening; re-exported for the chat tests."""

from screening.tests.factories import ChatMessageFactory, ChatSessionFactory

__all__ = ["ChatMessageFactory", "ChatSessionFactory"]
