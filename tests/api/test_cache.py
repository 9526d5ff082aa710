"""The in-process caches (no database)."""

import threading
import time

from obligraph.app.core.cache import LRU, Cache
from obligraph.graph.chain import Chain


def test_lru_evicts_by_weight():
    lru = LRU(10, weigh=len)
    lru.put("a", b"12345")
    lru.put("b", b"12345")
    assert lru.get("a") == b"12345"  # now the most recently used
    lru.put("c", b"123")
    assert lru.get("b") is None and lru.get("a") and lru.get("c") and lru.weight == 8
    lru.put("huge", b"x" * 11)
    assert lru.get("huge") is None  # larger than the whole cache: not kept
    lru.discard(lambda key: key != "a")
    assert lru.get("a") is None and lru.weight == 3


def test_get_or_compute_computes_once():
    lru = LRU(4)
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.05)
        return "value"

    threads = [threading.Thread(target=lambda: lru.get_or_compute("k", compute)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and lru.get("k") == "value"


def test_cache_keeps_only_the_newest_revision():
    cache = Cache(chains=2, analyses=8, response_bytes=1000)
    newer, older = Chain("newer"), Chain("older")
    cache.put_chain("u", 3, newer)
    cache.put_chain("u", 2, older)  # an older build arriving late does not win
    assert cache.chain("u") == (3, newer)
    cache.responses.put(("u", 3, "gaps"), b"old")
    cache.responses.put(("v", 1, "gaps"), b"other")
    cache.advance("u", 4)
    assert cache.responses.get(("u", 3, "gaps")) is None and cache.responses.get(("v", 1, "gaps")) == b"other"
    cache.forget("u", locks=True)
    assert cache.chain("u") is None


def test_the_workspace_row_is_held_for_its_revision_only():
    cache = Cache(chains=2, analyses=8, response_bytes=1000)
    cache.put_workspace("u", 3, "row at 3")
    cache.put_workspace("u", 2, "row at 2")  # an older read arriving late does not win
    assert cache.workspace("u", 3) == "row at 3"
    assert cache.workspace("u", 2) is None and cache.workspace("u", 4) is None
    cache.forget("u")
    assert cache.workspace("u", 3) is None
