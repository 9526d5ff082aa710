"""The service side of obligraph: CLI, HTTP API, pages and storage. Calls into ``obligraph.graph``."""
