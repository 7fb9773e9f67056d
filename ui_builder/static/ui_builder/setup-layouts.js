/* The layout designer: drag fields between the palette and the sections (SortableJS). A drag only
   moves the field's hidden input inside the designer's form (renamed for the list it lands in), so
   what is saved is what the form holds, exactly as with the keyboard buttons beside each field.
   A field that must stay on an edit layout cannot be dropped back onto the palette. */
(function () {
  "use strict";

  function listName(list) {
    var section = list.getAttribute("data-section");
    return section === "palette" ? "palette_item" : "s" + section + "_item";
  }

  function place(item, list) {
    var input = item.querySelector("input[data-item]");
    if (input) input.name = listName(list);
    var dest = item.querySelector("select[name^=dest_]");
    var section = list.getAttribute("data-section");
    if (dest && section !== "palette") dest.value = section;
  }

  function start() {
    var form = document.querySelector("[data-layout-designer]");
    if (!form || !window.Sortable) return;
    form.querySelectorAll("[data-layout-list]").forEach(function (list) {
      if (list.sortable) return;
      list.sortable = new window.Sortable(list, {
        group: "layout", animation: 120, handle: ".drag", draggable: ".field-chip", forceFallback: true,
        onMove: function (evt) {
          return !(evt.dragged.hasAttribute("data-stay") && evt.to.getAttribute("data-section") === "palette");
        },
        onAdd: function (evt) { place(evt.item, evt.to); }
      });
    });
  }

  if (document.readyState === "complete") start(); else window.addEventListener("load", start);
})();
