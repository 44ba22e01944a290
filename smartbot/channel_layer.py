"""The channels-redis layer with a bounded, blocking Redis connection pool (``settings.CHANNEL_LAYERS``).

channels-redis builds its pools with redis-py's ``ConnectionPool``, which opens a new connection for
every concurrent command and raises ``ConnectionError("Too many connections")`` past
``max_connections``. A burst (2,000 sockets closing at once, each discarding its groups) then either
opened a thousand connections that stayed open in the pool until a restart, or failed the discards
and, with them, the consumers' disconnect handling. Here the pool is redis-py's
``BlockingConnectionPool``: at most ``max_connections`` per process and per Redis host, and a command
that finds them all busy waits up to ``pool_timeout`` seconds for one instead of failing. Connections
stay open in the pool once made (redis-py closes none while idle), so a process holds at most
``max_connections`` (plus none: the shared receive loop takes its connection from the same pool).

Sources: redis-py ``redis.asyncio.connection.BlockingConnectionPool``; channels-redis
``channels_redis.utils.create_pool``, which this replaces for hosts given by ``address``.
"""

from __future__ import annotations

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class RedisChannelLayer(_RedisChannelLayer):
    """channels-redis's ``RedisChannelLayer`` whose ``address`` hosts get a ``BlockingConnectionPool``.

    ``pool_timeout``: seconds a command waits for a free connection before redis-py raises
    ``redis.exceptions.ConnectionError``. Every other option is channels-redis's; a host's extra keys
    (``max_connections``, ``socket_timeout``, ``client_name``, …) go to the pool as redis-py options.
    """

    def __init__(self, *args, pool_timeout: float = 10.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool_timeout = pool_timeout

    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # Sentinel or host/port entries: channels-redis's own pools
            return super().create_pool(index)
        address = host.pop("address")
        return BlockingConnectionPool.from_url(address, timeout=self.pool_timeout, **host)
