// Search box of index.html: filters the structure lists by name or FINESS as one types.
// Without JavaScript the box stays hidden and every structure is listed.
(function () {
  "use strict";
  function norm(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("search");
    var box = document.getElementById("search-box");
    if (!form || !box) { return; }
    form.hidden = false;
    var tables = Array.prototype.slice.call(document.querySelectorAll("table.structures"));
    function apply() {
      var q = norm(box.value);
      tables.forEach(function (table) {
        var shown = 0;
        var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
        Array.prototype.forEach.call(rows, function (row) {
          var hit = q === "" || row.getAttribute("data-search").indexOf(q) !== -1;
          row.hidden = !hit;
          if (hit) { shown += 1; }
        });
        var count = document.getElementById(table.id + "-count");
        if (count) {
          count.textContent = q === "" ? count.getAttribute("data-total")
                                       : shown + " sur " + count.getAttribute("data-total");
        }
      });
    }
    box.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    apply();
  });
}());
