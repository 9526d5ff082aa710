"""Settings for the whole suite.

Hypothesis: with ``CI`` set in the environment the ``ci`` profile runs, derandomized (the same
examples every run, so a CI failure reproduces locally with ``CI=1``) and with no example database;
elsewhere the ``dev`` profile keeps Hypothesis' random search and its database of failures.

scipy and networkx are imported here, once: the code imports them only where a graph needs them
(a cycle, a dominator tree), and the first example to get there would otherwise spend a third of a
second importing them, past Hypothesis' deadline.
"""

from __future__ import annotations

import os

import networkx  # noqa: F401
import scipy.sparse.csgraph  # noqa: F401
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else "dev")
