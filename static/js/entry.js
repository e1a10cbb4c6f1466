// Phone-order entry: keyboard typeahead, line checks and totals as the rep
// types, autosave. Loaded only on /orders/new. The server renders every
// part of the screen; this file moves focus, copies a picked item's facts
// onto its line and keeps the sums, so that keying never waits on a round
// trip.
(function () {
  "use strict";

  var usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  var SAVE_DELAY = 800;
  var saveTimer = null;
  var submitting = false;
  var focusAfterSwap = null;
  var focusAtRefresh = null;
  var sent = new WeakMap(); // request -> the form's text when it was sent
  var carry = null;

  function money(cents) { return usd.format(cents / 100); }
  function form() { return document.getElementById("entry-form"); }
  function int(s) {
    var t = String(s || "").replace(/,/g, "").trim();
    return /^\d+$/.test(t) ? parseInt(t, 10) : NaN;
  }
  function cents(s) {
    var t = String(s || "").replace(/[$,\s]/g, "");
    if (!/^\d*(\.\d{0,2})?$/.test(t) || t === "" || t === ".") return NaN;
    var parts = t.split(".");
    return parseInt(parts[0] || "0", 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  // Typeahead ---------------------------------------------------------------

  function listOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function options(list) { return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : []; }
  function activeOption(list) { return list ? list.querySelector("[role=option][aria-selected=true]") : null; }

  // currentOption is the highlighted choice, if the list answers the text
  // now in the box. The choices come 150 ms after the typing stops, so a
  // rep who types a whole SKU and Enter at speed would otherwise take a
  // choice meant for the first few letters.
  function currentOption(input) {
    var list = listOf(input);
    if (!list || (list.dataset.q || "").toUpperCase() !== input.value.trim().toUpperCase()) return null;
    return activeOption(list);
  }

  function highlight(input, i) {
    var list = listOf(input);
    var opts = options(list);
    if (!opts.length) return;
    i = (i + opts.length) % opts.length;
    opts.forEach(function (o, j) {
      if (!o.id) o.id = list.id + "-" + j;
      o.setAttribute("aria-selected", j === i ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", opts[i].id);
    opts[i].scrollIntoView({ block: "nearest" });
  }

  function move(input, delta) {
    var list = listOf(input);
    var opts = options(list);
    if (!opts.length) return;
    highlight(input, opts.indexOf(activeOption(list)) + delta);
  }

  function closeList(input) {
    var list = listOf(input);
    if (list) list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  // After htmx fills a listbox, open it with its first option highlighted,
  // and note which text it answers.
  document.addEventListener("htmx:afterSwap", function (e) {
    var list = e.detail.target;
    if (!list || !list.classList || !list.classList.contains("listbox")) return;
    var input = document.querySelector("[aria-controls='" + list.id + "']");
    if (!input) return;
    var asked = e.detail.pathInfo && e.detail.pathInfo.finalRequestPath;
    list.dataset.q = asked ? (new URL(asked, location.href).searchParams.get(input.name) || "").trim() : "";
    var open = list.children.length > 0 && (document.activeElement === input || input.dataset.lookup === list.dataset.q);
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) list.replaceChildren();
    else if (options(list).length) highlight(input, 0);
  });

  // Customer ----------------------------------------------------------------

  // pickCustomer takes the customer and moves on to the PO at once; the
  // form comes back with the customer's ship-tos and prices, carrying over
  // whatever was typed meanwhile.
  function pickCustomer(opt) {
    var input = document.getElementById("customer-q");
    document.getElementById("customer_account").value = opt.dataset.account;
    input.value = opt.querySelector(".o-main").textContent + " (" + opt.dataset.account + ")";
    closeList(input);
    document.getElementById("po_number").focus();
    focusAfterSwap = "po_number";
    refresh();
  }

  // lookupCustomer handles Enter before the typeahead answered what is in
  // the box: it asks now and takes the only match, or shows the choices.
  function lookupCustomer(input) {
    var q = input.value.trim();
    if (!q) return;
    lookup(input, "/orders/new/customers", { customer_q: q }).then(function (opts) {
      if (!opts) return;
      if (opts.length === 1) pickCustomer(opts[0]);
      else if (opts.length) { input.setAttribute("aria-expanded", "true"); highlight(input, 0); }
    });
  }

  // lookup fills input's list for what is in the box now and resolves to
  // its choices, or to null when there is no answer for that text (the rep
  // changed it meanwhile, or the request was cancelled). The list stays
  // filled whether or not the box still has the focus. The request goes
  // from the list, which has its own hx-sync, so that neither the box's own
  // typeahead, still waiting out its delay, nor another line's lookup holds
  // it up: htmx resolves a request it queues or drops at once, unanswered.
  function lookup(input, path, values) {
    var q = input.value.trim();
    var list = listOf(input);
    input.dataset.lookup = q;
    return htmx.ajax("GET", path, { source: list, target: list, swap: "innerHTML", values: values }).then(function () {
      delete input.dataset.lookup;
      if (!input.isConnected || input.value.trim() !== q || list.dataset.q !== q) return null;
      return options(list);
    });
  }

  function refresh() {
    focusAtRefresh = document.activeElement ? document.activeElement.id : "";
    var el = document.getElementById("entry-refresh");
    if (el) htmx.trigger(el, "entry:refresh");
  }

  // typedValues maps the ids of the form's text boxes to their text.
  function typedValues() {
    var out = {};
    var f = form();
    if (f) f.querySelectorAll("input[id]:not([type=hidden]):not([type=checkbox])").forEach(function (el) { out[el.id] = el.value; });
    return out;
  }

  // The form comes back rendered from the text sent with the request (a
  // refresh, or a submit with problems). What the rep typed while it was on
  // its way is carried over onto it.
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.target && e.detail.target.id === "entry-form") sent.set(e.detail.xhr, typedValues());
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    var was = sent.get(e.detail.xhr);
    if (!was || !e.detail.target || e.detail.target.id !== "entry-form") return;
    var now = typedValues();
    carry = {};
    Object.keys(now).forEach(function (id) {
      if (id in was && now[id] !== was[id]) carry[id] = now[id];
    });
  });

  // carryOver puts what was typed onto the new form. The form settles in
  // the same task as it is swapped in, so no key comes in between.
  function carryOver() {
    var typed = carry;
    carry = null;
    Object.keys(typed || {}).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      el.value = typed[id];
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // Lines -------------------------------------------------------------------

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#line-body tr.line")); }
  function rowOf(el) { return el.closest && el.closest("tr.line"); }

  // pickItem copies the item's facts onto the line. The focus goes to the
  // quantity, unless stay says the rep is already typing on.
  function pickItem(input, opt, stay) {
    var row = rowOf(input);
    input.value = opt.dataset.sku;
    delete input.dataset.unresolved;
    input.removeAttribute("aria-invalid");
    row.dataset.sku = opt.dataset.sku;
    row.dataset.pack = opt.dataset.pack;
    row.dataset.min = opt.dataset.min;
    row.dataset.price = opt.dataset.price;
    var desc = row.querySelector(".c-desc");
    desc.replaceChildren();
    var d = document.createElement("span");
    d.className = "desc";
    d.textContent = opt.querySelector(".o-desc").textContent;
    var sub = opt.querySelector(".o-sub").cloneNode(true);
    sub.className = "packinfo";
    desc.append(d, sub);
    var stock = row.querySelector(".c-stock");
    stock.replaceChildren(opt.querySelector(".o-stock .chips").cloneNode(true));
    row.querySelector(".price").placeholder = (parseInt(opt.dataset.price, 10) / 100).toFixed(2);
    row.querySelectorAll(".fielderror").forEach(function (e) { e.remove(); });
    closeList(input);
    if (!stay) {
      var qty = row.querySelector(".qty");
      qty.focus();
      qty.select();
    }
    recalc();
    scheduleSave();
  }

  // lookupAndPick handles Enter before the typeahead answered what is in
  // the box. The focus goes on to the quantity at once, so that typing runs
  // on; the answer then fills in the exact SKU or the only match. Several
  // matches or none never take the focus back: the rep has moved on, and
  // what they type next belongs where they are. The SKU box says what is
  // wrong instead and offers its choices when the rep goes back to it.
  function lookupAndPick(input) {
    var q = input.value.trim();
    if (!q) return;
    rowOf(input).querySelector(".qty").focus();
    lookup(input, "/orders/new/items", itemValues(q)).then(function (opts) {
      if (!opts) return;
      var exact = opts.filter(function (o) { return o.dataset.sku.toUpperCase() === q.toUpperCase(); });
      if (exact.length) pickItem(input, exact[0], true);
      else if (opts.length === 1) pickItem(input, opts[0], true);
      else if (document.activeElement === input) showChoices(input, opts);
      else skuProblem(input, q, opts.length);
    });
  }

  function itemValues(q) {
    var postal = document.getElementById("entry-postal") || document.getElementById("ship_postal_code");
    return { sku: q, customer_account: document.getElementById("customer_account").value, postal: postal ? postal.value : "" };
  }

  function showChoices(input, opts) {
    if (!opts.length) return;
    input.setAttribute("aria-expanded", "true");
    highlight(input, 0);
  }

  // skuProblem marks a SKU that did not resolve to one item, without
  // moving the focus.
  function skuProblem(input, q, matches) {
    closeList(input);
    input.dataset.unresolved = q;
    input.setAttribute("aria-invalid", "true");
    var cell = input.closest("td");
    cell.querySelectorAll(".fielderror").forEach(function (x) { x.remove(); });
    var msg = document.createElement("span");
    msg.className = "fielderror";
    msg.setAttribute("role", "status");
    msg.textContent = matches ? matches + " items match \u201c" + q + "\u201d: go back to pick one." : "No item matches \u201c" + q + "\u201d.";
    cell.appendChild(msg);
  }

  // Back on a SKU that did not resolve, its choices open again.
  document.addEventListener("focusin", function (e) {
    var t = e.target;
    if (!t.classList || !t.classList.contains("sku") || !t.dataset.unresolved || t.dataset.unresolved !== t.value.trim()) return;
    lookup(t, "/orders/new/items", itemValues(t.value.trim())).then(function (opts) {
      if (opts && document.activeElement === t) showChoices(t, opts);
    });
  });

  function addLine() {
    var tpl = document.getElementById("line-template");
    var body = document.getElementById("line-body");
    var row = tpl.content.firstElementChild.cloneNode(true);
    body.appendChild(row);
    renumber();
    htmx.process(row);
    row.querySelector(".sku").focus();
    return row;
  }

  function renumber() {
    rows().forEach(function (row, i) {
      row.querySelector(".ln").textContent = i + 1;
      var sku = row.querySelector(".sku");
      var list = row.querySelector(".listbox");
      sku.id = "sku-" + i;
      list.id = "sku-opts-" + i;
      sku.setAttribute("aria-controls", list.id);
      row.querySelector(".qty").id = "qty-" + i;
      row.querySelector(".price").id = "price-" + i;
      row.querySelector(".reason").id = "reason-" + i;
    });
  }

  function removeLine(row) {
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    if (!rows().length) addLine();
    else if (next) next.querySelector(".sku").focus();
    renumber();
    recalc();
    scheduleSave();
  }

  // roundUp sets the line's quantity to the next case multiple at or above
  // the minimum.
  function roundUp(row) {
    var pack = parseInt(row.dataset.pack, 10) || 1;
    var min = parseInt(row.dataset.min, 10) || 1;
    var qty = row.querySelector(".qty");
    var q = int(qty.value);
    if (isNaN(q) || q < 1) q = 1;
    q = Math.max(q, min);
    if (q % pack) q = (Math.floor(q / pack) + 1) * pack;
    qty.value = q;
    row.querySelectorAll(".c-qty .fielderror").forEach(function (e) { e.remove(); });
    recalc();
    scheduleSave();
  }

  // lineHint explains a quantity problem and offers the fix.
  function lineHint(row, q) {
    var hint = row.querySelector(".line-hint");
    hint.replaceChildren();
    row.classList.remove("qty-bad");
    if (!row.dataset.sku || isNaN(q) || q < 1) return;
    var pack = parseInt(row.dataset.pack, 10) || 1;
    var min = parseInt(row.dataset.min, 10) || 1;
    var target = Math.max(q, min);
    if (target % pack) target = (Math.floor(target / pack) + 1) * pack;
    if (target === q) return;
    row.classList.add("qty-bad");
    var text = document.createElement("span");
    text.textContent = q < min ? "Minimum " + min + ". " : "Case of " + pack + ". ";
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "roundup";
    btn.dataset.roundup = "";
    btn.tabIndex = -1;
    btn.textContent = "Round up to " + target + " (+)";
    hint.append(text, btn);
  }

  // recalc totals the order and the credit after it from the lines.
  function recalc() {
    var total = 0, lines = 0, units = 0;
    rows().forEach(function (row) {
      var q = int(row.querySelector(".qty").value);
      var priceInput = row.querySelector(".price");
      var reason = row.querySelector(".reason");
      var listPrice = parseInt(row.dataset.price, 10);
      var typed = cents(priceInput.value);
      var override = priceInput.value.trim() !== "" && !isNaN(typed) && typed !== listPrice;
      reason.classList.toggle("is-hidden", !override && reason.value === "");
      lineHint(row, q);
      var ext = row.querySelector(".c-ext");
      if (!row.dataset.sku || isNaN(q) || q < 1) { ext.textContent = ""; return; }
      var unit = isNaN(typed) || priceInput.value.trim() === "" ? listPrice : typed;
      lines++;
      units += q;
      total += q * unit;
      ext.textContent = money(q * unit);
    });
    set("total-lines", String(lines));
    set("total-units", units.toLocaleString("en-US"));
    set("total-amount", money(total));
    var credit = document.getElementById("credit");
    var warn = document.getElementById("credit-warning");
    if (!credit) { if (warn) warn.classList.add("is-hidden"); return; }
    var avail = parseInt(credit.dataset.limit, 10) - parseInt(credit.dataset.ar, 10) - parseInt(credit.dataset.open, 10);
    var after = avail - total;
    var afterEl = document.getElementById("credit-after");
    afterEl.textContent = money(after);
    afterEl.classList.toggle("bad", after < 0);
    if (warn) {
      var over = credit.dataset.b2b === "true" && credit.dataset.hold !== "true" && after < 0;
      warn.classList.toggle("is-hidden", !over);
      warn.textContent = over ? "Over the credit limit by " + money(-after) + ": the order will be accepted on credit hold." : "";
    }
  }

  function set(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  // Autosave ------------------------------------------------------------------

  function scheduleSave() {
    if (submitting) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      var el = document.getElementById("entry-autosave");
      if (el && !submitting) htmx.trigger(el, "entry:save");
    }, SAVE_DELAY);
  }

  function submit() {
    var f = form();
    if (!f) return;
    clearTimeout(saveTimer);
    submitting = true;
    f.requestSubmit();
  }

  // Keys ------------------------------------------------------------------------

  // stepField moves the focus to the form's next field (delta 1) or the
  // one before (delta -1).
  function stepField(el, delta) {
    var f = form();
    var fields = Array.prototype.slice.call(f.querySelectorAll("input:not([type=hidden]):not(.is-hidden), select, textarea"))
      .filter(function (x) { return !x.disabled && x.tabIndex >= 0; });
    var i = fields.indexOf(el);
    if (i >= 0 && i + delta >= 0 && i + delta < fields.length) fields[i + delta].focus();
  }
  function nextField(el) { stepField(el, 1); }

  document.addEventListener("keydown", function (e) {
    var f = form();
    if (!f) return;
    var t = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
      return;
    }
    if (!f.contains(t)) return;
    // The requested date is one stop for Tab, as every other field is.
    // Chrome stops on its month, day, year and calendar button, four Tabs
    // between the PO and the ship method; typing the digits moves through
    // month, day and year by itself, and the arrow keys still step between
    // them.
    if (e.key === "Tab" && t.type === "date" && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      stepField(t, e.shiftKey ? -1 : 1);
      return;
    }
    var combo = t.getAttribute && t.getAttribute("role") === "combobox";
    if (combo && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      move(t, e.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (combo && e.key === "Escape") { closeList(t); return; }
    // Arrow keys step through a picker's choices in place on every
    // platform, without opening its popup (Alt+Down still does).
    if (t.tagName === "SELECT" && !e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      var i = t.selectedIndex + (e.key === "ArrowDown" ? 1 : -1);
      if (i >= 0 && i < t.options.length) {
        t.selectedIndex = i;
        t.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    if (e.key !== "Enter" && !(e.key === "+" && t.classList.contains("qty"))) return;
    if (e.key === "+") { e.preventDefault(); roundUp(rowOf(t)); return; }
    if (t.tagName === "TEXTAREA" || t.tagName === "BUTTON") return;
    e.preventDefault();
    if (t.id === "customer-q") {
      var opt = currentOption(t);
      var account = document.getElementById("customer_account").value;
      if (opt) pickCustomer(opt);
      else if (account && t.value.trim().endsWith("(" + account + ")")) nextField(t);
      else lookupCustomer(t);
      return;
    }
    if (t.classList.contains("sku")) {
      var o = currentOption(t);
      if (o) pickItem(t, o);
      else if (t.dataset.unresolved && t.dataset.unresolved === t.value.trim()) return;
      else if (t.value.trim() && t.value.trim().toUpperCase() !== (rowOf(t).dataset.sku || "").toUpperCase()) lookupAndPick(t);
      else if (t.value.trim()) rowOf(t).querySelector(".qty").focus();
      return;
    }
    var row = rowOf(t);
    if (row) {
      var next = row.nextElementSibling;
      if (next) next.querySelector(".sku").focus();
      else addLine();
      return;
    }
    nextField(t);
  });

  // Enter never submits the form by itself (implicit submission comes on
  // the keypress): only Ctrl+Enter or the button do.
  document.addEventListener("keypress", function (e) {
    var f = form();
    if (!f || !f.contains(e.target)) return;
    if (e.key === "+" && e.target.classList.contains("qty")) { e.preventDefault(); return; }
    if (e.key !== "Enter") return;
    if (e.target.tagName === "TEXTAREA" || e.target.tagName === "BUTTON" || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
  });

  document.addEventListener("mousedown", function (e) {
    var opt = e.target.closest && e.target.closest("[role=option]");
    if (!opt) return;
    e.preventDefault();
    var list = opt.closest(".listbox");
    var input = document.querySelector("[aria-controls='" + list.id + "']");
    if (!input) return;
    if (input.id === "customer-q") pickCustomer(opt);
    else pickItem(input, opt);
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!t.closest) return;
    if (t.closest("[data-add-line]")) { addLine(); return; }
    var rm = t.closest("[data-remove-line]");
    if (rm) { removeLine(rowOf(rm)); return; }
    var ru = t.closest("[data-roundup]");
    if (ru) { roundUp(rowOf(ru)); rowOf(ru).querySelector(".qty").focus(); }
  });

  document.addEventListener("focusout", function (e) {
    var t = e.target;
    if (t.getAttribute && t.getAttribute("role") === "combobox") {
      setTimeout(function () { if (document.activeElement !== t) closeList(t); }, 150);
    }
  });

  document.addEventListener("input", function (e) {
    var f = form();
    if (!f || !f.contains(e.target)) return;
    var row = rowOf(e.target);
    if (row) {
      if (e.target.classList.contains("sku") && e.target.value.trim().toUpperCase() !== (row.dataset.sku || "").toUpperCase()) {
        row.dataset.sku = "";
      }
      if (e.target.dataset.unresolved) {
        delete e.target.dataset.unresolved;
        e.target.removeAttribute("aria-invalid");
      }
      var cell = e.target.closest("td");
      cell.querySelectorAll(".fielderror").forEach(function (x) { x.remove(); });
      recalc();
    }
    scheduleSave();
  });

  document.addEventListener("change", function (e) {
    var f = form();
    if (!f || !f.contains(e.target)) return;
    if (e.target.hasAttribute("data-refresh")) {
      focusAfterSwap = e.target.value === "__new__" ? "ship_name" : e.target.id;
      refresh();
    }
    scheduleSave();
  });

  // The whole form comes back after a refresh or a submit with problems.
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.detail.target || e.detail.target.id !== "entry-form" && !(e.detail.elt && e.detail.elt.id === "entry-form")) return;
    submitting = false;
    carryOver();
    recalc();
    var f = form();
    // Move focus only if the rep has not moved on while the form came back.
    var here = document.activeElement;
    var still = !here || here === document.body || here.id === focusAtRefresh;
    var target = still && focusAfterSwap && document.getElementById(focusAfterSwap);
    focusAfterSwap = null;
    if (!target && f.querySelector(".fielderror")) {
      var err = f.querySelector(".fielderror");
      var cell = err.closest("td, label");
      target = cell && cell.querySelector("input, select");
    }
    if (target) target.focus();
    scheduleSave();
  });

  // Drafts panel ---------------------------------------------------------------

  // A delete takes its row away; the focus goes to the delete button that
  // took the row's place (or the last one, or the panel's heading), so that
  // the keyboard keeps its place in the panel.
  var deletedAt = -1;

  document.addEventListener("htmx:beforeRequest", function (e) {
    var f = e.detail.elt;
    if (!f.classList || !f.classList.contains("draft-delete")) return;
    var items = Array.prototype.slice.call(document.querySelectorAll("#entry-drafts li"));
    deletedAt = items.indexOf(f.closest("li"));
  });

  // Deleting the draft on the screen: once the rep confirms, the screen
  // stops autosaving and waits for an autosave on its way, so that none
  // brings the draft back after the delete; the answer then sends the
  // screen to a new order. The autosave's answer is not swapped in, since
  // it would replace the panel and the delete form with it.
  var saving = null;
  var saved = null;

  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.elt.id === "entry-autosave") saving = new Promise(function (resolve) { saved = resolve; });
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt.id !== "entry-autosave" || !saved) return;
    saved();
    saving = saved = null;
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    if (submitting && e.detail.elt.id === "entry-autosave") e.detail.shouldSwap = false;
  });

  // Submitting the order waits for an autosave on its way too: capturing
  // the order deletes its draft, and a save answered after that would
  // create the draft again.
  document.addEventListener("htmx:confirm", function (e) {
    if (e.detail.elt.id !== "entry-form" || !saving) return;
    e.preventDefault();
    clearTimeout(saveTimer);
    submitting = true;
    saving.then(function () { e.detail.issueRequest(true); });
  });

  document.addEventListener("htmx:confirm", function (e) {
    var f = e.detail.elt;
    if (!f.classList || !f.classList.contains("draft-delete") || !f.hasAttribute("data-current")) return;
    e.preventDefault();
    if (!window.confirm(e.detail.question)) return;
    clearTimeout(saveTimer);
    submitting = true;
    (saving || Promise.resolve()).then(function () { e.detail.issueRequest(true); });
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!elt || !elt.classList || !elt.classList.contains("draft-delete") || e.target.id !== "entry-drafts") return;
    var buttons = e.target.querySelectorAll(".draft-del");
    var to = buttons[Math.min(deletedAt, buttons.length - 1)] || document.getElementById("drafts-title");
    deletedAt = -1;
    if (to) to.focus();
  });

  document.addEventListener("htmx:responseError", function () { submitting = false; });
  document.addEventListener("htmx:sendError", function () { submitting = false; });

  function start() {
    if (!form()) return;
    recalc();
    var cust = document.getElementById("customer_account");
    if (!cust.value) { document.getElementById("customer-q").focus(); return; }
    var skus = document.querySelectorAll("#line-body .sku");
    var last = skus[skus.length - 1];
    if (last) last.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
