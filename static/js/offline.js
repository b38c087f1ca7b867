/* The offline app's store and its sending (docs/OFFLINE.md). No dependency. It runs in every
   signed-in page and in the service worker (/sw.js imports it):
   - IndexedDB "lbc-offline": "meta" (the working set "ws", the settings "conf", the last records
     sent "sent") and "outbox" (records made on this phone: "waiting", or "refused" with the
     server's reasons, until the user changes or discards them);
   - send(): the waiting records, each with its one-time key, to the sync endpoint, one sender
     at a time (Web Locks); the server stores a record sent twice once;
   - wipe(): everything the site keeps on this phone (sign-out, "clear this phone").
   In a page it also registers the worker, keeps the user's working set fresh, sends what waits
   when the page opens and when the signal returns, shows the counts and wipes at sign-out. */
(function (root) {
  "use strict";
  var NAME = "lbc-offline";
  var KEEP_MS = 14 * 864e5; // a working set is dropped 14 days after it came, whatever it says
  var STALE_MS = 6 * 36e5; // a page fetches a new working set when the old one is this old
  var BATCH = 50;
  var opening = null;
  var channel = root.BroadcastChannel ? new BroadcastChannel(NAME) : null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("meta");
          request.result.createObjectStore("outbox", { keyPath: "key" });
        };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () { db.close(); opening = null; }; // a wipe elsewhere
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var request = work(tx.objectStore(store));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function changed() {
    if (channel) { channel.postMessage("changed"); }
    if (root.document) { document.dispatchEvent(new Event("lbc:changed")); }
  }

  var LBC = {
    meta: function (key) { return run("meta", "readonly", function (s) { return s.get(key); }); },
    setMeta: function (key, value) {
      return run("meta", "readwrite", function (s) { return s.put(value, key); });
    },
    dropMeta: function (key) {
      return run("meta", "readwrite", function (s) { return s.delete(key); });
    },
    records: function () { return run("outbox", "readonly", function (s) { return s.getAll(); }); },
    keep: function (record) {
      return run("outbox", "readwrite", function (s) { return s.put(record); }).then(changed);
    },
    drop: function (key) {
      return run("outbox", "readwrite", function (s) { return s.delete(key); }).then(changed);
    },
    changed: changed,
    channel: channel
  };

  LBC.newKey = function () {
    if (root.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16)), hex = "";
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) { hex += (b[i] + 256).toString(16).slice(1); }
    return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
  };

  // The working set, or null once it is past the server's date or 14 days on this phone.
  LBC.workingSet = function () {
    return LBC.meta("ws").then(function (ws) {
      var now = Date.now();
      if (!ws) { return null; }
      if (now > Date.parse(ws.keep_until) || now - ws.saved_at > KEEP_MS) {
        return LBC.dropMeta("ws").then(function () { changed(); return null; });
      }
      return ws;
    });
  };

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
  }

  // Fetch the signed-in user's working set: null for a role that keeps none (it is dropped),
  // undefined when no one is signed in.
  LBC.refresh = function (url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403) {
          return LBC.dropMeta("ws").then(function () { return null; });
        }
        if (!response.ok || !isJson(response)) { // signed out: the stored set stays
          return LBC.setMeta("signin", true).then(function () { return undefined; });
        }
        return response.json().then(function (ws) {
          ws.saved_at = Date.now();
          return Promise.all([LBC.setMeta("ws", ws), LBC.dropMeta("signin")]).then(function () {
            changed();
            return ws;
          });
        });
      });
  };

  function locked(work) {
    var locks = root.navigator && navigator.locks;
    return locks ? locks.request("lbc-send", work) : work();
  }

  function token(conf) {
    if (root.document) {
      var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (cookie) { return cookie[1]; }
    }
    return conf.csrf || "";
  }

  function post(conf, user, records) {
    var body = records.map(function (r) {
      return { key: r.key, kind: r.kind, target: r.target, data: r.data,
               opened_at: r.opened_at, month: r.month };
    });
    return fetch(conf.sync, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "X-CSRFToken": token(conf) },
      body: JSON.stringify({ user: user, records: body })
    }).then(function (response) {
      if (response.status === 409) { return { other: records.length }; }
      if (!response.ok || !isJson(response)) {
        return LBC.setMeta("signin", true).then(function () { return { signIn: true }; });
      }
      return response.json().then(function (answer) { return settle(records, answer.results); });
    });
  }

  // Saved: off the phone (a short note kept in "sent"); refused: kept, with the reasons.
  function settle(records, results) {
    var byKey = {}, sent = [], refused = 0, work = [LBC.dropMeta("signin")];
    records.forEach(function (r) { byKey[r.key] = r; });
    (results || []).forEach(function (result) {
      var record = byKey[result.key];
      if (!record) { return; }
      if (result.status === "saved") {
        sent.push({ key: record.key, kind: record.kind, name: record.name, user: record.user,
                    at: new Date().toISOString() });
        work.push(LBC.drop(record.key));
      } else {
        refused += 1;
        record.status = "refused";
        record.messages = result.messages;
        work.push(LBC.keep(record));
      }
    });
    work.push(LBC.meta("sent").then(function (old) {
      return LBC.setMeta("sent", sent.concat(old || []).slice(0, 20));
    }));
    return Promise.all(work).then(function () {
      changed();
      return { sent: sent.length, refused: refused };
    });
  }

  // Send what waits, each user's records in their own name (the server refuses another's).
  LBC.send = function () {
    return locked(function () {
      return Promise.all([LBC.meta("conf"), LBC.records()]).then(function (got) {
        var conf = got[0] || {}, groups = {}, order = [];
        got[1].forEach(function (r) {
          if (r.status !== "waiting") { return; }
          if (!groups[r.user]) { groups[r.user] = []; order.push(r.user); }
          groups[r.user].push(r);
        });
        if (!conf.sync) { return {}; }
        return order.reduce(function (chain, user) {
          return chain.then(function (total) {
            return post(conf, user, groups[user].slice(0, BATCH)).then(function (done) {
              return { sent: (total.sent || 0) + (done.sent || 0),
                       refused: (total.refused || 0) + (done.refused || 0),
                       other: (total.other || 0) + (done.other || 0),
                       signIn: total.signIn || done.signIn };
            });
          });
        }, Promise.resolve({}));
      });
    });
  };

  // Everything the site keeps on this phone: the store, the worker's caches, the worker.
  LBC.wipe = function () {
    var done = [];
    if (opening) { opening.then(function (db) { db.close(); }, function () {}); opening = null; }
    done.push(new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(NAME);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    }));
    if (root.caches) {
      done.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return caches.delete(name); }));
      }));
    }
    if (root.navigator && navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      done.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (r) { return r.unregister(); }));
      }));
    }
    if (channel) { channel.postMessage("changed"); }
    return Promise.all(done.map(function (p) { return p.catch(function () {}); }));
  };

  root.LBC = LBC;
  if (!root.document) { return; } // the service worker: no page to look after

  var el = document.querySelector("[data-lbc-offline]");
  if (!el) { return; }
  var cfg = el.dataset;
  var works = cfg.role === "teacher" || cfg.role === "volunteer" || !cfg.user;

  // Signing out wipes this phone first (the answer's Clear-Site-Data does it again).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!cfg.logout || form.getAttribute("action") !== cfg.logout || form.dataset.wiped) { return; }
    event.preventDefault();
    var go = function () {
      if (!form.dataset.wiped) { form.dataset.wiped = "1"; form.submit(); }
    };
    LBC.records().then(function (list) {
      var left = list.filter(function (r) { return r.status === "waiting"; }).length;
      return left && navigator.onLine ? LBC.send().then(LBC.records) : list;
    }).then(function (list) {
      var left = list.filter(function (r) { return r.status === "waiting"; }).length;
      if (left && cfg.unsent && !window.confirm(cfg.unsent)) { return false; }
      return LBC.wipe().then(function () { return true; });
    }).then(function (ok) { if (ok) { go(); } }, go);
  }, true);

  function counts() {
    var status = document.getElementById("offline-status");
    if (!status) { return; }
    LBC.records().then(function (list) {
      var mine = list.filter(function (r) { return String(r.user) === cfg.user; });
      var waiting = mine.filter(function (r) { return r.status === "waiting"; }).length;
      var refused = mine.length - waiting;
      status.querySelector(".os-waiting").hidden = !waiting;
      status.querySelector(".os-waiting b").textContent = waiting;
      status.querySelector(".os-attention").hidden = !refused;
      status.querySelector(".os-attention b").textContent = refused;
      status.hidden = !(waiting || refused);
    });
  }

  function sendNow() {
    if (navigator.onLine) { return LBC.send().catch(function () { return {}; }); }
    return Promise.resolve({});
  }

  function start() {
    if (!works) {
      // Another role on a phone that kept someone's working set: it goes.
      LBC.dropMeta("ws").catch(function () {});
      return;
    }
    if (navigator.serviceWorker) {
      navigator.serviceWorker.register(cfg.sw, { scope: "/" }).catch(function () {});
    }
    var settings = { sync: cfg.sync, csrf: token({}) };
    var ready = LBC.setMeta("conf", settings).then(function () { return LBC.workingSet(); });
    if (!cfg.user) { return; } // the offline page looks after itself (offline-app.js)
    ready.then(function (ws) {
      var owner = ws && String(ws.user) !== cfg.user;
      var stale = !ws || owner || Date.now() - ws.saved_at > STALE_MS;
      return (owner ? LBC.dropMeta("ws") : Promise.resolve()).then(function () {
        return sendNow().then(function (result) {
          return stale || result.sent ? LBC.refresh(cfg.set) : ws;
        });
      });
    }).catch(function () {}).then(counts);
    window.addEventListener("online", function () { sendNow().then(counts); });
    document.addEventListener("lbc:changed", counts);
    if (LBC.channel) { LBC.channel.addEventListener("message", counts); }
  }

  // After the page has painted: nothing here may hold up a slow network's first page.
  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
})(self);
