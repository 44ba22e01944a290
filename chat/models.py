"""The chat app has no models of its own: the transcript (``ChatSession``, ``ChatMessage``) is part of the
application record and lives in ``screening.models``; this app is the real-time door to it."""
