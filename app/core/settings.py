"""Service settings: one ``Settings`` object, read from ``OBLIGRAPH_*`` environment variables.

>>> s = Settings(data_dir="/tmp/og")
>>> s.database_url
'sqlite:////tmp/og/obligraph.db'
>>> Settings(database_url="postgresql://db/og").database_url
'postgresql+psycopg://db/og'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("obligraph", appauthor=False))


def normalise_database_url(url: str) -> str:
    """Accept a plain file path or a driver-less PostgreSQL URL; SQLAlchemy would pick psycopg2 for the latter."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OBLIGRAPH_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the SQLite file lives.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file in data_dir. postgresql://... selects PostgreSQL.",
    )
    max_body_bytes: int = Field(default=64 * MIB, ge=1024, description="Largest request body accepted (413 above).")
    import_max_nodes: int = Field(default=100_000, ge=1, le=5_000_000)
    import_max_edges: int = Field(default=1_000_000, ge=0, le=50_000_000)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0, le=600_000)
    postgres_lock_timeout_ms: int = Field(
        default=10_000,
        ge=0,
        le=600_000,
        description="PostgreSQL lock_timeout: how long each wait for a lock (a workspace being written) "
        "may last before the request fails with 503 and Retry-After; 0 waits forever.",
    )
    idempotency_key_ttl_s: int = Field(
        default=24 * 3600,
        ge=1,
        le=365 * 24 * 3600,
        description="How long an import's Idempotency-Key is remembered (seconds).",
    )
    auto_snapshots_keep: int = Field(
        default=20,
        ge=0,
        le=10_000,
        description="Automatic snapshots (taken before each delete or replace import, for undo) kept per "
        "workspace; the oldest go first, snapshots taken by hand are never removed; 0: none are taken.",
    )
    deleted_workspaces_keep_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="Days a deleted workspace is kept, hidden, so that its deletion can be undone (POST "
        ".../workspaces/{ws}/restore); older ones are removed for good; 0: a delete removes it at once.",
    )
    journal_keep: int = Field(
        default=256,
        ge=1,
        le=100_000,
        description="Change-journal entries kept per workspace: a worker further behind than this reloads "
        "the whole chain instead of replaying the writes it missed.",
    )
    write_group_limit: int = Field(
        default=32,
        ge=1,
        le=10_000,
        description="Most writes of one workspace a process commits together (group commit: writes that "
        "queue while another holds the lock share its transaction); 1: one commit per write.",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    chain_cache_size: int = Field(default=4, ge=1, le=1000, description="Workspaces kept in memory per process.")
    analysis_cache_size: int = Field(default=16, ge=1, le=10_000)
    response_cache_bytes: int = Field(default=64 * MIB, ge=0, description="Rendered responses kept per process.")
    auto_migrate: bool = Field(default=True, description="Upgrade the database schema when the app starts.")
    demo: bool = Field(default=True, description="`obligraph serve` loads a demo workspace into a new database.")
    auth: Literal["auto", "required"] = Field(
        default="auto", description="auto: on once any API token exists; required: always on (see docs/security.md)."
    )
    secret_key: str = Field(
        default="", repr=False, description="Signs session cookies; empty: a key file in data_dir, made on first use."
    )

    @model_validator(mode="after")
    def _resolve_url(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'obligraph.db'}"
        else:
            self.database_url = normalise_database_url(self.database_url)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
