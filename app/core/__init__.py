"""Settings, database, caches, error handling and middleware that every other part of the service uses."""
