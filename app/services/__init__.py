"""The operations behind the API, the pages and the CLI: workspace edits, imports, merges, transfers,
snapshots, gap queries and reports. They raise domain errors; the API turns them into HTTP answers in one place.
"""
