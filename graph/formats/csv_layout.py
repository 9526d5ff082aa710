"""The CSV bundle's layout: which files a zip holds and their columns (shared by writer and reader).

One row per node, edge and declaration; a declaration with several evidence items takes one row per
item, repeating the declaration's own columns. An empty cell means "not given". ``chain.csv`` holds
the document's own fields as (field, value) rows. The analysis tables are derived and never read
back: ``gaps.csv`` has one row per gap; ``root_causes.csv`` and ``blockers.csv`` one row per cause
of a gap, keyed by the gap's (node, control), with the cause's own status and its delegating path
(node ids joined by `` > ``, from the cause down to the node with the gap), and a note when the
cause's status counts lower than it declared (expired evidence, say).
"""

CHAIN_FILE, NODES_FILE, EDGES_FILE, DECLARATIONS_FILE = ("chain.csv", "nodes.csv", "edges.csv", "declarations.csv")
GAPS_FILE, ROOT_CAUSES_FILE, BLOCKERS_FILE = ("gaps.csv", "root_causes.csv", "blockers.csv")
CHAIN_COLUMNS = ("field", "value")
CHAIN_FIELDS = ("format", "name", "description", "catalog", "requirement", "controls")
NODE_COLUMNS = ("id", "name", "layer", "org", "description")
EDGE_COLUMNS = ("provider", "consumer", "criticality", "responsibility", "notes")
EVIDENCE_FIELDS = ("kind", "ref", "issued", "expires", "independence", "scope", "url", "notes")
#: ``evidence_scope`` holds the scope's entries separated by spaces.
SCOPE_SEPARATOR = " "
DECLARATION_FIELDS = ("status", "assigns", "notes")
#: Derived on writing (whether the item assures its control on the analysis date, and why); ignored on reading.
EVIDENCE_CHECK = "evidence_check"
DECLARATION_COLUMNS = (
    "node",
    "control",
    *DECLARATION_FIELDS,
    *(f"evidence_{f}" for f in EVIDENCE_FIELDS),
    EVIDENCE_CHECK,
)
GAP_COLUMNS = ("node", "control", "title", "effective", "required", "kind", "orphaned")
CAUSE_COLUMNS = ("node", "control", "cause", "cause_status", "path", "note")
PATH_SEPARATOR = " > "
REQUIRED = {
    NODES_FILE: ("id", "layer"),
    EDGES_FILE: ("provider", "consumer"),
    DECLARATIONS_FILE: ("node", "control", "status"),
    CHAIN_FILE: ("field", "value"),
}
COLUMNS = {
    CHAIN_FILE: CHAIN_COLUMNS,
    NODES_FILE: NODE_COLUMNS,
    EDGES_FILE: EDGE_COLUMNS,
    DECLARATIONS_FILE: DECLARATION_COLUMNS,
}
