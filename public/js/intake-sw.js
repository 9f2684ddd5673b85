// Service worker of the grid worker's entry page (served as /intake/sw.js, scope /intake).
// In basements and old stairwells there is no signal: the entry page, its style and its script come from
// this cache, and intake-offline.js queues the entries until the connection returns. Network first, so a
// new version of the page wins whenever there is a signal. No dependencies.
'use strict';

var CACHE = 'linsheng-intake-v1';
var PAGE = '/intake';
var ASSETS = ['/static/css/app.css', '/static/js/intake-offline.js'];

function putCopy(key, response) {
  var copy = response.clone();
  return caches.open(CACHE).then(function (cache) { return cache.put(key, copy); }).catch(function () { /* storage full: serve anyway */ });
}

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      var jobs = ASSETS.map(function (url) { return cache.add(url).catch(function () { /* retried on next fetch */ }); });
      // The page needs the session cookie; a redirect to the login page is not worth keeping.
      jobs.push(fetch(PAGE, { credentials: 'same-origin' }).then(function (res) {
        if (res.ok && !res.redirected) return cache.put(PAGE, res);
      }).catch(function () { /* offline while installing: the next visit caches it */ }));
      return Promise.all(jobs);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf('linsheng-intake-') === 0 && k !== CACHE; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET') return; // saves go to the network; the page script queues them when that fails
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;

  if (req.mode === 'navigate' && url.pathname === PAGE) {
    event.respondWith(
      fetch(req).then(function (res) {
        if (res.ok && !res.redirected) event.waitUntil(putCopy(PAGE, res));
        return res;
      }).catch(function () {
        return caches.match(PAGE).then(function (hit) {
          return hit || new Response('<!doctype html><meta charset="utf-8"><title>没有网络</title><p>现在没有网络，而这台设备还没有保存过录入页面。请在有网络时打开一次“快速录入”。</p>',
            { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
        });
      })
    );
    return;
  }

  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(
      fetch(req).then(function (res) {
        if (res.ok) event.waitUntil(putCopy(url.pathname, res));
        return res;
      }).catch(function () {
        return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
      })
    );
  }
});
