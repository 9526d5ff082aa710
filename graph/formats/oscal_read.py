"""OSCAL import: system security plans and component definitions become a chain document.

* A plan's ``this-system`` component is a node; its ``by-components`` become the node's
  declarations: status from ``implementation-status`` (or obligraph's ``declared-status`` prop),
  ``assigns`` from ``export`` (``responsibilities`` with ``provided``: shared; without: customer),
  evidence from the back-matter resources linked with ``rel: evidence``, notes from ``remarks``.
* Each ``leveraged-authorization`` is a provider node and an edge provider -> this system; the
  provider's component (the one carrying the ``leveraged-authorization-uuid`` prop) says per
  control what is taken from it: ``inherited`` only -> provider, with ``satisfied`` -> shared,
  ``satisfied`` only -> customer. Where that differs from what the chain would say anyway (the
  catalog default, the provider's ``assigns``), the edge gets an override.
* A component definition's components are nodes with the declarations of their
  ``implemented-requirements`` (status from an ``implementation-status`` prop, else ``declared``).

Several documents (a zip, or a list) make one chain: a provider's own plan and the leveraged
authorization naming it meet on obligraph's ``node-id`` prop, else on the ``inherited-uuid`` prop
(the provider plan's this-system UUID), else on the name. Layers come from obligraph's ``layer``
prop; without it a leveraged system is ``iaas``, a plan that exports something ``saas``, any other
plan ``customer``, a defined component ``saas``. Control ids map through :func:`catalog_ids`.
"""

from __future__ import annotations

from typing import Any

from obligraph.graph.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from obligraph.graph.crosswalk import ControlIdError
from obligraph.graph.errors import ChainError, Issue
from obligraph.graph.formats.oscal_read_parts import FILE, ORDER, STATES, catalog_ids
from obligraph.graph.formats.oscal_read_parts import by_components as _by_components
from obligraph.graph.formats.oscal_read_parts import documents as _read_documents
from obligraph.graph.formats.oscal_read_parts import evidence_item as _evidence
from obligraph.graph.formats.oscal_read_parts import props_of as _props
from obligraph.graph.formats.oscal_read_parts import slug as _slug

__all__ = ["catalog_ids", "read"]


def read(data: bytes | str, *, catalog: str | None = None) -> dict[str, Any]:
    """A chain@1 document from an OSCAL SSP or component definition (JSON), or a zip of them."""
    documents = _read_documents(data)
    known = load_catalog(catalog or DEFAULT_CATALOG)
    builder = _Builder(known)
    documents = [(where, d) for where, d in documents if isinstance(d, dict)]
    where = FILE
    try:
        for _, document in documents:
            if "system-security-plan" in document:
                builder.register(document["system-security-plan"])
        for where, document in documents:
            if "system-security-plan" in document:
                builder.plan(where, document["system-security-plan"])
            elif "component-definition" in document:
                builder.component_definition(where, document["component-definition"])
        if builder.issues:
            raise ChainError(builder.issues, source=FILE)
        if not builder.nodes:
            raise ChainError(
                f"{FILE} holds no system security plan or component definition; export one from your OSCAL tool"
            )
        return builder.document()
    except ChainError:
        raise
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        # Shapes the OSCAL schema forbids (a list where an object belongs, a missing uuid, ...).
        raise ChainError(
            f"{where} is not a valid OSCAL document ({type(exc).__name__}: {exc});"
            " check it against NIST's OSCAL JSON schema"
        ) from None


