// Editing forms: send JSON to the API (same origin) and show the server's message next to the field.
// Everything is written with textContent: a message that quotes user input cannot inject markup.
"use strict";
(function () {
  function clearErrors(form) {
    form.querySelectorAll(".field-error, .form-error").forEach(function (el) { el.textContent = ""; });
  }

  // The API's fields are flat except for these, which the forms collect as separate inputs.
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
    });
    if (body.override_control || body.override_responsibility) {
      body.responsibility = {};
      body.responsibility[body.override_control || ""] = body.override_responsibility || "";
    }
    delete body.override_control; delete body.override_responsibility;
    if (body.evidence_kind || body.evidence_ref || body.evidence_expires) {
      var item = { kind: body.evidence_kind, ref: body.evidence_ref };
      if (body.evidence_expires) item.expires = body.evidence_expires;
      body.evidence = [item];
    }
    delete body.evidence_kind; delete body.evidence_ref; delete body.evidence_expires;
    return { action: action, body: body };
  }

  function showError(form, payload, status) {
    var error = (payload && payload.error) || { message: "The server answered " + status, details: [] };
    var placed = false;
    (error.details || []).forEach(function (detail) {
      var parts = String(detail.location || "").split(".");
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
  function csrfHeaders(headers) {
    var match = document.cookie.match(/(?:^|;\s*)obligraph_csrf=([^;]+)/);
    if (match) headers["X-CSRF-Token"] = decodeURIComponent(match[1]);
    return headers;
  }

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
      var built = bodyOf(form);
      send(form, built.action, {
        method: form.dataset.method || "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(built.body),
      }, built.body);
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
