"""The in-process caches and the readers-writer lock (no database)."""

import threading
import time

from obligraph.app.core.cache import LRU, Cache, RWLock


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


def test_writer_waits_for_readers_and_blocks_new_ones():
    lock = RWLock()
    events = []
    reading = threading.Event()

    def reader(name, delay):
        with lock.shared():
            reading.set()
            events.append(f"{name} in")
            time.sleep(delay)
            events.append(f"{name} out")

    def writer():
        reading.wait()
        with lock.exclusive():
            events.append("writer")

    first = threading.Thread(target=reader, args=("r1", 0.2))
    second = threading.Thread(target=writer)
    first.start()
    second.start()
    for _ in range(5000):  # until the writer is queued behind r1
        if lock._writers_waiting:
            break
        time.sleep(0.001)
    late = threading.Thread(target=reader, args=("r2", 0))
    late.start()
    for thread in (first, second, late):
        thread.join()
    assert events == ["r1 in", "r1 out", "writer", "r2 in", "r2 out"]


def test_cache_keeps_only_the_newest_revision():
    cache = Cache(chains=2, analyses=8, response_bytes=1000)
    cache.put_chain("u", 3, "chain-3")
    cache.put_chain("u", 2, "chain-2")  # an older build arriving late does not win
    assert cache.chain("u") == (3, "chain-3")
    cache.responses.put(("u", 3, "gaps"), b"old")
    cache.responses.put(("v", 1, "gaps"), b"other")
    cache.advance("u", 4)
    assert cache.responses.get(("u", 3, "gaps")) is None and cache.responses.get(("v", 1, "gaps")) == b"other"
    cache.forget("u", locks=True)
    assert cache.chain("u") is None
