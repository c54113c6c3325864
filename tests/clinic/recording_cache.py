"""A local-memory cache that records what it is asked to read: one list of keys per call, as
each call is one round trip to Redis in production."""

from django.core.cache.backends.locmem import LocMemCache

RECORDING_CACHES = {"default": {"BACKEND": "tests.clinic.recording_cache.ReadRecordingCache"}}


class ReadRecordingCache(LocMemCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = []

    def get(self, key, default=None, version=None):
        self.reads.append([key])
        return super().get(key, default, version)

    def get_many(self, keys, version=None):
        keys = list(keys)
        self.reads.append(keys)
        missing = object()
        found = {key: LocMemCache.get(self, key, missing, version) for key in keys}
        return {key: value for key, value in found.items() if value is not missing}
