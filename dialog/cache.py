"""One small in-process cache for everything the app keeps in memory between requests.

Written here rather than taken from cachetools: the app needs exactly one behaviour – a
bounded, thread-safe mapping that forgets the least recently used entry – and that is
twenty lines on :class:`collections.OrderedDict`, where cachetools would add a dependency
whose other policies (TTL, LFU, decorators) nothing here uses. Gunicorn's threads share one
process, hence the lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    """At most ``size`` entries; :meth:`put` drops the least recently used beyond that."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
