// The side panel of a node: providers and consumers (from the map data), its controls grouped by
// clause in numeric order with titles (Japanese when the page is), only the gaps by default, and
// its obligations (from the JSON API). A gap's button lights up every hop of every blocker's path
// (root causes where the analysis gives no blockers). Text only: every value goes in with textContent.
"use strict";
(function () {
  var map = window.obligraphMap;
  var panel = document.getElementById("panel");
  var api = "/api/v1/workspaces/" + encodeURIComponent(map.ws);
  var opener = null;
  var report = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function nodeName(id) {
    var node = map.nodes.get(id);
    return node ? (node.name || id) : id;
  }

  // "?require=...&as_of=..." as the header chose them, or "".
  function choiceQuery() {
    var text = map.analysisChoice().toString();
    return text ? "?" + text : "";
  }

  function nodeLink(id) {
    var group = map.nodes.get(id);
    if (group && group.group_node) return el("li", group.name + " (group)");
    var li = el("li");
    var a = el("a", nodeName(id));
    a.href = "/w/" + encodeURIComponent(map.ws) + "/nodes/" + encodeURIComponent(id) + choiceQuery();
    li.appendChild(a);
    return li;
  }

  function fillList(id, items) {
    var list = document.getElementById(id);
    list.replaceChildren();
    if (!items.length) list.appendChild(el("li", "none", "muted"));
    items.forEach(function (item) { list.appendChild(typeof item === "string" ? nodeLink(item) : item); });
  }

  var controlInfo = {};
  map.data.controls.forEach(function (c) { controlInfo[c.id] = c; });

  function pathsOf(gap) {
    var causes = gap.blockers !== undefined ? gap.blockers : (gap.root_causes || []);
    return causes.map(function (cause) { return cause.path; }).filter(function (p) { return p && p.length; });
  }

  function renderControls() {
    var box = document.getElementById("panel-gaps");
    box.replaceChildren();
    if (!report) return;
    var onlyGaps = document.getElementById("panel-only-gaps").checked;
    var items = report.controls.filter(function (item) { return item.in_scope && (!onlyGaps || item.gap); });
    var gaps = report.controls.filter(function (item) { return item.gap; });
    var kinds = {};
    gaps.forEach(function (item) { kinds[item.gap.kind] = (kinds[item.gap.kind] || 0) + 1; });
    box.appendChild(el("p", gaps.length + " gaps" + (gaps.length ? ": " + Object.keys(kinds).sort().map(function (k) {
      return kinds[k] + " " + k; }).join(", ") : ""), "panel-summary"));
    if (!items.length) {
      box.appendChild(el("p", onlyGaps ? "No gaps." : "No control is in scope at this node.", "muted"));
      return;
    }
    var byClause = {};
    items.forEach(function (item) { (byClause[item.clause] = byClause[item.clause] || []).push(item); });
    Object.keys(byClause).sort(function (a, b) { return a.localeCompare(b, undefined, { numeric: true }); })
      .forEach(function (clause) {
        var list = byClause[clause];
        var withGaps = list.filter(function (item) { return item.gap; }).length;
        var title = map.clauseTitle(clause);
        box.appendChild(el("h4", "Clause " + clause + (title ? " " + title : "") + " (" + withGaps +
          (withGaps === 1 ? " gap" : " gaps") + (onlyGaps ? "" : " of " + list.length) + ")"));
        var ul = el("ul", undefined, "gap-list");
        list.sort(function (a, b) { return a.control.localeCompare(b.control, undefined, { numeric: true }); })
          .forEach(function (item) { ul.appendChild(controlRow(item)); });
        box.appendChild(ul);
      });
  }

  function controlRow(item) {
    var li = el("li");
    var info = controlInfo[item.control];
    li.appendChild(el("strong", item.control + " "));
    li.appendChild(el("span", info ? map.controlTitle(info) : item.title));
    var gap = item.gap;
    var facts = "effective " + item.effective.replace("_", " ");
    if (gap) facts += " · " + gap.kind + (gap.orphaned ? " (orphaned)" : "");
    li.appendChild(el("div", facts, gap ? "gap-facts" : "muted"));
    if (!gap) return li;
    var paths = pathsOf(gap);
    if (gap.kind === "circular") {
      li.appendChild(el("div", "A delegation loop: nobody in it does the control.", "muted"));
    } else if (paths.length) {
      var button = el("button", "Show " + (paths.length === 1 ? "the blocker path" : "all " + paths.length + " blocker paths") +
        " (" + paths.map(function (p) { return nodeName(p[0]); }).join(", ") + ")", "gap-path");
      button.type = "button";
      button.dataset.paths = JSON.stringify(paths);
      button.dataset.path = paths[0].join(" ");
      button.addEventListener("click", function () { map.highlightPaths(paths); });
      li.appendChild(button);
    }
    return li;
  }

  function renderObligations(items) {
    fillList("panel-obligations", items.map(function (o) {
      return el("li", o.control + " (" + o.own + ") for " + o.direct_consumers.map(nodeName).join(", ") +
        "; " + o.transitive_consumers + " rely on it in all");
    }));
  }

  // With auth on, the API takes the session cookie only with this header (see docs/security.md).
  async function getJson(url) {
    var response = await fetch(url, { headers: window.obligraphCsrfHeaders({}) });
    if (!response.ok) throw new Error("the server answered " + response.status);
    return response.json();
  }

  async function open(node, from) {
    opener = from || null;
    report = null;
    panel.hidden = false;
    panel.dataset.node = node.id;
    delete panel.dataset.loaded;
    var title = document.getElementById("panel-title");
    title.textContent = node.group_node ? (node.name || node.org || "(no organisation)") : (node.name || node.id);
    title.focus();
    document.getElementById("panel-meta").textContent = node.group_node
      ? node.layer + " · " + node.members + " nodes, " + node.gap_count + " with gaps"
      : node.id + " · " + node.layer + " · " + (node.org || "no organisation") + " · " + node.gap_count + " gaps";
    var link = document.getElementById("panel-link");
    link.hidden = !!node.group_node;
    link.href = "/w/" + encodeURIComponent(map.ws) + "/nodes/" + encodeURIComponent(node.id) + choiceQuery();
    var expand = document.getElementById("panel-expand");
    expand.hidden = !node.group_node || map.data.expanded.indexOf(node.id) >= 0;
    expand.dataset.group = node.id;
    expand.textContent = "Expand: draw its " + (node.members || 0) + " nodes";
    var focus = document.getElementById("panel-focus");
    focus.hidden = !!node.group_node;
    var focusParams = map.analysisChoice();
    focusParams.set("focus", node.id);
    focusParams.set("depth", "2");
    focus.href = "/w/" + encodeURIComponent(map.ws) + "?" + focusParams.toString();
    var edges = map.edges.get();
    fillList("panel-providers", edges.filter(function (e) { return e.to === node.id; }).map(function (e) { return e.from; }));
    fillList("panel-consumers", edges.filter(function (e) { return e.from === node.id; }).map(function (e) { return e.to; }));
    document.getElementById("panel-gaps").replaceChildren(el("p", "Loading…", "muted"));
    document.getElementById("panel-controls").hidden = !!node.group_node;
    fillList("panel-obligations", []);
    if (node.group_node) { document.getElementById("panel-gaps").replaceChildren(); return; }
    try {
      var base = api + "/nodes/" + encodeURIComponent(node.id);
      var results = await Promise.all([getJson(base + "/report" + choiceQuery()), getJson(base + "/obligations" + choiceQuery())]);
      if (panel.dataset.node !== node.id) return; // another node was opened meanwhile
      report = results[0];
      renderControls();
      renderObligations(results[1].obligations);
      panel.dataset.loaded = node.id;
    } catch (error) {
      document.getElementById("panel-gaps").replaceChildren(el("p", "Could not load: " + error.message, "error"));
    }
  }

  function close() {
    if (panel.hidden) return;
    panel.hidden = true;
    map.clearHighlight();
    map.network.unselectAll();
    if (opener && document.body.contains(opener)) opener.focus();
  }

  document.addEventListener("obligraph:node", function (event) { open(event.detail.node, event.detail.opener); });
  document.getElementById("panel-only-gaps").addEventListener("change", renderControls);
  document.getElementById("panel-expand").addEventListener("click", function (event) {
    panel.hidden = true;
    map.expand(event.target.dataset.group);
  });
  document.getElementById("panel-close").addEventListener("click", close);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
})();
