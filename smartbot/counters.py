"""One fixed-window counter in the shared cache, for the limits that count events per key and period."""

from django.core.cache import cache


def count_in_window(key: str, *, seconds: int) -> int:
    """Add one event under ``key`` and return how many happened in the current window of ``seconds``.

    The window starts with the key's first event and lasts ``seconds`` (the cache entry's timeout).
    """
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=seconds)
        return 1
