"""SQLModel tables. A workspace holds one chain; its rows mirror the chain@1 document.

Every table is keyed by the workspace id first, so one workspace's rows sit together and a
workspace delete cascades. ``position`` keeps document order, which the analysis reports in.
Change a table here only together with a new migration in ``migrations/versions``.
"""

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel

# Named constraints, so that later migrations (SQLite batch mode included) can refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _time(**kwargs: Any) -> Any:
    return Field(sa_type=DateTime(timezone=True), **kwargs)


class Workspace(SQLModel, table=True):
    __tablename__ = "workspaces"

    id: str = Field(primary_key=True, max_length=64)
    # A new uid each time an id is (re)created, so cached analyses of a deleted namesake never match.
    uid: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=500)
    description: Optional[str] = Field(default=None, sa_type=Text)
    catalog: str = Field(max_length=500)
    requirement: Optional[str] = Field(default=None, max_length=32)
    controls: Optional[list[str]] = Field(default=None, sa_type=JSON)
    revision: int = Field(default=0)
    created_at: datetime = _time(default_factory=utcnow)
    updated_at: datetime = _time(default_factory=utcnow)
    # Set when deleted with undo on: the row and all it holds stay, hidden, until restored or purged
    # (Settings.deleted_workspaces_keep_days; see app/services/trash.py).
    deleted_at: Optional[datetime] = _time(default=None, nullable=True)


class NodeRow(SQLModel, table=True):
    __tablename__ = "nodes"
    __table_args__ = (Index("ix_nodes_position", "workspace_id", "position"),)

    workspace_id: str = Field(primary_key=True, foreign_key="workspaces.id", ondelete="CASCADE", max_length=64)
    node_id: str = Field(primary_key=True, max_length=128)
    position: int
    name: Optional[str] = Field(default=None, max_length=500)
    layer: str = Field(max_length=16)
    org: Optional[str] = Field(default=None, max_length=500)
    description: Optional[str] = Field(default=None, sa_type=Text)
    # The node's declarations, evidence within, as the chain document lists them: one value per
    # node rather than a row per declaration and per evidence item (docs/architecture.md, "Storage").
    declarations: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class EdgeRow(SQLModel, table=True):
    __tablename__ = "edges"
    # No foreign keys to the edge's two nodes: every edge written comes from a chain that checked
    # both ends, and the two lookups per row were a quarter of a 100k import on SQLite and half of
    # the edges' COPY on PostgreSQL. Deleting a node deletes its edges (node_rows.delete_node).
    __table_args__ = (
        Index("ix_edges_position", "workspace_id", "position"),
        Index("ix_edges_consumer", "workspace_id", "consumer"),
    )

    workspace_id: str = Field(primary_key=True, foreign_key="workspaces.id", ondelete="CASCADE", max_length=64)
    provider: str = Field(primary_key=True, max_length=128)
    consumer: str = Field(primary_key=True, max_length=128)
    position: int
    responsibility: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    criticality: Optional[str] = Field(default=None, max_length=16)
    notes: Optional[str] = Field(default=None, sa_type=Text)


class SnapshotRow(SQLModel, table=True):
    """An immutable copy of a workspace's chain and analysis, addressed by the sha256 of its content."""

    __tablename__ = "snapshots"
    __table_args__ = (Index("ix_snapshots_created", "workspace_id", "created_at"),)

    workspace_id: str = Field(primary_key=True, foreign_key="workspaces.id", ondelete="CASCADE", max_length=64)
    digest: str = Field(primary_key=True, max_length=64)
    revision: int
    label: Optional[str] = Field(default=None, max_length=500)
    created_at: datetime = _time(default_factory=utcnow)
    chain: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    analysis: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)


class ApiToken(SQLModel, table=True):
    """A bearer token; only its hash is stored. ``workspace_id`` limits it to one workspace."""

    __tablename__ = "api_tokens"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=128, unique=True)
    role: str = Field(max_length=32)
    workspace_id: Optional[str] = Field(
        default=None, foreign_key="workspaces.id", ondelete="CASCADE", max_length=64, index=True
    )
    created_at: datetime = _time(default_factory=utcnow)
    expires_at: Optional[datetime] = _time(default=None, nullable=True)
    last_used_at: Optional[datetime] = _time(default=None, nullable=True)
    revoked_at: Optional[datetime] = _time(default=None, nullable=True)


class IdempotencyKey(SQLModel, table=True):
    """The outcome of an import sent with an ``Idempotency-Key``, stored in the import's own transaction.

    ``request_hash`` is the sha256 of what the import depended on (mode, format, content type, body),
    so a reused key with another request is told apart from a retry.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created", "workspace_id", "created_at"),)

    workspace_id: str = Field(primary_key=True, foreign_key="workspaces.id", ondelete="CASCADE", max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    request_hash: str = Field(max_length=64)
    status: int
    response: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _time(default_factory=utcnow)


class JournalRow(SQLModel, table=True):
    """What the write that made ``revision`` changed in the chain: ``services/journal.py`` edits
    as JSON, replayed by workers that hold an older revision; NULL when they must reload instead.
    Only the last ``journal_keep`` revisions of a workspace are kept."""

    __tablename__ = "journal"

    workspace_id: str = Field(primary_key=True, foreign_key="workspaces.id", ondelete="CASCADE", max_length=64)
    revision: int = Field(primary_key=True)
    changes: Optional[list[dict[str, Any]]] = Field(default=None, sa_type=JSON)
