// Editing forms: send JSON to the API (same origin), say what happened, keep the form open.
// Destructive actions ask first (naming what is lost) and offer "undo" afterwards (the automatic
// snapshot the API names in X-Undo-Snapshot, or the restore path of X-Undo-Restore for a deleted
// workspace). Saves that the page can show without a reload stay
// on the page; warnings about the edit come back with their one-click fixes.
// Everything is written with textContent: a message that quotes user input cannot inject markup.
"use strict";
(function () {
  var T = {};
  var strings = document.getElementById("ui-strings");
  if (strings) { try { T = JSON.parse(strings.textContent); } catch (e) { T = {}; } }
  function t(key, fallback) { return T[key] || fallback; }
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }
  var FLASH_KEY = "obligraph-flash";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error, .form-error").forEach(function (node) { node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
  }

  // -- the body a form sends ---------------------------------------------------------------------

  // Repeated rows (several overrides of an edge, several evidence items): a fieldset.repeat holds
  // rows whose inputs carry data-key instead of a name, so FormData leaves them to this function.
  function repeated(fieldset) {
    var rows = [];
    fieldset.querySelectorAll(".repeat-row").forEach(function (row) {
      var item = {};
      row.querySelectorAll("[data-key]").forEach(function (input) {
        if (input.value !== "") item[input.dataset.key] = input.value;
      });
      if (Object.keys(item).length) rows.push(item);
    });
    return rows;
  }

  // A map field (control -> responsibility) from its rows; a control given twice is the user's
  // mistake to fix, not for the last row to win silently.
  function mapOf(fieldset, rows) {
    var map = {};
    var keyName = fieldset.dataset.key, valueName = fieldset.dataset.value;
    for (var i = 0; i < rows.length; i++) {
      var key = rows[i][keyName] || "";
      if (Object.prototype.hasOwnProperty.call(map, key)) {
        throw { location: fieldset.dataset.field, message: fill(t("twice", "control {control} is given twice; keep one row per control"), { control: key }) };
      }
      map[key] = rows[i][valueName] || "";
    }
    return map;
  }

  // The API's fields are flat except for the repeated ones and the single-evidence shortcut below.
  // With data-nulls, an empty field is sent as null, so an edit form can clear it.
  function bodyOf(form) {
    var body = {}, path = {};
    var action = form.dataset.action;
    new FormData(form).forEach(function (value, name) {
      var field = form.elements[name];
      if (field && field.dataset && field.dataset.path) {
        path[name] = value;
        action = action.replace("{" + name + "}", encodeURIComponent(value));
        return;
      }
      if (value !== "") body[name] = value;
      else if (form.dataset.nulls) body[name] = null;
    });
    form.querySelectorAll("fieldset.repeat").forEach(function (fieldset) {
      var rows = repeated(fieldset);
      body[fieldset.dataset.field] = fieldset.dataset.shape === "map" ? mapOf(fieldset, rows) : rows;
    });
    if (body.evidence_kind || body.evidence_ref || body.evidence_expires) {
      var item = { kind: body.evidence_kind, ref: body.evidence_ref };
      if (body.evidence_expires) item.expires = body.evidence_expires;
      body.evidence = [item];
    }
    delete body.evidence_kind; delete body.evidence_ref; delete body.evidence_expires;
    return { action: action, body: body, path: path };
  }

  function resetRow(row) {
    row.querySelectorAll("[data-key]").forEach(function (input) { input.value = input.tagName === "SELECT" ? input.options[0].value : ""; });
  }

  function addRow(fieldset) {
    var rows = fieldset.querySelectorAll(".repeat-row");
    var copy = rows[rows.length - 1].cloneNode(true);
    resetRow(copy);
    // Labels point at their input by id: give the copy's inputs ids of their own.
    copy.querySelectorAll("[id]").forEach(function (input) {
      var fresh = input.id.replace(/-\d+$/, "") + "-" + Math.random().toString(36).slice(2, 8);
      var label = copy.querySelector('label[for="' + CSS.escape(input.id) + '"]');
      input.id = fresh;
      if (label) label.htmlFor = fresh;
    });
    rows[rows.length - 1].after(copy);
    bindRow(fieldset, copy);
    var first = copy.querySelector("[data-key]");
    if (first) first.focus();
  }

  function bindRow(fieldset, row) {
    var remove = row.querySelector(".remove-row");
    if (!remove) return;
    remove.addEventListener("click", function () {
      if (fieldset.querySelectorAll(".repeat-row").length > 1) { row.remove(); return; }
      resetRow(row);
    });
  }

  document.querySelectorAll("fieldset.repeat").forEach(function (fieldset) {
    fieldset.querySelectorAll(".repeat-row").forEach(function (row) { bindRow(fieldset, row); });
    var add = fieldset.querySelector(".add-row");
    if (add) add.addEventListener("click", function () { addRow(fieldset); });
  });

  // -- errors: once, in plain words, next to the field ----------------------------------------------

  // The visible label of the form's field called `name` (without the texts of its controls).
  function labelOf(form, name) {
    var field = form.querySelector('[name="' + CSS.escape(name) + '"], [data-field="' + CSS.escape(name) + '"], [data-key="' + CSS.escape(name) + '"]');
    if (!field) return null;
    var label = field.closest("label") || (field.id && form.querySelector('label[for="' + CSS.escape(field.id) + '"]'));
    var legend = field.tagName === "FIELDSET" ? field.querySelector("legend") : null;
    var source = legend || label;
    if (!source) return field.getAttribute("aria-label");
    var copy = source.cloneNode(true);
    copy.querySelectorAll("input, select, textarea, datalist, .field-error").forEach(function (node) { node.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim() || null;
  }

  function showError(form, payload, status) {
    var error = (payload && payload.error) || { message: fill(t("server_status", "The server answered {status}."), { status: status }), details: [] };
    var unplaced = [];
    var details = error.details && error.details.length ? error.details : [{ location: "", message: error.message }];
    details.forEach(function (detail) {
      // "body.evidence[0].ref": the nearest named part that has a slot gets the message.
      var parts = String(detail.location || "").split(/[.\[\]]+/).filter(Boolean);
      for (var i = parts.length - 1; i >= 0; i--) {
        var slot = form.querySelector('.field-error[data-for="' + CSS.escape(parts[i]) + '"]');
        if (slot) {
          slot.textContent = slot.textContent ? slot.textContent + " " + detail.message : detail.message;
          var field = form.querySelector('[name="' + CSS.escape(parts[i]) + '"]');
          if (field) field.setAttribute("aria-invalid", "true");
          return;
        }
      }
      var named = null;
      for (var j = parts.length - 1; j >= 0 && !named; j--) named = labelOf(form, parts[j]);
      unplaced.push(named ? named + ": " + detail.message : detail.message);
    });
    form.querySelector(".form-error").textContent = unplaced.join(" ");
  }

  // -- messages: the form's status line, and the flash that survives a reload ---------------------

  function statusOf(form) {
    var status = form.querySelector(".form-status");
    if (!status) {
      status = el("p", undefined, "form-status");
      status.setAttribute("role", "status");
      form.querySelector(".form-error").before(status);
    }
    return status;
  }

  function showFlash(flash) {
    var box = document.getElementById("flash");
    if (!box || !flash) return;
    box.replaceChildren(el("span", flash.text));
    var undoUrl = flash.restore || (flash.undo && flash.ws
      ? "/api/v1/workspaces/" + encodeURIComponent(flash.ws) + "/snapshots/" + encodeURIComponent(flash.undo) + "/restore"
      : null);
    if (undoUrl) {
      var undo = el("button", t("undo", "Undo"), "undo");
      undo.type = "button";
      undo.id = "flash-undo";
      undo.addEventListener("click", async function () {
        undo.disabled = true;
        var response = await fetch(undoUrl, { method: "POST", headers: csrfHeaders({}) });
        if (response.ok) {
          remember({ text: flash.restore ? t("restored", "Undone: the workspace is back.") : t("undone", "Undone: the workspace is back as it was before.") });
          window.location.assign(flash.back || window.location.href);
          return;
        }
        var payload = null;
        try { payload = await response.json(); } catch (e) { payload = null; }
        box.appendChild(el("span", " " + ((payload && payload.error && payload.error.message) || response.status), "error"));
      });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(undo);
    }
    box.hidden = false;
  }

  function remember(flash) {
    try { sessionStorage.setItem(FLASH_KEY, JSON.stringify(flash)); } catch (e) { /* private mode: no message */ }
  }

  try {
    var kept = sessionStorage.getItem(FLASH_KEY);
    if (kept) { sessionStorage.removeItem(FLASH_KEY); showFlash(JSON.parse(kept)); }
  } catch (e) { /* nothing kept */ }

  // -- confirmation --------------------------------------------------------------------------

  function confirmAction(text, okLabel) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || !dialog.showModal) return Promise.resolve(window.confirm(text));
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = okLabel || t("confirm", "Yes, go ahead");
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        resolve(dialog.returnValue === "ok");
      });
      dialog.returnValue = "";
      dialog.showModal();
      document.getElementById("confirm-cancel").focus();
    });
  }

  // -- warnings and their fixes ----------------------------------------------------------------

  function analysisQuery() {
    var here = new URLSearchParams(window.location.search);
    return here.get("as_of") ? "&as_of=" + encodeURIComponent(here.get("as_of")) : "";
  }

  async function runFix(requests) {
    for (var i = 0; i < requests.length; i++) {
      var r = requests[i];
      var options = { method: r.method, headers: csrfHeaders(r.body ? { "content-type": "application/json" } : {}) };
      if (r.body) options.body = JSON.stringify(r.body);
      var response = await fetch(r.url, options);
      if (!response.ok) {
        var payload = null;
        try { payload = await response.json(); } catch (e) { payload = null; }
        throw new Error((payload && payload.error && payload.error.message) || String(response.status));
      }
    }
  }

  function fixButton(fix, item, after) {
    if (fix.href) {
      var link = el("a", fix.label, "fix");
      link.href = fix.href;
      return link;
    }
    var button = el("button", fix.label, "fix");
    button.type = "button";
    button.dataset.op = fix.op;
    button.addEventListener("click", async function () {
      button.disabled = true;
      try {
        await runFix(fix.requests);
        item.replaceChildren(el("span", t("fixed", "Fixed."), "fixed"));
        if (after) after();
      } catch (e) {
        button.disabled = false;
        item.appendChild(el("span", " " + e.message, "error"));
      }
    });
    return button;
  }

  function showWarnings(box, warnings, after) {
    box.replaceChildren();
    warnings.forEach(function (w) {
      var item = el("li", undefined, "warning");
      item.dataset.kind = w.kind;
      item.appendChild(el("span", w.message));
      w.fixes.forEach(function (fix) { item.appendChild(document.createTextNode(" ")); item.appendChild(fixButton(fix, item, after)); });
      box.appendChild(item);
    });
    box.hidden = warnings.length === 0;
  }

  async function fetchWarnings(form, nodes) {
    var ws = document.body.dataset.ws;
    if (!ws || !nodes.length) return;
    var query = nodes.map(function (n) { return "node=" + encodeURIComponent(n); }).join("&");
    var response = await fetch("/w/" + encodeURIComponent(ws) + "/warnings.json?" + query + analysisQuery());
    if (!response.ok) return;
    var warnings = (await response.json()).warnings;
    var box = form.querySelector(".form-warnings");
    if (!box) {
      box = el("ul", undefined, "form-warnings");
      box.setAttribute("aria-label", t("warnings", "Warnings"));
      form.querySelector(".form-error").after(box);
    }
    showWarnings(box, warnings.filter(function (w) { return relevant(form, w); }));
  }

  // An edge form warns about its edge; a declaration form about its control.
  function relevant(form, w) {
    var wanted = form.dataset.warnAbout;
    if (wanted === "edge") return w.provider === form._sent.body.provider && w.consumer === form._sent.body.consumer;
    if (wanted === "control") return w.control === (form._sent.body.control || form.dataset.control);
    return true;
  }

  document.querySelectorAll("ul.warnings[data-warnings]").forEach(function (box) {
    var warnings = [];
    try { warnings = JSON.parse(document.getElementById(box.dataset.warnings).textContent); } catch (e) { warnings = []; }
    showWarnings(box, warnings, function () { remember({ text: t("fixed", "Fixed.") }); window.location.reload(); });
  });

  // -- sending -------------------------------------------------------------------------------

  // With auth on, the API takes the session cookie only with this header (see docs/security.md).
  // The session's CSRF token (a cookie readable by this page) echoed in a header; shared with the
  // other scripts (panel.js), which load after this one.
  function csrfHeaders(headers) {
    var match = document.cookie.match(/(?:^|;\s*)obligraph_csrf=([^;]+)/);
    if (match) headers["X-CSRF-Token"] = decodeURIComponent(match[1]);
    return headers;
  }
  window.obligraphCsrfHeaders = csrfHeaders;

  function doneText(form, built) {
    return fill(form.dataset.done || t("saved", "Saved."), Object.assign({}, built.path, built.body));
  }

  function after(form, built, response) {
    var then = form.dataset.then || "reload";
    var text = doneText(form, built);
    if (then === "stay") {
      var status = statusOf(form);
      status.textContent = text;
      var list = document.getElementById("node-options");
      if (form.dataset.addsNode && list && built.body.id) {
        var option = el("option", built.body.name || "");
        option.value = built.body.id;
        list.appendChild(option);
      }
      if (form.dataset.reset) {
        form.dataset.reset.split(",").forEach(function (name) { if (form.elements[name]) form.elements[name].value = ""; });
        var first = form.elements[form.dataset.reset.split(",")[0]];
        if (first) first.focus();
      }
      if (form.dataset.warnAbout) {
        var nodes = (form.dataset.warnNodes || "").split(",").map(function (k) { return built.path[k] || built.body[k]; }).filter(Boolean);
        fetchWarnings(form, nodes);
      }
      document.dispatchEvent(new CustomEvent("obligraph:changed", { detail: { form: form.id, body: built.body } }));
      return;
    }
    var undo = response.headers.get("X-Undo-Snapshot");
    var restore = response.headers.get("X-Undo-Restore");
    // Only a same-origin API path: the header comes from our server, but a link is followed as given.
    if (restore && !/^\/api\/v1\/workspaces\/[^/]+\/restore$/.test(restore)) restore = null;
    var target = then === "reload" ? window.location.href
      : then.replace(/\{(\w+)\}/g, function (_, key) { return encodeURIComponent(built.body[key] || built.path[key] || ""); });
    remember({ text: text, undo: undo, restore: restore, ws: document.body.dataset.ws,
               back: undo || restore ? window.location.href : null });
    if (then === "reload") window.location.reload();
    else window.location.assign(target);
  }

  async function send(form, built, options) {
    clearErrors(form);
    var status = form.querySelector(".form-status");
    if (status) status.textContent = "";
    options.headers = csrfHeaders(options.headers || {});
    var submit = form.querySelector("button[type=submit]");
    if (submit) submit.disabled = true;
    try {
      var response = await fetch(built.action, options);
      form._sent = built;
      if (response.ok) { after(form, built, response); return; }
      var payload = null;
      try { payload = await response.json(); } catch (e) { payload = null; }
      showError(form, payload, response.status);
    } finally {
      if (submit) submit.disabled = false;
    }
  }

  document.querySelectorAll("form.api-form").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var built;
      try {
        built = bodyOf(form);
      } catch (problem) {
        clearErrors(form);
        showError(form, { error: { message: problem.message, details: [problem] } }, 0);
        return;
      }
      if (form.dataset.confirm && !(await confirmAction(fill(form.dataset.confirm, built.path), form.dataset.confirmOk))) return;
      var options = { method: form.dataset.method || "POST" };
      if (options.method !== "DELETE") {
        options.headers = { "content-type": "application/json" };
        options.body = JSON.stringify(built.body);
      }
      send(form, built, options);
    });
  });

  // A replace import asks first, saying what it removes (the server's preview of the same file).
  async function importText(form, file, body, type) {
    var mode = form.elements.mode.value;
    var query = "?mode=" + encodeURIComponent(mode);
    if (form.elements.rename && form.elements.rename.checked) query += "&rename=true";
    if (mode === "replace") { // an empty workspace has nothing to lose: no question
      clearErrors(form);
      var response = await fetch(form.dataset.action + "/preview" + query, { method: "POST", headers: csrfHeaders({ "content-type": type }), body: body });
      var payload = null;
      try { payload = await response.json(); } catch (e) { payload = null; }
      if (!response.ok) { showError(form, payload, response.status); return; }
      var text = fill(t("replace_confirm", "Replace the {nodes} nodes and {edges} edges of this workspace with the {document_nodes} nodes and {document_edges} edges of {file}?"),
        Object.assign({ file: file.name }, payload));
      if (payload.nodes_removed || payload.edges_removed || payload.declarations_removed) {
        text += " " + fill(t("replace_loses", "{nodes_removed} nodes, {edges_removed} edges and {declarations_removed} declarations that the file lacks will be removed"), payload);
        text += payload.removed_node_ids.length ? " (" + payload.removed_node_ids.join(", ") + ")." : ".";
      }
      if (payload.nodes && !(await confirmAction(text, t("replace", "Replace")))) return;
    }
    send(form, { action: form.dataset.action + query, body: {}, path: { file: file.name } },
         { method: "POST", headers: { "content-type": type }, body: body });
  }

  // A provider's CAIQ answers: the file goes as it is (an XLSX is binary); the page then lists what
  // the catalog has no control for, instead of reloading it away.
  document.querySelectorAll("form.caiq-form").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var file = form.elements.file.files[0];
      if (!file) return;
      clearErrors(form);
      var xlsx = /\.xlsx$/i.test(file.name);
      var type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
      var url = form.dataset.action.replace("{node}", encodeURIComponent(form.elements.node.value));
      var response = await fetch(url, { method: "POST", headers: csrfHeaders({ "content-type": type }), body: file });
      var payload = null;
      try { payload = await response.json(); } catch (e) { payload = null; }
      form.querySelector(".form-result").textContent = "";
      if (!response.ok) {
        showError(form, payload, response.status);
        return;
      }
      var lines = [fill(t("caiq_result", "{declarations} declarations set on {node} ({added} new, {updated} replaced) from {questions} questions."), payload)];
      payload.unmapped.forEach(function (u) {
        lines.push(fill(t("caiq_unmapped", "Not imported: {reason} ({questions})."), { reason: u.reason, questions: u.questions.join(", ") }));
      });
      if (payload.unanswered.length) {
        var unanswered = payload.unanswered.map(function (u) { return u.question; }).join(", ");
        lines.push(fill(t("caiq_unanswered", "Unanswered: {questions}."), { questions: unanswered }));
      }
      form.querySelector(".form-result").textContent = lines.join(" ");
    });
  });

  document.querySelectorAll("form.upload-form").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var file = form.elements.file.files[0];
      if (!file) return;
      var type = /\.ya?ml$/i.test(file.name) ? "application/yaml" : "application/json";
      importText(form, file, await file.text(), type);
    });
  });
})();
