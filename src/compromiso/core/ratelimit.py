"""A small fixed-window rate limiter on Django's cache, for public endpoints.

With the default local-memory cache the limit holds per process; production runs a shared cache
(see docs/operations.md) so it holds across processes.
"""

from django.core.cache import cache


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key`; False once `limit` hits happened within the window."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return hits <= limit


def client_address(meta: dict[str, str]) -> str:
    """The client's address as the web server saw it (a proxy must set REMOTE_ADDR right)."""
    return meta.get("REMOTE_ADDR", "unknown")


def blocked(key: str, *, limit: int) -> bool:
    """True while `key` is over its limit, without counting a hit."""
    return int(cache.get(f"ratelimit:{key}", 0)) >= limit
