"""A node's audit checklist: per analysed control, where the node stands and what to do about it.

The one builder behind the node page, the node report of the API (``obligraph/node-report@1``) and
the Markdown/HTML audit exports; each only chooses what to show and how to name things.
"""

from __future__ import annotations

from dataclasses import dataclass

from obligraph.graph.analysis.result import Analysis, Gap
from obligraph.graph.catalog import Control
from obligraph.graph.lattice import Responsibility, Status
from obligraph.graph.schema import Declaration


@dataclass(frozen=True)
class Reliance:
    """How the node relies on one of its providers for the control."""

    provider: str
    responsibility: Responsibility
    own: Status  # the provider's own status
    effective: Status  # the provider's effective status

    @property
    def delegates(self) -> bool:
        return self.responsibility.delegates


@dataclass(frozen=True)
class ChecklistItem:
    control: Control
    in_scope: bool
    own: Status
    effective: Status
    declaration: Declaration | None
    gap: Gap | None
    needs_own_part: bool  # the node must do its own part (the catalog's user guidance applies)
    providers: list[Reliance]

    @property
    def delegates(self) -> bool:
        """Some provider carries the control for the node (the catalog's provider expectation applies)."""
        return any(reliance.delegates for reliance in self.providers)


def node_checklist(analysis: Analysis, node: str) -> list[ChecklistItem]:
    """One item per analysed control, in the analysis' control order."""
    chain = analysis.chain
    x = analysis.compiled.node_index[node]
    declarations = chain.declarations(node)
    providers = list(chain.graph.predecessors(node))
    items = []
    for k, control_id in enumerate(analysis.controls):
        relied = [
            Reliance(
                provider,
                chain.responsibility(provider, node, control_id),
                analysis.own_status(provider, control_id),
                analysis.effective_status(provider, control_id),
            )
            for provider in providers
        ]
        items.append(
            ChecklistItem(
                control=chain.catalog[control_id],
                in_scope=bool(analysis.in_scope[x, k]),
                own=analysis.own_status(node, control_id),
                effective=analysis.effective_status(node, control_id),
                declaration=declarations.get(control_id),
                gap=analysis.gap(node, control_id),
                needs_own_part=bool(analysis.needs_own[x, k]),
                providers=relied,
            )
        )
    return items
