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
