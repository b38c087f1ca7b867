{% autoescape off %}/* The service worker of the offline app (docs/OFFLINE.md), rendered by
   lbc_office.offline.views.service_worker with the shell's files as the pages name them.
   It keeps the shell (the offline page and its static files) and nothing else: pages with
   personal data are never cached; the working set and the records waiting to be sent are in
   IndexedDB (static/js/offline.js, shared with the pages). */
"use strict";
var CONFIG = {{ config }};
importScripts(CONFIG.core);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.cache)
      .then(function (cache) { return cache.addAll([CONFIG.shell].concat(CONFIG.assets)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("lbc-shell-") === 0 && name !== CONFIG.cache;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function shell() {
  return caches.open(CONFIG.cache).then(function (cache) { return cache.match(CONFIG.shell); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // The network first, always; with no signal, the offline page stands in for any page.
    event.respondWith(fetch(request).then(function (response) {
      if (url.pathname === CONFIG.shell && response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CONFIG.cache).then(function (cache) { cache.put(CONFIG.shell, copy); });
      }
      return response;
    }).catch(function () {
      return shell().then(function (cached) { return cached || Response.error(); });
    }));
    return;
  }
  if (CONFIG.assets.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});

// Background Sync, where the browser has it: the records waiting are sent when the signal
// returns even if no page of the site is open.
self.addEventListener("sync", function (event) {
  if (event.tag === "lbc-outbox") {
    event.waitUntil(self.LBC.send().catch(function () { return null; }));
  }
});
{% endautoescape %}
