// Client-side search over the index written by `ismsbook build`
// (assets/search-index.js defines ISMSBOOK_SEARCH). No network, works from file://.
(function () {
  "use strict";
  var index = window.ISMSBOOK_SEARCH || { documents: [] };
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var summary = document.getElementById("summary");
  var root = document.querySelector("link[rel=stylesheet]").getAttribute("href").replace(/assets\/style\.css$/, "");

  function terms(query) {
    return query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  // Every word must occur; a word in the id or title weighs most, then how often it
  // occurs in the text (up to ten times).
  function score(doc, words) {
    var title = (doc.id + " " + doc.title).toLowerCase();
    var text = doc.text.toLowerCase();
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      var inTitle = title.indexOf(w) >= 0;
      var count = 0;
      for (var at = text.indexOf(w); at >= 0 && count < 10; at = text.indexOf(w, at + w.length)) { count++; }
      if (!inTitle && count === 0) { return 0; }
      total += (inTitle ? 20 : 0) + count;
    }
    return total;
  }

  function snippet(text, word) {
    var at = text.toLowerCase().indexOf(word);
    if (at < 0) { return document.createTextNode(text.slice(0, 160)); }
    var start = Math.max(0, at - 60);
    var span = document.createElement("span");
    span.appendChild(document.createTextNode((start > 0 ? "… " : "") + text.slice(start, at)));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + word.length);
    span.appendChild(mark);
    span.appendChild(document.createTextNode(text.slice(at + word.length, at + word.length + 100) + " …"));
    return span;
  }

  function run() {
    var words = terms(input.value);
    while (results.firstChild) { results.removeChild(results.firstChild); }
    if (words.length === 0) { summary.textContent = ""; return; }
    var found = index.documents
      .map(function (doc) { return { doc: doc, score: score(doc, words) }; })
      .filter(function (r) { return r.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.doc.id.localeCompare(b.doc.id); });
    summary.textContent = found.length + (found.length === 1 ? " document" : " documents") + " found";
    found.slice(0, 50).forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + r.doc.url;
      a.textContent = r.doc.id + " " + r.doc.title;
      li.appendChild(a);
      var p = document.createElement("p");
      p.className = "snippet";
      p.appendChild(snippet(r.doc.text, words[0]));
      li.appendChild(p);
      results.appendChild(li);
    });
  }

  input.addEventListener("input", run);
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); }
  run();
})();
