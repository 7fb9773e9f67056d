/* The setup pages' behaviour (CSP: script-src 'self'). Behaviour is attached by data attributes
   (Stimulus-style controllers, re-attached after every htmx swap); Alpine components are registered
   here with Alpine.data before Alpine starts (this file is loaded first, deferred). */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  function changed(el) { el.dispatchEvent(new Event("change", {bubbles: true})); }
  var uid = 0;

  /* "Advanced": API names and keys are shown only when asked for. */
  document.addEventListener("change", function (e) {
    if (!e.target.matches("[data-advanced-toggle]")) return;
    var scope = e.target.closest("[data-advanced-scope]") || document.body;
    scope.classList.toggle("show-advanced", e.target.checked);
  });

  /* Picklist values: add, remove, move up/down (the keyboard's way), drag to reorder. */
  function valuesEditor(root) {
    root.querySelectorAll("[data-values-editor]").forEach(function (editor) {
      if (editor.dataset.ready) return;
      editor.dataset.ready = "1";
      var rows = editor.querySelector("[data-values-rows]");
      var template = editor.querySelector("[data-value-template]");
      rows.querySelectorAll("[data-value-row]").forEach(function (row) { ensureUid(row); });
      if (window.Sortable) {
        new window.Sortable(rows, {animation: 120, handle: ".drag", onEnd: function () { changed(rows); }});
      }
      editor.addEventListener("click", function (e) {
        var button = e.target.closest("button");
        if (!button) return;
        var row = button.closest("[data-value-row]");
        if (button.hasAttribute("data-value-add")) {
          var fresh = template.content.firstElementChild.cloneNode(true);
          ensureUid(fresh);
          rows.appendChild(fresh);
          var first = fresh.querySelector("input[type=text]");
          if (first) first.focus();
        } else if (row && button.hasAttribute("data-value-remove")) {
          var next = row.nextElementSibling || row.previousElementSibling;
          row.remove();
          if (next) next.querySelector("button[data-value-remove]").focus();
          changed(rows);
        } else if (row && button.hasAttribute("data-value-up") && row.previousElementSibling) {
          rows.insertBefore(row, row.previousElementSibling);
          button.focus();
          changed(rows);
        } else if (row && button.hasAttribute("data-value-down") && row.nextElementSibling) {
          rows.insertBefore(row.nextElementSibling, row);
          button.focus();
          changed(rows);
        }
      });
    });
  }
  function ensureUid(row) {
    var hidden = row.querySelector("[data-value-uid]");
    if (!hidden.value) hidden.value = "n" + (++uid) + "-" + Date.now();
    row.querySelector("[data-value-active]").value = hidden.value;
  }

  /* Cascade matrix: a row's or a column's heading ticks (or clears) all of it. */
  document.addEventListener("click", function (e) {
    var rowButton = e.target.closest("[data-matrix-row]");
    var columnButton = e.target.closest("[data-matrix-column]");
    var boxes = [];
    if (rowButton) boxes = Array.from(rowButton.closest("tr").querySelectorAll("input[type=checkbox]"));
    if (columnButton) {
      var table = columnButton.closest("table");
      boxes = Array.from(table.querySelectorAll("input[data-column]")).filter(function (b) {
        return b.getAttribute("data-column") === columnButton.getAttribute("data-matrix-column");
      });
    }
    if (!boxes.length) return;
    var tick = boxes.some(function (b) { return !b.checked; });
    boxes.forEach(function (b) { b.checked = tick; });
    changed(boxes[0]);
  });

  function enhance(root) { valuesEditor(root); }
  onReady(function () { enhance(document); });
  document.addEventListener("htmx:load", function (e) { enhance(e.target); });
  window.addEventListener("load", function () { enhance(document); });

  document.addEventListener("alpine:init", function () {
    /* A new object's name field: typed text, or an auto-number with its format. */
    window.Alpine.data("nameField", function () {
      return {
        numbered: false,
        init: function () {
          var checked = this.$el.querySelector("input[name=name_type]:checked");
          this.numbered = !!checked && checked.value === "auto_number";
        },
        pick: function (e) { this.numbered = e.target.value === "auto_number"; }
      };
    });
  });
})();
