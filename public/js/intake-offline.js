// Quick entry without a signal (progressive enhancement: the form works without this script when online).
// Saves go through fetch; when there is no network, the entry and its photo wait in IndexedDB ("待上传")
// and are sent when the connection returns, each with its own idempotency key, so a retry never duplicates.
// No dependencies; written for old phone browsers (no modules, no build step).
(function () {
  'use strict';

  var API = '/intake/api/entries';
  var DB_NAME = 'linsheng-intake';
  var STORE = 'queue';
  var RETRY_MS = 30000;

  var form = document.getElementById('entry-form');
  var queueBox = document.getElementById('intake-queue');
  var netBox = document.getElementById('intake-net');
  var userId = form ? form.getAttribute('data-user') : (queueBox && queueBox.getAttribute('data-user'));
  var csrf = (form || queueBox) ? (form || queueBox).getAttribute('data-csrf') : null;
  var flushing = false;
  var saving = false;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/intake/sw.js', { scope: '/intake' }).catch(function () { /* works online without it */ });
  }
  if (!('indexedDB' in window) || !window.fetch || !window.FormData || !userId) return;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // ---- IndexedDB ----
  var dbPromise = null;
  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: 'key' }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }
  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && 'result' in result ? result.result : undefined); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function allQueued() {
    return tx('readonly', function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (r) { return String(r.userId) === String(userId); })
        .sort(function (a, b) { return a.savedAt < b.savedAt ? -1 : 1; });
    });
  }
  function putQueued(rec) { return tx('readwrite', function (s) { s.put(rec); }); }
  function deleteQueued(key) { return tx('readwrite', function (s) { s['delete'](key); }); }

  // ---- the list of entries waiting ----
  function render() {
    if (!queueBox) return Promise.resolve();
    return allQueued().then(function (rows) {
      queueBox.hidden = rows.length === 0;
      queueBox.querySelector('[data-queue-count]').textContent = String(rows.length);
      var list = queueBox.querySelector('[data-queue-list]');
      list.textContent = '';
      rows.forEach(function (r) {
        var li = document.createElement('li');
        var text = r.fields.text || '';
        li.textContent = (r.fields.collectedOn || '') + ' ' + (text.length > 40 ? text.slice(0, 40) + '…' : text) +
          (r.photo ? '（含照片）' : '') + (r.error ? ' — 上传失败：' + r.error : ' — 待上传');
        if (r.error && r.confirmDate) {
          // Sent back only because the date is before the campaign or over a year old: the worker may confirm it.
          var ok = document.createElement('button');
          ok.type = 'button';
          ok.className = 'link';
          ok.textContent = '日期 ' + r.confirmDate + ' 核实无误，照样上传';
          ok.addEventListener('click', function () {
            r.fields.confirmDate = r.confirmDate;
            r.error = null;
            r.confirmDate = null;
            putQueued(r).then(render).then(flush);
          });
          li.appendChild(document.createTextNode(' '));
          li.appendChild(ok);
        }
        if (r.error) {
          var del = document.createElement('button');
          del.type = 'button';
          del.className = 'link';
          del.textContent = '删除';
          del.addEventListener('click', function () {
            if (window.confirm('删除这条未上传的记录？删除后无法恢复。')) deleteQueued(r.key).then(render);
          });
          li.appendChild(document.createTextNode(' '));
          li.appendChild(del);
        }
        list.appendChild(li);
      });
    });
  }
  function status(msg) {
    if (!queueBox) return;
    queueBox.querySelector('[data-queue-status]').textContent = msg || '';
  }
  function showNet() {
    if (netBox) netBox.hidden = navigator.onLine !== false;
  }

  // ---- sending ----
  function toFormData(rec, sync) {
    var fd = new FormData();
    Object.keys(rec.fields).forEach(function (k) { fd.append(k, rec.fields[k]); });
    if (rec.photo) fd.append('photo', rec.photo, rec.photoName || 'photo.jpg');
    if (sync) fd.append('_sync', '1');
    return fd;
  }
  function post(fd) {
    return fetch(API, {
      method: 'POST', body: fd, credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf || '', Accept: 'application/json' },
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) { return { status: res.status, body: body }; });
    });
  }
  // After a new login the page's token is stale: fetch the entry page once for the current one.
  function refreshCsrf() {
    return fetch('/intake', { credentials: 'same-origin', headers: { Accept: 'text/html' } }).then(function (res) {
      if (!res.ok || res.redirected) return false;
      return res.text().then(function (html) {
        var m = /data-csrf="([^"]+)"/.exec(html);
        if (m) csrf = m[1];
        return !!m;
      });
    }).catch(function () { return false; });
  }

  function flush() {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    flushing = true;
    var stop = false;
    var refreshed = false;
    return allQueued().then(function (rows) {
      var pending = rows.filter(function (r) { return !r.error; });
      if (pending.length) status('正在上传 ' + pending.length + ' 条…');
      return pending.reduce(function (chain, rec) {
        return chain.then(function () {
          if (stop) return;
          var attempt = function () { return post(toFormData(rec, true)); };
          return attempt().then(function (r) {
            if (r.status === 403 && !refreshed) {
              refreshed = true;
              return refreshCsrf().then(function (ok) { return ok ? attempt() : r; });
            }
            return r;
          }).then(function (r) {
            if (r.status === 200 || r.status === 201) return deleteQueued(rec.key);
            if (r.status === 401) { stop = true; status('登录已过期。请重新登录后回到本页，待上传的记录会自动上传。'); return; }
            if (r.status === 429 || r.status >= 500) { stop = true; status('服务器暂时忙，稍后自动重试。'); return; }
            rec.error = (r.body && r.body.error) || ('错误 ' + r.status);
            rec.confirmDate = (r.body && r.body.confirmDate) || null;
            return putQueued(rec);
          }, function () { stop = true; status('网络还不通，稍后自动重试。'); });
        });
      }, Promise.resolve());
    }).then(function () {
      if (!stop) status('');
    }).then(render, render).then(function () { flushing = false; }, function () { flushing = false; });
  }

  // ---- the form ----
  function queueEntry(fd) {
    var fields = {};
    var photo = null;
    fd.forEach(function (value, name) {
      if (name === 'photo') { if (value && value.size > 0) photo = value; return; }
      if (name !== '_csrf') fields[name] = String(value);
    });
    var rec = {
      key: fields.idempotencyKey, userId: userId, fields: fields, photo: photo,
      photoName: photo ? photo.name : null, savedAt: new Date().toISOString(), error: null,
    };
    return putQueued(rec).then(function () {
      // Ready for the next household: keep place, channel and date; clear what belongs to this one.
      ['text', 'residentName', 'residentPhone', 'photo'].forEach(function (n) { if (form.elements[n]) form.elements[n].value = ''; });
      if (form.elements.categoryId) form.elements.categoryId.value = '';
      form.elements.idempotencyKey.value = newKey();
      status('没有网络：已存在本机，有网后自动上传。');
      return render();
    }).then(function () { form.elements.text.focus(); });
  }

  if (form) {
    // Every page load is a new form: a page shown from the offline cache must not reuse a key already sent.
    form.elements.idempotencyKey.value = newKey();

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (saving) return; // a double tap
      saving = true;
      var fd = new FormData(form);
      var done = function () { saving = false; };
      if (navigator.onLine === false) { queueEntry(fd).then(done, done); return; }
      post(fd).then(function (r) {
        if (r.status === 200 || r.status === 201) { window.location.assign(r.body.next); return; }
        if (r.status === 401 || r.status === 429 || r.status >= 500) return queueEntry(fd).then(done);
        // Invalid input: let the server render the form with its messages (nothing was saved).
        form.submit();
      }, function () { return queueEntry(fd).then(done); }).then(null, done);
    });

    form.elements.text.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
  }

  if (queueBox) {
    var send = queueBox.querySelector('[data-queue-send]');
    if (send) send.addEventListener('click', function () { flush(); });
  }
  window.addEventListener('online', function () { showNet(); flush(); });
  window.addEventListener('offline', showNet);
  showNet();
  if (navigator.onLine === false) {
    // A page from the offline cache may carry an old "已保存" message.
    Array.prototype.forEach.call(document.querySelectorAll('.flash'), function (el) { el.hidden = true; });
  }
  render().then(flush);
  setInterval(function () { if (!flushing && navigator.onLine !== false) allQueued().then(function (rows) { if (rows.some(function (r) { return !r.error; })) flush(); }); }, RETRY_MS);
})();
