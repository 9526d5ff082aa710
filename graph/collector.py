"""Hold off Python's cyclic garbage collector while a large document is parsed or a chain is built."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

#: Objects allocated under a pause above which they are moved out of the collector's reach at its end.
FREEZE_ABOVE = 100_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, and restore it as it was.

    Parsing a document and building a chain allocate millions of small objects and no reference
    cycles; every few thousand allocations the collector would walk all of them again, which made
    up more than half of loading time at 10k nodes. Reference counting still frees everything.

    When the block allocated many objects, they are frozen (``gc.freeze``) before the collector
    comes back: otherwise its first young collections walk all of them, then again as they age,
    about two seconds for a 100,000-node chain, and the same for every later full collection while
    the chain is held. Frozen objects are still freed by reference counting when dropped; only a
    reference cycle that is garbage at that moment would be kept, and the blocks paused here make none.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > FREEZE_ABOVE:
                gc.freeze()
            gc.enable()
