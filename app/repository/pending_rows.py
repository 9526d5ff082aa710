"""Row writes held back until their write group sends them together.

A write that adds nodes or edges, rewrites some, or records an import's idempotency key needs no
row of the database to decide anything: the chain under the workspace's lock already said yes
or no. Sending each statement at once costs a round trip to the server, and so does the
savepoint that would let the write fail alone; under load on PostgreSQL those round trips were
most of the time a write held the lock. So such writes put their rows here instead, and the
group sends the rows of all its writes at once before it stores its revisions and commits: one
statement per kind of row (``PendingRows.send``). A write that fails before its end leaves
nothing here.

Positions of new rows continue from the largest stored one, read once per group and counted on
from there; whoever writes rows of the workspace directly (through ``Edit.session``) sends the
pending rows first and makes the next position be read again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlmodel import Session

from obligraph.app.core.statement_batch import BatchResult, StatementBatch
from obligraph.app.models import IdempotencyKey, utcnow
from obligraph.app.repository import store
from obligraph.app.repository.rows import declaration_list, edge_values
from obligraph.graph.schema import Declaration, Edge, Node

NODES, EDGES, KEYS = store.NODES, store.EDGES, IdempotencyKey.__table__  # type: ignore[attr-defined]

# Bound parameters are named apart from the columns they set, which SQLAlchemy requires of UPDATE.
_NODE = (NODES.c.workspace_id == bindparam("ws_"), NODES.c.node_id == bindparam("node_"))
_EDGE = (
    EDGES.c.workspace_id == bindparam("ws_"),
    EDGES.c.provider == bindparam("provider_"),
    EDGES.c.consumer == bindparam("consumer_"),
)


def _rewrite(table: Any, where: tuple, *columns: str) -> Any:
    """``UPDATE table SET column = :column_, ... WHERE where``, for an executemany."""
    return update(table).where(*where).values({column: bindparam(f"{column}_") for column in columns})


_STORE_DECLARATIONS = _rewrite(NODES, _NODE, "declarations")
_UPDATE_NODE = _rewrite(NODES, _NODE, "name", "layer", "org", "description", "declarations")
_UPDATE_EDGE = _rewrite(EDGES, _EDGE, "responsibility", "criticality", "notes")
_INSERT_NODE, _INSERT_EDGE, _INSERT_KEY = insert(NODES), insert(EDGES), insert(KEYS)
_DELETE_KEY = delete(KEYS).where(KEYS.c.workspace_id == bindparam("ws_"), KEYS.c.key == bindparam("key_"))
_DELETE_KEYS_BEFORE = delete(KEYS).where(
    KEYS.c.workspace_id == bindparam("ws_"), KEYS.c.created_at < bindparam("cutoff_")
)

_STAGE = {
    id(statement): stage
    for stage, statements in enumerate(
        (
            (_INSERT_NODE,),
            (_STORE_DECLARATIONS, _UPDATE_NODE),
            (_INSERT_EDGE,),
            (_UPDATE_EDGE,),
            (_DELETE_KEY, _DELETE_KEYS_BEFORE),
            (_INSERT_KEY,),
        )
    )
    for statement in statements
}


class PendingRows:
    """The rows one write (or a whole group) has yet to send, in the order they were made.

    >>> pending = PendingRows("ws")
    >>> pending.store_declarations("n1", [])
    >>> pending.insert_key("k", "sha", 200, {"revision": 2})
    >>> len(pending), pending.key("k")["status"]
    (2, 200)
    """

    def __init__(self, ws: str):
        self.ws = ws
        # (statement, its parameters), in the order the writes made them.
        self._writes: list[tuple[Any, Any]] = []
        self._keys: dict[str, dict[str, Any] | None] = {}  # key -> its pending row; None: pending removal

    def __len__(self) -> int:
        return len(self._writes)

    def insert_node(self, node: Node, position: int) -> None:
        row = {
            "workspace_id": self.ws,
            "node_id": node.id,
            "position": position,
            "name": node.name,
            "layer": node.layer.value,
            "org": node.org,
            "description": node.description,
            "declarations": declaration_list(node.declarations),
        }
        self._writes.append((_INSERT_NODE, row))

    def insert_edge(self, edge: Edge, position: int) -> None:
        row = {"workspace_id": self.ws, "provider": edge.provider, "consumer": edge.consumer, "position": position}
        self._writes.append((_INSERT_EDGE, {**row, **edge_values(edge)}))

    def store_declarations(self, node: str, declarations: Iterable[Declaration]) -> None:
        """The node's whole list of declarations, as the edited chain holds it."""
        values = {"ws_": self.ws, "node_": node, "declarations_": declaration_list(declarations)}
        self._writes.append((_STORE_DECLARATIONS, values))

    def update_node(self, node: Node) -> None:
        """The node's row rewritten from the edited chain's node, its declarations within."""
        values = {
            "ws_": self.ws,
            "node_": node.id,
            "name_": node.name,
            "layer_": node.layer.value,
            "org_": node.org,
            "description_": node.description,
            "declarations_": declaration_list(node.declarations),
        }
        self._writes.append((_UPDATE_NODE, values))

    def update_edge(self, edge: Edge) -> None:
        values = {f"{name}_": value for name, value in edge_values(edge).items()}
        values.update(ws_=self.ws, provider_=edge.provider, consumer_=edge.consumer)
        self._writes.append((_UPDATE_EDGE, values))

    def insert_key(self, key: str, fingerprint: str, status: int, response: dict[str, Any]) -> None:
        """An import's idempotency key with its answer (``key`` finds it before it is sent)."""
        row = {
            "workspace_id": self.ws,
            "key": key,
            "request_hash": fingerprint,
            "status": status,
            "response": response,
            "created_at": utcnow(),
        }
        self._writes.append((_INSERT_KEY, row))
        self._keys[key] = row

    def delete_key(self, key: str) -> None:
        self._writes.append((_DELETE_KEY, {"ws_": self.ws, "key_": key}))
        self._keys[key] = None

    def delete_keys_before(self, cutoff: datetime) -> None:
        self._writes.append((_DELETE_KEYS_BEFORE, {"ws_": self.ws, "cutoff_": cutoff}))
        for key, row in self._keys.items():
            if row is not None and row["created_at"] < cutoff:
                self._keys[key] = None

    def key(self, key: str) -> dict[str, Any] | None:
        """The idempotency key row pending here, if any."""
        return self._keys.get(key)

    def holds_key(self, key: str) -> bool:
        """Whether a row of ``key`` is pending here, or its removal."""
        return key in self._keys

    def extend(self, other: "PendingRows") -> None:
        """Take the rows of ``other`` (a write that ended well) after these."""
        self._writes.extend(other._writes)
        self._keys.update(other._keys)
        other._writes, other._keys = [], {}

    def send(self, session: Session) -> None:
        """Write every pending row in the session's transaction now; then none is pending."""
        batch = StatementBatch()
        self.queue(batch)
        batch.send(session)

    def queue(self, batch: StatementBatch) -> None:
        """Put every pending row into ``batch``, which writes them when it is sent; then none is pending here.

        One statement per kind of row (an ``executemany``), kinds in an order that keeps every
        write's effect: new nodes, then node rows rewritten (in the order written: a later rewrite
        of a node wins), new edges, edges rewritten, idempotency keys removed, keys added. Nothing
        else depends on the order: edges have no foreign key to their nodes, and whatever removes
        rows (a node's removal, say) writes through ``Edit.session``, which sends these first.
        """
        writes, self._writes, self._keys = self._writes, [], {}
        writes.sort(key=lambda write: _STAGE[id(write[0])])  # stable: the order within a stage stays
        start = 0
        while start < len(writes):
            statement = writes[start][0]
            end = start
            while end < len(writes) and writes[end][0] is statement:
                end += 1
            batch.executemany(statement, [row for _, row in writes[start:end]])
            start = end


