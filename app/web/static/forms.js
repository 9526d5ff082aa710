// Editing forms: send JSON to the API (same origin) and show the server's message next to the field.
// Everything is written with textContent: a message that quotes user input cannot inject markup.
"use strict";
(function () {
  function clearErrors(form) {
    form.querySelectorAll(".field-error, .form-error").forEach(function (el) { el.textContent = ""; });
  }

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
        throw { location: fieldset.dataset.field, message: "control " + key + " is given twice; keep one row per control" };
      }
      map[key] = rows[i][valueName] || "";
    }
    return map;
  }

  // The API's fields are flat except for the repeated ones and the single-evidence shortcut below.
  // With data-nulls, an empty field is sent as null, so an edit form can clear it.
  function bodyOf(form) {
    var body = {};
    var action = form.dataset.action;
    new FormData(form).forEach(function (value, name) {
      var field = form.elements[name];
      if (field && field.dataset && field.dataset.path) {
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
    return { action: action, body: body };
  }

  function addRow(fieldset) {
    var rows = fieldset.querySelectorAll(".repeat-row");
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("[data-key]").forEach(function (input) { input.value = input.tagName === "SELECT" ? input.options[0].value : ""; });
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
      row.querySelectorAll("[data-key]").forEach(function (input) { input.value = input.tagName === "SELECT" ? input.options[0].value : ""; });
    });
  }

  document.querySelectorAll("fieldset.repeat").forEach(function (fieldset) {
    fieldset.querySelectorAll(".repeat-row").forEach(function (row) { bindRow(fieldset, row); });
    var add = fieldset.querySelector(".add-row");
    if (add) add.addEventListener("click", function () { addRow(fieldset); });
  });

  function showError(form, payload, status) {
    var error = (payload && payload.error) || { message: "The server answered " + status, details: [] };
    var placed = false;
    (error.details || []).forEach(function (detail) {
      // "body.evidence[0].ref": the nearest named part that has a slot gets the message.
      var parts = String(detail.location || "").split(/[.\[\]]+/);
      for (var i = parts.length - 1; i >= 0; i--) {
        var slot = form.querySelector('.field-error[data-for="' + CSS.escape(parts[i]) + '"]');
        if (slot) { slot.textContent = detail.message; placed = true; return; }
      }
    });
    form.querySelector(".form-error").textContent = error.message + (placed ? "" : "");
  }

  function after(form, body) {
    var then = form.dataset.then || "reload";
    if (then === "reload") { window.location.reload(); return; }
    window.location.assign(then.replace(/\{(\w+)\}/g, function (_, key) { return encodeURIComponent(body[key] || ""); }));
  }

  // With auth on, the API takes the session cookie only with this header (see docs/security.md).
  // The session's CSRF token (a cookie readable by this page) echoed in a header; shared with the
  // other scripts (panel.js), which load after this one.
  function csrfHeaders(headers) {
    var match = document.cookie.match(/(?:^|;\s*)obligraph_csrf=([^;]+)/);
    if (match) headers["X-CSRF-Token"] = decodeURIComponent(match[1]);
    return headers;
  }
  window.obligraphCsrfHeaders = csrfHeaders;

  async function send(form, url, options, body) {
    clearErrors(form);
    options.headers = csrfHeaders(options.headers || {});
    var response = await fetch(url, options);
    if (response.ok) { after(form, body); return; }
    var payload = null;
    try { payload = await response.json(); } catch (e) { payload = null; }
    showError(form, payload, response.status);
  }

  document.querySelectorAll("form.api-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var built;
      try {
        built = bodyOf(form);
      } catch (problem) {
        clearErrors(form);
        showError(form, { error: { message: problem.message, details: [problem] } }, 0);
        return;
      }
      var options = { method: form.dataset.method || "POST" };
      if (options.method !== "DELETE") {
        options.headers = { "content-type": "application/json" };
        options.body = JSON.stringify(built.body);
      }
      send(form, built.action, options, built.body);
    });
  });

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
        var details = (payload && payload.error && payload.error.details) || [];
        if (details.length) {
          form.querySelector(".form-error").textContent += " " + details.map(function (d) {
            return (d.location ? d.location + ": " : "") + d.message;
          }).join("; ");
        }
        return;
      }
      var lines = [payload.declarations + " declarations set on " + payload.node + " (" + payload.added +
        " new, " + payload.updated + " replaced) from " + payload.questions + " questions."];
      payload.unmapped.forEach(function (u) { lines.push("Not imported: " + u.reason + " (" + u.questions.join(", ") + ")."); });
      if (payload.unanswered.length) {
        lines.push("Unanswered: " + payload.unanswered.map(function (u) { return u.question; }).join(", ") + ".");
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
      var url = form.dataset.action + "?mode=" + encodeURIComponent(form.elements.mode.value);
      send(form, url, { method: "POST", headers: { "content-type": type }, body: await file.text() }, {});
    });
  });
})();
