// govsearch: progressive enhancement only. Every feature works without this file:
// the citation links open a page of their own, the syntax help is a <details>.
// Data from the server is only ever put into the page with textContent or as an href.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // 筛选 drawer on narrow screens (CSS shows the button only there).
  var facets = document.getElementById("facets");
  var toggle = document.querySelector("[data-filter-toggle]");
  function setDrawer(open) {
    if (!facets || !toggle) return;
    facets.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { var first = facets.querySelector("a, button"); if (first) first.focus(); } else { toggle.focus(); }
  }
  if (toggle) toggle.addEventListener("click", function () { setDrawer(!facets.classList.contains("open")); });
  var close = document.querySelector("[data-filter-close]");
  if (close) close.addEventListener("click", function () { setDrawer(false); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && facets && facets.classList.contains("open")) setDrawer(false);
  });

  // The "全部 N 项" page: its filter box narrows the list as one types (the form still
  // submits to the server without JavaScript).
  var facetFilter = document.querySelector("[data-facet-filter]");
  if (facetFilter) {
    var facetList = document.getElementById(facetFilter.getAttribute("data-facet-filter"));
    var facetShown = document.querySelector("[data-facet-shown]");
    facetFilter.addEventListener("input", function () {
      var wanted = facetFilter.value.trim().toLowerCase();
      var items = facetList ? facetList.querySelectorAll("li") : [];
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var link = items[i].querySelector("a");
        var match = !wanted || (link && link.getAttribute("data-value").toLowerCase().indexOf(wanted) !== -1);
        items[i].hidden = !match;
        if (match) shown++;
      }
      if (facetShown) facetShown.textContent = String(shown);
    });
  }

  // 高级检索: as the fields change, the server's query for them (api/advanced, the same
  // code the no-JavaScript form uses) is written into the search box, so users see the
  // query language; submitting runs that query from the search box.
  var advanced = document.querySelector("form[data-advanced]");
  if (advanced) {
    var box = document.getElementById("q");
    var preview = advanced.querySelector("[data-advanced-query]");
    var asked = 0;
    var update = function (then) {
      var mine = ++asked;
      var params = new URLSearchParams(new FormData(advanced)).toString();
      fetch(advanced.getAttribute("data-advanced") + "?" + params).then(function (response) {
        return response.json();
      }).then(function (data) {
        if (mine !== asked) return;
        if (data.error) { if (preview) preview.textContent = data.error; return; }
        if (box) box.value = data.query;
        if (preview) preview.textContent = data.query;
        if (then) then(data);
      }).catch(function () { if (then) advanced.submit(); });
    };
    advanced.addEventListener("input", function () { update(null); });
    advanced.addEventListener("submit", function (event) {
      event.preventDefault();
      update(function (data) {
        if (box && box.form) box.form.submit(); else window.location.assign(data.search_url);
      });
    });
  }

  function copyText(text, button) {
    function done(ok) {
      var original = button.dataset.label || button.textContent;
      button.dataset.label = original;
      button.textContent = ok ? "已复制" : "复制失败，请手动选择";
      button.classList.toggle("copied", ok);
      window.setTimeout(function () {
        button.textContent = original;
        button.classList.remove("copied");
      }, 1800);
    }
    // navigator.clipboard needs a secure context; intranet servers are often plain http.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); },
        function () { done(legacyCopy(text)); });
    } else {
      done(legacyCopy(text));
    }
  }

  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-buffer";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function safeHref(url) {
    // Only our own paths and http(s) links become clickable.
    if (typeof url !== "string") return null;
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") return url;
    return /^https?:\/\//i.test(url) ? url : null;
  }

  var dialog = document.getElementById("cite-dialog");

  function setField(name, value, text) {
    var nodes = dialog.querySelectorAll('[data-field="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (!node.hasAttribute("data-keep-text")) {
        node.textContent = text != null ? String(text) : (value == null ? "" : String(value));
      }
      if (node.tagName === "A") {
        var href = safeHref(value);
        if (href) node.setAttribute("href", href); else node.removeAttribute("href");
      }
    }
  }

  function showSection(name, visible) {
    var section = dialog.querySelector('[data-section="' + name + '"]');
    if (section) section.hidden = !visible;
  }

  function openCitation(link) {
    var status = dialog.querySelector('[data-field="status"]');
    var body = dialog.querySelector(".cite-body");
    body.hidden = true;
    status.textContent = "正在生成引文…";
    if (!dialog.open) dialog.showModal();
    fetch(link.getAttribute("data-cite"), { headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
          return data;
        });
      })
      .then(function (data) {
        setField("target", data.paragraph ? "《" + data.title + "》第 " + data.paragraph + " 段"
                                          : "《" + data.title + "》");
        setField("gbt7714", data.gbt7714);
        setField("permalink", data.permalink);
        // The link stays percent-encoded; what is shown is readable Chinese.
        setField("text_fragment_url", data.text_fragment_url, data.text_fragment_display);
        setField("in_text", data.in_text);
        showSection("locator", !!data.locator);
        showSection("permalink-note", !!data.access_url_is_permalink);
        var downloads = data.downloads || {};
        setField("download_ris", downloads.ris);
        setField("download_bibtex", downloads.bibtex);
        setField("download_csl", downloads["csl-json"]);
        showSection("fragment", !!data.text_fragment_url);
        var archive = data.archive;
        setField("archive_url", archive ? archive.url : "");
        setField("archive_captured", archive ? (archive.captured_display || "未知") : "");
        setField("archive_sha256", archive ? archive.sha256 : "");
        showSection("archive", !!archive);
        var page = dialog.querySelector('[data-field="page_url"]');
        page.setAttribute("href", link.getAttribute("href"));
        status.textContent = "";
        body.hidden = false;
      })
      .catch(function (error) {
        status.textContent = "无法生成引文：" + error.message;
      });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var cite = target.closest("a.cite-link[data-cite]");
    if (cite && dialog && typeof dialog.showModal === "function" && !event.ctrlKey &&
        !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      openCitation(cite);
      return;
    }
    var copy = target.closest("button.copy[data-copy-from]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy-from"));
      if (source) copyText(source.textContent.trim(), copy);
    }
  });

  if (dialog) {
    // A click on the backdrop (outside the dialog box) closes it.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
  }

  // Typing suggestions: publishers, regions and titles from the index (/api/suggest).
  var box = document.getElementById("q");
  var list = document.getElementById("q-suggest");
  if (box && list && box.dataset.suggest) {
    var timer = null;
    var asked = "";
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var typed = box.value;
        if (!typed.trim() || typed === asked) return;
        asked = typed;
        fetch(box.dataset.suggest + "?q=" + encodeURIComponent(typed), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (data) {
            if (box.value !== typed) return;
            while (list.firstChild) list.removeChild(list.firstChild);
            (data.suggestions || []).forEach(function (s) {
              var option = document.createElement("option");
              option.value = s.query;
              option.label = s.kind + "：" + s.value;
              list.appendChild(option);
            });
            list.setAttribute("data-for", typed);
          })
          .catch(function () { /* suggestions are optional */ });
      }, 120);
    });
  }

  // "/" jumps to the search box, as on most search sites.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA")) return;
    var box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
