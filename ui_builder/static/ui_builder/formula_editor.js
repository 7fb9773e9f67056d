/* The formula editor: a reusable component (the field designer's formula fields and validation
   rules, reports' calculated columns). Markup: ui_builder/setup/options/formula.html, i.e. an element
   with data-formula-editor, data-object, data-check-url, data-catalogue-url, data-try-url, around a
   textarea[data-formula-input]. While the author types (debounced) the server checks the formula
   (the same checker that saves it) and the error's position is underlined in a mirror behind the
   textarea; fields (through lookups: "account.") and functions are suggested with their forms.
   CSP: no inline script, no eval; the mirror is positioned by the stylesheet. */
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;

  function csrfToken(el) {
    var form = el.closest("form");
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, editor, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    body.append("csrfmiddlewaretoken", csrfToken(editor));
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-CSRFToken": csrfToken(editor)}}).then(function (r) { return r.json(); });
  }

  function offsetOf(text, line, column) {
    var lines = text.split("\n"), offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    return Math.min(offset + Math.max(column - 1, 0), text.length);
  }

  function Editor(root) {
    this.root = root;
    this.input = root.querySelector("[data-formula-input]");
    this.mirror = root.querySelector("[data-formula-mirror]");
    this.status = root.querySelector("[data-formula-status]");
    this.list = root.querySelector("[data-formula-suggestions]");
    this.help = root.querySelector("[data-formula-help]");
    this.catalogues = {};
    this.suggestions = [];
    this.active = -1;
    this.timer = null;
    var self = this;
    this.input.addEventListener("input", function () { self.typed(); });
    this.input.addEventListener("keydown", function (e) { self.key(e); });
    this.input.addEventListener("scroll", function () { self.mirror.scrollTop = self.input.scrollTop; });
    this.input.addEventListener("click", function () { self.showHelp(); });
    this.input.addEventListener("blur", function () { setTimeout(function () { self.close(); }, 150); });
    this.list.addEventListener("mousedown", function (e) {
      var item = e.target.closest("[data-index]");
      if (item) { e.preventDefault(); self.take(+item.getAttribute("data-index")); }
    });
    var tryButton = root.querySelector("[data-formula-try]");
    this.root.closest("form") && this.root.closest("form").addEventListener("change", function (e) {
      if (e.target.matches(self.root.getAttribute("data-result-type-input") || "[data-none]")) self.check();
    });
    if (tryButton) tryButton.addEventListener("click", function () { self.tryIt(); });
    this.render(null);
    if (this.input.value.trim()) this.check();
  }

  Editor.prototype.resultType = function () {
    if (this.root.hasAttribute("data-result-type")) return this.root.getAttribute("data-result-type");
    var selector = this.root.getAttribute("data-result-type-input");
    var form = this.root.closest("form");
    var input = selector && form ? form.querySelector(selector) : null;
    return input ? input.value : "";
  };

  Editor.prototype.typed = function () {
    var self = this;
    this.render(null);
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.check(); }, DEBOUNCE_MS);
    this.suggest();
    this.showHelp();
  };

  Editor.prototype.check = function () {
    var self = this, text = this.input.value;
    if (!text.trim()) { this.status.textContent = ""; this.render(null); return; }
    this.status.textContent = this.root.getAttribute("data-msg-checking") || "";
    post(this.root.getAttribute("data-check-url"), this.root,
         {object: this.root.getAttribute("data-object"), formula: text, result_type: this.resultType()})
      .then(function (answer) {
        if (self.input.value !== text) return;  // typed on meanwhile: the next check answers
        self.root.classList.toggle("has-error", !answer.ok);
        self.input.setAttribute("aria-invalid", answer.ok ? "false" : "true");
        if (answer.ok) {
          self.status.textContent = (self.root.getAttribute("data-msg-ok") || "") + " " + answer.type;
          self.render(null);
        } else {
          self.status.textContent = answer.message || "";
          self.render(answer.line ? offsetOf(text, answer.line, answer.column) : null);
        }
      }).catch(function () { self.status.textContent = ""; });
  };

  /* The mirror holds the same text; the error's token (or character) is wrapped in <mark>. */
  Editor.prototype.render = function (at) {
    var text = this.input.value;
    this.mirror.textContent = "";
    if (at === null || at === undefined) { this.mirror.textContent = text + "\n"; return; }
    var end = at;
    while (end < text.length && /[A-Za-z0-9_.]/.test(text[end])) end++;
    if (end === at) end = Math.min(at + 1, text.length);
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, end) || " ";
    this.mirror.append(document.createTextNode(text.slice(0, at)), mark, document.createTextNode(text.slice(end) + "\n"));
    this.mirror.scrollTop = this.input.scrollTop;
  };

  Editor.prototype.word = function () {
    var before = this.input.value.slice(0, this.input.selectionStart);
    var match = /[A-Za-z_][A-Za-z0-9_.]*$/.exec(before);
    return match ? match[0] : "";
  };

  Editor.prototype.catalogue = function (path) {
    var self = this;
    if (!this.catalogues[path]) {
      var url = this.root.getAttribute("data-catalogue-url") + "?object=" +
        encodeURIComponent(this.root.getAttribute("data-object")) + "&path=" + encodeURIComponent(path);
      this.catalogues[path] = fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .catch(function () { delete self.catalogues[path]; return {fields: [], functions: []}; });
    }
    return this.catalogues[path];
  };

  Editor.prototype.suggest = function () {
    var self = this, word = this.word();
    if (!word) { this.close(); return; }
    var dot = word.lastIndexOf(".");
    var path = dot >= 0 ? word.slice(0, dot) : "";
    var prefix = (dot >= 0 ? word.slice(dot + 1) : word).toLowerCase();
    this.catalogue(path).then(function (cat) {
      if (self.word() !== word) return;
      var found = cat.fields.filter(function (f) {
        return f.name.indexOf(prefix) === 0 || (f.label || "").toLowerCase().indexOf(prefix) >= 0;
      }).map(function (f) { return {insert: f.name + (f.lookup ? "." : ""), text: f.label + " · " + f.name, kind: f.type}; });
      if (!path) {
        found = found.concat(cat.functions.filter(function (fn) { return fn.name.toLowerCase().indexOf(prefix) === 0; })
          .map(function (fn) { return {insert: fn.name + "(", text: fn.name, kind: fn.forms[0]}; }));
      }
      self.open(found.slice(0, 12), word.length - (dot >= 0 ? dot + 1 : 0));
    });
  };

  Editor.prototype.open = function (items, replace) {
    this.suggestions = items;
    this.replace = replace;
    this.active = items.length ? 0 : -1;
    this.list.textContent = "";
    var self = this;
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("data-index", String(i));
      li.id = self.list.id + "-" + i;
      var name = document.createElement("span");
      name.textContent = item.text;
      var kind = document.createElement("span");
      kind.className = "muted small";
      kind.textContent = " " + item.kind;
      li.append(name, kind);
      self.list.appendChild(li);
    });
    this.list.hidden = !items.length;
    this.highlight();
  };

  Editor.prototype.highlight = function () {
    var self = this;
    Array.from(this.list.children).forEach(function (li, i) {
      li.setAttribute("aria-selected", i === self.active ? "true" : "false");
    });
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", this.list.id + "-" + this.active);
    else this.input.removeAttribute("aria-activedescendant");
  };

  Editor.prototype.close = function () { this.suggestions = []; this.list.hidden = true; this.active = -1; this.highlight(); };

  Editor.prototype.key = function (e) {
    if (this.list.hidden || !this.suggestions.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      var n = this.suggestions.length;
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.highlight();
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      this.take(this.active);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.close();
    }
  };

  Editor.prototype.take = function (index) {
    var item = this.suggestions[index];
    if (!item) return;
    var caret = this.input.selectionStart, text = this.input.value;
    var start = caret - this.replace;
    this.input.value = text.slice(0, start) + item.insert + text.slice(caret);
    var at = start + item.insert.length;
    this.input.setSelectionRange(at, at);
    this.input.focus();
    this.close();
    this.typed();
    this.input.dispatchEvent(new Event("change", {bubbles: true}));
  };

  /* The forms of the function whose parentheses the caret is in. */
  Editor.prototype.showHelp = function () {
    var self = this, before = this.input.value.slice(0, this.input.selectionStart), depth = 0, name = "";
    for (var i = before.length - 1; i >= 0; i--) {
      if (before[i] === ")") depth++;
      else if (before[i] === "(") {
        if (depth === 0) { var m = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(before.slice(0, i)); name = m ? m[1].toUpperCase() : ""; break; }
        depth--;
      }
    }
    if (!name) { this.help.textContent = ""; return; }
    this.catalogue("").then(function (cat) {
      var fn = cat.functions.filter(function (f) { return f.name === name; })[0];
      self.help.textContent = "";
      if (!fn) return;
      fn.forms.forEach(function (form) {
        var code = document.createElement("code");
        code.textContent = form;
        self.help.appendChild(code);
      });
    });
  };

  Editor.prototype.tryIt = function () {
    var output = this.root.querySelector("[data-formula-result]");
    var record = this.root.querySelector("[data-formula-record]").value;
    output.textContent = "…";
    post(this.root.getAttribute("data-try-url"), this.root,
         {object: this.root.getAttribute("data-object"), formula: this.input.value, record: record,
          result_type: this.resultType()})
      .then(function (answer) { output.textContent = answer.ok ? "= " + answer.value : (answer.message || "?"); })
      .catch(function () { output.textContent = "?"; });
  };

  function attach(root) {
    root.querySelectorAll("[data-formula-editor]").forEach(function (el) {
      if (!el.formulaEditor) el.formulaEditor = new Editor(el);
    });
  }
  if (document.readyState !== "loading") attach(document);
  else document.addEventListener("DOMContentLoaded", function () { attach(document); });
  document.addEventListener("htmx:load", function (e) { attach(e.target); });
  window.TesseraFormulaEditor = {attach: attach};
})();
