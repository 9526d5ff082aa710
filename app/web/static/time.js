// Times in the browser's own time zone, in ISO form: <time datetime="2026-11-26T04:25:38Z"> shows
// "2026-11-26 13:25:38 +09:00" on a Japanese machine. The server writes UTC; the text it put
// there stays as the fallback (and as the title, for reference).
"use strict";
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }

  function local(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return null;
    var offset = -d.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + " " +
      sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }

  document.querySelectorAll("time[datetime*='T'], [data-datetime]").forEach(function (node) {
    var iso = node.getAttribute("datetime") || node.dataset.datetime;
    var text = local(iso);
    if (!text) return;
    var target = node.tagName === "TIME" ? node : node.querySelector(".when") || node;
    if (node.tagName === "TIME") node.title = node.textContent;
    target.textContent = text;
    node.dataset.localised = "true";
  });
})();
