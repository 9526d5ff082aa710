"""The analysis: effective assurance, gaps, root causes, obligations, impact, fix ranking, SPOF.

Every surface (CLI, API, pages, exports) calls these functions; DESIGN.md section 3 is the contract.
"""

from obligraph.graph.analysis.result import ANALYSIS_FORMAT, Analysis, Gap, analyze, resolve_parameters
from obligraph.graph.analysis.rootcause import RootCause

__all__ = ["ANALYSIS_FORMAT", "Analysis", "Gap", "RootCause", "analyze", "resolve_parameters"]
