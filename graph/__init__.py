"""The domain core: chain model, catalogs and analysis. Pure Python + networkx/numpy; no web, no database."""

from obligraph.graph.catalog import Catalog, Control, load_catalog
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.lattice import Layer, Responsibility, Status

__all__ = ["Catalog", "Chain", "ChainError", "Control", "Layer", "Responsibility", "Status", "load_catalog"]
