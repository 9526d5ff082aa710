"""The HTML pages, one module per area (workspaces and map, tables, snapshots, login)."""