class _Builder:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.nodes: dict[str, dict[str, Any]] = {}
        self.by_system_uuid: dict[str, str] = {}
        #: provided / responsibility uuid -> the node whose plan exports it
        self.exported: dict[str, str] = {}
        self.edges: dict[tuple[str, str], dict[str, str]] = {}
        self.issues: list[Issue] = []
        self.name = "Imported from OSCAL"

    # -- plans ------------------------------------------------------------------------------------

    def plan(self, where: str, plan: dict[str, Any]) -> None:
        components = (plan.get("system-implementation") or {}).get("components") or []
        this = next((c for c in components if c.get("type") == "this-system"), None)
        characteristics = plan.get("system-characteristics") or {}
        if this is None:
            self.issues.append(Issue(where, "the plan has no 'this-system' component; add one for the system itself"))
            return
        props = _props(this)
        requirements = (plan.get("control-implementation") or {}).get("implemented-requirements") or []
        exports = any(b.get("export") for r in requirements for b in _by_components(r))
        node = self._node(
            self._plan_node_id(plan, this),
            name=characteristics.get("system-name") or this.get("title"),
            layer=props.get("layer") or ("saas" if exports else "customer"),
            description=characteristics.get("description"),
            org=props.get("org"),
        )
        self.name = (plan.get("metadata") or {}).get("title") or self.name
        resources = {r.get("uuid"): r for r in (plan.get("back-matter") or {}).get("resources") or []}
        providers = self._providers(plan, components, node)
        sole = next(iter(set(providers.values()))) if len(set(providers.values())) == 1 else None
        for index, requirement in enumerate(requirements):
            place = f"{where}: implemented-requirements[{index}]"
            controls = self._controls(place, requirement)
            own: list[dict[str, Any]] = []
            relied: dict[str, list[dict[str, Any]]] = {}
            for part in _by_components(requirement):
                provider = providers.get(str(part.get("component-uuid")))
                if provider is None and (part.get("inherited") or part.get("satisfied")):
                    provider = self._provider_of(part) or sole
                    if provider is None:
                        self.issues.append(
                            Issue(
                                place,
                                "a by-component inherits from no leveraged system; add its leveraged-authorization",
                            )
                        )
                        continue
                if provider is not None:
                    relied.setdefault(provider, []).append(part)
                if part.get("component-uuid") not in providers:
                    own.append(part)
            for control in controls:
                self._declare(node, control, own, resources)
                for provider, parts in relied.items():
                    self._relies(provider, node, control, parts)

    def _provider_of(self, part: dict[str, Any]) -> str | None:
        """The provider whose plan (in this set) exports what ``part`` inherits or satisfies."""
        for item in part.get("inherited") or []:
            if item.get("provided-uuid") in self.exported:
                return self.exported[item["provided-uuid"]]
        for item in part.get("satisfied") or []:
            if item.get("responsibility-uuid") in self.exported:
                return self.exported[item["responsibility-uuid"]]
        return None

    def _providers(self, plan: dict[str, Any], components: list[dict[str, Any]], node: str) -> dict[str, str]:
        """component uuid -> provider node, for every component of every leveraged authorization."""
        parties = {p.get("uuid"): p.get("name") for p in (plan.get("metadata") or {}).get("parties") or []}
        leveraged = (plan.get("system-implementation") or {}).get("leveraged-authorizations") or []
        found = {}
        for authorization in leveraged:
            linked = [
                c for c in components if _props(c).get("leveraged-authorization-uuid") == authorization.get("uuid")
            ]
            props = {k: v for c in linked for k, v in _props(c).items()} | _props(authorization)
            system = next(
                (s for c in linked if (s := self.by_system_uuid.get(_props(c).get("inherited-uuid", "")))), None
            )
            first = linked[0] if linked else {}
            provider = self._node(
                props.get("node-id") or system or _slug(authorization.get("title") or first.get("title") or "provider"),
                name=first.get("title") or authorization.get("title"),
                layer=props.get("layer") or "iaas",
                org=parties.get(authorization.get("party-uuid")),
                weak=True,
            )
            self.edges.setdefault((provider, node), {})
            for component in linked:
                found[component["uuid"]] = provider
        return found

    def _relies(self, provider: str, node: str, control: str, parts: list[dict[str, Any]]) -> None:
        split = next(
            (s for p in parts if (s := _props(p).get("responsibility")) in ("provider", "shared", "customer")), None
        )
        if split is None:
            inherited = any(p.get("inherited") for p in parts)
            satisfied = any(p.get("satisfied") for p in parts)
            split = (
                "shared" if inherited and satisfied else "provider" if inherited else "customer" if satisfied else None
            )
        if split:
            self.edges[(provider, node)][control] = split

    def _declare(
        self, node: str, control: str, parts: list[dict[str, Any]], resources: dict[str, dict[str, Any]]
    ) -> None:
        """One declaration from the system's own by-components for the control (none: no declaration)."""
        ours = next((p for p in parts if "own-status" in _props(p)), None)
        if ours is not None:
            # obligraph's own export: its props say what was declared; the rest is analysis.
            props = _props(ours)
            status, assigns, parts = props.get("declared-status"), props.get("assigns"), [ours]
        else:
            states = [STATES[s] for p in parts if (s := (p.get("implementation-status") or {}).get("state")) in STATES]
            provided = any((p.get("export") or {}).get("provided") for p in parts)
            responsible = any((p.get("export") or {}).get("responsibilities") for p in parts)
            status = (
                min(states, key=ORDER.index)
                if states
                else "declared"
                if provided
                else "unknown"
                if responsible
                else None
            )
            assigns = ("shared" if provided else "customer") if responsible else None
        if status is None:
            return
        declaration: dict[str, Any] = {"control": control, "status": status}
        if assigns:
            declaration["assigns"] = assigns
        evidence = [
            _evidence(resources[link["href"][1:]])
            for p in parts
            for link in p.get("links") or []
            if link.get("rel") == "evidence" and str(link.get("href", ""))[1:] in resources
        ]
        if evidence:
            declaration["evidence"] = evidence
        notes = "\n".join(p["remarks"] for p in parts if p.get("remarks"))
        if notes:
            declaration["notes"] = notes[:10_000]
        self.nodes[node].setdefault("declarations", {})[control] = declaration

    # -- component definitions ----------------------------------------------------------------------

    def component_definition(self, where: str, definition: dict[str, Any]) -> None:
        self.name = (definition.get("metadata") or {}).get("title") or self.name
        for c_index, component in enumerate(definition.get("components") or []):
            props = _props(component)
            node = self._node(
                props.get("node-id") or _slug(component.get("title") or f"component-{c_index}"),
                name=component.get("title"),
                layer=props.get("layer") or "saas",
                description=component.get("description"),
            )
            for i_index, implementation in enumerate(component.get("control-implementations") or []):
                for r_index, requirement in enumerate(implementation.get("implemented-requirements") or []):
                    place = f"{where}: components[{c_index}].control-implementations[{i_index}]"
                    place += f".implemented-requirements[{r_index}]"
                    for control in self._controls(place, requirement):
                        r_props = _props(requirement)
                        status = r_props.get("declared-status") or STATES.get(
                            r_props.get("implementation-status", "implemented"), "declared"
                        )
                        declaration = {"control": control, "status": status}
                        if r_props.get("assigns") in ("provider", "shared", "customer"):
                            declaration["assigns"] = r_props["assigns"]
                        if requirement.get("description"):
                            declaration["notes"] = requirement["description"]
                        self.nodes[node].setdefault("declarations", {})[control] = declaration

    # -- shared -----------------------------------------------------------------------------------

    def _controls(self, place: str, requirement: dict[str, Any]) -> tuple[str, ...]:
        try:
            return catalog_ids(str(requirement.get("control-id", "")), _props(requirement), self.catalog)
        except ControlIdError as exc:
            self.issues.append(Issue(place, str(exc)))
            return ()

    def _node(
        self,
        node_id: str,
        *,
        name: str | None,
        layer: str,
        description: str | None = None,
        org: str | None = None,
        weak: bool = False,
    ) -> str:
        """Add or complete a node. A provider seen only through a leveraged authorization is ``weak``:
        its own plan, when the set has it, decides its name and layer."""
        entry = self.nodes.get(node_id)
        if entry is None:
            entry = self.nodes[node_id] = {"id": node_id, "layer": layer, "_weak": weak}
        elif weak:
            if org and "org" not in entry:
                entry["org"] = org
            return node_id
        elif entry["_weak"]:
            entry.update(layer=layer, _weak=False)
            entry.pop("name", None)
        if name and name != node_id:
            entry["name"] = name
        if description:
            entry["description"] = description
        if org:
            entry["org"] = org
        return node_id

    def register(self, plan: dict[str, Any]) -> None:
        """First pass: each plan's this-system UUID -> its node id, so leveraged systems find their plan."""
        components = (plan.get("system-implementation") or {}).get("components") or []
        this = next((c for c in components if c.get("type") == "this-system"), None)
        if this is None:
            return
        node = self._plan_node_id(plan, this)
        for component in components:
            if component.get("type") == "this-system" and component.get("uuid"):
                self.by_system_uuid[component["uuid"]] = node
        for requirement in (plan.get("control-implementation") or {}).get("implemented-requirements") or []:
            for part in _by_components(requirement):
                export = part.get("export") or {}
                for item in (export.get("provided") or []) + (export.get("responsibilities") or []):
                    if item.get("uuid"):
                        self.exported[item["uuid"]] = node

    @staticmethod
    def _plan_node_id(plan: dict[str, Any], this: dict[str, Any]) -> str:
        name = (plan.get("system-characteristics") or {}).get("system-name") or this.get("title") or "system"
        return _props(this).get("node-id") or _slug(name)

    def document(self) -> dict[str, Any]:
        from obligraph.graph.chain import Chain

        nodes = []
        for entry in self.nodes.values():
            entry.pop("_weak", None)
            declarations = entry.pop("declarations", {})
            if declarations:
                entry["declarations"] = list(declarations.values())
            nodes.append(entry)
        document: dict[str, Any] = {
            "format": "obligraph/chain@1",
            "name": self.name[:500],
            "catalog": self.catalog.id,
            "nodes": nodes,
            "edges": [{"provider": u, "consumer": v} for (u, v) in self.edges],
        }
        # Overrides only where the plan's split differs from what the chain says without one.
        chain = Chain.from_dict(document, source=FILE)
        for edge, (key, splits) in zip(document["edges"], self.edges.items(), strict=True):
            overrides = {c: r for c, r in splits.items() if chain.responsibility(*key, c).value != r}
            if overrides:
                edge["responsibility"] = overrides
        return document
