// On the login page (after logging out, or when a session ran out): drop the entry page the service worker
// kept, so nobody opens the last user's page on a shared phone without a signal. Entries still waiting in
// IndexedDB stay; they belong to their user and go up after that user logs in again.
'use strict';
if (window.caches) {
  caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('linsheng-intake-') === 0; })
      .map(function (k) { return caches.delete(k); }));
  }).catch(function () { /* nothing cached, or storage not available */ });
}