#: The largest position of a workspace's rows, per table, for a batch (``Positions.read_in``).
_LARGEST = {
    table.name: select(func.max(table.c.position)).where(table.c.workspace_id == bindparam("ws_"))
    for table in (NODES, EDGES)
}


class Positions:
    """The next free position of the workspace's nodes and edges, counted on within one write group."""

    def __init__(self, ws: str):
        self.ws = ws
        self._next: dict[str, int] = {}
        self._read: dict[str, BatchResult] = {}

    def read_in(self, batch: StatementBatch) -> None:
        """Read the largest positions in ``batch`` (the one that takes the lock) rather than when first asked."""
        for name, statement in _LARGEST.items():
            self._read[name] = batch.execute(statement, {"ws_": self.ws})

    def take(self, session: Session, table: Any) -> int:
        """The position for one new row of ``table`` (``store.NODES`` or ``store.EDGES``)."""
        name = table.name
        if name not in self._next:
            read = self._read.pop(name, None)
            if read is None:
                self._next[name] = store.next_position(session, table, self.ws)
            else:
                largest = read.scalar()
                self._next[name] = 0 if largest is None else largest + 1
        position = self._next[name]
        self._next[name] = position + 1
        return position

    def forget(self) -> None:
        """Rows were written directly: read the largest position again when next asked."""
        self._next.clear()
        self._read.clear()
