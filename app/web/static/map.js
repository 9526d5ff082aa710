// The map: draws the server's node/edge/option data (obligraph.graph.viz) with vis-network,
// applies the filters, and highlights a root-cause path. The data arrives as a JSON block,
// never as script, so nothing in a node's name can run.
"use strict";
(function () {
  var holder = document.getElementById("map");
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var filters = { search: "", control: "", layer: "", kind: "", gapsOnly: false };

  function gapMatches(node) {
    if (!filters.control && !filters.kind) return true;
    if (!node.gaps) return true; // an aggregated group has no per-control gaps
    return node.gaps.some(function (pair) {
      var control = data.controls[pair[0]];
      var kind = data.kinds[pair[1]];
      var controlOk = !filters.control ||
        (filters.control.indexOf("clause:") === 0 ? "clause:" + control.clause === filters.control : "control:" + control.id === filters.control);
      return controlOk && (!filters.kind || kind === filters.kind);
    });
  }

  function visible(node) {
    if (filters.layer && node.layer !== filters.layer) return false;
    if (filters.gapsOnly && !node.gap_count) return false;
    if (filters.search) {
      var text = (node.id + " " + (node.label || "") + " " + (node.org || "")).toLowerCase();
      if (text.indexOf(filters.search) < 0) return false;
    }
    return gapMatches(node);
  }

  var nodeView = new vis.DataView(nodes, { filter: visible });
  var network = new vis.Network(holder, { nodes: nodeView, edges: edges }, data.options);

  function updateStatus() {
    var shown = nodeView.length;
    var text = shown + " of " + nodes.length;
    if (data.mode === "aggregated") {
      text += data.expanded.length
        ? " groups and nodes (aggregated view, " + data.expanded.length + " of " + data.groups + " groups expanded)"
        : " groups (aggregated view)";
    } else {
      text += " nodes";
    }
    if (data.mode === "focus") {
      text += " within " + data.depth + " of " + data.focus + (data.truncated ? " (cut at the size limit)" : "");
    }
    document.getElementById("map-status").textContent = text;
    var cut = document.getElementById("map-cut");
    cut.replaceChildren();
    (data.cut || []).forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.label + ": " + item.shown + " of " + item.members +
        " nodes drawn (the map draws at most " + data.limit + "); the rest stay in the group";
      cut.appendChild(li);
    });
    document.getElementById("map-collapse").hidden = !(data.expanded && data.expanded.length);
    holder.dataset.visible = String(shown);
  }

  function fillSelect(select, options) {
    options.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item[0];
      option.textContent = item[1];
      select.appendChild(option);
    });
  }
  var clauses = [];
  data.controls.forEach(function (c) { if (clauses.indexOf(c.clause) < 0) clauses.push(c.clause); });
  fillSelect(document.getElementById("f-control"),
    clauses.map(function (c) { return ["clause:" + c, "Clause " + c]; })
      .concat(data.controls.map(function (c) { return ["control:" + c.id, c.id + " " + c.title]; })));
  fillSelect(document.getElementById("f-kind"), data.kinds.map(function (k) { return [k, k]; }));

  function bind(id, key, read) {
    document.getElementById(id).addEventListener("input", function (event) {
      filters[key] = read(event.target);
      nodeView.refresh();
      updateStatus();
    });
  }
  bind("f-search", "search", function (el) { return el.value.trim().toLowerCase(); });
  bind("f-control", "control", function (el) { return el.value; });
  bind("f-layer", "layer", function (el) { return el.value; });
  bind("f-kind", "kind", function (el) { return el.value; });
  bind("f-gaps", "gapsOnly", function (el) { return el.checked; });

  // Highlight: dim everything, then colour the path's nodes and the edges between them.
  var original;
  function remember() {
    original = { nodes: {}, edges: {} };
    nodes.forEach(function (n) { original.nodes[n.id] = n.color; });
    edges.forEach(function (e) { original.edges[e.id] = { color: e.color, width: e.width }; });
  }
  remember();

  function clearHighlight() {
    nodes.update(nodes.getIds().map(function (id) { return { id: id, color: original.nodes[id] }; }));
    edges.update(edges.getIds().map(function (id) { return { id: id, color: original.edges[id].color, width: original.edges[id].width }; }));
    delete holder.dataset.highlight;
  }

  function highlightPath(path) {
    clearHighlight();
    var onPath = {};
    path.forEach(function (id) { onPath[id] = true; });
    nodes.update(nodes.getIds().map(function (id) {
      return onPath[id] ? { id: id, color: { background: original.nodes[id].background, border: "#d50000" } }
                        : { id: id, color: { background: "#e0e0e0", border: "#bdbdbd" } };
    }));
    var pathEdges = [];
    for (var i = 0; i + 1 < path.length; i++) pathEdges.push(path[i] + ">" + path[i + 1]);
    edges.update(edges.getIds().map(function (id) {
      return pathEdges.indexOf(id) >= 0 ? { id: id, color: { color: "#d50000" }, width: 5 } : { id: id, color: { color: "#eeeeee" } };
    }));
    holder.dataset.highlight = path.join(" ");
    network.fit({ nodes: path.filter(function (id) { return nodes.get(id); }), animation: false });
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      document.dispatchEvent(new CustomEvent("obligraph:node", { detail: nodes.get(params.nodes[0]) }));
    }
  });
  network.once("afterDrawing", function () {
    holder.dataset.readyAt = String(Math.round(performance.now())); // for benchmarks/page_bench.py
    holder.dataset.ready = "true";
  });
  updateStatus();
  var ws = holder.closest("[data-ws]") ? holder.closest("[data-ws]").dataset.ws : document.querySelector("[data-ws]").dataset.ws;

  // Expanding a group asks the server for the map with that group drawn node by node (it keeps
  // the total within its limit) and swaps the data in place; the URL keeps the expanded groups.
  async function expand(group) {
    if (data.mode !== "aggregated" || data.expanded.indexOf(group) >= 0) return;
    var params = new URLSearchParams();
    data.expanded.concat([group]).forEach(function (g) { params.append("expand", g); });
    holder.dataset.expanding = group;
    var error = document.getElementById("map-error");
    error.textContent = "";
    try {
      var response = await fetch("/w/" + encodeURIComponent(ws) + "/map.json?" + params.toString(),
                                 { headers: { accept: "application/json" } });
      var payload = await response.json();
      if (!response.ok) throw new Error((payload.error && payload.error.message) || "the server answered " + response.status);
      data = payload;
      window.obligraphMap.data = data;
      delete holder.dataset.highlight; // the old data, colours and all, goes
      nodes.clear(); edges.clear();
      nodes.add(data.nodes); edges.add(data.edges);
      remember();
      nodeView.refresh();
      updateStatus();
      network.fit({ animation: false });
      history.replaceState(null, "", "?" + params.toString());
      holder.dataset.expanded = data.expanded.join(" ");
    } catch (e) {
      error.textContent = "Could not expand the group: " + e.message;
    } finally {
      delete holder.dataset.expanding;
    }
  }
  network.on("doubleClick", function (params) {
    var node = params.nodes.length && nodes.get(params.nodes[0]);
    if (node && node.group_node) expand(node.id);
  });
  if (data.expanded && data.expanded.length) holder.dataset.expanded = data.expanded.join(" ");

  // For panel.js and the browser tests: the drawn network and its helpers.
  window.obligraphMap = {
    network: network, nodes: nodes, edges: edges, data: data,
    highlightPath: highlightPath, clearHighlight: clearHighlight, expand: expand, ws: ws,
  };
})();
