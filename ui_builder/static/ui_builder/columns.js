/* List columns: drag a header's right edge to resize its column, or focus that edge (a separator,
   as in WAI-ARIA's window splitter) and press ←/→ (16 px; with Shift 64 px). Widths live in the URL
   (`widths=name:240,amount:96`), so a reload, a shared link or a saved view keeps them; sizes are
   set through the CSSOM (the CSP allows no style attributes). */
(function () {
  "use strict";
  var MIN = 40, MAX = 1200, STEP = 16, BIG_STEP = 64;

  function table() { return document.getElementById("list-table"); }

  function setWidth(th, width) {
    var px = width + "px";
    var handle = th.querySelector("[data-col-resize]");
    if (handle) { handle.setAttribute("aria-valuenow", String(width)); }
    th.style.width = px; th.style.minWidth = px; th.style.maxWidth = px;
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    table().querySelectorAll("tbody tr").forEach(function (row) {
      var cell = row.children[index];
      if (cell) { cell.style.maxWidth = px; }
    });
  }

  function applyAll() {
    if (!table()) return;
    table().querySelectorAll("th[data-width]").forEach(function (th) {
      setWidth(th, parseInt(th.getAttribute("data-width"), 10));
    });
    /* a separator that can be focused tells its current value (the width as drawn) */
    table().querySelectorAll("[data-col-resize]:not([aria-valuenow])").forEach(function (handle) {
      handle.setAttribute("aria-valuenow", String(Math.round(handle.closest("th").getBoundingClientRect().width)));
    });
  }

  function widthsText() {
    var parts = [];
    table().querySelectorAll("th[data-column][data-width]").forEach(function (th) {
      parts.push(th.getAttribute("data-column") + ":" + th.getAttribute("data-width"));
    });
    return parts.join(",");
  }

  function withWidths(href, text) {
    var url = new URL(href, window.location.href);
    if (text) { url.searchParams.set("widths", text); } else { url.searchParams.delete("widths"); }
    return url;
  }

  /* The new widths go into the URL, the save-view form, and the page's own links (sort, pages). */
  function remember() {
    var text = widthsText();
    var here = withWidths(window.location.href, text);
    window.history.replaceState(window.history.state, "", here.pathname + here.search);
    document.querySelectorAll("input[data-widths]").forEach(function (input) { input.value = text; });
    document.querySelectorAll("a[href^='?'], a[href^='" + here.pathname + "?']").forEach(function (a) {
      var link = withWidths(a.getAttribute("href"), text);
      a.setAttribute("href", link.pathname + link.search);
    });
  }

  function resizeBy(th, delta) {
    var current = parseInt(th.getAttribute("data-width"), 10) || th.getBoundingClientRect().width;
    var width = Math.round(Math.min(MAX, Math.max(MIN, current + delta)));
    th.setAttribute("data-width", String(width));
    setWidth(th, width);
  }

  function keyResize(event) {
    var handle = event.target.closest && event.target.closest("[data-col-resize]");
    if (!handle || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
    event.preventDefault();
    var step = event.shiftKey ? BIG_STEP : STEP;
    resizeBy(handle.closest("th"), event.key === "ArrowRight" ? step : -step);
    remember();
  }

  function startDrag(event) {
    var handle = event.target.closest("[data-col-resize]");
    if (!handle) return;
    event.preventDefault();
    var th = handle.closest("th");
    var startX = event.clientX, startWidth = th.getBoundingClientRect().width;
    function move(e) {
      var width = Math.round(Math.min(MAX, Math.max(MIN, startWidth + e.clientX - startX)));
      th.setAttribute("data-width", String(width));
      setWidth(th, width);
    }
    function stop() {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", stop);
      document.body.classList.remove("resizing");
      remember();
    }
    document.body.classList.add("resizing");
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", stop);
  }

  function init() {
    applyAll();
    document.addEventListener("pointerdown", startDrag);
    document.addEventListener("keydown", keyResize);
    document.addEventListener("click", function (e) {  /* a drag that ends on the header is no sort */
      if (e.target.closest("[data-col-resize]")) { e.preventDefault(); }
    });
    document.addEventListener("htmx:afterSwap", applyAll);
  }

  if (document.readyState !== "loading") init(); else document.addEventListener("DOMContentLoaded", init);
})();
