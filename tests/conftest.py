"""Settings for the whole suite.

Hypothesis: with ``CI`` set in the environment the ``ci`` profile runs, derandomized (the same
examples every run, so a CI failure reproduces locally with ``CI=1``) and with no example database;
elsewhere the ``dev`` profile keeps Hypothesis' random search and its database of failures.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else "dev")
