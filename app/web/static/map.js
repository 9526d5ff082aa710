// The map: draws the server's node/edge/option data (obligraph.graph.viz) with vis-network,
// applies the filters and the control lens, highlights blocker paths, keeps the keyboard node
// list beside it in step. The data arrives as a JSON block, never as script, so nothing in a
// node's name can run. Colours and shapes come from data.palette (graph/palette.py).
"use strict";
(function () {
  var holder = document.getElementById("map");
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var P = data.palette;
  // The page's language: texts from the map-strings block, {name} filled from values.
  var S = {};
  try { S = JSON.parse(document.getElementById("map-strings").textContent); } catch (e) { S = {}; }
  function say(key, values, fallback) {
    var text = S[key] || fallback || key;
    return String(text).replace(/\{(\w+)\}/g, function (_, k) { return values && values[k] !== undefined ? values[k] : ""; });
  }
  function words(group, value) { return (S[group] && S[group][value]) || String(value).replace("_", " "); }
  // The palette's English legend and band titles, in the page's language (data is cached across languages).
  function localise(palette) {
    Object.keys(palette.states).forEach(function (s) { if (S.states && S.states[s]) palette.states[s].text = S.states[s]; });
    Object.keys(palette.layers).forEach(function (l) { if (S.bands && S.bands[l]) palette.layers[l].title = S.bands[l]; });
  }
  localise(P);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var filters = { search: "", control: "", layer: "", kind: "", gapsOnly: false };
  var lens = null; // {key, status: {node: effective status}} while a control or clause is picked
  var highlight = null; // {nodes: {id: true}, edges: {id: true}}
  var base = {}; // node id -> {gaps, state, count} under the current filters

  function controlMatches(control) {
    if (!filters.control) return true;
    return filters.control.indexOf("clause:") === 0 ? "clause:" + control.clause === filters.control
                                                    : "control:" + control.id === filters.control;
  }

  // The node's gaps that pass the control and kind filters, and the state they make.
  function filteredGaps(node) {
    if (!node.gaps) return null; // an aggregated group has no per-control gaps
    var kinds = {}, count = 0;
    node.gaps.forEach(function (pair) {
      var kind = data.kinds[pair[1]];
      if (!controlMatches(data.controls[pair[0]]) || (filters.kind && kind !== filters.kind)) return;
      kinds[kind] = true;
      count++;
    });
    return { state: gapState(kinds), count: count };
  }

  function gapState(kinds) { // the same rule as graph/palette.py gap_state
    if (kinds.circular) return "circular";
    if (kinds.mixed || (kinds.origin && kinds.inherited)) return "mixed";
    if (kinds.origin) return "origin";
    return kinds.inherited ? "inherited" : "none";
  }

  function shown(node) {
    if (filters.layer && node.layer !== filters.layer) return false;
    if (filters.search) {
      var text = (node.id + " " + (node.name || "") + " " + (node.org || "")).toLowerCase();
      if (text.indexOf(filters.search) < 0) return false;
    }
    var own = base[node.id];
    if (!own) return !filters.gapsOnly; // a group: kept unless only gaps are asked for
    if ((filters.kind || filters.gapsOnly) && !own.count) return false;
    return true;
  }

  var nodeView = new vis.DataView(nodes, { filter: shown });
  var network = new vis.Network(holder, { nodes: nodeView, edges: edges }, data.options);
  var canvas = window.obligraphCanvas(network, nodes, function () { return data; }, shown);
  var STATE_RANK = { circular: 5, origin: 4, mixed: 3, inherited: 2, none: 1 };
  canvas.setPriority(function (node) {
    if (highlight && highlight.nodes[node.id]) return 2e9;
    if (network.getSelectedNodes().indexOf(node.id) >= 0) return 1e9;
    var own = base[node.id] || { state: node.gap_state, count: node.gap_count };
    return (node.dim ? 0 : 1e6) + STATE_RANK[own.state] * 1e5 + Math.min(own.count, 999) * 100 +
      Math.min(node.dependents || node.members || 0, 99);
  });

  // One look per node from (in this order of precedence) the highlight, the lens, the filters.
  function restyle() {
    var updates = [];
    nodes.forEach(function (node) {
      var own = filteredGaps(node);
      base[node.id] = own || undefined;
      var state = own ? own.state : node.gap_state;
      var fill = P.states[state].colour, dim = false, badge = own ? own.count : node.gap_count;
      if (lens && own) {
        var status = lens.status[node.id];
        if (status === undefined) { dim = true; badge = 0; } else fill = P.statuses[status];
      }
      var border = P.ink, width = 1;
      if (highlight) {
        if (highlight.nodes[node.id]) { border = P.highlight; width = 5; dim = false; } else dim = true;
      }
      if (dim) { fill = P.dimmed; border = P.dimmed_border; }
      updates.push({
        id: node.id, shape: P.states[state].shape, dim: dim, badge: badge, borderWidth: width,
        color: { background: fill, border: border, highlight: { background: fill, border: P.highlight },
                 hover: { background: fill, border: P.highlight } },
      });
    });
    nodes.update(updates);
    edges.update(edges.getIds().map(function (id) {
      var on = highlight && highlight.edges[id];
      var edge = edges.get(id);
      return { id: id, width: on ? 5 : (edge.base_width || edge.width),
               base_width: edge.base_width || edge.width,
               color: { color: on ? P.highlight : (highlight ? P.dimmed : P.edge), highlight: P.highlight } };
    }));
  }

  function updateStatus() {
    var shownCount = nodeView.length;
    var counts = { shown: shownCount, total: nodes.length };
    var text;
    if (data.mode === "aggregated") {
      text = data.expanded.length
        ? say("shown_expanded", { shown: shownCount, total: nodes.length, expanded: data.expanded.length, groups: data.groups })
        : say("shown_groups", counts);
    } else {
      text = say("shown_nodes", counts);
    }
    if (data.mode === "focus") {
      text += " " + say("within", { depth: data.depth, focus: data.focus }) + (data.truncated ? " " + say("cut_at_limit") : "");
    }
    if (lens) text += "; " + say("coloured_by", { lens: lens.label });
    document.getElementById("map-status").textContent = text;
    var empty = document.getElementById("map-empty");
    empty.hidden = shownCount > 0;
    var cut = document.getElementById("map-cut");
    cut.replaceChildren();
    (data.cut || []).forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = say("cut", { label: item.label, shown: item.shown, members: item.members, limit: data.limit });
      cut.appendChild(li);
    });
    document.getElementById("map-collapse").hidden = !(data.expanded && data.expanded.length);
    holder.dataset.visible = String(shownCount);
    renderLegend();
    renderNodeList();
  }

  function svgMarker(shape, fill) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "18"); svg.setAttribute("height", "18"); svg.setAttribute("viewBox", "-9 -9 18 18");
    svg.setAttribute("aria-hidden", "true");
    var shapes = {
      dot: ["circle", { r: 7 }], square: ["rect", { x: -6.5, y: -6.5, width: 13, height: 13 }],
      diamond: ["polygon", { points: "0,-8 8,0 0,8 -8,0" }], triangle: ["polygon", { points: "0,-8 8,7 -8,7" }],
      star: ["polygon", { points: "0,-8 2.4,-2.6 8,-2.5 3.6,1.4 5,7.5 0,4.2 -5,7.5 -3.6,1.4 -8,-2.5 -2.4,-2.6" }],
    };
    var spec = shapes[shape] || shapes.dot;
    var el = document.createElementNS(ns, spec[0]);
    Object.keys(spec[1]).forEach(function (k) { el.setAttribute(k, spec[1][k]); });
    el.setAttribute("fill", fill); el.setAttribute("stroke", P.ink); el.setAttribute("stroke-width", "1");
    svg.appendChild(el);
    return svg;
  }

  function legendItem(list, marker, text) {
    var li = document.createElement("li");
    li.appendChild(marker);
    li.appendChild(document.createTextNode(" " + text));
    list.appendChild(li);
  }

  function renderLegend() {
    var list = document.getElementById("legend-states");
    list.replaceChildren();
    Object.keys(P.states).forEach(function (state) {
      legendItem(list, svgMarker(P.states[state].shape, lens ? "#ffffff" : P.states[state].colour),
                 P.states[state].text);
    });
    var statuses = document.getElementById("legend-statuses");
    statuses.replaceChildren();
    statuses.hidden = !lens;
    document.getElementById("legend-statuses-title").hidden = !lens;
    if (lens) {
      Object.keys(P.statuses).forEach(function (s) { legendItem(statuses, svgMarker("dot", P.statuses[s]), say("effective_legend", { status: words("statuses", s) })); });
      legendItem(statuses, svgMarker("dot", P.dimmed), say("out_of_scope", { lens: lens.label }));
    }
  }

  // The keyboard way in: every shown node as a button, in band order (top to bottom, left to right).
  function renderNodeList() {
    var list = document.getElementById("node-list");
    var items = nodeView.get().sort(function (a, b) { return (a.y - b.y) || (a.x - b.x); });
    list.replaceChildren();
    items.forEach(function (node) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.dataset.node = node.id;
      var own = base[node.id] || { state: node.gap_state, count: node.gap_count };
      var facts = { name: node.name || node.id, layer: words("bands", node.layer), members: node.members, count: own.count };
      button.textContent = say(node.group_node ? "list_group" : "list_node", facts) +
        (own.count ? " " + say("list_state", { state: words("kinds", own.state) }) : "");
      button.addEventListener("click", function () { openNode(node.id, button); });
      li.appendChild(button);
      list.appendChild(li);
    });
    document.getElementById("node-list-count").textContent = "(" + items.length + ")";
  }

  function openNode(id, opener) {
    network.selectNodes([id], false); // not its edges: they would take the highlight colour
    document.dispatchEvent(new CustomEvent("obligraph:node", { detail: { node: nodes.get(id), opener: opener } }));
  }

  function fillSelect(select, options) {
    options.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item[0];
      option.textContent = item[1];
      select.appendChild(option);
    });
  }
  // Read at each call: the page's language decides, Japanese titles where the catalog has them.
  function ja() { return document.documentElement.lang === "ja"; }
  function controlTitle(c) { return ja() && c.title_ja ? c.title_ja : c.title; }
  var clauses = [];
  data.controls.forEach(function (c) { if (clauses.indexOf(c.clause) < 0) clauses.push(c.clause); });
  clauses.sort(function (a, b) { return a.localeCompare(b, undefined, { numeric: true }); });
  function clauseTitle(c) {
    var info = (data.clauses || {})[c];
    return info ? (ja() && info.title_ja ? info.title_ja : info.title) : "";
  }
  fillSelect(document.getElementById("f-control"),
    clauses.map(function (c) { return ["clause:" + c, say("clause_option", { clause: c, title: clauseTitle(c) })]; })
      .concat(data.controls.map(function (c) { return ["control:" + c.id, c.id + " " + controlTitle(c)]; })));
  fillSelect(document.getElementById("f-kind"), data.kinds.map(function (k) { return [k, k]; }));

  var ws = document.querySelector("[data-ws]").dataset.ws;
  // The requirement and date the header chose (kept in the URL): the lens, the side panel and the
  // node links compute with the same analysis as the map.
  function analysisChoice() {
    var here = new URLSearchParams(window.location.search), kept = new URLSearchParams();
    ["require", "as_of", "guided"].forEach(function (k) { if (here.get(k)) kept.set(k, here.get(k)); });
    return kept;
  }
  var lensRequest = 0;
  async function setLens(value) {
    var ticket = ++lensRequest;
    if (!value || data.mode === "aggregated" && !data.expanded.length) { lens = null; return; }
    var kind = value.split(":")[0], id = value.slice(kind.length + 1);
    holder.dataset.lensLoading = value;
    try {
      var params = new URLSearchParams(analysisChoice());
      params.set(kind, id);
      var response = await fetch("/w/" + encodeURIComponent(ws) + "/lens.json?" + params.toString());
      var payload = await response.json();
      if (!response.ok) throw new Error((payload.error && payload.error.message) || say("server_status", { status: response.status }));
      if (ticket !== lensRequest) return;
      lens = { key: value, status: payload.status, label: say(kind === "clause" ? "lens_clause" : "lens_control", { id: id }) };
    } catch (e) {
      document.getElementById("map-error").textContent = say("lens_failed", { id: id, message: e.message });
      lens = null;
    } finally {
      delete holder.dataset.lensLoading;
    }
  }

  async function applyFilters(refit) {
    if (filters.control !== (lens ? lens.key : "")) await setLens(filters.control);
    restyle();
    nodeView.refresh();
    updateStatus();
    holder.dataset.lens = lens ? lens.key : "";
    if (refit && !highlight) canvas.fit();
  }

  function bind(id, key, read) {
    document.getElementById(id).addEventListener("input", function (event) {
      filters[key] = read(event.target);
      applyFilters(true);
    });
  }
  bind("f-search", "search", function (el) { return el.value.trim().toLowerCase(); });
  bind("f-control", "control", function (el) { return el.value; });
  bind("f-layer", "layer", function (el) { return el.value; });
  bind("f-kind", "kind", function (el) { return el.value; });
  bind("f-gaps", "gapsOnly", function (el) { return el.checked; });

  // Highlight every hop of every path given (and any extra nodes), dim the rest, fit to them.
  function highlightPaths(paths, extra) {
    highlight = { nodes: {}, edges: {} };
    paths.forEach(function (path) {
      path.forEach(function (id) { highlight.nodes[id] = true; });
      for (var i = 0; i + 1 < path.length; i++) highlight.edges[path[i] + ">" + path[i + 1]] = true;
    });
    (extra || []).forEach(function (id) { highlight.nodes[id] = true; });
    var ids = Object.keys(highlight.nodes).filter(function (id) { return nodes.get(id); });
    restyle();
    holder.dataset.highlight = paths.map(function (p) { return p.join(" "); }).join(" | ") ||
      Object.keys(highlight.nodes).join(" ");
    holder.dataset.highlightEdges = Object.keys(highlight.edges).filter(function (id) { return edges.get(id); }).length;
    canvas.fit(ids.length ? ids : undefined);
  }
  function highlightPath(path) { highlightPaths([path]); }
  function clearHighlight() {
    highlight = null;
    delete holder.dataset.highlight;
    delete holder.dataset.highlightEdges;
    restyle();
  }

  network.on("click", function (params) {
    if (params.nodes.length) openNode(params.nodes[0], null);
  });
  network.once("afterDrawing", function () {
    holder.dataset.readyAt = String(Math.round(performance.now())); // for benchmarks/page_bench.py
    holder.dataset.ready = "true";
  });

  // Expanding a group asks the server for the map with that group drawn node by node (it keeps
  // the total within its limit) and swaps the data in place; the URL keeps the expanded groups.
  // Draw a new map.json payload in place of the current one (after an expand or an edit).
  async function redraw(payload) {
    data = payload;
    P = data.palette;
    localise(P);
    window.obligraphMap.data = data;
    highlight = null;
    delete holder.dataset.highlight;
    nodes.clear(); edges.clear();
    nodes.add(data.nodes); edges.add(data.edges);
    canvas.reset();
    lens = null;
    await applyFilters(false);
  }

  async function expand(group) {
    if (data.mode !== "aggregated" || data.expanded.indexOf(group) >= 0) return;
    var params = new URLSearchParams();
    data.expanded.concat([group]).forEach(function (g) { params.append("expand", g); });
    var here = new URLSearchParams(window.location.search); // the chosen requirement and date stay
    ["require", "as_of", "guided"].forEach(function (k) { if (here.get(k)) params.set(k, here.get(k)); });
    holder.dataset.expanding = group;
    var error = document.getElementById("map-error");
    error.textContent = "";
    try {
      var response = await fetch("/w/" + encodeURIComponent(ws) + "/map.json?" + params.toString(),
                                 { headers: { accept: "application/json" } });
      var payload = await response.json();
      if (!response.ok) throw new Error((payload.error && payload.error.message) || say("server_status", { status: response.status }));
      await redraw(payload);
      canvas.fit();
      history.replaceState(null, "", "?" + params.toString());
      holder.dataset.expanded = data.expanded.join(" ");
    } catch (e) {
      error.textContent = say("expand_failed", { message: e.message });
    } finally {
      delete holder.dataset.expanding;
    }
  }
  network.on("doubleClick", function (params) {
    var node = params.nodes.length && nodes.get(params.nodes[0]);
    if (node && node.group_node) expand(node.id);
  });
  if (data.expanded && data.expanded.length) holder.dataset.expanded = data.expanded.join(" ");

  // After an edit form saved (forms.js stays on the page), draw the workspace again, in place.
  document.addEventListener("obligraph:changed", async function () {
    var here = new URLSearchParams(window.location.search);
    var params = new URLSearchParams();
    ["focus", "depth", "require", "as_of", "guided"].forEach(function (k) { if (here.get(k)) params.set(k, here.get(k)); });
    (data.expanded || []).forEach(function (g) { params.append("expand", g); });
    var response = await fetch("/w/" + encodeURIComponent(ws) + "/map.json?" + params.toString(),
                               { headers: { accept: "application/json" } });
    if (!response.ok) return;
    await redraw(await response.json());
    holder.dataset.redrawn = String(Number(holder.dataset.redrawn || 0) + 1);
  });

  // For panel.js, the other pages' links and the browser tests.
  window.obligraphMap = {
    analysisChoice: analysisChoice, say: say, words: words,
    network: network, nodes: nodes, edges: edges, data: data, ws: ws, canvas: canvas,
    highlightPath: highlightPath, highlightPaths: highlightPaths, clearHighlight: clearHighlight,
    expand: expand, openNode: openNode, controlTitle: controlTitle, clauseTitle: clauseTitle, shown: shown,
    filteredGaps: filteredGaps,
  };

  // Presets from the URL (the fixes, spof and what-if pages link here): ?control=, ?path=a b c, ?mark=a,b
  var query = new URLSearchParams(location.search);
  var preset = query.get("control") || query.get("clause");
  if (preset) {
    var value = (query.get("control") ? "control:" : "clause:") + preset;
    var select = document.getElementById("f-control");
    if (Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      select.value = value;
      filters.control = value;
    }
  }
  applyFilters(false).then(function () {
    var paths = query.getAll("path").map(function (p) { return p.split(/[\s,]+/).filter(Boolean); });
    var marks = (query.get("mark") || "").split(",").filter(Boolean);
    if (paths.length || marks.length) highlightPaths(paths, marks); else canvas.fit();
    holder.dataset.styled = "true";
  });
})();
