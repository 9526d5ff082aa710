"""Group commit: the writes of one workspace that queue in a process share one transaction.

The writes of a workspace are serialised by its lock (SQLite's write lock, or the workspace row
held ``FOR UPDATE`` on PostgreSQL). Taking that lock, catching up with the journal and committing
cost more than most writes themselves, and each writer paid for them while all the others
waited. So the first writer of a workspace in a process *leads* a group: it takes the lock and
opens the transaction, and the writers of the same workspace that arrive in this process while
it holds the lock *join* the group and wait for their turn, in arrival order. Each turn is one
write in the shared transaction, on the chain the turn before left, with its own revision and
journal entry, and a write that fails leaves nothing behind: its rows were only pending (the
group sends those of the writes that stood together), or its own statements ran in a savepoint
it rolls back to. When no writer is left waiting (or ``limit`` have joined), the leader commits
once for the whole group, and only then is any of its writes answered: nothing is acknowledged
that a failed commit could lose.

This module only coordinates the threads; ``services/workspace.py`` runs the turns.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from obligraph.app.repository.pending_rows import PendingRows, Positions


class Turn:
    """One joined write's place in its group."""

    def __init__(self) -> None:
        #: Set when the transaction is this write's to use, or when the group failed first (``error``).
        self.called = threading.Event()
        #: Set by the write when it has given the transaction back.
        self.finished = threading.Event()
        self.error: BaseException | None = None


class WriteGroup:
    """The writes of one workspace that share the transaction its leader opened."""

    def __init__(self, ws_id: str, *, alone: bool) -> None:
        self.ws_id = ws_id
        self.alone = alone
        self.accepting = not alone
        self.size = 1
        self._waiting: deque[Turn] = deque()
        # Set by the leader once it holds the lock, then handed from turn to turn.
        self.session: Any = None
        self.row: dict[str, Any] = {}
        #: The workspace row as the leader locked it; ``row`` is it after the stored writes.
        self.locked_row: dict[str, Any] = {}
        self.chain: Any = None
        #: Rows of the group's ended writes not sent yet; the group sends them before its commit.
        self.rows = PendingRows(ws_id)
        self.positions = Positions(ws_id)
        #: (revision, changes) of each write of the group that bumped the revision (and so waits for
        #: the commit), for the journal rows written before the commit.
        self.journal: list[tuple[int, Any]] = []
        #: Set when the transaction has ended, committed or not (``error``).
        self.ended = threading.Event()
        self.error: BaseException | None = None

    @property
    def stored(self) -> int:
        """How many writes of the group bumped the revision."""
        return len(self.journal)


class WriteGroups:
    """The groups of one process that still take writers, by workspace id."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._guard = threading.Lock()
        self._open: dict[str, WriteGroup] = {}

    def join(self, ws_id: str, *, alone: bool = False) -> tuple[WriteGroup, Turn | None]:
        """The group a write of ``ws_id`` belongs to, and its turn there; no turn: it leads a new group.

        ``alone``: the write leads a group of its own that no one joins (one that replaces the whole
        chain, and so should not hold up the small writes behind it).

        >>> groups = WriteGroups(limit=8)
        >>> group, turn = groups.join("ws")
        >>> turn is None
        True
        >>> joined, turn = groups.join("ws")
        >>> joined is group and turn is not None
        True
        """
        with self._guard:
            group = self._open.get(ws_id)
            if not alone and group is not None and group.accepting and group.size < self.limit:
                turn = Turn()
                group._waiting.append(turn)
                group.size += 1
                return group, turn
            group = WriteGroup(ws_id, alone=alone)
            if not alone:
                self._open[ws_id] = group
            return group, None

    def next_turn(self, group: WriteGroup) -> Turn | None:
        """The next waiting write of ``group``; None when there is none, and the group then takes no more."""
        with self._guard:
            if group._waiting:
                return group._waiting.popleft()
            self._close(group)
            return None

    def leave(self, group: WriteGroup, turn: Turn) -> bool:
        """A waiting write gives up its place; False when its turn came meanwhile (it must take it)."""
        with self._guard:
            try:
                group._waiting.remove(turn)
            except ValueError:
                return False
            group.size -= 1
            return True

    def disband(self, group: WriteGroup) -> list[Turn]:
        """Close ``group`` and hand back the writes still waiting in it (its leader failed before their turn)."""
        with self._guard:
            self._close(group)
            waiting = list(group._waiting)
            group._waiting.clear()
            return waiting

    def _close(self, group: WriteGroup) -> None:
        group.accepting = False
        if self._open.get(group.ws_id) is group:
            del self._open[group.ws_id]
