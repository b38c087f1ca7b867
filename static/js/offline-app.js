/* The offline page (docs/OFFLINE.md): with or without a signal, the user's own children from
   this phone's working set, the forms for a home visit, a family call or this month's check-in,
   and what waits to be sent or needs the user's attention. Needs offline.js (window.LBC).
   Everything shown is built with textContent: nothing from the store is parsed as HTML. */
(function () {
  "use strict";
  var LBC = window.LBC;
  var app = document.getElementById("offline-app");
  if (!LBC || !app) { return; }
  var T = JSON.parse(document.getElementById("offline-texts").textContent);
  var cfg = app.dataset;
  var ws = null;
  var current = null; // the form open now: kind, target, key, opened_at, form, name
  var FRESH_MS = 10 * 6e4;

  function $(id) { return document.getElementById(id); }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, name) { return values[name]; });
  }
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" || typeof child === "number"
          ? document.createTextNode(String(child)) : child);
      }
    });
    return node;
  }
  function local(minutes) {
    var d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, minutes ? 16 : 10);
  }
  function note(text, kind) {
    var box = $("app-note");
    box.className = "alert alert-" + (kind || "info");
    box.textContent = text || "";
    box.hidden = !text;
  }
  function child(id) {
    return ws && ws.children.filter(function (c) { return c.id === Number(id); })[0];
  }
  function assignment(id) {
    return ws && ws.assignments.filter(function (a) { return a.id === Number(id); })[0];
  }
  function show(view) {
    ["view-list", "view-child", "view-form"].forEach(function (id) { $(id).hidden = id !== view; });
    window.scrollTo(0, 0);
  }
  function about(c) {
    if (c.shared === false) { return ""; }
    return [c.school, fmt(T.grade, { grade: c.grade })].join(" · ");
  }

  // --- The children ------------------------------------------------------------------------
  function renderList() {
    var box = $("children"), q = $("find").value.trim();
    box.textContent = "";
    if (!ws) { box.appendChild(h("p", { class: "text-muted" }, [T.no_set])); $("kept").textContent = ""; return; }
    var found = ws.children.filter(function (c) { return !q || c.name.indexOf(q) !== -1; });
    found.forEach(function (c) {
      var todo = ws.assignments.filter(function (a) { return a.child === c.id && !a.done; }).length;
      box.appendChild(h("a", { class: "list-group-item list-group-item-action py-3 child-item",
                               href: "#child-" + c.id, "data-child": c.id }, [
        h("div", { class: "fw-bold fs-5" }, [c.name]),
        h("div", { class: "small text-muted" }, [about(c)]),
        todo ? h("span", { class: "badge text-bg-warning" }, [T.to_do]) : null
      ]));
    });
    if (!found.length) { box.appendChild(h("p", { class: "text-muted" }, [T.no_match])); }
    $("kept").textContent = fmt(T.kept, { count: ws.children.length, date: ws.keep_until.slice(0, 10) });
  }

  function people(c) {
    var rows = [];
    (c.guardians || []).concat(c.parents || []).forEach(function (p) {
      rows.push(h("div", {}, [p.relation + " " + p.name + (p.city ? " (" + p.city + ")" : "") + " ",
        p.phone ? h("a", { class: "btn btn-outline-success btn-sm", href: "tel:" + p.phone }, [p.phone]) : null]));
    });
    return rows;
  }

  function renderChild(id) {
    var c = child(id), box = $("child-card");
    if (!c) { return go("#list"); }
    box.textContent = "";
    box.appendChild(h("h1", { class: "h3 mb-0" }, [c.name]));
    box.appendChild(h("p", { class: "text-muted" }, [about(c)]));
    if (c.shared === false) {
      box.appendChild(h("div", { class: "alert alert-warning" }, [T.not_shared]));
    } else {
      box.appendChild(h("div", { class: "mb-2" }, [T.guardian + ": " + c.guardian]));
      people(c).forEach(function (row) { box.appendChild(row); });
    }
    if (ws.role === "teacher") {
      box.appendChild(h("p", { class: "small mt-2" }, [
        T.last_visit + ": " + (c.last_visit || T.none_yet), h("br"),
        T.last_call + ": " + (c.last_call ? c.last_call.replace("T", " ") : T.none_yet)]));
      box.appendChild(h("a", { class: "btn btn-primary btn-lg w-100 mb-2", id: "go-visit", href: "#visit-" + c.id }, [T.record_visit]));
      box.appendChild(h("a", { class: "btn btn-outline-primary btn-lg w-100", id: "go-call", href: "#call-" + c.id }, [T.record_call]));
    }
    ws.assignments.filter(function (a) { return a.child === c.id; }).forEach(function (a) {
      box.appendChild(h("div", { class: "mt-3 small text-muted" }, [a.role + " · ", h("span", {
        class: "badge " + (a.done ? "text-bg-success" : "text-bg-warning") }, [a.done ? T.done : T.to_do])]));
      box.appendChild(h("a", { class: "btn btn-primary btn-lg w-100 mt-1 go-checkin", href: "#checkin-" + a.id }, [T.do_checkin]));
    });
    show("view-child");
  }

  // --- The forms -----------------------------------------------------------------------------
  function fill(form, data) {
    Object.keys(data || {}).forEach(function (name) {
      var values = [].concat(data[name]);
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + name + "']"), function (input) {
        if (input.type === "checkbox" || input.type === "radio") {
          input.checked = values.indexOf(input.value) !== -1;
        } else {
          input.value = values[0];
        }
      });
    });
  }

  function collect(form) {
    var data = {}, fields = new FormData(form);
    fields.forEach(function (value, name) {
      var many = form.querySelectorAll("input[type=checkbox][name='" + name + "']").length > 1;
      if (many) { (data[name] = data[name] || []).push(value); } else { data[name] = value; }
    });
    return data;
  }

  function openForm(kind, target, record) {
    var a = kind === "checkin" ? assignment(target) : null;
    var c = a ? child(a.child) : child(target);
    if (!c || (kind === "checkin" && !a)) { return go("#list"); }
    var form = $(kind === "visit" ? "f-visit" : kind === "call" ? "f-call" : a.form === "roles" ? "f-roles" : "f-contact");
    Array.prototype.forEach.call(document.querySelectorAll(".offline-form"), function (f) { f.hidden = f !== form; });
    form.reset();
    current = { kind: kind, target: Number(target), form: form, name: c.name,
                key: record ? record.key : LBC.newKey(), opened_at: new Date().toISOString() };
    $("form-title").textContent = kind === "visit" ? T.record_visit : kind === "call" ? T.record_call : T.do_checkin;
    $("form-child").textContent = [c.name, about(c), a ? a.role : ""].filter(Boolean).join(" · ");
    if (kind === "visit") { form.elements.date.value = local(false); }
    if (kind === "call") {
      var rooms = (ws.rooms || {})[String(c.school_id)] || [], select = form.elements.room;
      select.textContent = "";
      rooms.forEach(function (r) { select.appendChild(h("option", { value: r.id }, [r.name])); });
      form.elements.at.value = local(true);
      form.querySelector(".no-room").hidden = rooms.length > 0;
      form.querySelector("button[type=submit]").disabled = !rooms.length;
    }
    if (record) { fill(form, record.data); }
    var reasons = $("form-reasons");
    reasons.hidden = !(record && record.messages && record.messages.length);
    reasons.firstChild.textContent = "";
    (record ? record.messages || [] : []).forEach(function (m) { reasons.firstChild.appendChild(h("li", {}, [m])); });
    show("view-form");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("offline-form")) { return; }
    event.preventDefault();
    if (!current || current.form !== form || !ws) { return; }
    var missing = form.querySelector(":invalid");
    if (missing) { missing.focus(); return; }
    var record = { key: current.key, kind: current.kind, target: current.target, data: collect(form),
                   opened_at: current.opened_at, month: ws.month, user: ws.user, name: current.name,
                   status: "waiting", saved_at: new Date().toISOString(), messages: [] };
    form.querySelector("button[type=submit]").disabled = true;
    LBC.keep(record).then(function () {
      form.querySelector("button[type=submit]").disabled = false;
      current = null;
      note(T.saved_here, "success");
      go("#outbox");
      if (navigator.serviceWorker) {
        navigator.serviceWorker.ready.then(function (reg) {
          return reg.sync && reg.sync.register("lbc-outbox");
        }).catch(function () {});
      }
      send();
    });
  });

  // --- What waits, what was refused, what was sent --------------------------------------------
  function mine(r) { return !ws || String(r.user) === String(ws.user); }
  function label(r) { return T[r.kind] + " · " + r.name; }

  function renderOutbox() {
    Promise.all([LBC.records(), LBC.meta("sent"), LBC.meta("signin")]).then(function (got) {
      var list = got[0].filter(mine), sent = (got[1] || []).filter(mine);
      var waiting = list.filter(function (r) { return r.status === "waiting"; });
      var refused = list.filter(function (r) { return r.status === "refused"; });
      fillList("waiting", waiting, function (r) {
        return [label(r), " ", h("span", { class: "badge text-bg-warning waiting-badge" }, [T.waiting]),
                h("div", { class: "small text-muted" }, [fmt(T.saved_at, { time: r.saved_at.slice(0, 16).replace("T", " ") })])];
      });
      fillList("attention", refused, function (r) {
        var fixable = r.kind === "checkin" ? assignment(r.target) : child(r.target);
        return [h("div", { class: "fw-bold" }, [label(r)]),
          h("ul", { class: "reasons mb-2" }, (r.messages || []).map(function (m) { return h("li", {}, [m]); })),
          fixable ? h("a", { class: "btn btn-sm btn-primary me-2 fix", href: "#fix-" + r.key }, [T.fix]) : null,
          h("button", { type: "button", class: "btn btn-sm btn-outline-danger discard", "data-key": r.key }, [T.discard])];
      });
      fillList("sent", sent, function (r) {
        return [label(r), " ", h("span", { class: "badge text-bg-success" }, [T.sent])];
      });
      if (got[2] && waiting.length && navigator.onLine) { note(T.sign_in, "warning"); }
    });
  }

  function fillList(id, items, row) {
    var box = $(id);
    box.textContent = "";
    $(id + "-title").hidden = !items.length;
    items.forEach(function (r) {
      box.appendChild(h("li", { class: "list-group-item", "data-key": r.key }, row(r)));
    });
  }

  app.addEventListener("click", function (event) {
    var button = event.target.closest(".discard");
    if (button && window.confirm(T.confirm_discard)) { LBC.drop(button.dataset.key); }
  });

  $("clear-phone").addEventListener("click", function () {
    LBC.records().then(function (list) {
      var waiting = list.some(function (r) { return r.status === "waiting"; });
      if (waiting && !window.confirm(T.confirm_clear)) { return; }
      return LBC.wipe().then(function () {
        ws = null;
        go("#list");
        renderList();
        ["waiting", "attention", "sent"].forEach(function (id) { fillList(id, [], null); });
        note(T.cleared, "success");
      });
    });
  });

  // --- Sending -------------------------------------------------------------------------------
  function send() {
    if (!navigator.onLine) { return Promise.resolve(); }
    return LBC.send().then(function (result) {
      if (result.other) { note(T.other_user, "warning"); }
      if (result.sent) { note(fmt(T.sent_count, { count: result.sent }), "success"); }
      if (result.refused) { note(T.look_at_these, "warning"); }
      if (result.sent) {
        return LBC.refresh(cfg.set).then(function (fresh) { ws = fresh === undefined ? ws : fresh; });
      }
    }).catch(function () {}).then(render);
  }

  function network() {
    $("app-offline").textContent = T.offline;
    $("app-offline").hidden = navigator.onLine;
  }

  // --- Where am I: #list, #outbox, #child-1, #visit-1, #call-1, #checkin-1, #fix-<key>, or the
  // page of the site the offline page stands in for. ---------------------------------------
  function go(hash) {
    if (location.hash === hash) { route(); } else { location.hash = hash; }
  }

  function fromPath() {
    var p = location.pathname, m;
    if ((m = /^\/children\/(\d+)\/visits\/new\/$/.exec(p))) { return ["visit", m[1]]; }
    if ((m = /^\/children\/(\d+)\/calls\/new\/$/.exec(p))) { return ["call", m[1]]; }
    if ((m = /^\/children\/(\d+)\/$/.exec(p))) { return ["child", m[1]]; }
    if ((m = /^\/my\/checkins\/(\d+)\/$/.exec(p))) { return ["checkin", m[1]]; }
    return null;
  }

  function route() {
    var m = /^#(child|visit|call|checkin|fix)-([\w-]+)$/.exec(location.hash);
    var where = m ? [m[1], m[2]] : location.hash ? null : fromPath();
    if (where && where[0] === "fix") {
      return LBC.records().then(function (list) {
        var r = list.filter(function (x) { return x.key === where[1]; })[0];
        if (r) { openForm(r.kind, r.target, r); } else { go("#list"); }
      });
    }
    if (where && where[0] === "child") { return renderChild(where[1]); }
    if (where) { return openForm(where[0], where[1], null); }
    current = null;
    renderList();
    show("view-list");
    if (location.hash === "#outbox") { $("outbox").scrollIntoView(); }
  }

  function render() { renderOutbox(); if (!current) { route(); } }

  $("find").addEventListener("input", renderList);
  window.addEventListener("hashchange", route);
  window.addEventListener("online", function () { network(); send(); });
  window.addEventListener("offline", network);
  document.addEventListener("lbc:changed", renderOutbox);
  if (LBC.channel) { LBC.channel.addEventListener("message", renderOutbox); }

  network();
  LBC.workingSet().then(function (stored) {
    ws = stored;
    route();
    renderOutbox();
    if (!navigator.onLine) { return; }
    var fresh = ws && Date.now() - ws.saved_at < FRESH_MS;
    return send().then(function () {
      return fresh ? ws : LBC.refresh(cfg.set).then(function (got) {
        ws = got === undefined ? ws : got;
        render();
      });
    });
  }).catch(function () {});
})();
