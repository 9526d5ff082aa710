"""All SQL reads and writes of the chain tables: rows in, rows out, no HTTP."""
