/* kitei search: a character-bigram index (assets/search-index.js) loaded by a <script> tag on
   first use, so it works from file:// as well as over HTTP, with no server and no other origin. */
(function () {
  "use strict";
  // Print buttons and the search form (no inline event handlers in the pages).
  Array.prototype.forEach.call(document.querySelectorAll(".print-button"), function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var form = document.querySelector("form.search");
  if (form) form.addEventListener("submit", function (e) { e.preventDefault(); });
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-results");
  if (!input || !list) return;
  var loading = false;
  var pending = null;

  function load(then) {
    if (window.KITEI_SEARCH) { then(); return; }
    pending = then;
    if (loading) return;
    loading = true;
    var s = document.createElement("script");
    s.src = "assets/search-index.js";
    s.onload = function () { if (pending) pending(); };
    document.head.appendChild(s);
  }

  function bigrams(term) {
    var chars = Array.from(term), out = [];
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  function intersect(a, b) {
    var set = new Set(b);
    return a.filter(function (x) { return set.has(x); });
  }

  function candidates(term, idx) {
    var grams = bigrams(term);
    if (grams.length === 0) return idx.pages.map(function (_, i) { return i; });
    var result = null;
    for (var i = 0; i < grams.length; i++) {
      var posting = idx.grams[grams[i]] || [];
      result = result === null ? posting.slice() : intersect(result, posting);
      if (result.length === 0) break;
    }
    return result || [];
  }

  function search(query) {
    var idx = window.KITEI_SEARCH;
    var terms = query.toLowerCase().normalize("NFKC").split(/\s+/).filter(Boolean);
    if (terms.length === 0) return [];
    var hits = null;
    terms.forEach(function (term) {
      var ids = candidates(term.replace(/\s/g, ""), idx).filter(function (i) {
        var p = idx.pages[i];
        return p.x.toLowerCase().indexOf(term) >= 0 || p.t.toLowerCase().indexOf(term) >= 0;
      });
      hits = hits === null ? ids : intersect(hits, ids);
    });
    return (hits || []).map(function (i) {
      var p = idx.pages[i], text = p.x.toLowerCase(), score = 0;
      terms.forEach(function (t) {
        if (p.t.toLowerCase().indexOf(t) >= 0) score += 10;
        for (var at = text.indexOf(t); at >= 0 && score < 1000; at = text.indexOf(t, at + t.length)) score++;
      });
      return { page: p, score: score, first: text.indexOf(terms[0]) };
    }).sort(function (a, b) { return b.score - a.score; }).slice(0, 20);
  }

  function show(results, query) {
    list.textContent = "";
    if (results.length === 0) {
      var li = document.createElement("li");
      li.textContent = input.getAttribute("data-empty");
      list.appendChild(li);
    }
    results.forEach(function (r) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = r.page.u;
      a.textContent = r.page.t;
      li.appendChild(a);
      var at = Math.max(0, r.first - 30);
      var snippet = document.createElement("small");
      snippet.textContent = (at > 0 ? "…" : "") + r.page.x.slice(at, at + 90) + "…";
      li.appendChild(snippet);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function run() {
    var q = input.value.trim();
    if (!q) { list.hidden = true; return; }
    load(function () {
      var started = performance.now();
      var results = search(q);
      show(results, q);
      list.setAttribute("data-ms", (performance.now() - started).toFixed(1));
    });
  }

  input.addEventListener("input", run);
  input.addEventListener("focus", function () { load(function () {}); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { list.hidden = true; }
  });
})();
