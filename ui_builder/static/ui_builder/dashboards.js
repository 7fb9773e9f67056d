/* Dashboards: panels on a 12-column gridstack grid. Read-only for viewers (a static grid, one column
   on a phone); for whoever edits it, dragging or resizing a panel saves the layout (the server
   checks the right to change it). Positions are set by gridstack through the CSSOM. */
(function () {
  "use strict";

  function save(grid, el) {
    if (grid.getColumn() !== 12) return;  // a phone's one-column view never rewrites the layout
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var body = new URLSearchParams();
    body.set("op", "layout");
    body.set("layout", JSON.stringify(grid.save(false).map(function (n) {
      return {id: n.id, x: n.x || 0, y: n.y || 0, w: n.w || 1, h: n.h || 1};
    })));
    fetch(el.getAttribute("data-save-url"), {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": token ? token.value : "", "HX-Request": "true"}
    }).then(function (r) {
      el.classList.toggle("save-failed", !r.ok);
    });
  }

  function init(el) {
    if (el.gridstack || !window.GridStack) return;
    var editable = el.getAttribute("data-editable") === "1";
    var grid = window.GridStack.init({
      column: 12, cellHeight: 90, margin: 6, float: false, staticGrid: !editable, animate: false,
      handle: ".panel-head h2", columnOpts: {breakpoints: [{w: 760, c: 1}]}
    }, el);
    if (editable) grid.on("change", function () { save(grid, el); });
  }

  function start() { document.querySelectorAll("[data-dashboard-grid]").forEach(init); }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();
