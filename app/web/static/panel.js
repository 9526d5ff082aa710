// The side panel of a clicked node: providers and consumers (from the map data), its gaps grouped
// by clause and kind and its obligations (from the JSON API). Clicking a gap's root cause lights
// up its path on the map. Text only: every value goes in with textContent.
"use strict";
(function () {
  var map = window.obligraphMap;
  var panel = document.getElementById("panel");
  var api = "/api/v1/workspaces/" + encodeURIComponent(map.ws);

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function nodeLink(id) {
    var group = map.nodes.get(id);
    if (group && group.group_node) return el("li", group.name + " (group)");
    var li = el("li");
    var a = el("a", id);
    a.href = "/w/" + encodeURIComponent(map.ws) + "/nodes/" + encodeURIComponent(id);
    li.appendChild(a);
    return li;
  }

  function fillList(id, items) {
    var list = document.getElementById(id);
    list.replaceChildren();
    if (!items.length) list.appendChild(el("li", "none", "muted"));
    items.forEach(function (item) { list.appendChild(typeof item === "string" ? nodeLink(item) : item); });
  }

  function renderGaps(gaps) {
    var box = document.getElementById("panel-gaps");
    box.replaceChildren();
    if (!gaps.length) { box.appendChild(el("p", "No gaps.", "muted")); return; }
    var clauseOf = {};
    map.data.controls.forEach(function (c) { clauseOf[c.id] = c.clause; });
    var groups = {};
    gaps.forEach(function (gap) {
      var key = "Clause " + (clauseOf[gap.control] || "?") + " · " + gap.kind;
      (groups[key] = groups[key] || []).push(gap);
    });
    Object.keys(groups).sort().forEach(function (key) {
      box.appendChild(el("h4", key + " (" + groups[key].length + ")"));
      var list = el("ul", undefined, "gap-list");
      groups[key].forEach(function (gap) {
        var li = el("li");
        li.appendChild(el("span", gap.control + ": " + gap.effective + (gap.orphaned ? " (orphaned)" : "") + " "));
        (gap.root_causes || []).forEach(function (cause) {
          var button = el("button", "path from " + cause.node, "gap-path");
          button.type = "button";
          button.dataset.path = cause.path.join(" ");
          button.addEventListener("click", function () { map.highlightPath(cause.path); });
          li.appendChild(button);
        });
        list.appendChild(li);
      });
      box.appendChild(list);
    });
  }

  function renderObligations(items) {
    fillList("panel-obligations", items.map(function (o) {
      return el("li", o.control + " (" + o.own + ") for " + o.direct_consumers.join(", ") +
        "; " + o.transitive_consumers + " rely on it in all");
    }));
  }

  // With auth on, the API takes the session cookie only with this header (see docs/security.md).
  function csrfHeaders(headers) {
    var match = document.cookie.match(/(?:^|;\s*)obligraph_csrf=([^;]+)/);
    if (match) headers["X-CSRF-Token"] = decodeURIComponent(match[1]);
    return headers;
  }

  async function getJson(url) {
    var response = await fetch(url, { headers: csrfHeaders({}) });
    if (!response.ok) throw new Error("the server answered " + response.status);
    return response.json();
  }

  async function open(node) {
    panel.hidden = false;
    panel.dataset.node = node.id;
    document.getElementById("panel-title").textContent = node.group_node ? (node.name || node.org || "(no organisation)") : node.label;
    document.getElementById("panel-meta").textContent = node.group_node
      ? node.layer + " · " + node.members + " nodes, " + node.gap_count + " with gaps"
      : node.id + " · " + node.layer + " · " + (node.org || "no organisation") + " · " + node.gap_count + " gaps";
    var link = document.getElementById("panel-link");
    link.hidden = !!node.group_node;
    link.href = "/w/" + encodeURIComponent(map.ws) + "/nodes/" + encodeURIComponent(node.id);
    var expand = document.getElementById("panel-expand");
    expand.hidden = !node.group_node || map.data.expanded.indexOf(node.id) >= 0;
    expand.dataset.group = node.id;
    expand.textContent = "Expand: draw its " + (node.members || 0) + " nodes";
    var focus = document.getElementById("panel-focus");
    focus.hidden = !!node.group_node;
    focus.href = "/w/" + encodeURIComponent(map.ws) + "?focus=" + encodeURIComponent(node.id) + "&depth=2";
    var edges = map.edges.get();
    fillList("panel-providers", edges.filter(function (e) { return e.to === node.id; }).map(function (e) { return e.from; }));
    fillList("panel-consumers", edges.filter(function (e) { return e.from === node.id; }).map(function (e) { return e.to; }));
    document.getElementById("panel-gaps").replaceChildren(el("p", "Loading…", "muted"));
    fillList("panel-obligations", []);
    if (node.group_node) { document.getElementById("panel-gaps").replaceChildren(); return; }
    try {
      var base = api + "/nodes/" + encodeURIComponent(node.id);
      var results = await Promise.all([getJson(base + "/gaps?limit=1000"), getJson(base + "/obligations")]);
      if (panel.dataset.node !== node.id) return; // another node was clicked meanwhile
      renderGaps(results[0].gaps);
      renderObligations(results[1].obligations);
      panel.dataset.loaded = node.id;
    } catch (error) {
      document.getElementById("panel-gaps").replaceChildren(el("p", "Could not load: " + error.message, "error"));
    }
  }

  document.addEventListener("obligraph:node", function (event) { open(event.detail); });
  document.getElementById("panel-expand").addEventListener("click", function (event) {
    panel.hidden = true;
    map.expand(event.target.dataset.group);
  });
  document.getElementById("panel-close").addEventListener("click", function () {
    panel.hidden = true;
    map.clearHighlight();
  });
})();
