/* Kanban: drag a card to another column to set the board's field; a refused move goes back and
   the server's reason is shown. SortableJS does the dragging. */
(function () {
  "use strict";
  function csrf(board) { return board.querySelector("input[name=csrfmiddlewaretoken]").value; }
  function count(column, delta) {
    var el = column.closest(".board-column").querySelector("[data-count]");
    if (el) el.textContent = String(parseInt(el.textContent || "0", 10) + delta);
  }
  function refreshTotals() {
    /* Sums and weighted totals are the server's (one grouped query): read them again after a move. */
    fetch(window.location.href, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-totals]").forEach(function (el) {
          var found = fresh.querySelector('[data-totals="' + el.getAttribute("data-totals") + '"]');
          if (found) el.innerHTML = found.innerHTML;
        });
      });
  }
  function init() {
    var board = document.querySelector("[data-board]");
    if (!board || !window.Sortable || board.getAttribute("data-editable") !== "1") return;
    var message = document.querySelector("[data-board-message]");
    board.querySelectorAll("ol.cards").forEach(function (list) {
      new window.Sortable(list, {
        group: "board", animation: 120, ghostClass: "card-ghost", forceFallback: true,
        onAdd: function (evt) {
          var card = evt.item, from = evt.from, to = evt.to;
          var url = board.getAttribute("data-move-url").replace("/0/", "/" + card.getAttribute("data-id") + "/");
          var body = new URLSearchParams({field: board.getAttribute("data-field"), value: to.getAttribute("data-value")});
          message.hidden = true;
          count(to, 1); count(from, -1);
          fetch(url, {method: "POST", body: body, credentials: "same-origin",
                      headers: {"X-CSRFToken": csrf(board), "Content-Type": "application/x-www-form-urlencoded"}})
            .then(function (r) { return r.json(); })
            .then(function (answer) {
              if (answer.ok) { refreshTotals(); return; }
              from.insertBefore(card, from.children[evt.oldIndex] || null);
              count(to, -1); count(from, 1);
              message.textContent = answer.message; message.hidden = false;
            });
        }
      });
    });
  }
  if (document.readyState !== "loading") init(); else document.addEventListener("DOMContentLoaded", init);
})();
