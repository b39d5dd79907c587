/* costopt report: charts and the recommendations table.
   Data comes from the JSON block #costopt-data; every value is placed with textContent or
   DOM attributes, never parsed as markup. When charts and the table are ready the page
   sets data-ready="true" on <html> (used by tests and the load benchmark). */
(function () {
  "use strict";
  var doc = document;
  var SORT_TEXT = { name: 9, action: 10, family: 1, provider: 3, account: 4, team: 6, slo: 18, confidence: 16, impact: 28 };
  var SORT_NUM = { savings: 11, risk: 17 };
  var CONF_RANK = { low: 0, medium: 1, high: 2 };
  var RISK = ["none", "low", "medium", "high", "very high"];
  var NCOLS = 11;
  var PAGE = 250;
  var PRINT_ALL = 2000;

  function el(tag, attrs, text) {
    var node = doc.createElement(tag);
    if (attrs) { for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function readPayload() {
    var block = doc.getElementById("costopt-data");
    var envelope = JSON.parse(block.textContent);
    if (envelope.encoding === "json") return Promise.resolve(envelope.payload);
    var bin = atob(envelope.payload);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(function (text) { return JSON.parse(text); });
  }

  /* plotly.js is shipped as inert text and started as an async script only after the table
     works: parsing ~4 MB of JavaScript then no longer holds the page hostage, and the
     browser can compile it off the main thread. With --plotlyjs cdn it is a normal async
     script tag. */
  function loadPlotly() {
    if (window.Plotly) return Promise.resolve();
    var inline = doc.getElementById("plotly-js");
    var cdn = doc.getElementById("plotly-cdn");
    return new Promise(function (resolve) {
      if (inline) {
        var url = URL.createObjectURL(new Blob([inline.textContent], { type: "text/javascript" }));
        var script = doc.createElement("script");
        script.async = true;
        script.onload = script.onerror = function () { URL.revokeObjectURL(url); resolve(); };
        script.src = url;
        doc.head.appendChild(script);
      } else if (cdn) {
        if (cdn.getAttribute("data-loaded")) { resolve(); return; }
        cdn.addEventListener("load", resolve);
        cdn.addEventListener("error", resolve);
      } else {
        resolve();
      }
    });
  }

  function drawCharts(charts) {
    var jobs = [];
    Object.keys(charts || {}).forEach(function (id) {
      var target = doc.getElementById(id);
      if (!target) return;
      if (!window.Plotly) {
        target.appendChild(el("p", { "class": "chart-error" }, "Chart unavailable: plotly.js did not load (re-render with --plotlyjs inline to view offline)."));
        return;
      }
      var fig = charts[id];
      jobs.push(window.Plotly.newPlot(target, fig.data, fig.layout, {
        responsive: true, displaylogo: false, displayModeBar: false
      }).then(function () {
        target.on("plotly_autosize", function () { legendBelowAxis(target, 3); });
        return legendBelowAxis(target, 3);
      }));
    });
    return Promise.all(jobs);
  }

  // A horizontal legend sits just under what the x axis draws (tick labels, which rotate on a
  // narrow screen, and the axis title), measured once drawn, so it never covers them. Moving it
  // changes the bottom margin and so the plot's height: a few passes settle it.
  function legendBelowAxis(target, passes) {
    var drag = target.querySelector(".nsewdrag");
    if (!passes || !drag || !target.querySelector("g.legend") || !target.layout.legend) return null;
    var plot = drag.getBoundingClientRect();
    if (!plot.height) return null;
    var bottom = plot.bottom;
    target.querySelectorAll("g.xtick text, text.xtitle").forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.height) bottom = Math.max(bottom, r.bottom);
    });
    var y = -(bottom - plot.bottom + 8) / plot.height;
    if (Math.abs((target.layout.legend.y || 0) - y) < 0.005) return null;
    return window.Plotly.relayout(target, { "legend.y": y }).then(function () {
      return legendBelowAxis(target, passes - 1);
    });
  }

  var formatters = {};
  function money(value, currency) {
    if (value === null || value === undefined) return "n/a";
    var fmt = formatters[currency];
    if (fmt === undefined) {
      try {
        fmt = new Intl.NumberFormat("en-US", { style: "currency", currency: currency, maximumFractionDigits: 0 });
      } catch (e) {
        fmt = null;
      }
      formatters[currency] = fmt;
    }
    return fmt ? fmt.format(value) : Math.round(value).toLocaleString("en-US") + " " + currency;
  }

  function badge(text, cls) { return el("span", { "class": "badge " + cls }, text); }

  function dl(pairs) {
    var list = el("dl");
    (pairs || []).forEach(function (p) { list.appendChild(el("dt", null, p[0])); list.appendChild(el("dd", null, p[1])); });
    return list;
  }

  function block(parent, title, content, wide) {
    var box = el("div", wide ? { "class": "detail-wide" } : null);
    box.appendChild(el("h4", null, title));
    box.appendChild(content);
    parent.appendChild(box);
  }

  function buildDetail(r, C, auditCurrency) {
    var currency = r[C.currency] || auditCurrency;
    var grid = el("div", { "class": "detail-grid" });
    var change = dl([
      ["Action", r[C.action]],
      ["Change", r[C.change] || "n/a"],
      ["Cost before", money(r[C.before], currency) + "/month"],
      ["Cost after", money(r[C.after], currency) + "/month"],
      ["Savings", money(r[C.savings], currency) + "/month (range " + money(r[C.low], currency) + "–" + money(r[C.high], currency) + ")"],
      ["Confidence · effort", r[C.confidence] + " · " + r[C.effort]],
      ["Rule", r[C.rule]],
      ["Where", [r[C.provider], r[C.account], r[C.region]].filter(Boolean).join(" / ")]
    ]);
    block(grid, "What changes", change);
    var impact = r[C.impacts] && r[C.impacts].length ? dl(r[C.impacts]) : el("p", { "class": "muted" }, "No predicted impact on latency or accuracy.");
    var slo = el("p");
    slo.appendChild(badge("SLO " + r[C.slo], "badge-" + (r[C.slo] === "ok" ? "ok" : r[C.slo] === "breach" ? "breach" : "")));
    if (r[C.slo_reasons] && r[C.slo_reasons].length) slo.appendChild(doc.createTextNode(" " + r[C.slo_reasons].join("; ")));
    var impBox = el("div");
    impBox.appendChild(impact);
    impBox.appendChild(slo);
    block(grid, "Predicted impact", impBox);
    block(grid, "Evidence", r[C.evidence] && r[C.evidence].length ? dl(r[C.evidence]) : el("p", { "class": "muted" }, "No evidence recorded."));
    block(grid, "Why", el("p", null, r[C.rationale] || "n/a"));
    block(grid, "How to apply", el("pre", { "class": "apply" }, r[C.apply] || "See the rationale."), true);
    return grid;
  }

  function makeRow(s, C, currency) {
    var r = s.row, i = s.index;
    var tr = el("tr", { "data-id": r[C.id] });
    var th = el("th", { scope: "row" });
    var btn = el("button", { type: "button", "class": "disclosure", "aria-expanded": "false", "aria-controls": "rec-detail-" + i });
    btn.appendChild(el("span", { "class": "chev", "aria-hidden": "true" }, "▸"));
    btn.appendChild(el("span", { "class": "rname" }, r[C.name]));
    th.appendChild(btn);
    if (r[C.name] !== r[C.resource_id]) th.appendChild(el("span", { "class": "rid" }, r[C.resource_id]));
    tr.appendChild(th);
    tr.appendChild(el("td", null, r[C.action]));
    tr.appendChild(el("td", { "class": "opt" }, r[C.family]));
    tr.appendChild(el("td", { "class": "opt" }, r[C.provider]));
    tr.appendChild(el("td", { "class": "opt2 mono small acct" }, r[C.account]));
    tr.appendChild(el("td", { "class": "opt2" }, r[C.team]));
    var investigate = !(r[C.savings] > 0);
    var rowCurrency = r[C.currency] || currency;
    tr.appendChild(el("td", { "class": "num" }, investigate
      ? (r[C.high] > 0 ? "up to " + money(r[C.high], rowCurrency) + " (investigate)" : "investigate")
      : money(r[C.savings], rowCurrency)));
    var risk = el("td", { "class": "opt" });
    risk.appendChild(badge(RISK[r[C.risk]] || String(r[C.risk]), "risk-" + r[C.risk]));
    tr.appendChild(risk);
    var slo = el("td");
    slo.appendChild(badge(r[C.slo], "badge-" + (r[C.slo] === "ok" ? "ok" : r[C.slo] === "breach" ? "breach" : "")));
    tr.appendChild(slo);
    tr.appendChild(el("td", { "class": "impact-col small" }, r[C.impact] || "–"));
    tr.appendChild(el("td", { "class": "opt2 opt3" }, r[C.confidence]));
    btn.addEventListener("click", function () {
      var open = btn.getAttribute("aria-expanded") === "true";
      if (!s.detail) {
        s.detail = el("tr", { "class": "detail", id: "rec-detail-" + i });
        var td = el("td", { colspan: String(NCOLS) });
        td.appendChild(buildDetail(r, C, currency));
        s.detail.appendChild(td);
        tr.parentNode.insertBefore(s.detail, tr.nextSibling);
      }
      btn.setAttribute("aria-expanded", open ? "false" : "true");
      s.detail.hidden = open;
    });
    s.tr = tr;
    s.btn = btn;
    return tr;
  }

  /* The table shows the first PAGE matching rows (rows are built on first display), with
     "show more": sorting and filtering work on all rows in memory, and the DOM stays small
     enough to lay out quickly even for 10,000 recommendations. */
  function initTable(data) {
    var body = doc.getElementById("rec-body");
    if (!body) return;
    var C = {};
    data.cols.forEach(function (name, i) { C[name] = i; });
    var currency = data.currency;
    var states = data.rows.map(function (r, i) {
      var hay = [r[C.name], r[C.resource_id], r[C.action], r[C.rule], r[C.region], r[C.rationale], r[C.team], r[C.workload]].join("\u0001").toLowerCase();
      return { row: r, tr: null, btn: null, detail: null, index: i, hay: hay };
    });
    var order = states.slice();
    var matched = order;
    var limit = PAGE;
    var count = doc.getElementById("rec-count");
    var more = doc.getElementById("rec-more");
    var moreBtn = doc.getElementById("rec-more-btn");
    var allBtn = doc.getElementById("rec-all-btn");

    function place() {
      var f = doc.createDocumentFragment();
      var n = Math.min(limit, matched.length);
      for (var k = 0; k < n; k++) {
        var s = matched[k];
        f.appendChild(s.tr || makeRow(s, C, currency));
        if (s.detail) f.appendChild(s.detail);
      }
      body.textContent = "";
      body.appendChild(f);
      var total = states.length.toLocaleString("en-US");
      var shown = n.toLocaleString("en-US");
      var found = matched.length.toLocaleString("en-US");
      if (matched.length === states.length) {
        count.textContent = n === states.length ? total + " recommendations" : "Showing " + shown + " of " + total + " recommendations";
      } else {
        count.textContent = found + " of " + total + " recommendations match" + (n < matched.length ? "; showing the first " + shown : "");
      }
      if (more) more.hidden = n >= matched.length;
    }

    function sortBy(key, dir) {
      var sign = dir === "ascending" ? 1 : -1;
      var col = SORT_NUM[key] !== undefined ? SORT_NUM[key] : SORT_TEXT[key];
      var numeric = SORT_NUM[key] !== undefined || key === "confidence";
      var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
      order.sort(function (a, b) {
        var x = a.row[col], y = b.row[col], cmp;
        if (key === "confidence") { x = CONF_RANK[x] !== undefined ? CONF_RANK[x] : -1; y = CONF_RANK[y] !== undefined ? CONF_RANK[y] : -1; }
        if (numeric) cmp = (x || 0) - (y || 0);
        else cmp = collator.compare(String(x || ""), String(y || ""));
        return cmp !== 0 ? sign * cmp : a.index - b.index;
      });
      applyFilters();
    }
    var headers = Array.prototype.slice.call(doc.querySelectorAll("#rec-table thead th[data-sort]"));
    headers.forEach(function (th) {
      th.querySelector("button").addEventListener("click", function () {
        var key = th.getAttribute("data-sort");
        var current = th.getAttribute("aria-sort");
        var dir = current === "descending" ? "ascending" : (current === "ascending" ? "descending" : (SORT_NUM[key] !== undefined ? "descending" : "ascending"));
        headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", dir);
        sortBy(key, dir);
      });
    });

    var selects = Array.prototype.slice.call(doc.querySelectorAll("#rec-filters select[data-filter]"));
    var search = doc.getElementById("f-search");
    var FILTER_COL = { family: C.family, provider: C.provider, account: C.account, team: C.team, risk: C.risk, slo: C.slo };
    function applyFilters() {
      var active = selects.filter(function (s) { return s.value !== ""; }).map(function (s) {
        return [FILTER_COL[s.getAttribute("data-filter")], s.value];
      });
      var q = (search && search.value || "").trim().toLowerCase();
      matched = order.filter(function (s) {
        for (var i = 0; i < active.length; i++) if (String(s.row[active[i][0]]) !== active[i][1]) return false;
        return !q || s.hay.indexOf(q) !== -1;
      });
      limit = PAGE;
      place();
    }
    selects.forEach(function (s) { s.addEventListener("change", applyFilters); });
    if (search) search.addEventListener("input", applyFilters);
    var form = doc.getElementById("rec-filters");
    if (form) form.addEventListener("reset", function () { setTimeout(applyFilters, 0); });
    if (moreBtn) moreBtn.addEventListener("click", function () { limit += PAGE; place(); });
    if (allBtn) allBtn.addEventListener("click", function () { limit = Infinity; place(); });
    window.addEventListener("beforeprint", function () { if (limit < matched.length && matched.length <= PRINT_ALL) { limit = Infinity; place(); } });
    place();
  }

  function start() {
    /* The table first (it is paged, so its DOM stays small), then plotly.js and the charts. */
    var mark = function (name) { if (window.performance && performance.mark) performance.mark(name); };
    mark("costopt:start");
    readPayload().then(function (data) {
      mark("costopt:data");
      initTable(data);
      mark("costopt:table");
      doc.documentElement.setAttribute("data-interactive-ms", String(Math.round(window.performance ? performance.now() : 0)));
      doc.documentElement.setAttribute("data-interactive", "true");
      return loadPlotly().then(function () { return drawCharts(data.charts); }).then(function () { mark("costopt:charts"); });
    }).then(function () {
      doc.documentElement.setAttribute("data-ready-ms", String(Math.round(window.performance ? performance.now() : 0)));
      doc.documentElement.setAttribute("data-ready", "true");
    }).catch(function (err) {
      doc.documentElement.setAttribute("data-ready", "error");
      if (window.console) console.error("costopt report:", err);
    });
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start); else start();
})();
