/* Charts: Apache ECharts drawn from JSON the server wrote into the page (CSP: no inline script, no
   style attribute — the data sits in <script type="application/json">, which never runs, and every
   style is set through the CSSOM).

   <div class="chart" data-chart="chart-7"></div>
   <script type="application/json" id="chart-7">{"kind": "column", "categories": [...],
     "series": [{"name": "…", "values": [...], "urls": [...]}], "format": {"style": "currency",
     "currency": "CNY"}, "locale": "zh-Hans", "title": "…"}</script>

   kind: bar | column | line | pie | donut | funnel | gauge | table; "stacked": true stacks bars,
   columns and lines. Labels arrive translated; numbers are formatted here in the page's language
   and the tenant's currency. A click on a segment (or a table cell) opens its drill-down URL. */
(function () {
  "use strict";

  var PALETTE = ["#2f6fde", "#1f9d8f", "#e49a2b", "#8a5cd6", "#d3455b", "#4c9be8", "#6aa84f", "#b8860b",
                 "#7f8c9a", "#c2185b"];

  function formatter(spec, compact) {
    var format = spec.format || {};
    var options = {maximumFractionDigits: format.digits === undefined ? 2 : format.digits};
    if (format.style === "currency" && format.currency) {
      options.style = "currency";
      options.currency = format.currency;
      options.currencyDisplay = "narrowSymbol";
    } else if (format.style === "percent") {
      return function (v) { return v === null || v === undefined ? "" : new Intl.NumberFormat(spec.locale, {maximumFractionDigits: 1}).format(v) + "%"; };
    }
    if (compact) {
      options.notation = "compact";
      options.maximumFractionDigits = 1;
    }
    var intl = new Intl.NumberFormat(spec.locale || document.documentElement.lang || undefined, options);
    return function (v) { return v === null || v === undefined ? "" : intl.format(v); };
  }

  /* Tooltips are built as DOM nodes (ECharts' own markup carries style attributes, which the
     policy blocks, and text set as textContent is never read as HTML). */
  function tooltip(spec) {
    var format = formatter(spec, false);
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var box = document.createElement("div");
      box.className = "chart-tip";
      if (list.length && list[0].name) {
        var head = document.createElement("strong");
        head.textContent = list[0].name;
        box.appendChild(head);
      }
      list.forEach(function (p) {
        var line = document.createElement("div");
        var value = p.value && typeof p.value === "object" && !Array.isArray(p.value) ? p.value.value : p.value;
        line.textContent = (list.length > 1 || spec.series.length > 1 ? p.seriesName + ": " : "") + format(value);
        box.appendChild(line);
      });
      return box;
    };
  }

  function axisOptions(spec, horizontal) {
    var compact = formatter(spec, true);
    var category = {type: "category", data: spec.categories, axisLabel: {hideOverlap: true}};
    var value = {type: "value", axisLabel: {formatter: compact}};
    return horizontal ? {xAxis: value, yAxis: category} : {xAxis: category, yAxis: value};
  }

  function cartesian(spec) {
    var horizontal = spec.kind === "bar";
    var type = spec.kind === "line" ? "line" : "bar";
    var options = axisOptions(spec, horizontal);
    options.series = spec.series.map(function (s) {
      var series = {type: type, name: s.name, data: s.values, emphasis: {focus: "series"}};
      if (spec.stacked) {
        series.stack = "total";
        if (type === "line") series.areaStyle = {};
      }
      return series;
    });
    options.tooltip = {trigger: "axis", axisPointer: {type: type === "line" ? "line" : "shadow"}, formatter: tooltip(spec)};
    options.grid = {left: 8, right: 16, top: spec.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true};
    if (spec.series.length > 1) options.legend = {type: "scroll", top: 0};
    return options;
  }

  function sliced(spec) {
    var first = spec.series[0] || {values: []};
    var data = spec.categories.map(function (name, i) { return {name: name, value: first.values[i]}; });
    var series = {name: first.name, data: data};
    if (spec.kind === "funnel") {
      series.type = "funnel";
      series.sort = "descending";
      series.left = "10%";
      series.width = "80%";
      series.label = {show: true, position: "inside"};
    } else {
      series.type = "pie";
      series.radius = spec.kind === "donut" ? ["45%", "70%"] : "70%";
      series.center = ["50%", "55%"];
      series.label = {formatter: "{b}: {d}%"};
      series.avoidLabelOverlap = true;
    }
    return {series: [series], tooltip: {trigger: "item", formatter: tooltip(spec)},
            legend: {type: "scroll", bottom: 0}};
  }

  function gauge(spec) {
    var first = spec.series[0] || {values: [0], name: ""};
    var format = formatter(spec, true);
    var max = (spec.gauge && spec.gauge.max) || Math.max(1, (first.values[0] || 0) * 1.25);
    return {series: [{type: "gauge", min: 0, max: max, progress: {show: true, width: 14},
                      axisLine: {lineStyle: {width: 14}}, axisLabel: {formatter: format, distance: 18},
                      detail: {valueAnimation: true, formatter: format, fontSize: 20, offsetCenter: [0, "70%"]},
                      data: [{value: first.values[0] || 0, name: first.name}]}]};
  }

  function optionsFor(spec) {
    var options;
    if (spec.kind === "pie" || spec.kind === "donut" || spec.kind === "funnel") options = sliced(spec);
    else if (spec.kind === "gauge") options = gauge(spec);
    else options = cartesian(spec);
    options.color = PALETTE;
    options.animationDuration = 300;
    options.aria = {enabled: true, label: {description: spec.title || ""}};
    options.textStyle = {fontFamily: "inherit"};
    return options;
  }

  /* The URL behind a segment: only paths of this site (a link is data, never a script). */
  function urlFor(spec, seriesIndex, dataIndex) {
    var series = spec.series[seriesIndex || 0];
    var url = series && series.urls ? series.urls[dataIndex] : null;
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
  }

  function table(el, spec) {
    var format = formatter(spec, false);
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    var t = document.createElement("table");
    t.className = "grid chart-table";
    if (spec.title) {
      var caption = document.createElement("caption");
      caption.className = "sr-only";
      caption.textContent = spec.title;
      t.appendChild(caption);
    }
    var head = t.createTHead().insertRow();
    var corner = document.createElement("th");
    corner.textContent = spec.category_label || "";
    head.appendChild(corner);
    spec.series.forEach(function (s) {
      var th = document.createElement("th");
      th.className = "number";
      th.textContent = s.name;
      head.appendChild(th);
    });
    var body = t.createTBody();
    spec.categories.forEach(function (name, i) {
      var row = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      row.appendChild(th);
      spec.series.forEach(function (s, j) {
        var cell = row.insertCell();
        cell.className = "number";
        var url = urlFor(spec, j, i);
        var text = format(s.values[i]);
        if (url) {
          var a = document.createElement("a");
          a.href = url;
          a.textContent = text;
          cell.appendChild(a);
        } else {
          cell.textContent = text;
        }
      });
    });
    wrap.appendChild(t);
    el.appendChild(wrap);
  }

  function specOf(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return null;
    try { return JSON.parse(source.textContent); } catch (e) { return null; }
  }

  function empty(el, spec) {
    var p = document.createElement("p");
    p.className = "muted chart-empty";
    p.textContent = spec.empty || "—";
    el.appendChild(p);
  }

  function draw(el) {
    if (el.getAttribute("data-drawn")) return;
    var spec = specOf(el);
    if (!spec) return;
    el.setAttribute("data-drawn", "1");
    spec.series = spec.series || [];
    spec.categories = spec.categories || [];
    var hasValues = spec.series.some(function (s) { return (s.values || []).length; });
    if (!hasValues) { empty(el, spec); return; }
    if (spec.kind === "table") { table(el, spec); return; }
    if (!window.echarts) return;
    el.setAttribute("role", "img");
    if (spec.title) el.setAttribute("aria-label", spec.title);
    var chart = window.echarts.init(el, null, {renderer: "canvas", locale: /^zh/i.test(spec.locale || "") ? "ZH" : "EN"});
    chart.setOption(optionsFor(spec));
    chart.on("click", function (p) {
      var url = urlFor(spec, p.seriesIndex, p.dataIndex);
      if (url) window.location.assign(url);
    });
    chart.getZr().on("mousemove", function (e) {
      chart.getZr().setCursorStyle(e.target ? "pointer" : "default");
    });
    if (window.ResizeObserver) new window.ResizeObserver(function () { chart.resize(); }).observe(el);
  }

  function drawAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-chart]").forEach(draw);
    if (root.matches && root.matches("[data-chart]")) draw(root);
  }

  window.TesseraCharts = {draw: drawAll};
  if (document.readyState !== "loading") drawAll(document);
  else document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:load", function (e) { drawAll(e.target); });
})();
