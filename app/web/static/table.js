// Sortable tables: each header becomes a button (reachable by Tab, Enter or Space sorts) and the
// header carries aria-sort, so screen readers announce the order; numbers sort as numbers.
// The gap table is sorted by the server instead (its headers are links). Also a row filter box.
"use strict";
(function () {
  function cellText(row, i) { return (row.cells[i] && row.cells[i].textContent.trim()) || ""; }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.classList.add("sort-head");
      button.addEventListener("click", function () {
        var body = table.tBodies[0];
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); delete other.dataset.sort; });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        th.dataset.sort = ascending ? "asc" : "desc";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellText(a, i), y = cellText(b, i);
          var nx = Number(x.replace(/%$/, "")), ny = Number(y.replace(/%$/, ""));
          var order = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, undefined, { numeric: true });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  document.querySelectorAll("input[data-table]").forEach(function (input) {
    var table = document.getElementById(input.dataset.table);
    input.addEventListener("input", function () {
      var needle = input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  });
})();
