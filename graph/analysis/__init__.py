"""The analysis: effective assurance, gaps, root causes, obligations, impact, fix ranking, SPOF.

Every surface (CLI, API, pages, exports) calls these functions; docs/analysis.md states the contract they share.
"""

from obligraph.graph.analysis.fixes import fix_ranking
from obligraph.graph.analysis.incremental import AnalysisCache
from obligraph.graph.analysis.lapsing import LapsingItem, lapsing_evidence
from obligraph.graph.analysis.obligations import obligations
from obligraph.graph.analysis.result import ANALYSIS_FORMAT, Analysis, Gap, analyze, resolve_parameters
from obligraph.graph.analysis.rootcause import RootCause
from obligraph.graph.analysis.spof import concentration, single_points_of_failure
from obligraph.graph.analysis.whatif import gap_diff, impact, parse_changes, what_if
from obligraph.graph.incidents import load_incidents

__all__ = [
    "ANALYSIS_FORMAT",
    "Analysis",
    "AnalysisCache",
    "Gap",
    "LapsingItem",
    "RootCause",
    "analyze",
    "concentration",
    "fix_ranking",
    "gap_diff",
    "impact",
    "lapsing_evidence",
    "load_incidents",
    "obligations",
    "parse_changes",
    "resolve_parameters",
    "single_points_of_failure",
    "what_if",
]
