/* kitei search: a character-bigram index in small files under assets/search/, loaded piecemeal
   by <script> tags (so it works from file:// as well as over HTTP, with no server and no other
   origin). Each file calls KITEI_SEARCH_DATA(name, data):

     pages.js   every page's URL (u) and title (t), the number of shards, and the first page of
                each text chunk (chunks)
     g/XX.js    the posting lists of the bigrams whose shardOf() is XX (hex)
     t/N.js     the text of a run of consecutive pages

   A query loads pages.js, the shards of its bigrams, intersects their posting lists, then loads
   the text of candidate pages (title hits first) to confirm each term and cut the snippet: all
   of them when they lie in at most MAX_CHUNKS chunks, otherwise chunk by chunk until LIMIT
   results are confirmed or MAX_CHUNKS chunks are read ("up to N more" then says what was left
   unread). A query of single characters (no bigram) reads titles first, then text the same way.
   src/render/search.rs writes the files; the two must agree on shardOf and the number code. */
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

  var BASE = "assets/search/";
  var LIMIT = 20;       // results shown
  var MAX_CHUNKS = 32;  // text chunks (32 to 128 KB each) one query may read
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = [];
  for (var d = 0; d < 64; d++) DIGIT[ALPHABET.charCodeAt(d)] = d;

  // ---- loading ----------------------------------------------------------------------------
  var data = {};     // file name -> its data (null: missing)
  var waiting = {};  // file name -> callbacks while it loads
  window.KITEI_SEARCH_DATA = function (name, value) { data[name] = value; };

  function loadOne(name, then) {
    if (data.hasOwnProperty(name)) { then(); return; }
    if (waiting[name]) { waiting[name].push(then); return; }
    waiting[name] = [then];
    var s = document.createElement("script");
    s.src = BASE + name + ".js";
    function settled() {
      if (!data.hasOwnProperty(name)) data[name] = null;
      var callbacks = waiting[name];
      delete waiting[name];
      if (s.parentNode) s.parentNode.removeChild(s);
      callbacks.forEach(function (f) { f(); });
    }
    // A missing or broken file counts as empty.
    s.addEventListener("load", settled);
    s.addEventListener("error", settled);
    document.head.appendChild(s);
  }

  // Loads every file (in parallel), then calls `then`.
  function load(names, then) {
    var left = names.length;
    if (left === 0) { then(); return; }
    names.forEach(function (n) { loadOne(n, function () { if (--left === 0) then(); }); });
  }

  // ---- the index ----------------------------------------------------------------------------
  // The shard of the bigram of code points a, b among n (a power of two); shard_of in search.rs.
  function shardOf(a, b, n) {
    var h = (Math.imul(a, 0x9e3779b1) + b) | 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    return h & (n - 1);
  }

  function shardName(gram, n) {
    var c = Array.from(gram), h = shardOf(c[0].codePointAt(0), c[1].codePointAt(0), n);
    return "g/" + (h < 16 ? "0" : "") + h.toString(16);
  }

  // A posting list: "!" and a bitmap of 6 pages a digit, or the first page and the gaps minus
  // one, in digits of 5 bits (those of 32 and more continue the number).
  function decode(code) {
    var pages = [], i, v;
    if (code.charAt(0) === "!") {
      for (i = 1; i < code.length; i++) {
        v = DIGIT[code.charCodeAt(i)];
        for (var b = 0; b < 6; b++) if (v & (1 << b)) pages.push((i - 1) * 6 + b);
      }
      return pages;
    }
    var n = 0, next = 0;
    for (i = 0; i < code.length; i++) {
      v = DIGIT[code.charCodeAt(i)];
      n = n * 32 + (v & 31);
      if (v < 32) { pages.push(next + n); next += n + 1; n = 0; }
    }
    return pages;
  }

  var postings = {};  // bigram -> decoded pages
  function posting(gram, idx) {
    if (!postings.hasOwnProperty(gram)) {
      var shard = data[shardName(gram, idx.shards)], code = shard && shard[gram];
      postings[gram] = typeof code === "string" ? decode(code) : [];
    }
    return postings[gram];
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) i++;
      else if (a[i] > b[j]) j++;
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  function bigrams(term) {
    var chars = Array.from(term), out = [];
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  // One spelling for page text and queries alike (src/render/spelling.rs does the same to the
  // index): NFKC and lowercase; a dash after katakana is the long-vowel mark, which is dropped
  // where it ends a katakana word; iteration marks repeat the character before them; then the
  // variant table of pages.js (v: [variant, canonical], longest first), leftmost-longest.
  var KATAKANA = /[\u30a1-\u30fa\u30fc\u31f0-\u31ff]/;
  var DASH = /[-\u2010-\u2015\u2212\u30fc\uff70]/;
  var variants = null, variantOf = {};
  function isKatakana(c) { return c !== undefined && KATAKANA.test(c); }
  function endsKatakanaWord(out) {
    var n = out.length;
    return n >= 2 && out[n - 1] === "\u30fc" && isKatakana(out[n - 2]) && out[n - 2] !== "\u30fc";
  }
  function normaliseChars(text) {
    var out = [];
    Array.from(text.normalize("NFKC")).forEach(function (c0) {
      Array.from(c0.toLowerCase()).forEach(function (c) {
        var prev = out[out.length - 1];
        if ((c === "\u3005" || c === "\u309d" || c === "\u30fd") && prev !== undefined && !/\s/.test(prev)) c = prev;
        else if (DASH.test(c) && isKatakana(prev)) c = "\u30fc";
        if (prev === "\u30fc" && !isKatakana(c) && endsKatakanaWord(out)) out.pop();
        out.push(c);
      });
    });
    if (endsKatakanaWord(out)) out.pop();
    return out.join("");
  }
  function normalise(text) {
    var chars = normaliseChars(text);
    return variants ? chars.replace(variants, function (m) { return variantOf[m]; }) : chars;
  }
  function useVariants(pairs) {
    if (!pairs || pairs.length === 0) return;
    pairs.forEach(function (p) { variantOf[p[0]] = p[1]; });
    variants = new RegExp(pairs.map(function (p) {
      return p[0].replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&");
    }).join("|"), "g");
  }

  var titles = null;  // normalised titles
  function chunkOf(page, starts) {
    var lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= page) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // ---- a query ------------------------------------------------------------------------------
  function search(query, generation, done) {
    load(["pages"], function () {
      var idx = data.pages;
      if (!idx || generation !== current) { if (!idx) done([], 0); return; }
      if (!titles) { useVariants(idx.v); titles = idx.t.map(normalise); }
      var terms = normalise(query).split(/\s+/).filter(Boolean);
      var whole = terms.join("");
      if (terms.length === 0) { done([], 0); return; }
      var grams = [], shards = {};
      terms.forEach(function (t) {
        bigrams(t).forEach(function (g) {
          if (grams.indexOf(g) < 0) grams.push(g);
          shards[shardName(g, idx.shards)] = true;
        });
      });
      load(Object.keys(shards), function () {
        if (generation !== current) return;
        // Candidates: pages with every bigram (every page for single characters).
        var cand = null;
        grams.map(function (g) { return posting(g, idx); })
          .sort(function (a, b) { return a.length - b.length; })
          .forEach(function (p) { cand = cand === null ? p : intersect(cand, p); });
        if (cand === null) cand = idx.u.map(function (_, i) { return i; });
        // Exact title hits first, then title hits, then in page order.
        var order = cand.map(function (p) {
          var hits = 0;
          terms.forEach(function (t) { if (titles[p].indexOf(t) >= 0) hits++; });
          if (titles[p].replace(/\s+/g, "") === whole) hits += 100;
          return { page: p, hits: hits };
        }).sort(function (a, b) { return b.hits - a.hits || a.page - b.page; });
        confirm(terms, whole, order, idx, generation, done);
      });
    });
  }

  // Reads the text of candidates in `order`, chunk by chunk, and keeps the pages that hold
  // every term (in the text or the title), scored: 100000 a title that is the query, 10 a term
  // in the title, 1 an occurrence.
  function confirm(terms, whole, order, idx, generation, done) {
    var byChunk = {}, chunks = [];
    order.forEach(function (o) {
      var c = chunkOf(o.page, idx.chunks);
      if (!byChunk[c]) { byChunk[c] = []; chunks.push(c); }
      byChunk[c].push(o.page);
    });
    var hits = [], next = 0, read = 0, checked = 0;

    function check(page, chunk) {
      var texts = data["t/" + chunk], x = texts ? texts[page - idx.chunks[chunk]] : "";
      var text = normalise(x), score = titles[page].replace(/\s+/g, "") === whole ? 100000 : 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i], inTitle = titles[page].indexOf(t) >= 0;
        if (!inTitle && text.indexOf(t) < 0) return;
        if (inTitle) score += 10;
        for (var at = text.indexOf(t); at >= 0 && score < 1000; at = text.indexOf(t, at + t.length)) score++;
      }
      hits.push({ u: idx.u[page], t: idx.t[page], x: x, page: page, score: score, first: text.indexOf(terms[0]) });
    }

    function step() {
      if (generation !== current) return;
      // Every chunk at once when they are few; else enough for the results still missing.
      var batch = [], wanted = chunks.length <= MAX_CHUNKS ? Infinity : LIMIT - hits.length;
      while (next < chunks.length && read + batch.length < MAX_CHUNKS && wanted > 0) {
        wanted -= byChunk[chunks[next]].length;
        batch.push(chunks[next++]);
      }
      if (batch.length === 0) {
        hits.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
        done(hits.slice(0, LIMIT), hits.length - Math.min(hits.length, LIMIT) + order.length - checked);
        return;
      }
      load(batch.map(function (c) { return "t/" + c; }), function () {
        if (generation !== current) return;
        batch.forEach(function (c) {
          byChunk[c].forEach(function (p) { check(p, c); });
          checked += byChunk[c].length;
        });
        read += batch.length;
        step();
      });
    }
    step();
  }

  // ---- the results --------------------------------------------------------------------------
  function show(results, more) {
    list.textContent = "";
    if (results.length === 0) {
      var li = document.createElement("li");
      li.textContent = input.getAttribute("data-empty");
      list.appendChild(li);
    }
    results.forEach(function (r) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = r.u;
      a.textContent = r.t;
      li.appendChild(a);
      var at = Math.max(0, r.first - 30);
      var snippet = document.createElement("small");
      snippet.textContent = (at > 0 ? "…" : "") + r.x.slice(at, at + 90) + "…";
      li.appendChild(snippet);
      list.appendChild(li);
    });
    var note = input.getAttribute("data-more");
    if (more > 0 && note) {
      var li2 = document.createElement("li");
      li2.className = "search-more";
      li2.textContent = note.replace("{n}", more);
      list.appendChild(li2);
    }
    list.hidden = false;
  }

  var current = 0, timer = null;
  function run() {
    var q = input.value.trim(), generation = ++current;
    clearTimeout(timer);
    if (!q) { list.hidden = true; return; }
    // Typing (and IME composition) fires an event a character: wait for a pause.
    timer = setTimeout(function () {
      var started = performance.now();
      search(q, generation, function (results, more) {
        if (generation !== current) return;
        show(results, more);
        list.setAttribute("data-ms", (performance.now() - started).toFixed(1));
        list.setAttribute("data-q", q);  // the query these results are for
      });
    }, 60);
  }

  input.addEventListener("input", run);
  input.addEventListener("focus", function () { load(["pages"], function () {}); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { list.hidden = true; }
  });
})();
