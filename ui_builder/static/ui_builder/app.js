/* Tessera's page behaviour. CSP: script-src 'self' — no inline script, no eval. Alpine's CSP build
   only runs components registered here with Alpine.data; htmx runs with allowEval off. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  /* Colours from metadata (picklist values, objects) arrive as data-color; set through the CSSOM,
     which a style-src policy does not block, instead of inline style attributes. */
  function paint(root) {
    root.querySelectorAll("[data-color]").forEach(function (el) {
      var colour = el.getAttribute("data-color");
      if (/^#[0-9a-fA-F]{3,8}$/.test(colour)) el.style.setProperty("--tone", colour);
    });
  }

  /* Lookups and multi-selects: Tom Select (loaded on form pages only). */
  function pickers(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-lookup]").forEach(function (el) {
      if (el.tomselect) return;
      var url = el.getAttribute("data-lookup");
      /* A lookup filter comparing with fields of this record: send the form's values of them, and
         forget what was loaded when one of them changes. */
      var compared = (el.getAttribute("data-lookup-with") || "").split(" ").filter(Boolean);
      function values() {
        return compared.map(function (name) {
          var input = el.form && el.form.elements[name];
          return input ? "&v." + name + "=" + encodeURIComponent(input.value || "") : "";
        }).join("");
      }
      var picker = new window.TomSelect(el, {
        valueField: "value", labelField: "text", searchField: ["text"], maxOptions: 20, preload: "focus",
        load: function (query, callback) {
          fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query) + values(),
                {credentials: "same-origin"})
            .then(function (r) { return r.json(); }).then(function (d) { callback(d.results || []); })
            .catch(function () { callback(); });
        }
      });
      if (compared.length && el.form) {
        el.form.addEventListener("change", function (e) {
          if (compared.indexOf(e.target.name) < 0) return;
          picker.clearOptions(); picker.loadedSearches = {}; picker.wrapper.classList.remove("preloaded");
        });
      }
    });
    root.querySelectorAll("select[data-tom]").forEach(function (el) {
      if (!el.tomselect) new window.TomSelect(el, {plugins: ["remove_button"]});
    });
  }

  /* Lists whose items can be reordered by dragging (the column chooser). */
  function sortables(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-sortable]").forEach(function (el) {
      if (!el.sortable) el.sortable = new window.Sortable(el, {animation: 120, handle: ".drag"});
    });
  }

  function enhance(root) { paint(root); pickers(root); sortables(root); }

  onReady(function () { enhance(document); });
  document.addEventListener("htmx:load", function (e) { enhance(e.target); });
  window.addEventListener("load", function () { pickers(document); sortables(document); });

  /* File and image fields: the file goes to the upload API as soon as it is chosen, with a progress
     bar; the form then posts the upload's token (the record takes the file when it is saved). */
  function firstError(body) {
    var errors = (body && body.errors) || {};
    for (var key in errors) { if (errors[key] && errors[key][0]) return errors[key][0].message; }
    var general = (body && body.non_field_errors) || [];
    return general[0] ? general[0].message : "";
  }
  function upload(input) {
    var file = input.files && input.files[0];
    var box = input.closest(".upload");
    if (!file || !box) return;
    var bar = box.querySelector("progress"), status = box.querySelector(".upload-status");
    var token = box.querySelector("[data-upload-token]"), form = input.form;
    var csrf = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    var buttons = form ? form.querySelectorAll("button[type=submit]") : [];
    var data = new FormData();
    data.append("file", file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", input.getAttribute("data-upload-url"));
    if (csrf) xhr.setRequestHeader("X-CSRFToken", csrf.value);
    xhr.setRequestHeader("Accept", "application/json");
    token.value = ""; bar.hidden = false; bar.value = 0;
    box.classList.remove("has-error"); status.textContent = box.getAttribute("data-uploading");
    buttons.forEach(function (b) { b.disabled = true; });
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
    });
    function finish(ok, message) {
      buttons.forEach(function (b) { b.disabled = false; });
      box.classList.toggle("has-error", !ok);
      input.setAttribute("aria-invalid", ok ? "false" : "true");
      status.textContent = message;
    }
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 201 && body.token) {
        token.value = body.token; bar.value = 100;
        finish(true, box.getAttribute("data-uploaded").replace("{name}", body.name || file.name));
      } else {
        bar.hidden = true;
        finish(false, firstError(body) || box.getAttribute("data-failed"));
      }
    });
    xhr.addEventListener("error", function () { bar.hidden = true; finish(false, box.getAttribute("data-failed")); });
    xhr.send(data);
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[type=file][data-upload-url]")) upload(e.target);
  });

  /* "New …" next to a lookup: the target object's form in a dialog (htmx loads it into
     #lookup-dialog-body); when it saves, the lookup takes the new record and the dialog closes. */
  function takeCreated(done) {
    var select = document.getElementById("id_" + done.getAttribute("data-created-for"));
    var value = done.getAttribute("data-created-id"), text = done.getAttribute("data-created-name");
    if (!select) return;
    if (select.tomselect) {
      select.tomselect.addOption({value: value, text: text});
      select.tomselect.setValue(value);
    } else {
      select.add(new Option(text, value, true, true));
    }
    select.dispatchEvent(new Event("change", {bubbles: true}));
  }
  document.addEventListener("htmx:afterSwap", function (e) {
    var body = document.getElementById("lookup-dialog-body");
    if (!body || e.detail.target !== body) return;
    var dialog = body.closest("dialog");
    var done = body.querySelector("[data-created-id]");
    if (done) {
      takeCreated(done);
      dialog.close();
      body.textContent = "";
      return;
    }
    if (!dialog.open) dialog.showModal();
    var first = body.querySelector(".has-error input, .has-error select, input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
  document.addEventListener("click", function (e) {
    var closer = e.target.closest && e.target.closest("[data-dialog-close]");
    var dialog = closer && closer.closest("dialog");
    if (dialog) { dialog.close(); dialog.querySelector("#lookup-dialog-body").textContent = ""; }
  });

  /* Keyboard: "/" focuses search, Ctrl/Cmd+S saves the form on the page. */
  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
    if (e.key === "/" && !typing) {
      var box = document.querySelector("[data-search-box]");
      if (box) { e.preventDefault(); box.focus(); }
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      var form = document.querySelector("form[data-save-shortcut]");
      if (form) { e.preventDefault(); form.requestSubmit(); }
    }
  });

  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;
    Alpine.data("shell", function () {
      return {
        navOpen: false,
        get navClass() { return this.navOpen ? "nav-open" : ""; },
        toggleNav: function () { this.navOpen = !this.navOpen; }
      };
    });
    Alpine.data("menu", function () {
      return {
        open: false,
        get expanded() { return this.open ? "true" : "false"; },
        toggle: function () { this.open = !this.open; },
        show: function () { this.open = true; },
        close: function () { this.open = false; }
      };
    });
    /* The bulk bar of a list: how many rows are selected, which inputs the action needs. */
    Alpine.data("bulk", function () {
      return {
        action: "", selected: 0, allMatching: false,
        init: function () {
          var self = this;
          document.addEventListener("change", function (e) {
            if (e.target.matches("[data-select-all]")) {
              document.querySelectorAll("input[name=ids][form=bulk-form]").forEach(function (box) { box.checked = e.target.checked; });
            }
            if (e.target.getAttribute("form") === "bulk-form") self.count();
          });
        },
        count: function () { this.selected = document.querySelectorAll("input[name=ids][form=bulk-form]:checked").length; },
        get isOwner() { return this.action === "owner"; },
        get isField() { return this.action === "field"; },
        get disabled() { return (!this.selected && !this.allMatching) || !this.action; }
      };
    });
    /* Warn before leaving a form with unsaved changes. */
    Alpine.data("dirtyForm", function () {
      return {
        dirty: false,
        init: function () {
          var self = this;
          window.addEventListener("beforeunload", function (e) {
            if (self.dirty) { e.preventDefault(); e.returnValue = ""; }
          });
          if (this.$el.querySelector("[aria-invalid=true]")) this.dirty = true;
        },
        markDirty: function () { this.dirty = true; },
        submitting: function () { this.dirty = false; }
      };
    });
  });
})();
