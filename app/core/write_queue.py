"""First come, first served: the queue a process's SQLite writers wait in.

SQLite has one write lock per database file. Left to its own busy handler, waiting writers sleep
longer and longer between tries (up to 100 ms), so a writer that has waited a while keeps losing
the lock to newcomers that try at once, until its ``busy_timeout`` runs out and it gets a 503.
So each process lets one writer at a time try for the lock, in the order they arrived (this
queue), and that writer polls ``BEGIN IMMEDIATE`` every few milliseconds (``core/db.py``): the
lock then passes between at most one writer per process, none of them backing off.
"""

from __future__ import annotations

import threading
import time


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
