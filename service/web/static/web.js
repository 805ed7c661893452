// miasto workspace: small enhancements; every page works without them (forms post normally).
(function () {
  "use strict";
  function initDropzones() {
    document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      var input = zone.querySelector("input[type=file]");
      var label = zone.querySelector("[data-filename]");
      function show() { if (label && input.files.length) label.textContent = input.files[0].name; }
      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (ev) {
        zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over-zone"); });
      });
      ["dragleave", "drop"].forEach(function (ev) {
        zone.addEventListener(ev, function () { zone.classList.remove("over-zone"); });
      });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
      });
    });
  }
  function initSortable() {
    document.querySelectorAll("table[data-sortable]").forEach(function (table) {
      var body = table.tBodies[0];
      table.querySelectorAll("th[data-key] button").forEach(function (btn, idx) {
        btn.addEventListener("click", function () {
          var th = btn.parentElement, col = Array.prototype.indexOf.call(th.parentElement.children, th);
          var asc = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th[aria-sort]").forEach(function (o) { o.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var numeric = th.classList.contains("num");
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[col].dataset.v ?? a.cells[col].textContent, y = b.cells[col].dataset.v ?? b.cells[col].textContent;
            if (numeric) { x = x === "" ? -Infinity : parseFloat(x); y = y === "" ? -Infinity : parseFloat(y); }
            return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var table = document.getElementById(input.dataset.filter);
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
          r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
        });
      });
    });
  }
  function initCharts(root) {
    (root || document).querySelectorAll("script[type='application/json'][data-vega]").forEach(function (el) {
      if (typeof vegaEmbed !== "function") return;
      var target = document.getElementById(el.dataset.vega);
      vegaEmbed(target, JSON.parse(el.textContent), { actions: false, renderer: "svg" });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initDropzones(); initSortable(); initCharts(); });
  // charts arrive as htmx fragments after the first render
  document.addEventListener("htmx:afterSwap", function (e) { initCharts(e.detail.elt); });
})();
