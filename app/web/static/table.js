// Sortable tables (click a header) and a row filter box; numbers sort as numbers.
"use strict";
(function () {
  function cellText(row, i) { return (row.cells[i] && row.cells[i].textContent.trim()) || ""; }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, i) {
      th.classList.add("sort-head");
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var ascending = th.dataset.sort !== "asc";
        table.querySelectorAll("thead th").forEach(function (other) { delete other.dataset.sort; });
        th.dataset.sort = ascending ? "asc" : "desc";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellText(a, i), y = cellText(b, i);
          var nx = Number(x), ny = Number(y);
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
