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
  var say = map.say, words = map.words; // the page's language (map.js reads the texts)

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
    if (group && group.group_node) return el("li", say("group", { name: group.name }));
    var li = el("li");
    var a = el("a", nodeName(id));
    a.href = "/w/" + encodeURIComponent(map.ws) + "/nodes/" + encodeURIComponent(id) + choiceQuery();
    li.appendChild(a);
    return li;
  }

  function fillList(id, items) {
    var list = document.getElementById(id);
    list.replaceChildren();
    if (!items.length) list.appendChild(el("li", say("none"), "muted"));
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
    box.appendChild(el("p", say("gap_summary", { count: gaps.length }) + (gaps.length ? ": " + Object.keys(kinds).sort().map(function (k) {
      return say("kind_count", { count: kinds[k], kind: words("kinds", k) }); }).join(", ") : ""), "panel-summary"));
    if (!items.length) {
      box.appendChild(el("p", onlyGaps ? say("no_gaps") : say("none_in_scope"), "muted"));
      return;
    }
    var byClause = {};
    items.forEach(function (item) { (byClause[item.clause] = byClause[item.clause] || []).push(item); });
    Object.keys(byClause).sort(function (a, b) { return a.localeCompare(b, undefined, { numeric: true }); })
      .forEach(function (clause) {
        var list = byClause[clause];
        var withGaps = list.filter(function (item) { return item.gap; }).length;
        var title = map.clauseTitle(clause);
        box.appendChild(el("h4", say(onlyGaps ? "clause_head" : "clause_head_all",
          { clause: clause, title: title || "", gaps: withGaps, total: list.length }).replace(/\s+/g, " ")));
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
    var facts = say("effective", { status: words("statuses", item.effective) });
    if (gap) facts += " · " + words("kinds", gap.kind) + (gap.orphaned ? " " + say("orphaned") : "");
    li.appendChild(el("div", facts, gap ? "gap-facts" : "muted"));
    if (!gap) return li;
    var paths = pathsOf(gap);
    if (gap.kind === "circular") {
      li.appendChild(el("div", say("loop"), "muted"));
    } else if (paths.length) {
      var names = paths.map(function (p) { return nodeName(p[0]); }).join(", ");
      var button = el("button", say(paths.length === 1 ? "one_path" : "all_paths", { count: paths.length, names: names }), "gap-path");
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
      return el("li", say("obligation", { control: o.control, own: words("statuses", o.own),
        consumers: o.direct_consumers.map(nodeName).join(", "), count: o.transitive_consumers }));
    }));
  }

  // With auth on, the API takes the session cookie only with this header (see docs/security.md).
  async function getJson(url) {
    var response = await fetch(url, { headers: window.obligraphCsrfHeaders({}) });
    if (!response.ok) throw new Error(say("server_status", { status: response.status }));
    return response.json();
  }

  async function open(node, from) {
    opener = from || null;
    report = null;
    panel.hidden = false;
    panel.dataset.node = node.id;
    delete panel.dataset.loaded;
    var title = document.getElementById("panel-title");
    title.textContent = node.group_node ? (node.name || node.org || "(" + say("no_org") + ")") : (node.name || node.id);
    title.focus();
    document.getElementById("panel-meta").textContent = node.group_node
      ? say("meta_group", { layer: words("bands", node.layer), members: node.members, count: node.gap_count })
      : say("meta_node", { id: node.id, layer: words("bands", node.layer), org: node.org || say("no_org"), count: node.gap_count });
    var link = document.getElementById("panel-link");
    link.hidden = !!node.group_node;
    link.href = "/w/" + encodeURIComponent(map.ws) + "/nodes/" + encodeURIComponent(node.id) + choiceQuery();
    var expand = document.getElementById("panel-expand");
    expand.hidden = !node.group_node || map.data.expanded.indexOf(node.id) >= 0;
    expand.dataset.group = node.id;
    expand.textContent = say("expand", { count: node.members || 0 });
    var focus = document.getElementById("panel-focus");
    focus.hidden = !!node.group_node;
    var focusParams = map.analysisChoice();
    focusParams.set("focus", node.id);
    focusParams.set("depth", "2");
    focus.href = "/w/" + encodeURIComponent(map.ws) + "?" + focusParams.toString();
    var edges = map.edges.get();
    fillList("panel-providers", edges.filter(function (e) { return e.to === node.id; }).map(function (e) { return e.from; }));
    fillList("panel-consumers", edges.filter(function (e) { return e.from === node.id; }).map(function (e) { return e.to; }));
    document.getElementById("panel-gaps").replaceChildren(el("p", say("loading"), "muted"));
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
      document.getElementById("panel-gaps").replaceChildren(el("p", say("load_failed", { message: error.message }), "error"));
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
