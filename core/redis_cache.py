"""Django's Redis cache backend, with one redis client per connection pool instead of one per call.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every
cache operation, and building one (its response-callback table) costs about as much as a round trip
to Redis on loopback. The public page cache (core/pagecache.py) makes one call per request, so that
cost shows. A ``redis.Redis`` is safe to share between threads; Django keeps one cache object per
thread anyway. settings.CACHES uses this class whenever CACHE_URL is a redis:// URL.
"""
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
