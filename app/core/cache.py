"""In-process caches: each workspace's chain, its analyses and rendered responses.

Everything is keyed by the workspace ``uid`` and ``revision``. Every write bumps the revision in
the same transaction as the change, so a reader that finds a newer revision in the database
than in memory catches up (``services/workspace.py``); several workers (or hosts) never serve
each other's stale state.

A cached ``Chain`` is never edited: a writer edits a fork of it (``Chain.fork``) and puts the
fork here once committed, so readers keep using the chain they took without any lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any, Callable, Generic, Hashable, TypeVar

from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.incremental import AnalysisCache
from obligraph.graph.chain import Chain

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: (uid, revision, requirement, as_of, controls)
AnalysisKey = tuple[str, int, str | None, date, tuple[str, ...] | None]
#: (uid, revision, what, parameters...)
ResponseKey = tuple[Any, ...]


class LRU(Generic[K, V]):
    """A bounded mapping with get-or-compute; concurrent callers of one missing key compute it once.

    ``capacity`` bounds the total weight, which is the item count unless ``weigh`` says otherwise.
    """

    def __init__(self, capacity: int, weigh: Callable[[V], int] = lambda _value: 1):
        self.capacity = capacity
        self.weigh = weigh
        self.weight = 0
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[K, threading.Lock] = {}

    def get(self, key: K) -> V | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: K, value: V) -> None:
        weight = self.weigh(value)
        if weight > self.capacity:
            return
        with self._lock:
            if key in self._items:
                self.weight -= self.weigh(self._items.pop(key))
            self._items[key] = value
            self.weight += weight
            while self.weight > self.capacity:
                _, dropped = self._items.popitem(last=False)
                self.weight -= self.weigh(dropped)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        value = self.get(key)
        if value is not None:
            return value
        with self._lock:
            pending = self._pending.setdefault(key, threading.Lock())
        try:
            with pending:
                value = self.get(key)
                if value is None:
                    value = compute()
                    self.put(key, value)
        finally:
            with self._lock:
                self._pending.pop(key, None)
        return value

    def discard(self, keep: Callable[[K], bool]) -> None:
        with self._lock:
            for key in [key for key in self._items if not keep(key)]:
                self.weight -= self.weigh(self._items.pop(key))

    def __len__(self) -> int:
        return len(self._items)


class Cache:
    def __init__(self, chains: int, analyses: int, response_bytes: int):
        self._chains: LRU[str, tuple[int, Chain]] = LRU(chains)
        # The workspace row at a revision: every change to a live workspace's row bumps its revision.
        self._workspaces: LRU[str, tuple[int, Any]] = LRU(max(1, chains))
        self.analyses: LRU[AnalysisKey, Analysis] = LRU(analyses)
        # The latest analysis per cached chain object, so one after declaration edits recomputes only those controls.
        self.incremental = AnalysisCache(max_chains=max(1, chains))
        self.responses: LRU[ResponseKey, bytes] = LRU(response_bytes, weigh=len)
        self._builders: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def builder(self, uid: str) -> threading.Lock:
        """Held while a reader brings the chain up to date, so that concurrent readers do it once."""
        with self._guard:
            return self._builders.setdefault(uid, threading.Lock())

    def chain(self, uid: str) -> tuple[int, Chain] | None:
        return self._chains.get(uid)

    def put_chain(self, uid: str, revision: int, chain: Chain) -> None:
        current = self._chains.get(uid)
        if current is None or current[0] <= revision:
            self._chains.put(uid, (revision, chain))

    def workspace(self, uid: str, revision: int) -> Any | None:
        """The workspace row (a detached ``Workspace``, read only) of ``uid`` at ``revision``, if held."""
        held = self._workspaces.get(uid)
        return held[1] if held is not None and held[0] == revision else None

    def put_workspace(self, uid: str, revision: int, workspace: Any) -> None:
        current = self._workspaces.get(uid)
        if current is None or current[0] <= revision:
            self._workspaces.put(uid, (revision, workspace))

    def advance(self, uid: str, revision: int) -> None:
        """Forget what was computed for revisions before ``revision``."""
        self.analyses.discard(lambda key: key[0] != uid or key[1] >= revision)
        self.responses.discard(lambda key: key[0] != uid or key[1] >= revision)

    def forget(self, uid: str, *, locks: bool = False) -> None:
        """Drop everything held for a workspace (when it is deleted)."""
        current = self._chains.get(uid)
        if current is not None:
            self.incremental.forget(current[1])
        self._chains.discard(lambda key: key != uid)
        self._workspaces.discard(lambda key: key != uid)
        self.analyses.discard(lambda key: key[0] != uid)
        self.responses.discard(lambda key: key[0] != uid)
        if locks:
            with self._guard:
                self._builders.pop(uid, None)
