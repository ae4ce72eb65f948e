/* Sorting and filtering for the listings of templates/_listing.html (the public site and the desk).
   Our own short script rather than a table library: it is small, needs no build step or vendored
   copy, and we decide exactly how aria-sort, the live count and the URL behave. The page holds every
   row already; this script only reorders and hides rows and writes text (never HTML). Sort keys come
   from Python (data-sort: numbers written plainly, names as pinyin), so no locale is involved.
   A listing cut into static pages (data-pages) shows its page's rows; once a reader filters or sorts,
   the other pages are fetched and their rows taken in (parsed, never run), so the view covers the
   whole listing and a link to it reproduces it; where they cannot be fetched (a file: page) the
   view covers this page. */
(function () {
  "use strict";

  function setup(block) {
    var prefix = block.getAttribute("data-prefix") || "";
    var table = block.querySelector("table.listing-table");
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var total = rows.length;
    var status = block.querySelector(".listing-count");
    var empty = block.querySelector(".listing-empty");
    var controls = block.querySelector(".listing-controls");
    var text = controls.querySelector('[data-control="q"]');
    var facetSelects = Array.prototype.slice.call(controls.querySelectorAll('[data-control="facet"]'));
    var sortSelect = controls.querySelector('[data-control="sort"]');
    var reset = controls.querySelector('[data-control="reset"]');
    var columns = {};
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (th.hasAttribute("data-sortable")) {
        columns[th.getAttribute("data-key")] = { index: index, numeric: th.classList.contains("num"), th: th };
      }
    });
    var pageNames = (block.getAttribute("data-pages") || "").split(" ").filter(Boolean);
    var pageNumber = Number(block.getAttribute("data-page") || "1");
    var others = null;  // the other pages' rows, being fetched or taken in
    // Order across pages: a page's rows after the pages before it.
    rows.forEach(function (row, index) {
      row.setAttribute("data-order", String((pageNumber - 1) * 1000000 + index));
      row.setAttribute("data-own", "");
    });
    var state = { q: "", sort: "", dir: "asc", facets: {} };

    function active() {
      if (state.q.trim() || state.sort) { return true; }
      return Object.keys(state.facets).some(function (facet) { return state.facets[facet]; });
    }

    function takeInOtherPages() {
      if (others || pageNames.length < 2 || !window.fetch || !window.DOMParser) { return others; }
      others = Promise.all(pageNames.map(function (name, index) {
        if (index + 1 === pageNumber) { return []; }
        return fetch(name).then(function (response) {
          if (!response.ok) { throw new Error(name); }
          return response.text();
        }).then(function (html) {
          var other = new DOMParser().parseFromString(html, "text/html").getElementById(block.id);
          var body = other && other.querySelector("table.listing-table").tBodies[0];
          return Array.prototype.map.call(body ? body.rows : [], function (row, at) {
            var taken = document.importNode(row, true);
            taken.setAttribute("data-order", String(index * 1000000 + at));
            taken.hidden = true;
            return taken;
          });
        });
      })).then(function (lists) {
        lists.forEach(function (list) { list.forEach(function (row) { rows.push(row); tbody.appendChild(row); }); });
        total = rows.length;
      }).catch(function () { /* not fetched: the view covers this page */ });
      return others;
    }

    function order(row) { return Number(row.getAttribute("data-order")); }

    function key(row, column) {
      var cell = row.cells[column.index];
      var value = cell.getAttribute("data-sort");
      return value === null ? cell.textContent.trim() : value;
    }

    function sorted() {
      var list = rows.slice();
      var column = columns[state.sort];
      if (!column) { return list; }
      var sign = state.dir === "desc" ? -1 : 1;
      list.sort(function (a, b) {
        var x = key(a, column), y = key(b, column), d;
        if (x === "" || y === "") {  // no value sorts last, whichever the direction
          return x === y ? order(a) - order(b) : (x === "" ? 1 : -1);
        }
        if (column.numeric) { d = Number(x) - Number(y); } else { d = x < y ? -1 : (x > y ? 1 : 0); }
        return d !== 0 ? sign * d : order(a) - order(b);
      });
      return list;
    }

    function matches(row) {
      if (!active()) { return row.hasAttribute("data-own"); }  // unfiltered, a page shows its own part
      var needle = state.q.trim().toLowerCase();
      if (needle && row.textContent.toLowerCase().indexOf(needle) === -1) { return false; }
      for (var facet in state.facets) {
        var want = state.facets[facet];
        if (want && (row.getAttribute("data-f-" + facet) || "").split("|").indexOf(want) === -1) { return false; }
      }
      return true;
    }

    function writeUrl() {
      var params = new URLSearchParams(window.location.search);
      var mine = { q: state.q, sort: state.sort, dir: state.sort && state.dir === "desc" ? "desc" : "" };
      facetSelects.forEach(function (select) {
        mine[select.getAttribute("data-facet")] = state.facets[select.getAttribute("data-facet")] || "";
      });
      Object.keys(mine).forEach(function (name) {
        if (mine[name]) { params.set(prefix + name, mine[name]); } else { params.delete(prefix + name); }
      });
      var query = params.toString();
      var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
      try { window.history.replaceState(null, "", url); } catch (e) { /* a file: page may refuse; the view still works */ }
    }

    function render(keepUrl) {
      var shown = 0;
      var fragment = document.createDocumentFragment();
      sorted().forEach(function (row) {
        var ok = matches(row);
        row.hidden = !ok;
        if (ok) { shown += 1; }
        fragment.appendChild(row);
      });
      tbody.appendChild(fragment);
      Object.keys(columns).forEach(function (name) {
        var th = columns[name].th;
        th.setAttribute("aria-sort", name === state.sort ? (state.dir === "desc" ? "descending" : "ascending") : "none");
      });
      status.textContent = !active() || shown === total ? "共 " + shown + " 项" : "显示 " + shown + " / " + total + " 项";
      empty.hidden = shown !== 0;
      if (text && text.value !== state.q) { text.value = state.q; }
      facetSelects.forEach(function (select) { select.value = state.facets[select.getAttribute("data-facet")] || ""; });
      sortSelect.value = state.sort ? state.sort + ":" + state.dir : "";
      if (!keepUrl) { writeUrl(); }
    }

    function update(keepUrl) {
      render(keepUrl);
      var taking = active() && !others ? takeInOtherPages() : null;
      if (taking) { taking.then(function () { render(true); }); }
    }

    function hasOption(select, value) {
      return Array.prototype.some.call(select.options, function (option) { return option.value === value; });
    }

    function readUrl() {
      var params = new URLSearchParams(window.location.search);
      state.q = params.get(prefix + "q") || "";
      var sort = params.get(prefix + "sort") || "";
      state.sort = columns[sort] ? sort : "";
      state.dir = params.get(prefix + "dir") === "desc" ? "desc" : "asc";
      facetSelects.forEach(function (select) {
        var name = select.getAttribute("data-facet");
        var value = params.get(prefix + name) || "";
        state.facets[name] = hasOption(select, value) ? value : "";
      });
    }

    Object.keys(columns).forEach(function (name) {
      columns[name].th.querySelector("button").addEventListener("click", function () {
        if (state.sort === name) { state.dir = state.dir === "asc" ? "desc" : "asc"; } else { state.sort = name; state.dir = "asc"; }
        update();
      });
    });
    if (text) {
      text.addEventListener("input", function () { state.q = text.value; update(); });
    }
    facetSelects.forEach(function (select) {
      select.addEventListener("change", function () { state.facets[select.getAttribute("data-facet")] = select.value; update(); });
    });
    sortSelect.addEventListener("change", function () {
      var parts = sortSelect.value.split(":");
      state.sort = columns[parts[0]] ? parts[0] : "";
      state.dir = parts[1] === "desc" ? "desc" : "asc";
      update();
    });
    reset.addEventListener("click", function () {
      state = { q: "", sort: "", dir: "asc", facets: {} };
      update();
    });

    controls.hidden = false;
    readUrl();
    update(true);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-listing]"), setup);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
