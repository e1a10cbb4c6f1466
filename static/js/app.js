// OMS page behaviour that needs no server round trip. Loaded as a file so
// that the Content-Security-Policy needs no inline scripts.
(function () {
  "use strict";

  // "/" focuses the global search box, unless the user is typing somewhere.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    var box = document.getElementById("global-search");
    if (box) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Dismiss buttons on alerts.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-dismiss]");
    if (btn) {
      var alert = btn.closest(".alert");
      if (alert) alert.remove();
    }
  });

  // A form with data-confirm asks before it is sent (revoking a token,
  // changing a user): inline handlers are not allowed by the CSP.
  document.addEventListener("submit", function (e) {
    var q = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (q && !window.confirm(q)) e.preventDefault();
  });

  // A change sent with htmx takes the last success message away, so that
  // it never stands above the answer to the next request.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var verb = e.detail.requestConfig && e.detail.requestConfig.verb;
    if (!verb || verb === "get") return;
    document.querySelectorAll("#alerts .alert-ok").forEach(function (a) { a.remove(); });
  });

  // A table wider than its card scrolls inside it (small screens); the
  // keyboard must be able to scroll it too, so such a table takes the focus.
  function scrollableTables() {
    document.querySelectorAll("table.grid").forEach(function (t) {
      if (t.scrollWidth > t.clientWidth + 1) t.setAttribute("tabindex", "0");
      else if (t.getAttribute("tabindex") === "0") t.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", scrollableTables);
  document.addEventListener("htmx:afterSettle", scrollableTables);
  window.addEventListener("resize", scrollableTables);

  // Live updates. The page listens to /live (hx-ext="sse" on body); a
  // region marked data-live fetches itself again (hx-trigger="sse:...")
  // when the stream names something it shows. Its answer is not swapped
  // whole: each part (data-live-part, by id) is replaced on its own, and a
  // part someone is working in (typing, a changed field, an open form, a
  // request under way) is left alone and refreshed once they are done, so
  // that nobody loses what they typed.
  function fieldChanged(f) {
    var t = (f.type || "").toLowerCase();
    if (t === "hidden" || t === "submit" || t === "button" || t === "reset") return false;
    if (f.hasAttribute("data-live-keep") && f.value !== "") return true;
    if (t === "checkbox" || t === "radio") return f.checked !== f.defaultChecked;
    if (f.tagName === "SELECT") {
      for (var i = 0; i < f.options.length; i++) {
        var o = f.options[i];
        if (o.defaultSelected) return !o.selected;
      }
      return f.selectedIndex > 0;
    }
    return f.value !== f.defaultValue;
  }
  function partBusy(part) {
    var a = document.activeElement;
    if (a && part.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) && a.type !== "checkbox" && a.type !== "radio") return true;
    if (part.querySelector("details[open] form, dialog[open], .htmx-request")) return true;
    var fields = part.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) if (fieldChanged(fields[i])) return true;
    return false;
  }
  function liveParts(region) {
    return region.hasAttribute("data-live-part") ? [region] : Array.prototype.slice.call(region.querySelectorAll("[data-live-part]"));
  }
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.elt && e.detail.elt.hasAttribute && e.detail.elt.hasAttribute("data-live")) e.detail.headers["OMS-Live"] = "1";
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    // The element that asked (not the target: the search form swaps the
    // results region, which is live too, and that answer is swapped whole).
    var region = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-live")) return;
    e.detail.shouldSwap = false;
    if (!e.detail.xhr || e.detail.xhr.status !== 200) return;
    var doc = new DOMParser().parseFromString(e.detail.serverResponse, "text/html");
    liveParts(region).forEach(function (part) {
      var next = part.id && doc.getElementById(part.id);
      if (!next) return;
      if (partBusy(part)) {
        part.setAttribute("data-live-stale", "");
        if (!part.querySelector(".live-note")) {
          var note = document.createElement("p");
          note.className = "live-note";
          note.setAttribute("role", "status");
          note.setAttribute("data-testid", "live-note");
          note.textContent = "This changed while you were working here. It updates once you have finished.";
          part.prepend(note);
        }
        return;
      }
      if (next.outerHTML === part.outerHTML) return;
      var fresh = document.importNode(next, true);
      part.replaceWith(fresh);
      htmx.process(fresh);
      document.dispatchEvent(new CustomEvent("live:updated", { detail: { part: fresh } }));
    });
  });
  // The page's stream ends as the page goes, so that it never holds one of
  // the browser's few connections to the server (six over HTTP/1.1) while
  // the next page loads.
  var streams = [];
  if (window.htmx) {
    htmx.createEventSource = function (url) {
      var source = new EventSource(url, { withCredentials: true });
      streams.push(source);
      return source;
    };
  }
  window.addEventListener("pagehide", function () {
    streams.forEach(function (s) { s.close(); });
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && streams.length) window.location.reload();
  });

  // A part left alone is refreshed once nobody works in it any more.
  window.setInterval(function () {
    document.querySelectorAll("[data-live-stale]").forEach(function (part) {
      if (partBusy(part)) return;
      part.removeAttribute("data-live-stale");
      var region = part.closest("[data-live]");
      if (region) htmx.trigger(region, "live-retry");
    });
  }, 2000);

  // A request that never reached the server (network down, server
  // restarting) gets an alert instead of silence.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("alerts");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "alert alert-error";
    div.setAttribute("role", "alert");
    div.textContent = "The server could not be reached. Check your connection and try again.";
    box.replaceChildren(div);
  });
})();
