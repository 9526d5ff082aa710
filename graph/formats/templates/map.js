// Draw the chain from the JSON block; every text from the chain goes in as text, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chain-data").textContent);
  var byId = {};
  var nodes = data.nodes.map(function (n) {
    byId[n.id] = n;
    var border = !data.analysed || !n.gaps ? n.colour : data.states[n.state];
    var tip = n.label + "\n" + n.layer + (n.org ? " · " + n.org : "") +
      (n.gaps === null || n.gaps === undefined ? "" : "\ngaps: " + n.gaps);
    return {
      id: n.id, label: n.label, level: n.level, title: tip, shape: "box",
      color: { background: n.colour, border: border }, borderWidth: data.analysed && n.gaps ? 3 : 1,
      font: { color: "#ffffff" }
    };
  });
  var edges = data.edges.map(function (e) {
    var width = { high: 3, medium: 2, low: 1 }[e.criticality] || 1;
    return { from: e.from, to: e.to, arrows: "to", width: width };
  });
  var options = {
    layout: { hierarchical: { direction: "DU", sortMethod: "directed", levelSeparation: 120 } },
    physics: false,
    interaction: { hover: true }
  };
  var network = new vis.Network(document.getElementById("map"),
    { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, options);

  var summary = document.getElementById("summary");
  summary.textContent = data.nodes.length + " nodes, " + data.edges.length + " edges" +
    (data.focus ? " around " + data.focus + " (" + data.hidden + " not shown)" : "") +
    (data.as_of ? "; analysed as of " + data.as_of : "");

  var details = document.getElementById("details");
  function row(term, value) {
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    details.appendChild(dt);
    details.appendChild(dd);
  }
  network.on("click", function (event) {
    if (!event.nodes.length) { return; }
    var n = byId[event.nodes[0]];
    details.replaceChildren();
    row("name", n.label);
    row("id", n.id);
    row("layer", n.layer);
    if (n.org) { row("organisation", n.org); }
    row("declarations", String(n.declared));
    if (n.gaps !== null && n.gaps !== undefined) { row("gaps", String(n.gaps)); }
    row("providers", network.getConnectedNodes(n.id, "from").join(", ") || "none");
    row("consumers", network.getConnectedNodes(n.id, "to").join(", ") || "none");
  });
})();
