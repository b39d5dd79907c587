/* costopt report: charts and the recommendations table.
   Data comes from the JSON block #costopt-data; every value is placed with textContent or
   DOM attributes, never parsed as markup. When charts and the table are ready the page
   sets data-ready="true" on <html> (used by tests and the load benchmark). */
(function () {
  "use strict";
  var doc = document;
  var SORT_TEXT = { name: 9, action: 10, family: 1, provider: 3, account: 4, team: 6, slo: 18, confidence: 16 };
  var SORT_NUM = { savings: 11, risk: 17 };
  var CONF_RANK = { low: 0, medium: 1, high: 2 };
  var RISK = ["none", "low", "medium", "high", "very high"];
  var NCOLS = 10;

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
      }));
    });
    return Promise.all(jobs);
  }

  function money(value, currency) {
    if (value === null || value === undefined) return "n/a";
    try {
      return new Intl.NumberFormat("en-US", { style: "currency", currency: currency, maximumFractionDigits: 0 }).format(value);
    } catch (e) {
      return Math.round(value).toLocaleString("en-US") + " " + currency;
    }
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

  function buildDetail(r, C, currency) {
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

  function initTable(data) {
    var body = doc.getElementById("rec-body");
    if (!body) return;
    var C = {};
    data.cols.forEach(function (name, i) { C[name] = i; });
    var currency = data.currency;
    var states = data.rows.map(function (r, i) {
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
      tr.appendChild(el("td", { "class": "num" }, money(r[C.savings], currency)));
      var risk = el("td", { "class": "opt" });
      risk.appendChild(badge(RISK[r[C.risk]] || String(r[C.risk]), "risk-" + r[C.risk]));
      tr.appendChild(risk);
      var slo = el("td");
      slo.appendChild(badge(r[C.slo], "badge-" + (r[C.slo] === "ok" ? "ok" : r[C.slo] === "breach" ? "breach" : "")));
      tr.appendChild(slo);
      tr.appendChild(el("td", { "class": "opt2 opt3" }, r[C.confidence]));
      var hay = [r[C.name], r[C.resource_id], r[C.action], r[C.rule], r[C.region], r[C.rationale], r[C.team], r[C.workload]].join("\u0001").toLowerCase();
      return { row: r, tr: tr, btn: btn, detail: null, index: i, hay: hay, visible: true };
    });
    states.forEach(function (s) {
      s.btn.addEventListener("click", function () {
        var open = s.btn.getAttribute("aria-expanded") === "true";
        if (!s.detail) {
          s.detail = el("tr", { "class": "detail", id: "rec-detail-" + s.index });
          var td = el("td", { colspan: String(NCOLS) });
          td.appendChild(buildDetail(s.row, C, currency));
          s.detail.appendChild(td);
          s.tr.parentNode.insertBefore(s.detail, s.tr.nextSibling);
        }
        s.btn.setAttribute("aria-expanded", open ? "false" : "true");
        s.detail.hidden = open;
      });
    });
    var frag = doc.createDocumentFragment();
    states.forEach(function (s) { frag.appendChild(s.tr); });
    body.appendChild(frag);

    var order = states.slice();
    var count = doc.getElementById("rec-count");
    function place() {
      var f = doc.createDocumentFragment();
      order.forEach(function (s) { f.appendChild(s.tr); if (s.detail) f.appendChild(s.detail); });
      body.appendChild(f);
    }
    function sortBy(key, dir) {
      var sign = dir === "ascending" ? 1 : -1;
      var col = SORT_NUM[key] !== undefined ? SORT_NUM[key] : SORT_TEXT[key];
      var numeric = SORT_NUM[key] !== undefined || key === "confidence";
      order.sort(function (a, b) {
        var x = a.row[col], y = b.row[col], cmp;
        if (key === "confidence") { x = CONF_RANK[x] !== undefined ? CONF_RANK[x] : -1; y = CONF_RANK[y] !== undefined ? CONF_RANK[y] : -1; }
        if (numeric) cmp = (x || 0) - (y || 0);
        else cmp = String(x || "").localeCompare(String(y || ""), undefined, { numeric: true, sensitivity: "base" });
        return cmp !== 0 ? sign * cmp : a.index - b.index;
      });
      place();
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
      var shown = 0;
      states.forEach(function (s) {
        var ok = true;
        for (var i = 0; i < active.length && ok; i++) ok = String(s.row[active[i][0]]) === active[i][1];
        if (ok && q) ok = s.hay.indexOf(q) !== -1;
        s.tr.hidden = !ok;
        if (s.detail) s.detail.hidden = !ok || s.btn.getAttribute("aria-expanded") !== "true";
        if (ok) shown++;
      });
      count.textContent = shown === states.length
        ? states.length.toLocaleString("en-US") + " recommendations"
        : "Showing " + shown.toLocaleString("en-US") + " of " + states.length.toLocaleString("en-US") + " recommendations";
    }
    selects.forEach(function (s) { s.addEventListener("change", applyFilters); });
    if (search) search.addEventListener("input", applyFilters);
    var form = doc.getElementById("rec-filters");
    if (form) form.addEventListener("reset", function () { setTimeout(applyFilters, 0); });
  }

  function start() {
    readPayload().then(function (data) {
      initTable(data);
      return drawCharts(data.charts);
    }).then(function () {
      doc.documentElement.setAttribute("data-ready", "true");
    }).catch(function (err) {
      doc.documentElement.setAttribute("data-ready", "error");
      if (window.console) console.error("costopt report:", err);
    });
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start); else start();
})();
