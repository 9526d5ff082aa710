"""Synthetic supply chains for benchmarks: layered, with hub providers, cycles and overrides.

Shape (fractions of the nodes): 0.5% infra, 1.5% IaaS, 5% PaaS, 28% SaaS, the rest customers.
Providers are picked with Pareto-distributed popularity (preferential attachment in effect), so a
few IaaS and SaaS are huge hubs. About 0.5% of edges point back up (a PaaS using a SaaS that runs
on it), which makes cycles; about 10% of edges override the responsibility of a few controls; nodes
declare a few controls each, some verified with certificates that may have expired.

>>> doc = generate_chain(500, 2000, seed=1)
>>> len(doc["nodes"]), len(doc["edges"])
(500, 2000)
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta

import numpy as np

from obligraph.graph.catalog import load_catalog

LAYERS = ["infra", "iaas", "paas", "saas", "customer"]
SHARE = [0.005, 0.015, 0.05, 0.28, 0.65]
# Which layers a consumer of each layer buys from, and how much.
SOURCES = {
    "iaas": {"infra": 1.0},
    "paas": {"iaas": 0.8, "infra": 0.2},
    "saas": {"paas": 0.5, "iaas": 0.35, "saas": 0.15},
    "customer": {"saas": 0.85, "paas": 0.1, "iaas": 0.05},
}
STATUSES = ["not_implemented", "unknown", "partial", "declared", "verified", "not_applicable"]
STATUS_WEIGHTS = [0.05, 0.05, 0.15, 0.4, 0.33, 0.02]


def generate_chain(nodes: int, edges: int, seed: int = 0, catalog: str = "meti-2011") -> dict:
    rng = np.random.default_rng(seed)
    controls = list(load_catalog(catalog).ids)
    counts = np.maximum(1, np.round(np.array(SHARE) * nodes).astype(int))
    counts[-1] = nodes - counts[:-1].sum()
    layer_of = np.repeat(np.arange(len(LAYERS)), counts)
    ids = [f"{LAYERS[layer]}-{i}" for i, layer in enumerate(layer_of)]
    members = {name: np.flatnonzero(layer_of == k) for k, name in enumerate(LAYERS)}
    popularity = rng.pareto(1.2, nodes) + 0.05

    # Every non-infra node gets at least one provider; the rest of the edges go to random consumers.
    consumers_pool = np.flatnonzero(layer_of > 0)
    draws = np.concatenate([consumers_pool, rng.choice(consumers_pool, size=edges * 4)])
    source_layer = np.empty(draws.size, dtype=np.int64)
    for k, name in enumerate(LAYERS):
        if name not in SOURCES:
            continue
        picks = np.flatnonzero(layer_of[draws] == k)
        options = SOURCES[name]
        chosen = rng.choice(len(options), size=picks.size, p=list(options.values()))
        source_layer[picks] = np.array([LAYERS.index(o) for o in options])[chosen]
    providers = np.empty(draws.size, dtype=np.int64)
    for k, name in enumerate(LAYERS):
        picks = np.flatnonzero(source_layer == k)
        if not picks.size:
            continue
        cumulative = np.cumsum(popularity[members[name]])
        index = np.searchsorted(cumulative, rng.random(picks.size) * cumulative[-1])
        providers[picks] = members[name][np.minimum(index, members[name].size - 1)]
    # Back edges: a platform uses a SaaS (monitoring, ticketing) that runs on it.
    pairs: dict[tuple[int, int], None] = {}
    for _ in range(max(1, edges // 200)):
        pairs[int(rng.choice(members["saas"])), int(rng.choice(members["paas"]))] = None
    for u, v in zip(providers.tolist(), draws.tolist()):
        if u != v:
            pairs[u, v] = None
            if len(pairs) >= edges:
                break
    pair_list = list(pairs)

    as_of = date(2026, 11, 26)
    document_nodes = []
    for i, node_id in enumerate(ids):
        layer = LAYERS[layer_of[i]]
        wanted = int(rng.integers(2, 24)) if layer != "customer" else int(rng.integers(0, 6))
        chosen = rng.choice(len(controls), size=min(wanted, len(controls)), replace=False)
        declarations = []
        for j in sorted(chosen):
            status = STATUSES[rng.choice(len(STATUSES), p=STATUS_WEIGHTS)]
            declaration: dict = {"control": controls[j], "status": status}
            if status == "verified":
                expires = as_of + timedelta(days=int(rng.integers(-200, 900)))
                declaration["evidence"] = [
                    {"kind": "certification", "ref": f"cert-{i}-{j}", "expires": expires.isoformat()}
                ]
            if layer != "customer" and rng.random() < 0.03:
                declaration["assigns"] = "customer"
            declarations.append(declaration)
        node = {"id": node_id, "layer": layer, "org": f"org-{i // 3}"}
        if declarations:
            node["declarations"] = declarations
        document_nodes.append(node)

    document_edges = []
    for u, v in pair_list:
        edge: dict = {"provider": ids[u], "consumer": ids[v]}
        if rng.random() < 0.1:
            picked = rng.choice(len(controls), size=int(rng.integers(1, 4)), replace=False)
            edge["responsibility"] = {
                controls[j]: ["provider", "shared", "customer"][int(rng.integers(0, 3))] for j in picked
            }
        document_edges.append(edge)
    return {
        "format": "obligraph/chain@1",
        "name": f"synthetic {nodes} nodes, {len(document_edges)} edges (seed {seed})",
        "catalog": catalog,
        "nodes": document_nodes,
        "edges": document_edges,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic chain@1 document as JSON to stdout.")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--edges", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    json.dump(generate_chain(args.nodes, args.edges, args.seed), sys.stdout)


if __name__ == "__main__":
    main()
