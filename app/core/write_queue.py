"""First come, first served: the queue a process's SQLite writers wait in.

SQLite has one write lock per database file. Left to its own busy handler, waiting writers sleep
longer and longer between tries (up to 100 ms), so a writer that has waited a while keeps losing
the lock to newcomers that try at once, until its ``busy_timeout`` runs out and it gets a 503.
So each process lets one writer at a time try for the lock, in the order they arrived (this
queue), and that writer polls ``BEGIN IMMEDIATE`` every few milliseconds (``core/db.py``): the
lock then passes between at most one writer per process, none of them backing off. Between
processes, ``HandOver`` keeps one process from taking the lock again and again while the others
poll.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable


class WriteQueueTimeout(Exception):
    """The writer's turn did not come before its deadline."""


class FairLock:
    """A lock granted in arrival order (``threading.Lock`` wakes an arbitrary waiter)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._abandoned: set[int] = set()  # tickets whose holders gave up; skipped when their turn comes

    def acquire(self, deadline: float) -> None:
        """Wait for this caller's turn until ``deadline`` (``time.monotonic()``); raise ``WriteQueueTimeout`` after it."""
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while self._serving != ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._abandoned.add(ticket)
                    raise WriteQueueTimeout(f"no turn to write within the deadline ({ticket - self._serving} ahead)")
                self._cond.wait(remaining)

    def release(self) -> None:
        with self._cond:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()


class HandOver:
    """Lets the writers of other processes have the SQLite lock between two write groups of this one.

    The writers waiting in other processes try ``BEGIN IMMEDIATE`` every ``poll_s``; the next
    writer of the process that just committed is woken at once and would take the lock again
    well before their next try, so while this process has writers queued, theirs wait through
    group after group (the long tail of write latency under ``load.py``). So when this process
    saw the lock held by another one lately (``contended``), its next writer that arrives within
    ``poll_s`` of its own release first waits 1.5 ``poll_s``: at least one try of every waiting
    process falls in that pause. Alone on the database it never waits.
    """

    def __init__(
        self,
        poll_s: float,
        *,
        memory_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.poll_s = poll_s
        self.memory_s = memory_s
        self._clock = clock
        self._sleep = sleep
        self._released = -math.inf
        self._contended = -math.inf

    def contended(self) -> None:
        """A ``BEGIN IMMEDIATE`` of this process found the lock held by another process."""
        self._contended = self._clock()

    def released(self) -> None:
        """This process's write transaction has ended."""
        self._released = self._clock()

    def before_write(self) -> None:
        """Call with this process's write turn held, before ``BEGIN IMMEDIATE``."""
        now = self._clock()
        if now - self._contended < self.memory_s and now - self._released < self.poll_s:
            self._sleep(1.5 * self.poll_s)
