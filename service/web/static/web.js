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
  // The map: wheel or buttons zoom, drag pans (the viewBox changes; the SVG stays the downloadable
  // one), a click on a building opens its detail page. Buttons make it usable from the keyboard.
  function initMaps(root) {
    (root || document).querySelectorAll("figure[data-building-url]").forEach(function (fig) {
      var svg = fig.querySelector("svg.map");
      if (!svg || svg.dataset.interactive) return;
      svg.dataset.interactive = "1";
      var full = svg.viewBox.baseVal, home = [full.x, full.y, full.width, full.height], box = home.slice();
      function apply() { svg.setAttribute("viewBox", box.join(" ")); }
      function zoom(f, cx, cy) {
        var w = Math.min(home[2], Math.max(home[2] / 20, box[2] * f)), h = w * home[3] / home[2];
        cx = cx === undefined ? box[0] + box[2] / 2 : cx; cy = cy === undefined ? box[1] + box[3] / 2 : cy;
        box = [cx - (cx - box[0]) * w / box[2], cy - (cy - box[1]) * h / box[3], w, h]; apply();
      }
      function point(e) {
        var r = svg.getBoundingClientRect();
        return [box[0] + (e.clientX - r.left) / r.width * box[2], box[1] + (e.clientY - r.top) / r.height * box[3]];
      }
      svg.addEventListener("wheel", function (e) { e.preventDefault(); var q = point(e); zoom(e.deltaY < 0 ? 0.8 : 1.25, q[0], q[1]); }, { passive: false });
      var drag = null, moved = false;
      svg.addEventListener("pointerdown", function (e) { drag = [e.clientX, e.clientY, box[0], box[1]]; moved = false; });
      svg.addEventListener("pointermove", function (e) {
        if (!drag) return;
        var r = svg.getBoundingClientRect(), dx = e.clientX - drag[0], dy = e.clientY - drag[1];
        if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
        box[0] = drag[2] - dx / r.width * box[2]; box[1] = drag[3] - dy / r.height * box[3]; apply();
      });
      window.addEventListener("pointerup", function () { drag = null; });
      svg.addEventListener("click", function (e) {
        var c = e.target.closest && e.target.closest("circle.building");
        if (c && !moved) window.location.href = fig.dataset.buildingUrl.replace("{id}", encodeURIComponent(c.dataset.id));
      });
      svg.querySelectorAll("circle.building").forEach(function (c) { c.style.cursor = "pointer"; });
      var bar = document.createElement("div"); bar.className = "map-tools";
      [["zoomIn", "+", function () { zoom(0.67); }], ["zoomOut", "−", function () { zoom(1.5); }],
       ["zoomReset", "⤢", function () { box = home.slice(); apply(); }]].forEach(function (b) {
        var btn = document.createElement("button"); btn.type = "button"; btn.className = "secondary";
        btn.textContent = b[1]; btn.setAttribute("aria-label", fig.dataset[b[0]] || b[0]); btn.title = fig.dataset[b[0]] || b[0];
        btn.addEventListener("click", b[2]); bar.appendChild(btn);
      });
      fig.insertBefore(bar, fig.firstChild);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initDropzones(); initSortable(); initCharts(); });
  // charts arrive as htmx fragments after the first render
  document.addEventListener("htmx:afterSwap", function (e) { initCharts(e.detail.elt); initMaps(e.detail.elt.parentElement || e.detail.elt); });
})();
