/* The report builder's drag and drop (SortableJS): fields are dragged from the palette into the
   columns and groups, between those lists, and within one to reorder it. The form holds the whole
   definition in hidden inputs; after a drop the server re-renders the form (each item then gets
   its controls: a period for dates, the keyboard's up/down/remove buttons), after a reorder the
   preview refreshes. Every move also has a button, for the keyboard. */
(function () {
  "use strict";

  function form() { return document.getElementById("builder"); }

  function rerender() {
    var f = form();
    if (!f || !window.htmx) return;
    window.htmx.ajax("POST", f.getAttribute("data-builder-url"),
                     {source: f, target: "#builder", swap: "outerHTML", values: {op: "noop"}});
  }

  function hidden(name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function dropped(evt) {
    var list = evt.to.getAttribute("data-drop-list");
    var item = evt.item;
    var from = evt.from.getAttribute("data-drop-list");
    if (from) {  // moved from another list: its inputs now belong to this one
      item.querySelectorAll("input, select").forEach(function (el) {
        el.name = el.name === from ? list : (el.name === from + "_period" ? list + "_period" : el.name);
      });
      if (list === "column") item.querySelectorAll("[name=column_period]").forEach(function (el) { el.remove(); });
      else if (!item.querySelector("[name=" + list + "_period]")) item.appendChild(hidden(list + "_period", ""));
    } else {
      item.appendChild(hidden(list, item.getAttribute("data-path")));
      if (list !== "column") item.appendChild(hidden(list + "_period", ""));
    }
    rerender();
  }

  function init(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-field-palette]").forEach(function (el) {
      if (!el.sortable) el.sortable = new window.Sortable(el, {group: {name: "fields", pull: "clone", put: false}, sort: false, animation: 120});
    });
    root.querySelectorAll("[data-drop-list]").forEach(function (el) {
      if (el.sortable) return;
      el.sortable = new window.Sortable(el, {
        group: "fields", animation: 120, handle: ".drag", onAdd: dropped,
        onUpdate: function () {
          var f = form();
          if (f) f.dispatchEvent(new Event("change", {bubbles: true}));
        }
      });
    });
  }

  function start() { init(document); }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:load", function (e) { init(e.target.querySelectorAll ? e.target : document); });
})();
