/* Departments and roles: drag a node into another's list to place it under that one. The drop
   only fills and submits the page's move form (the same as choosing the new place in the table),
   so the server decides (no cycles) and the page shows the tree as saved. */
(function () {
  "use strict";

  function start() {
    var root = document.querySelector("[data-org-tree]");
    var form = document.getElementById("tree-move");
    if (!root || !form || !window.Sortable) return;
    root.querySelectorAll("[data-tree-children]").forEach(function (list) {
      new window.Sortable(list, {
        group: "tree", animation: 120, handle: ".drag", forceFallback: true, fallbackOnBody: true, swapThreshold: 0.6,
        onAdd: function (evt) {
          form.querySelector("[name=node]").value = evt.item.getAttribute("data-node");
          form.querySelector("[name=parent]").value = evt.to.getAttribute("data-parent") || "";
          form.submit();
        }
      });
    });
  }

  if (document.readyState === "complete") start(); else window.addEventListener("load", start);
})();
